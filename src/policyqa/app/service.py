"""The chat's engine: one loaded answerer shared by every session, and `Service.ask`, the one path from a
typed question to an answer that the chat and every API endpoint follow.

The model and the index are loaded once per process; an upload is ingested incrementally and the fresh
index is swapped in whole (`Service.reload`) without a restart.
"""

from __future__ import annotations

import json
import logging
import threading
import traceback
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..answer.answerer import Answerer
from ..answer.compare import BY, compare
from ..answer.llm.client import probe
from ..answer.messages import join_notices
from ..answer.question import question_problem
from ..index.build import STAGES, current_build, index_exists, ingest
from ..progress import StageBars
from ..records import Answer, Comparison, Document, Filters
from ..settings import Settings, SettingsError
from .compare_view import comparison_markdown
from .followup import resolve_followup
from .render import (
    UI_TEXT,
    Source,
    comparison_sources,
    counted,
    source_from_hit,
    sources_of,
    ui_lang,
    uploads_notice,
)

log = logging.getLogger("policyqa.app")

MAX_K = 10
MODES = ("hybrid", "dense", "bm25")
#: a request's options besides the question and the filters (checked by `option_problem`)
OPTIONS = ("k", "mode", "backend", "compare")
#: characters of a question echoed back (the question limit itself is `max_question_chars`)
ECHO_CHARS = 2000


@dataclass
class Loaded:
    """One loaded index behind its answerer; replaced whole after an upload."""

    answerer: Answerer

    @property
    def documents(self) -> Mapping[str, Document]:
        return self.answerer.documents


#: the Request fields that become search filters
FILTER_FIELDS = ("documents", "regions", "languages", "date_from", "date_to", "places")
#: the filters with a format to remind of when one is refused (render.UI_TEXT keys)
FILTER_HINTS = {"date_from": "filter_hint_dates", "date_to": "filter_hint_dates",
                "languages": "filter_hint_languages"}


@dataclass
class Request:
    """A question as the chat or the API sends it; empty values mean the server's defaults."""

    question: Any
    previous: str = ""
    k: int | None = None
    mode: str = ""
    backend: str = ""
    documents: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    date_from: str = ""
    date_to: str = ""
    #: '' for one answer; 'region' or 'document' for one answer per region or document (compare)
    compare: str = ""
    #: passage region tags ('Hainan', '海南'): only passages about these regions
    places: list[str] = field(default_factory=list)


@dataclass
class Turn:
    """A question's progress: yielded once resolved, once per partial answer, and complete at the end."""

    question: str
    lang: str
    resolved: str = ""
    interpreted: str = ""  # the resolved question when a follow-up was rewritten
    mode: str = ""
    filters: Filters | None = None
    problem: str = ""  # shown instead of an answer: empty, too long, bad option, impossible filter, failure
    #: the request field the problem is with ('' for the question): an option's name, a filter's, or
    #: 'filters' for filters that match only apart
    problem_field: str = ""
    failed: bool = False  # the problem is an internal error (logged on the server)
    answer: Answer | None = None
    comparison: Comparison | None = None  # set instead of `answer` when the request compares
    notice: str = ""  # why another backend answered
    sources: list[Source] = field(default_factory=list)  # cited passages, or the closest when declined
    closest: list[Source] = field(default_factory=list)  # every retrieved passage
    final: bool = False


