"""The backend interface: drafts with [n] citations, and the failure a backend raises."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from ..records import CitedPassage, Hit
from .messages import REASONS


@dataclass
class Draft:
    """An answer as a backend builds it: text whose [n] markers index `citations` (n = position + 1)."""

    text: str
    citations: list[CitedPassage] = field(default_factory=list)
    declined: bool = False
    notice: str = ""


class BackendFailed(Exception):
    """A backend could not produce a trustworthy answer; `describe(lang)` says why, in plain words."""

    def __init__(self, kind: str, **params: object) -> None:
        self.kind = kind
        self.params = {"detail": "", **params}
        super().__init__(self.describe("en"))

    def describe(self, lang: str) -> str:
        return REASONS[self.kind][0 if lang == "en" else 1].format(**self.params).strip()


class AnswerBackend(ABC):
    """Composes an answer from retrieved passages. `hits` are numbered [1]..[len(hits)] for the backend."""

    name: str

    @abstractmethod
    def stream(self, question: str, hits: list[Hit], lang: str) -> Iterator[Draft]:
        """Progressively longer drafts in `lang`; the last one is the answer. Raises BackendFailed."""


def cite(n: int, hit: Hit, sentences: Sequence[str] = (), best: str = "") -> CitedPassage:
    """The citation [n] of a retrieved passage, quoting `sentences` from it; `best` (default: the first
    of them) is the one to highlight."""
    c = hit.citation
    return CitedPassage(
        n=n, chunk_id=hit.chunk_id, doc_id=hit.doc_id, title=c.title, section=c.section, text=hit.text,
        start=c.start, end=c.end, page=c.page, source_file=c.source_file, source_start=c.source_start,
        source_end=c.source_end, lang=hit.lang, sentences=list(sentences),
        sentence=best or (sentences[0] if sentences else ""), issuer=c.issuer, date=c.date,
        curated=c.curated, uploaded_at=c.uploaded_at, places=c.places,
    )
