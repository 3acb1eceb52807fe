"""Typed records passed between the stages: Document -> Chunk -> Hit (with Citation) -> Answer."""

from __future__ import annotations

import bisect
import datetime
from operator import itemgetter

from pydantic import BaseModel, Field, field_validator, model_validator


class DocumentMeta(BaseModel):
    """What a reader needs to judge a source: who issued it, where, when, in which language."""

    doc_id: str
    title: str
    title_alt: str = ""
    issuer: str = ""
    region: str = ""
    date: str = ""
    languages: list[str] = Field(default_factory=list)
    source: str = ""
    #: vetted by whoever keeps the corpus (`curated: true` in documents.yaml)
    curated: bool = False
    #: when the file was uploaded through the chat (UTC, ISO), '' for a file of the corpus itself
    uploaded_at: str = ""

    @property
    def about(self) -> str:
        """Its titles and region: the text that says which place the document is about."""
        return " ".join((self.title, self.title_alt, self.region))


_CLEAN_START = itemgetter(0)


class Document(BaseModel):
    """A cleaned document that still knows where each cleaned character came from in the raw file.

    `segments` are (clean_start, raw_start, length) runs: the cleaner only drops whole lines, so a few
    runs map every cleaned offset back to the raw text. `pages` are (clean_start, page_number) for PDFs.
    """

    meta: DocumentMeta
    path: str
    text: str
    content_hash: str
    segments: list[tuple[int, int, int]] = Field(default_factory=list)
    pages: list[tuple[int, int]] = Field(default_factory=list)
    removed_lines: int = 0

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """The raw-text span (offsets into the file's text as read) of the cleaned span [start, end): what
        a reader opening the file finds at the citation. Offsets between runs (a line break the cleaner
        put in place of dropped lines) map to the next kept character. Runs are sorted, so two bisections
        find them: every search hit's citation asks, and a long PDF has thousands of runs."""
        runs = self.segments
        i = max(bisect.bisect_right(runs, start, key=_CLEAN_START) - 1, 0)  # the run at or before start
        if runs and start >= runs[i][0] + runs[i][2]:  # in the gap after it: the next kept character
            i += 1
        j = bisect.bisect_left(runs, end, key=_CLEAN_START) - 1  # the last run starting before end
        if i >= len(runs) or j < 0:
            return start, end
        first = runs[i][1] + max(0, start - runs[i][0])
        clean_start, raw_start, length = runs[j]
        return first, max(first, raw_start + min(length, end - clean_start))

    def page_at(self, clean_offset: int) -> int | None:
        """Page number (1-based) holding a cleaned offset, for PDF citations."""
        page = None
        for start, number in self.pages:
            if start > clean_offset:
                break
            page = number
        return page


class Chunk(BaseModel):
    """A passage: an exact slice of its document's cleaned text, which is also what the embedder reads."""

    chunk_id: str
    doc_id: str
    title: str
    section: list[str] = Field(default_factory=list)
    lang: str
    start: int
    end: int
    page: int | None = None
    text: str
    content_hash: str
    #: the regions the passage is about, canonical English names ('National', 'Guangdong'), set at ingest
    places: list[str] = Field(default_factory=list)


def location(doc_id: str, source_file: str, source: tuple[int | None, int | None], start: int, end: int,
             page: int | None = None) -> str:
    """Where a reader finds a passage, as the CLI and the API's message text print it: the document, and the
    file (relative to the corpus) with the character offsets into its text as read; the cleaned text's
    offsets only when the index predates file offsets (they open nothing in the file)."""
    at = f", p. {page}" if page else ""
    if source_file and source[0] is not None:
        return f"{doc_id}: {source_file} chars {source[0]}-{source[1]}{at}"
    return f"{doc_id} {start}-{end}{at}"


class Citation(BaseModel):
    """Enough to open the source at the cited place: document, section, span, page. `start`/`end` are
    offsets into the document's cleaned text (what the viewer shows); `source_file` (relative to the
    corpus) and `source_start`/`source_end` are the file and the offsets into its text as read, where a
    reader who opens the file finds the passage. (Not `path`: gradio_client takes any dict with a "path"
    for a file to download.)"""

    doc_id: str
    title: str
    section: str = ""
    start: int
    end: int
    page: int | None = None
    source_file: str = ""
    source_start: int | None = None
    source_end: int | None = None
    issuer: str = ""
    region: str = ""
    date: str = ""
    curated: bool = False
    uploaded_at: str = ""
    #: the passage's region tags (see Chunk.places)
    places: list[str] = Field(default_factory=list)


class Hit(BaseModel):
    """One ranked passage."""

    rank: int
    chunk_id: str
    doc_id: str
    score: float
    text: str
    lang: str
    citation: Citation
    dense_score: float | None = None


