"""Which years a question's chosen sentences speak for, so that a figure for one year is not given for
another ('year' declines, answer/refusal.py).

A sentence's own years date it. One with none is dated by its document when the document's titles name
one year (the 2025 conference's report, the measures "（2025年）"); in a plan whose titles span years
(2021–2025) it is the plan's target for the span's end year.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..records import Document, Hit
from ..text.places import places_named, with_provinces
from .evidence import Piece
from .facts import QuestionFacts
from .kinds import YEAR

#: a span of years in a title: (2021-2025), （2021—2025年）
PERIOD = re.compile(r"((?:19|20)\d\d)\s*[-–—~至到]\s*((?:19|20)\d\d)")


class Dating:
    """The years of a corpus's documents' titles: a span's, or a single year's."""

    def __init__(self, documents: Mapping[str, Document]) -> None:
        #: the years a document's title spans ("… Action Plan … (2021-2025)"), for documents with one
        self.periods = {doc_id: (m[1], m[2]) for doc_id, doc in documents.items()
                        if (m := PERIOD.search(doc.meta.about))}
        #: the year a document's titles date it by, for those naming one year and no span
        self.years = {doc_id: years.pop() for doc_id, doc in documents.items()
                      if doc_id not in self.periods and len(years := set(YEAR.findall(doc.meta.about))) == 1}

    def other_years(self, facts: QuestionFacts, chosen: list[Piece],
                    hits: list[Hit]) -> tuple[list[Piece], list[str]]:
        """The chosen pieces (a plan's undated target for the asked year moved to the lead) and the years
        they date the answer by instead of the asked ones ([] when they answer for it)."""
        other = facts.other_year([self._dated(p, hits) for p in _dating(chosen, facts.places)])
        if other and (within := self._within_period(facts, chosen, hits)):
            return [within, *(p for p in chosen if p is not within)], []
        return chosen, other

    def _dated(self, piece: Piece, hits: list[Hit]) -> str:
        """A piece's text, followed by its document's year when it gives no year of its own: the 2025
        conference's "totaling over 1,200 attendees" does not answer how many attended the 2024 edition."""
        year = self.years.get(hits[piece.hit].doc_id)
        return f"{piece.text} {year}" if year and not YEAR.search(piece.text) else piece.text

    def _within_period(self, facts: QuestionFacts, chosen: list[Piece], hits: list[Hit]) -> Piece | None:
        """A chosen sentence that states the asked figure with no year of its own, in a plan whose title
        span ends in the asked year: the Guangdong plan for 2021–2025's "goal of achieving 1 trillion yuan"
        is its 2025 target, though the sentence ranked above it gives 2019's revenue (and it is no figure
        for 2024)."""
        for piece in chosen:
            period = self.periods.get(hits[piece.hit].doc_id)
            if period and piece.states and not YEAR.search(piece.text) and facts.asked_years == {period[1]}:
                return piece
        return None


def _dating(chosen: list[Piece], places: frozenset[str]) -> list[Piece]:
    """The chosen sentences whose years date the answer: all of them; for a question that names a place,
    those that name an asked place themselves, else the lead ("湖北…2024年营收" is not answered by Hubei's
    2027 target, nor by the national 2024 market figure the digest quotes next to it)."""
    if not places:
        return chosen
    return [p for p in chosen if with_provinces(places_named(p.text)) & places] or chosen[:1]
