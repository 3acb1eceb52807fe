"""`policyqa serve`: the browser chat. Ask in Chinese or English, read the cited passages, open the source.

Everything shown from a document is HTML-escaped: passages are untrusted data, never markup. The model
and the index are loaded once per process and shared by every session; an upload is ingested
incrementally and the fresh index is swapped in without a restart. The viewer only shows documents
that are in the loaded index (looked up by id, never by path), and uploads are written only inside
`<corpus>/uploads/` under sanitised names.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..index.reader import Index
from ..records import Filters
from ..retrieve.retriever import Retriever
from ..settings import Settings
from .followup import resolve_followup
from .render import TEXT, _source_from_hit, sources_of, ui_lang, uploads_notice

log = logging.getLogger("policyqa.app")


MAX_K = 10

MODES = ("hybrid", "dense", "bm25")


@dataclass
class Loaded:
    index: Index
    retriever: Retriever
    answerer: Any


@dataclass
class Engine:
    """The model and index shared by all sessions; `current` is swapped whole after an upload."""

    settings: Settings
    current: Loaded
    llm_available: bool = False
    ingest_lock: threading.Lock = field(default_factory=threading.Lock)
    feedback_lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def open(cls, settings: Settings, say: Callable[[str], None] = lambda _m: None) -> Engine:
        if Index.current_build(Path(settings.index_dir)) is None:
            say(f"no index in {settings.index_dir}: building one from {settings.corpus_dir} first")
            build_with_progress(settings, say)
        engine = cls(settings, load(settings))
        engine.llm_available = probe_llm(settings)
        return engine

    def reload(self) -> None:
        self.current = load(self.settings)

    @property
    def stats(self) -> tuple[int, int]:
        return len(self.current.index.documents), len(self.current.index.chunks)

    def record_feedback(self, entry: dict) -> None:
        path = Path(self.settings.feedback_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(entry, ensure_ascii=False)
        with self.feedback_lock, path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")


def load(settings: Settings) -> Loaded:
    """Index, retriever and answerer, warmed up so the first user does not pay for lazy model loading."""
    from ..answer.answerer import Answerer

    retriever = Retriever.open(settings)
    index = retriever.index
    answerer = Answerer(settings, retriever)
    if index.chunks:
        retriever.search("warm up 预热", k=1)
    return Loaded(index, retriever, answerer)


def build_with_progress(settings: Settings, say: Callable[[str], None]) -> None:
    """Run a full ingest with tqdm bars on stderr (first start without an index)."""
    from tqdm import tqdm

    from ..index.build import STAGES, ingest

    bars: dict[str, tqdm] = {}

    def progress(stage: str, done: int, total: int) -> None:
        label = STAGES.get(stage, stage)
        bar = bars.get(stage) or bars.setdefault(stage, tqdm(total=total, desc=label, file=sys.stderr))
        bar.n = done
        bar.refresh()

    result = ingest(settings, progress=progress, say=say)
    for bar in bars.values():
        bar.close()
    say(f"built index {settings.index_dir}: {result.n_documents} documents, {result.n_chunks} chunks "
        f"({result.count('skipped')} files skipped)")


def probe_llm(settings: Settings) -> bool:
    """Whether the configured OpenAI-compatible server answers (one quick request at start-up)."""
    if not settings.openai_base_url:
        return False
    try:
        import httpx

        headers = {}
        key = settings.openai_api_key.get_secret_value()
        if key:
            headers["Authorization"] = f"Bearer {key}"
        response = httpx.get(settings.openai_base_url.rstrip("/") + "/models", timeout=1.0, headers=headers)
        return response.status_code < 500
    except Exception:
        return False


def make_filters(documents: list[str] | None = None, regions: list[str] | None = None,
                 languages: list[str] | None = None, date_from: str = "", date_to: str = "") -> Filters:
    """Filters from the controls or the API; ValueError (one plain sentence) for a value that can never
    match, such as 2025-13-45 or language 'xx', instead of silently matching nothing."""
    from pydantic import ValidationError

    try:
        return Filters(
            doc_ids=[d for d in documents or [] if d], regions=[r for r in regions or [] if r],
            languages=[x for x in languages or [] if x], date_from=(date_from or "").strip(),
            date_to=(date_to or "").strip(),
        )
    except ValidationError as exc:
        raise ValueError("; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors())) from None


def question_problem(question: str, settings: Settings, lang: str) -> str:
    """A message when the question cannot be asked (empty, too long), else ''."""
    if not question or not question.strip():
        return TEXT[lang]["empty"]
    if len(question) > settings.max_question_chars:
        return TEXT[lang]["too_long"].format(n=len(question), limit=settings.max_question_chars)
    return ""


def choose_backend(engine: Engine, backend: str | None, lang: str) -> tuple[str, str]:
    backend = backend or engine.settings.backend
    if backend == "openai" and not engine.llm_available:
        return "extractive", TEXT[lang]["llm_off"].format(url=engine.settings.openai_base_url)
    return ("openai" if backend == "openai" else "extractive"), ""


def _split(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [v.strip() for v in str(value).split(",") if v.strip()]


def api_ask(engine: Engine, question: str, k: int = 0, mode: str = "", backend: str = "", documents: str = "",
            regions: str = "", languages: str = "", date_from: str = "", date_to: str = "",
            previous_question: str = "") -> dict:
    """The `/ask` endpoint's work: a JSON-able reply, never an exception."""
    question = question if isinstance(question, str) else ""
    lang = ui_lang(question[:2000]) if question.strip() else "en"
    reply: dict[str, Any] = {"question": question[:2000], "resolved_question": "", "answer": "",
                             "declined": True,
                             "citations": [], "closest": [], "backend": "", "notice": "", "error": ""}
    problem = question_problem(question, engine.settings, lang)
    if problem:
        reply.update(answer=problem, error=problem)
        return reply
    resolved = resolve_followup(question.strip(), previous_question or "")
    reply["resolved_question"] = resolved
    try:
        filters = make_filters(_split(documents), _split(regions), _split(languages), date_from, date_to)
    except ValueError as exc:
        message = TEXT[lang]["bad_filter"].format(problem=str(exc))
        reply.update(answer=message, error=message)
        return reply
    k = max(1, min(int(k or engine.settings.k), MAX_K))
    mode = mode if mode in MODES else engine.settings.mode
    chosen, notice = choose_backend(engine, backend, lang)
    loaded = engine.current
    try:
        answer = loaded.answerer.ask(resolved, k=k, filters=filters, mode=mode, backend=chosen)
    except Exception:
        log.error("answering %r failed:\n%s", resolved[:200], traceback.format_exc())
        reply.update(answer=TEXT[lang]["failed"], error="internal error (logged on the server)")
        return reply
    sources = sources_of(answer, loaded.index)
    if not answer.declined:
        notice = " ".join(x for x in (notice, uploads_notice(sources, lang)) if x)
    reply.update(
        answer=answer.answer or TEXT[lang]["declined"].replace("**", ""), declined=answer.declined,
        backend=answer.backend,
        notice=" ".join(x for x in (answer.notice, notice) if x),
        citations=[] if answer.declined else [s.to_api() for s in sources],
        closest=[_source_from_hit(h, loaded.index).to_api() for h in answer.hits],
        timings_ms=answer.timings_ms,
    )
    return reply