class CitedPassage(BaseModel):
    """A passage an answer cites as [n]."""

    n: int
    chunk_id: str
    doc_id: str
    title: str
    section: str = ""
    text: str
    start: int
    end: int
    page: int | None = None
    #: the file and the offsets into its text as read (Citation)
    source_file: str = ""
    source_start: int | None = None
    source_end: int | None = None
    lang: str
    sentence: str = ""
    #: every sentence of the passage the answer quotes or relies on, in answer order (`sentence` is the first)
    sentences: list[str] = Field(default_factory=list)
    issuer: str = ""
    date: str = ""
    curated: bool = False
    uploaded_at: str = ""
    places: list[str] = Field(default_factory=list)


class Answer(BaseModel):
    """A composed answer: text with [n] markers, the passages they cite, and how it was made."""

    question: str
    answer: str
    citations: list[CitedPassage] = Field(default_factory=list)
    hits: list[Hit] = Field(default_factory=list)
    backend: str
    declined: bool = False
    notice: str = ""
    timings_ms: dict[str, float] = Field(default_factory=dict)
    #: language of the question, and so of the answer's own words ('zh' or 'en')
    lang: str = ""
    #: True on the growing answers `Answerer.ask_stream` yields before the final one
    partial: bool = False


class CompareGroup(BaseModel):
    """One row of a comparison: a region's (or document's) own cited answer, or that it is silent."""

    key: str
    #: the canonical region name or the doc_id the group stands for (`key` is its display name)
    group: str
    answer: str
    declined: bool = False
    citations: list[CitedPassage] = Field(default_factory=list)


class Comparison(BaseModel):
    """One question answered once per region or document; citation numbers run across all groups."""

    question: str
    by: str
    lang: str = ""
    groups: list[CompareGroup] = Field(default_factory=list)
    timings_ms: dict[str, float] = Field(default_factory=dict)
    notice: str = ""  # what was searched for when the question's spelling was corrected

    def public(self) -> dict:
        """The documented JSON: {question, by, groups: [{key, answer, declined, citations: [{n, doc_id,
        text}]}], notice}; each citation also says where the passage is (title, section, date, span, path
        and source span, as `policyqa ask --json` does)."""
        where = ("title", "section", "date", "start", "end", "page", "source_file", "source_start",
                 "source_end")
        return {"question": self.question, "by": self.by, "groups": [
            {"key": g.key, "answer": g.answer, "declined": g.declined,
             "citations": [{"n": c.n, "doc_id": c.doc_id, "text": c.text, **c.model_dump(include=set(where))}
                           for c in g.citations]}
            for g in self.groups], "notice": self.notice}


#: passage languages the detector assigns, so the only ones a filter can match
LANGUAGES = ("zh", "en")


class Filters(BaseModel):
    """Restrict a search to some documents; every field is optional and fields combine with AND."""

    doc_ids: list[str] = []
    regions: list[str] = []
    #: passage region tags, in English or Chinese ('Hainan', '海南', 'National'); a passage matches any
    places: list[str] = []
    issuers: list[str] = []
    languages: list[str] = []
    date_from: str = ""
    date_to: str = ""

    def is_empty(self) -> bool:
        return not (
            self.doc_ids or self.regions or self.places or self.issuers or self.languages or self.date_from
            or self.date_to
        )

    @field_validator("languages")
    @classmethod
    def _known_languages(cls, value: list[str]) -> list[str]:
        """A language no passage can have would silently match nothing: refuse it instead."""
        unknown = [lang for lang in value if lang not in LANGUAGES]
        if unknown:
            raise ValueError(f"unknown language {unknown[0]!r}: use {' or '.join(LANGUAGES)}")
        return value

    @field_validator("date_from", "date_to")
    @classmethod
    def _real_date(cls, value: str) -> str:
        """YYYY, YYYY-MM or YYYY-MM-DD naming a date that exists (2025-13-45 would match nothing)."""
        value = value.strip()
        if not value:
            return value
        parts = value.split("-")
        try:
            if len(parts) > 3 or len(parts[0]) != 4 or any(len(p) != 2 for p in parts[1:]):
                raise ValueError
            numbers = [int(p) for p in parts] + [1] * (3 - len(parts))
            datetime.date(*numbers)
        except ValueError:
            raise ValueError(f"{value!r} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD") from None
        return value

    @model_validator(mode="after")
    def _dates_in_order(self) -> Filters:
        """A range that ends before it starts matches nothing (2026 to 2020); dates are compared to the
        shorter one's precision, so 2025-06 to 2025 stays a range."""
        shared = min(len(self.date_from), len(self.date_to))
        if shared and self.date_from[:shared] > self.date_to[:shared]:
            raise ValueError(f"date_from {self.date_from} is after date_to {self.date_to}: swap them")
        return self


UPLOAD_FOLDER = "uploads"  # files the chat saved; their documents are marked as uploads
