"""Whose voice a question that names no place asks for, so that other regions' sentences do not answer it.

"What does the national policy say about …?" (国家措施, 国家《…》) is the nation's; a question quoting a
document's title (《支持创新药高质量发展的若干措施》, the national notice's; 《北京市支持创新医药高质量发展
若干措施》, Beijing's) is that document's region's: Beijing's "32 new measures" is no count of the
national notice's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..records import Document, DocumentMeta
from ..text.places import NATIONAL, document_regions, scope_of

#: the nation's own policy named: 国家措施, "the national measures"
NATION_POLICY = r"国家(?:措施|层面|政策)|\bnational (?:measures|policy|policies|notice)\b"
#: a question about the nation's own policy, with no place named: its sentences rank as a National row's
_NATIONAL_POLICY = re.compile(NATION_POLICY + r"|国家《|全国(?:层面|性)|\bnational level\b", re.I)
NATION = frozenset({NATIONAL[1]})
#: a title quoted in a question or a document's title: 《支持创新药高质量发展的若干措施》
QUOTED_TITLE = re.compile(r"《([^》]{4,60})》")
#: a year in brackets closing a title: （2025年）, (2021-2025)
_TITLE_YEAR = re.compile(r"\s*[（(][^）)]*\d{4}[^）)]*[）)]\s*$")


class Scopes:
    """The titles of a corpus's documents of one region, with that region's scope (text/places.scope_of)."""

    def __init__(self, documents: Mapping[str, Document]) -> None:
        self.titles = {title: scope for doc in documents.values()
                       if len(regions := document_regions(doc.meta.region)) == 1
                       and (scope := scope_of(regions)) for title in _titles(doc.meta)}

    def of(self, question: str) -> frozenset[str]:
        """The scope a question naming no place asks in: the nation's for its policy, a document's region
        when it quotes that document's title (and only one region's), else none."""
        if _NATIONAL_POLICY.search(question):
            return NATION
        scopes = {self.titles.get(_bare_title(name)) for name in QUOTED_TITLE.findall(question)} - {None}
        return scopes.pop() if len(scopes) == 1 else frozenset()


def _bare_title(title: str) -> str:
    return _TITLE_YEAR.sub("", "".join(title.split()))


def _titles(meta: DocumentMeta) -> set[str]:
    """A document's names as a question quotes them: the 《…》 within its titles, and its Chinese title
    without a closing year ("北京市支持创新医药高质量发展若干措施")."""
    names = {_bare_title(t) for title in (meta.title, meta.title_alt) for t in QUOTED_TITLE.findall(title)}
    return names | {_bare_title(t) for t in (meta.title, meta.title_alt) if t and not t.isascii()}
