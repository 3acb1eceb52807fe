"""Answers with citations: one backend interface, an extractive default and OpenAI-compatible LLMs.

`Answerer.ask_stream` retrieves passages, decides whether they can answer at all (answer/refusal.py: a
model fitted on the question set, over the evidence the passages give; when they do not, every backend
declines and lists the closest passages), then lets a backend compose the answer. Backends yield
`Draft`s: the answer text so far, whose [n]
markers index the draft's citations. An LLM backend that fails (unreachable, timed out, killed
mid-answer, an answer that cites nothing or repeats its instructions) is replaced by the extractive
answer with a notice: the user never sees an exception from a backend.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import replace

from ..records import Answer, Document, Filters, Hit
from ..retrieve.retriever import Retriever
from ..settings import Settings
from ..text.people import pinyin
from ..text.places import PROVINCE_OF, scope_of
from .base import AnswerBackend, BackendFailed, Draft
from .citations import neutralise_markers
from .extractive import ExtractiveBackend, place_names
from .facts import asks_across_regions
from .llm.backend import OpenAIBackend
from .messages import MESSAGES, NAME_SORTS, join_notices
from .question import PreparedQuestion, prepare_question
from .refusal import Assessment, Assessor

log = logging.getLogger("policyqa.answer")


BACKENDS = ("extractive", "openai")

MODES = ("dense", "bm25", "hybrid")


class Answerer:
    """Retrieve, decide whether the documents answer at all, compose a cited answer with one backend."""

    def __init__(self, settings: Settings, retriever: Retriever) -> None:
        self.settings = settings
        self.retriever = retriever
        self.assessor = Assessor(retriever, settings.answer)
        self.extractive = ExtractiveBackend(self.assessor)
        self._backends: dict[str, AnswerBackend] = {"extractive": self.extractive}

    @classmethod
    def open(cls, settings: Settings) -> Answerer:
        """The answerer over the configured index (opened and checked by the Retriever)."""
        return cls(settings, Retriever.open(settings))

    @property
    def documents(self) -> Mapping[str, Document]:
        """The loaded documents by id (the app's viewer and source cards read them)."""
        return self.retriever.index.documents

    @property
    def stats(self) -> tuple[int, int]:
        """(documents, passages) in the loaded index."""
        return len(self.retriever.index.documents), len(self.retriever.index.chunks)

    def warm_up(self) -> None:
        """One search, the pinyin dictionary that names in a question need (0.3 s) and the candidate
        sentences of the first `warm_passages` passages, so that the first users do not pay for them."""
        if self.retriever.index.chunks:
            self.retriever.search("warm up 预热", k=1)
        pinyin("预热")
        self.retriever.speller  # noqa: B018 -- built at the first English question otherwise
        self.assessor.evidence.prepare(self.settings.answer.warm_passages)

    def backend(self, name: str) -> AnswerBackend:
        if name not in BACKENDS:
            raise ValueError(f"unknown answer backend {name!r}: use {' or '.join(BACKENDS)}")
        if name not in self._backends:
            self._backends[name] = OpenAIBackend(self.settings, quoter=self.extractive)
        return self._backends[name]

    def spelled(self, q: PreparedQuestion) -> PreparedQuestion:
        """The question as the retriever corrects its spelling, which the answer layer then reads too (a
        "Waht" is no question word), with a notice saying what was searched for."""
        if q.problem:
            return q
        spelling = self.retriever.spelled(q.text)
        if not spelling.changes:
            return q
        notice = MESSAGES[q.lang]["spelled"].format(text=spelling.text)
        return replace(q, text=spelling.text, notice=join_notices(q.notice, notice))

    def ask(self, question: str, k: int | None = None, filters: Filters | None = None,
            mode: str | None = None, backend: str | None = None) -> Answer:
        """The complete answer (the last of `ask_stream`)."""
        stream = self.ask_stream(question, k=k, filters=filters, mode=mode, backend=backend)
        (answer,) = deque(stream, maxlen=1)
        return answer

    def ask_stream(self, question: str, k: int | None = None, filters: Filters | None = None,
                   mode: str | None = None, backend: str | None = None) -> Iterator[Answer]:
        """Progressively longer partial answers (`partial=True`); the last one is complete."""
        started = time.perf_counter()
        mode = mode or self.settings.mode
        if mode not in MODES:
            raise ValueError(f"unknown retrieval mode {mode!r}: use dense, bm25 or hybrid")
        chosen = self.backend(backend or self.settings.backend)
        k = k or self.settings.k
        q = prepare_question(question, self.settings.max_question_chars)
        q.notice = join_notices(q.notice, _across_regions(q, filters))
        base = {"question": q.text, "backend": chosen.name, "lang": q.lang}
        q = self.spelled(q)
        if q.problem:
            yield Answer(answer=q.problem, declined=True, notice=q.notice or q.problem,
                         timings_ms={"retrieve": 0.0, "answer": 0.0, "total": _ms(started)}, **base)
            return
        hits = self.retriever.search(q.text, k=k, filters=filters, mode=mode)
        retrieved = time.perf_counter()
        timings = {"retrieve": _ms(started, retrieved)}
        base["hits"] = hits

        def done(draft: Draft, name: str, notice: str = "", partial: bool = False) -> Answer:
            now = time.perf_counter()
            notices = join_notices(q.notice, notice, draft.notice)
            return Answer(**{**base, "backend": name}, answer=draft.text, citations=draft.citations,
                          declined=draft.declined, notice=notices, partial=partial,
                          timings_ms={**timings, "answer": _ms(retrieved, now), "total": _ms(started, now)})

        # a place or region filter also keeps out the sentences its passages give about other places: the
        # digest is a Guangdong document too, and --region Guangdong had quoted its Hainan reward
        scope = scope_of([*filters.places, *filters.regions]) if filters else frozenset()
        assessment = self.assessor.assess(q.text, hits, scope)
        if assessment.declined:
            yield done(declined_draft(assessment, q, hits, self.settings.answer.closest_floor), chosen.name)
            return
        drafts = (self.extractive.write(assessment, hits, q.lang) if chosen is self.extractive
                  else chosen.stream(q.text, hits, q.lang))
        empty = Draft(MESSAGES[q.lang]["no_sentence"])
        try:
            for draft, partial in _streamed(drafts, empty):
                yield done(draft, chosen.name, partial=partial)
        except Exception as exc:
            if chosen is self.extractive:
                raise
            notice = _fallback_notice(chosen.name, exc, q.lang)
            for draft, partial in _streamed(self.extractive.write(assessment, hits, q.lang), empty):
                yield done(draft, self.extractive.name, notice, partial=partial)


def _streamed(drafts: Iterator[Draft], empty: Draft) -> Iterator[tuple[Draft, bool]]:
    """Each draft with whether it is partial: all but the last are, and `empty` stands for none at all.
    A draft is passed on only once the next one exists, so that the last one is known to be complete."""
    last: Draft | None = None
    for draft in drafts:
        if last is not None:
            yield last, True
        last = draft
    yield last or empty, False


def _fallback_notice(backend: str, exc: Exception, lang: str) -> str:
    """What the reader is told when a backend failed and the extractive answer stands in; logged too."""
    if isinstance(exc, BackendFailed):
        failure = exc
        log.info("%s backend failed: %s", backend, exc)
    else:
        failure = BackendFailed("internal", detail=type(exc).__name__)
        log.exception("%s backend crashed", backend)
    return MESSAGES[lang]["fallback"].format(backend=backend, reason=failure.describe(lang))


def _across_regions(q: PreparedQuestion, filters: Filters | None) -> str:
    """The notice for a question across regions: one answer quotes the best passages, whichever regions
    they are about, and a comparison answers each region. None where a filter already picks regions or
    documents, as a comparison's own rows do."""
    scoped = filters is not None and bool(filters.places or filters.regions or filters.doc_ids)
    if q.problem or scoped or not asks_across_regions(q.text):
        return ""
    return MESSAGES[q.lang]["across_regions"]


def declined_draft(assessment: Assessment, q: PreparedQuestion, hits: list[Hit], floor: float) -> Draft:
    """The refusal, naming the places or drugs no passage is about, or the years the passages give instead
    of the asked one, or saying that they give no figure, when that is why.

    When the passages are about the question without clearly answering it (no figure or only other years
    given, or an answer probability of at least `floor`), the closest sentence follows, pointing at its
    passage: the reader judges it at a glance instead of reading five passages, and it is marked as no
    answer. Off-topic questions score under the floor and get the refusal alone."""
    reason = assessment.reason
    closest = assessment.chosen[0] if assessment.chosen and (
        reason in ("figure", "organisation", "where", "date", "year", "city")
        or (reason == "evidence" and assessment.probability >= floor)) else None
    # "the documents do not cover this" only when what it names is in no passage (a place, a drug, a body);
    # weak evidence is no proof of that: nothing found answers it
    key = {"no_hits": "no_hits", "figure": "no_figure", "organisation": "no_name", "where": "no_name",
           "date": "no_name", "evidence": "not_found"}.get(reason, "declined")
    key = "unclear" if closest is not None and key in ("declined", "not_found") else key
    facts = assessment.facts
    named = {"where": "city" if facts.city else "place", "date": "date"}.get(reason, facts.organisation)
    sort = NAME_SORTS[q.lang].get(named, "")
    text = MESSAGES[q.lang][key].format(sort=sort)
    if closest is not None:
        text += "\n\n" + MESSAGES[q.lang]["closest"].format(n=hits[closest.hit].rank,
                                                              quote=neutralise_markers(closest.text))
    notice = ""
    if reason in ("place", "drug", "body"):
        notice = MESSAGES[q.lang]["unmentioned"].format(names=place_names(assessment.missing, q.lang))
    elif reason == "city":
        provinces = sorted({PROVINCE_OF[c] for c in assessment.missing})
        notice = MESSAGES[q.lang]["city"].format(cities=place_names(assessment.missing, q.lang),
                                                 provinces=place_names(provinces, q.lang))
    elif reason == "year":
        asked = sorted(assessment.facts.asked_years)
        notice = MESSAGES[q.lang]["year"].format(asked=place_names(asked, q.lang),
                                                 given=place_names(assessment.other_years, q.lang))
    return Draft(text=text, declined=True, notice=notice)


def _ms(start: float, end: float | None = None) -> float:
    return round(((end if end is not None else time.perf_counter()) - start) * 1000, 1)