@dataclass
class Service:
    """The model and index shared by all sessions; `current` is swapped whole after an upload, or after
    an ingest beside the server committed another build."""

    settings: Settings
    loaded: Loaded
    llm_available: bool = False
    ingest_lock: threading.Lock = field(default_factory=threading.Lock)
    feedback_lock: threading.Lock = field(default_factory=threading.Lock)
    reload_lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def open(cls, settings: Settings, say: Callable[[str], None] = lambda _m: None) -> Service:
        if not index_exists(Path(settings.index_dir)):
            check_buildable(settings)
            say(f"no index in {settings.index_dir}: building one from {settings.corpus_dir} first")
            build_with_progress(settings, say)
        service = cls(settings, load(settings))
        service.llm_available = probe(settings.llm)
        return service

    def reload(self) -> None:
        self.loaded = load(self.settings)

    @property
    def current(self) -> Loaded:
        """The loaded index, loaded again first when the index folder's current build is another one: a
        `policyqa ingest` beside a running server had left it answering from the old build, quoting a
        deleted document, for as long as it ran (the fourth user audit). One request reloads (the
        build's files and the models: seconds), the others wait for it; a check is two small reads."""
        if self._built_now() in (None, self._built_loaded()):
            return self.loaded
        with self.reload_lock:
            built = self._built_now()
            if built not in (None, self._built_loaded()):
                log.info("the index in %s is now build %s: loading it", self.settings.index_dir, built.name)
                self.reload()
        return self.loaded

    def _built_now(self) -> Path | None:
        return current_build(self.settings.index_dir)

    def _built_loaded(self) -> Path:
        return self.loaded.answerer.retriever.index.folder

    @property
    def stats(self) -> tuple[int, int]:
        return self.current.answerer.stats

    def record_feedback(self, entry: dict) -> None:
        path = Path(self.settings.feedback_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(entry, ensure_ascii=False)
        with self.feedback_lock, path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")

    def ask(self, request: Request) -> Iterator[Turn]:
        """Check the question, resolve a follow-up, build the filters, pick the backend and stream the
        answer; problems become a Turn with `problem` set, never an exception."""
        text = request.question if isinstance(request.question, str) else ""
        turn = Turn(question=text[:ECHO_CHARS], lang=ui_lang(text[:ECHO_CHARS]) if text.strip() else "en")
        turn.problem = question_problem(text, self.settings.max_question_chars, turn.lang)
        if turn.problem:
            yield _final(turn)
            return
        turn.resolved = resolve_followup(text.strip(), request.previous or "")
        turn.interpreted = turn.resolved if turn.resolved != text.strip() else ""
        yield turn
        options = ((name, option_problem(name, getattr(request, name))) for name in OPTIONS)
        turn.problem_field, turn.problem = next(((n, p) for n, p in options if p), ("", ""))
        if not turn.problem:
            turn.problem = self._filter_problem(turn, request)
            if turn.problem:  # with the format of the filter at fault, if it has one
                turn.problem_field = self._filter_field(request)
                hint = FILTER_HINTS.get(turn.problem_field, "")
                turn.problem += UI_TEXT[turn.lang][hint] if hint else ""
        if turn.problem:
            yield _final(turn)
            return
        yield from (self._compare if request.compare else self._answer)(turn, request)

    def _filter_problem(self, turn: Turn, request: Request) -> str:
        """Sets the turn's filters, or says why they can never match (`_filters`)."""
        turn.filters, problem = self._filters(request)
        return UI_TEXT[turn.lang]["bad_filter"].format(problem=problem) if problem else ""

    def _filters(self, request: Request) -> tuple[Filters | None, str]:
        """The request's filters and why they can never match ('' when they can): a value that is no date
        or language, or one this index holds nowhere (a misspelt document id found nothing, as if
        undocumented)."""
        try:
            filters = make_filters(request.documents, request.regions, request.languages,
                                   request.date_from, request.date_to, request.places)
        except ValueError as exc:
            return None, str(exc)
        return filters, self.current.answerer.retriever.filter_problem(filters)

    def _filter_field(self, request: Request) -> str:
        """The filter a refused request's problem is with: the first that cannot match on its own, or
        'filters' when each matches alone and they match only apart."""
        cleared = {name: type(getattr(request, name))() for name in FILTER_FIELDS}
        for name in FILTER_FIELDS:
            alone = replace(request, **{**cleared, name: getattr(request, name)})
            if getattr(request, name) and self._filters(alone)[1]:
                return name
        return "filters"

    def _compare(self, turn: Turn, request: Request) -> Iterator[Turn]:
        """One cited answer per region (or document) with evidence, and the silent ones; `sources` are
        every group's cited passages, numbered across the table."""
        turn.mode = request.mode if request.mode in MODES else self.settings.mode
        loaded = self.current
        try:  # request.compare is region or document (option_problem)
            turn.comparison = compare(loaded.answerer, turn.resolved, by=request.compare,
                                      filters=turn.filters, k=self._k(request), mode=turn.mode)
            turn.sources = comparison_sources(turn.comparison, loaded.documents)
        except Exception:
            log.error("comparing %r failed:\n%s", turn.resolved[:200], traceback.format_exc())
            turn.problem, turn.failed = UI_TEXT[turn.lang]["failed"], True
        yield _final(turn)

    def _k(self, request: Request) -> int:
        """Passages per answer (per row of a comparison): the request's or the default, at most MAX_K on
        a shared server (k was checked to be a whole number, 0 or None for the default)."""
        return min(int(request.k or self.settings.k), MAX_K)

    def _answer(self, turn: Turn, request: Request) -> Iterator[Turn]:
        k = self._k(request)
        turn.mode = request.mode if request.mode in MODES else self.settings.mode
        chosen, turn.notice = choose_backend(self, request.backend, turn.lang)
        loaded = self.current
        try:
            for answer in loaded.answerer.ask_stream(turn.resolved, k=k, filters=turn.filters,
                                                     mode=turn.mode, backend=chosen):
                turn.answer = answer
                yield turn
        except Exception:
            log.error("answering %r failed:\n%s", turn.resolved[:200], traceback.format_exc())
            turn.answer = None
        if turn.answer is None:
            turn.problem, turn.failed = UI_TEXT[turn.lang]["failed"], True
        else:
            turn.sources = sources_of(turn.answer, loaded.documents)
            if not turn.answer.declined:  # cited passages from uncurated uploads are named
                turn.notice = join_notices(turn.notice, uploads_notice(turn.sources, turn.lang))
            turn.closest = [source_from_hit(h, loaded.documents) for h in turn.answer.hits]
        yield _final(turn)


def _final(turn: Turn) -> Turn:
    turn.final = True
    return turn


def load(settings: Settings) -> Loaded:
    """The answerer over the configured index, warmed up so the first user does not pay for lazy loading."""
    answerer = Answerer.open(settings)
    answerer.warm_up()
    return Loaded(answerer)


def check_buildable(settings: Settings) -> None:
    """Serve builds a missing index from the corpus on its first start; with no corpus folder either, the
    --index is most likely mistyped, so say that there is no index there and how to build one, instead of
    the corpus loader's 'corpus folder corpus does not exist'."""
    index, corpus = settings.index_dir, Path(settings.corpus_dir)
    if not corpus.is_dir():
        raise FileNotFoundError(
            f"no index in {index}, and no corpus folder {corpus} to build one from: build it with "
            f"policyqa ingest --corpus DIR --index {index}, or point --index at an existing index")


def build_with_progress(settings: Settings, say: Callable[[str], None]) -> None:
    """Run a full ingest with progress bars on stderr (first start without an index)."""
    progress = StageBars(STAGES)
    try:
        result = ingest(settings, progress=progress, say=say)
    finally:
        progress.close()
    say(f"built index {settings.index_dir}: {counted(result.n_documents, 'document')}, "
        f"{counted(result.n_chunks, 'chunk')} ({counted(result.count('skipped'), 'file')} skipped)")


def make_filters(documents: list[str] | None = None, regions: list[str] | None = None,
                 languages: list[str] | None = None, date_from: str = "", date_to: str = "",
                 places: list[str] | None = None) -> Filters:
    """Filters from the controls or the API; ValueError (one plain sentence) for a value that can never
    match, such as 2025-13-45 or language 'xx', instead of silently matching nothing."""
    from pydantic import ValidationError

    try:
        return Filters(
            doc_ids=[d for d in documents or [] if d], regions=[r for r in regions or [] if r],
            languages=[x for x in languages or [] if x], date_from=(date_from or "").strip(),
            date_to=(date_to or "").strip(), places=[p for p in places or [] if p],
        )
    except ValidationError as exc:
        raise ValueError("; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors())) from None


def option_problem(name: str, value: Any) -> str:
    """Why a request's k, mode, backend or compare cannot be used, naming what it may be ('' when it can;
    None, '' and k 0 are the server's default): the API had ignored an unknown mode or compare and taken a
    negative k. k, mode and backend meet the rule of the setting of that name, the one the command line's
    flags meet; a k above the server's MAX_K is then capped, as it always was."""
    if value is None or value == "" or (name == "k" and value == 0 and value is not False):  # k 0: default
        return ""
    if name == "compare":
        return "" if value in BY else f"compare = {value!r}: must be {' or '.join(BY)} (empty: one answer)"
    try:
        Settings.check(name, value)
    except SettingsError as exc:
        return str(exc)
    return ""


def choose_backend(service: Service, backend: str | None, lang: str) -> tuple[str, str]:
    backend = backend or service.settings.backend
    if backend == "openai" and not service.llm_available:
        return "extractive", UI_TEXT[lang]["llm_off"].format(url=service.settings.openai_base_url)
    return ("openai" if backend == "openai" else "extractive"), ""


def split_list(value: str | list[str] | None) -> list[str]:
    """A comma-separated API value (or a list) as its non-empty items."""
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [v.strip() for v in str(value).split(",") if v.strip()]


def api_ask(service: Service, question: str, k: int | None = None, mode: str = "", backend: str = "",
            documents: str = "", regions: str = "", languages: str = "", date_from: str = "",
            date_to: str = "", previous_question: str = "", compare: str = "", places: str = "") -> dict:
    """The `/ask` endpoint's work: the last Turn of `Service.ask` as a JSON-able reply, never an exception.

    With compare='region' (or 'document') the reply's `comparison` holds {question, by, groups, notice} and
    `citations` every group's cited passages, numbered across the groups."""
    request = Request(question, previous_question or "", k, mode, backend, split_list(documents),
                      split_list(regions), split_list(languages), date_from, date_to, compare or "",
                      split_list(places))
    (turn,) = deque(service.ask(request), maxlen=1)
    reply: dict[str, Any] = {"question": turn.question, "resolved_question": turn.resolved, "answer": "",
                             "declined": True, "citations": [], "closest": [], "backend": "", "notice": "",
                             "error": ""}
    if turn.problem:
        error = "internal error (logged on the server)" if turn.failed else turn.problem
        reply.update(answer=turn.problem, error=error)
        return reply
    if turn.comparison is not None:
        reply.update(answer=comparison_markdown(turn.comparison, turn.lang, escape=False),
                     declined=all(g.declined for g in turn.comparison.groups),
                     comparison=turn.comparison.public(), citations=[s.to_api() for s in turn.sources],
                     timings_ms=turn.comparison.timings_ms, notice=turn.comparison.notice)
        return reply
    answer = turn.answer
    reply.update(
        answer=answer.answer or UI_TEXT[turn.lang]["declined"].replace("**", ""), declined=answer.declined,
        backend=answer.backend,
        notice=join_notices(answer.notice, turn.notice),
        citations=[] if answer.declined else [s.to_api() for s in turn.sources],
        closest=[s.to_api() for s in turn.closest],
        timings_ms=answer.timings_ms,
    )
    return reply
