"""`policyqa serve`: the browser chat. Ask in Chinese or English, read the cited passages, open the source.

Everything shown from a document is HTML-escaped: passages are untrusted data, never markup. The model
and the index are loaded once per process and shared by every session; an upload is ingested
incrementally and the fresh index is swapped in without a restart. The viewer only shows documents
that are in the loaded index (looked up by id, never by path), and uploads are written only inside
`<corpus>/uploads/` under sanitised names.
"""

import html
import ipaddress
import json
import logging
import math
import os
import re
import shutil
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from .answer import PLACES as KNOWN_PLACES
from .ingest import UPLOAD_FOLDER, UnreadableFile, detect_language, load_document
from .records import Answer, Hit
from .retrieve import Filters, Retriever
from .settings import Settings
from .store import Index

log = logging.getLogger("policyqa.app")

UPLOAD_TYPES = (".txt", ".md", ".html", ".htm", ".pdf", ".docx")
MAX_K = 10
MIB = 2**20  # upload limits are in MiB everywhere: the label, our check and Gradio's max_file_size (bytes)
VIEW_WINDOW = 20_000  # characters of a long document shown around the cited span
MODES = ("hybrid", "dense", "bm25")
LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}

EXAMPLES = [
    "广东计划建设多少个综合性生物医药产业园区？",
    "What does the national policy say about the commercial health insurance innovative drug catalogue?",
    "北京对创新药首发上市有哪些支持措施？",
    "How does Beijing support the clinical use of innovative drugs?",
]

# --------------------------------------------------------------------------- bilingual framing

TEXT = {
    "en": {
        "interpreted": "Interpreted as: {q}",
        "declined": "**The documents do not answer this question.** The closest passages are listed under "
                    "Sources so you can check for yourself.",
        "sources_hint": "Sources: see the numbered passages in the Sources panel.",
        "sources": "Sources",
        "closest": "Closest passages (not an answer)",
        "empty": "Please type a question.",
        "too_long": "Your question has {n:,} characters; the limit is {limit:,}. Please shorten it.",
        "failed": "Sorry, something went wrong while answering. The problem was logged on the server; "
                  "please try again or rephrase the question.",
        "bad_filter": "This filter can never match: {problem}. Dates look like 2025, 2025-06 or 2025-06-30; "
                      "languages are zh or en.",
        "no_match": "No document matches the filters; clear some filters and ask again.",
        "llm_off": "The LLM backend is not reachable at {url}; answered with the extractive backend.",
        "uploaded": "uploaded {time}, not curated",
        "from_uploads": "Passage {ns} comes from a document uploaded through the chat, not from the curated "
                        "corpus: check it against the curated sources.",
        "thinking": "Searching the documents…",
    },
    "zh": {
        "interpreted": "理解为：{q}",
        "declined": "**文档中没有找到能回答这个问题的依据。** 右侧“来源”中列出了最接近的段落，供您自行核对。",
        "sources_hint": "出处：见右侧“来源”面板中编号对应的段落。",
        "sources": "来源",
        "closest": "最接近的段落（不构成答案）",
        "empty": "请输入问题。",
        "too_long": "问题长度为 {n:,} 个字符，上限为 {limit:,} 个字符，请精简后再问。",
        "failed": "抱歉，回答时出现错误，已在服务器端记录。请重试或换一种问法。",
        "bad_filter": "筛选条件无法匹配任何内容：{problem}。日期格式应为 2025、2025-06 或 2025-06-30，"
                      "语言为 zh 或 en。",
        "no_match": "没有文档符合筛选条件，请减少筛选条件后再问。",
        "llm_off": "无法连接大模型服务 {url}，已改用抽取式回答。",
        "uploaded": "用户上传（{time}），未经审核",
        "from_uploads": "段落 {ns} 来自用户上传的文档，并非经审核的语料，请与审核过的来源核对。",
        "thinking": "正在检索文档…",
    },
}


def ui_lang(question: str) -> str:
    """'zh' when the question is Chinese, else 'en' (the language of the answer's framing)."""
    try:
        return "zh" if detect_language(question) == "zh" else "en"
    except Exception:  # pragma: no cover - detection never matters enough to fail a question
        return "en"


# --------------------------------------------------------------------------- follow-up questions

#: (English, Chinese) names a follow-up may switch to: the whole country, then every place the refusal rule
#: knows (answer.PLACES); the first name of each is the replacement. A Chinese name also matches with 省/市.
PLACES: list[tuple[tuple[str, ...], tuple[str, ...]]] = [
    (("national", "nationwide", "China"), ("国家", "全国")),
    *(((en,), (zh,)) for en, zh in KNOWN_PLACES),
]
_ZH_ADMIN = "(?:省|市)?"

_EN_CUES = ("and what about", "and how about", "what about", "how about", "and for", "and in", "same for",
            "and")
_ZH_PREFIX = ("那么", "那", "还有", "而", "再看看", "换成")
_ZH_SUFFIX = ("怎么样呢", "的情况呢", "方面呢", "的呢", "呢", "怎么样", "的情况", "如何")
_EN_FILLER = re.compile(r"^(?:in|for|at|the|with|about)\s+", re.I)
_ZH_FILLER = ("在", "对于", "关于", "对")


def _place_of(entity: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    folded = entity.strip().lower()
    bare = entity.strip().removesuffix("市").removesuffix("省")
    for en, zh in PLACES:
        if folded in (e.lower() for e in en) or bare in zh:
            return en, zh
    return None


def _followup_entity(question: str) -> str | None:
    """The new subject of a short follow-up ('and what about Beijing?' -> 'Beijing'), else None."""
    q = question.strip().rstrip("?？.。!！ ").strip()
    if not q:
        return None
    if ui_lang(q) == "zh" or re.search(r"[\u3400-\u9fff]", q):
        had_cue = False
        for cue in _ZH_PREFIX:
            if q.startswith(cue):
                q, had_cue = q[len(cue):], True
                break
        for cue in _ZH_SUFFIX:
            if q.endswith(cue):
                q, had_cue = q[: -len(cue)], True
                break
        for filler in _ZH_FILLER:
            if q.startswith(filler) and len(q) > len(filler):
                q = q[len(filler):]
                break
        q = q.strip(" ，,、")
        return q if had_cue and q and len(q) <= 12 else None
    lower = q.lower()
    for cue in _EN_CUES:
        if lower == cue or lower.startswith(cue + " "):
            rest = q[len(cue):].strip(" ,")
            while _EN_FILLER.match(rest):
                rest = _EN_FILLER.sub("", rest, count=1)
            words = rest.split()
            return rest if rest and len(words) <= 5 else None
    return None


def resolve_followup(question: str, previous: str) -> str:
    """Rewrite a short follow-up into a full question using the previous one (deterministic, no LLM).

    'What does the national policy say about X?' + 'and what about Beijing?' ->
    'What does the Beijing policy say about X?'; '广东计划建设多少个园区？' + '那北京呢？' ->
    '北京计划建设多少个园区？'. A place in the previous question is replaced by the new one (in the previous
    question's language when the place is known); anything else is appended. Other questions are
    returned unchanged.
    """
    if not previous or not previous.strip():
        return question
    entity = _followup_entity(question)
    if entity is None:
        return question
    new_place = _place_of(entity)
    for en, zh in PLACES:
        for name in (*zh, *en):
            pattern = re.escape(name) + _ZH_ADMIN if name in zh else rf"\b{re.escape(name)}\b"
            if re.search(pattern, previous, flags=0 if name in zh else re.I):
                if new_place is None:
                    replacement = entity
                else:
                    replacement = new_place[1][-1] if name in zh else new_place[0][0]
                return re.sub(pattern, lambda _m, r=replacement: r, previous, flags=0 if name in zh else re.I)
    base = previous.strip().rstrip("?？.。!！ ")
    if ui_lang(previous) == "zh":
        return f"{base}（{entity}）？"
    joiner = "in" if new_place else "regarding"
    return f"{base} {joiner} {entity}?"


# --------------------------------------------------------------------------- rendering (all escaped)


def esc(text: Any) -> str:
    return html.escape(str(text or ""), quote=True)


def highlight(text: str, sentence: str) -> str:
    """The passage, escaped, with the supporting sentence wrapped in <mark>."""
    if sentence:
        at = text.find(sentence)
        if at < 0:
            stripped = sentence.strip()
            at = text.find(stripped) if stripped else -1
            sentence = stripped
        if at >= 0:
            return (esc(text[:at]) + '<mark class="pq-sentence">' + esc(sentence) + "</mark>"
                    + esc(text[at + len(sentence):]))
    return esc(text)


@dataclass
class Source:
    """One passage shown in the Sources panel (a citation, or a closest passage when declined)."""

    n: int
    doc_id: str
    chunk_id: str
    title: str
    title_alt: str
    issuer: str
    region: str
    date: str
    section: str
    start: int
    end: int
    page: int | None
    lang: str
    text: str
    sentence: str = ""
    curated: bool = False
    uploaded_at: str = ""

    @property
    def unvetted_upload(self) -> bool:
        """An upload nobody curated: shown with a label wherever it is quoted."""
        return bool(self.uploaded_at) and not self.curated

    def to_api(self) -> dict:
        return {
            "n": self.n, "document": self.doc_id, "chunk_id": self.chunk_id, "title": self.title,
            "title_alt": self.title_alt, "issuer": self.issuer, "region": self.region, "date": self.date,
            "section": self.section, "span": [self.start, self.end], "page": self.page, "lang": self.lang,
            "text": self.text, "sentence": self.sentence,
            "origin": "upload" if self.uploaded_at else "corpus", "uploaded_at": self.uploaded_at,
            "curated": self.curated,
        }


def sources_of(answer: Answer, index: Index) -> list[Source]:
    """Cited passages, or the closest passages when the answer was declined."""
    out = []
    if answer.citations and not answer.declined:
        for c in answer.citations:
            meta = index.documents[c.doc_id].meta if c.doc_id in index.documents else None
            out.append(Source(
                n=c.n, doc_id=c.doc_id, chunk_id=c.chunk_id, title=meta.title if meta else c.title,
                title_alt=meta.title_alt if meta else "", issuer=meta.issuer if meta else "",
                region=meta.region if meta else "", date=meta.date if meta else "", section=c.section,
                start=c.start, end=c.end, page=c.page, lang=c.lang, text=c.text, sentence=c.sentence,
                curated=c.curated, uploaded_at=c.uploaded_at,
            ))
        return out
    for hit in answer.hits:
        out.append(_source_from_hit(hit, index))
    return out


def _source_from_hit(hit: Hit, index: Index) -> Source:
    c = hit.citation
    meta = index.documents[c.doc_id].meta if c.doc_id in index.documents else None
    return Source(
        n=hit.rank, doc_id=hit.doc_id, chunk_id=hit.chunk_id, title=c.title,
        title_alt=meta.title_alt if meta else "", issuer=c.issuer, region=c.region, date=c.date,
        section=c.section, start=c.start, end=c.end, page=c.page, lang=hit.lang, text=hit.text,
        curated=c.curated, uploaded_at=c.uploaded_at,
    )


def source_card(src: Source) -> str:
    """HTML for one source: number, title in both languages, issuer, date, section, highlighted passage."""
    has_alt = src.title_alt and src.title_alt != src.title
    alt = f'<div class="pq-alt">{esc(src.title_alt)}</div>' if has_alt else ""
    facts = [esc(x) for x in (src.issuer, src.region, src.date) if x]
    if src.page:
        facts.append(f"p. {src.page}")
    section = f'<div class="pq-section">§ {esc(src.section)}</div>' if src.section else ""
    lang = "zh-CN" if src.lang == "zh" else "en"
    label = upload_label(src.uploaded_at) if src.unvetted_upload else ""
    return (
        f'<div class="pq-source" data-n="{src.n}" data-doc="{esc(src.doc_id)}">'
        f'<div class="pq-head"><span class="pq-n">[{src.n}]</span> '
        f'<span class="pq-title">{esc(src.title)}</span></div>{label}'
        f"{alt}<div class=\"pq-meta\">{' · '.join(facts)}</div>{section}"
        f'<div class="pq-text" lang="{lang}">{highlight(src.text, src.sentence)}</div></div>'
    )


def upload_label(uploaded_at: str) -> str:
    """The visible mark of an uploaded, uncurated document, in both languages (cards and the viewer)."""
    words = f"{TEXT['en']['uploaded']} · {TEXT['zh']['uploaded']}".format(time=uploaded_at)
    return f'<div class="pq-upload">⚠ {esc(words)}</div>'


def uploads_notice(sources: list["Source"], lang: str) -> str:
    """The answer's note naming the cited passages that come from uncurated uploads, or ''."""
    numbers = [f"[{s.n}]" for s in sources if s.unvetted_upload]
    return TEXT[lang]["from_uploads"].format(ns=", ".join(numbers)) if numbers else ""


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-!|<>~$])")
_MARKER = re.compile(r"\\\[(\d+)\\\]")


def md_escape(text: str, cited: set[int] | None = None) -> str:
    """Document text as literal Markdown: no links, images, HTML or emphasis can come from a passage.

    Citation markers [n] are bolded; with `cited`, only those that name a listed source (a document's
    own '[3]' footnote stays plain text).
    """
    escaped = _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))

    def bold(match: re.Match) -> str:
        n = int(match.group(1))
        return f"**[{n}]**" if cited is None or n in cited else f"\\[{n}\\]"

    return _MARKER.sub(bold, escaped)


def answer_markdown(answer: Answer | None, lang: str, interpreted: str = "", notice: str = "",
                    final: bool = True) -> str:
    """The chat message: optional 'interpreted as', the answer with bold [n] markers, the framing."""
    t = TEXT[lang]
    parts = []
    if interpreted:
        parts.append("_" + md_escape(t["interpreted"].format(q=interpreted)) + "_")
    if answer is None or (not answer.answer.strip() and not final):
        parts.append(t["thinking"])
    elif answer.declined:
        text = answer.answer.strip()
        parts.append(f"**{md_escape(text)}**" if text else t["declined"])
    else:
        parts.append(md_escape(answer.answer.strip(), {c.n for c in answer.citations}))
        if final and answer.citations:
            parts.append(f"<small>{t['sources_hint']}</small>")
    shown = answer.answer.strip() if answer is not None else ""
    for extra in (answer.notice if answer is not None else "", notice):
        if final and extra and extra.strip() != shown:
            parts.append(f"<small>{md_escape(extra)}</small>")
    return "\n\n".join(parts)


def copy_text(question: str, answer: Answer | None, sources: list[Source], lang: str) -> str:
    """Plain text to paste elsewhere: the answer with [n] markers and a numbered source list."""
    if answer is None:
        return ""
    t = TEXT[lang]
    head = answer.answer.strip() or (t["declined"].replace("**", ""))
    lines = [question.strip(), "", head, "", t["closest" if answer.declined else "sources"] + ":"]
    for s in sources:
        where = " — ".join(x for x in (s.title, s.section) if x)
        facts = ", ".join(x for x in (s.issuer, s.date) if x)
        page = f", p. {s.page}" if s.page else ""
        mark = f" ({TEXT[lang]['uploaded'].format(time=s.uploaded_at)})" if s.unvetted_upload else ""
        lines.append(f"[{s.n}] {where}" + (f" ({facts})" if facts else "")
                     + f" [{s.doc_id}, chars {s.start}-{s.end}{page}]{mark}")
    return "\n".join(lines)


def document_view(index: Index, doc_id: str, start: int = 0, end: int = 0) -> str:
    """The full cleaned document (a window of it when long) with the cited span highlighted and anchored.

    Documents are looked up by id in the loaded index; an unknown id (a path, '../..', anything else)
    gets a refusal, never a file read.
    """
    doc = index.documents.get(str(doc_id or ""))
    if doc is None:
        return '<div class="pq-viewer-empty">Unknown document. 未找到该文档。</div>'
    text, meta = doc.text, doc.meta
    start = max(0, min(int(start or 0), len(text)))
    end = max(start, min(int(end or 0), len(text)))
    lo, hi = 0, len(text)
    if len(text) > VIEW_WINDOW:
        lo = max(0, start - VIEW_WINDOW // 2)
        hi = min(len(text), max(end, lo + VIEW_WINDOW))
    window = f"characters {lo:,}–{hi:,} of {len(text):,}" if (lo, hi) != (0, len(text)) else ""
    body = esc(text[lo:start]) + (
        f'<mark class="pq-target" id="pq-target">{esc(text[start:end])}</mark>' if end > start else
        '<span id="pq-target"></span>'
    ) + esc(text[end:hi])
    facts = " · ".join(esc(x) for x in (meta.issuer, meta.region, meta.date, meta.source) if x)
    alt = f'<div class="pq-alt">{esc(meta.title_alt)}</div>' if meta.title_alt else ""
    label = upload_label(meta.uploaded_at) if meta.uploaded_at and not meta.curated else ""
    return (
        f'<div class="pq-doc" data-doc="{esc(meta.doc_id)}">'
        f'<div class="pq-doc-title">{esc(meta.title)}</div>{label}{alt}'
        f'<div class="pq-meta">{facts}</div><div class="pq-meta">{esc(doc.path)} {esc(window)}</div>'
        f'<div class="pq-doc-text" id="pq-doc-text">{body}</div></div>'
    )


# --------------------------------------------------------------------------- uploads

_UNSAFE_NAME = re.compile(r"[^\w.\- ]+", re.UNICODE)


def safe_upload_name(name: str) -> str:
    """A plain file name: no folders, no '..', no leading dot, no control or shell characters."""
    base = _UNSAFE_NAME.sub("_", re.split(r"[\\/]", str(name or ""))[-1])
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    ext = re.sub(r"\W", "", ext)[:10]
    stem = re.sub(r"\.{2,}", ".", stem).strip(" .")[:80].strip(" .") or "upload"
    return f"{stem}.{ext.lower()}" if ext else stem


class UploadRefused(ValueError):
    """An upload that is not written: wrong type, too big, empty, or an unsafe destination."""


def save_upload(source: Path, original_name: str, corpus_dir: Path, max_bytes: int) -> Path:
    """Copy an uploaded file into `<corpus>/uploads/` under a sanitised, non-clobbering name."""
    name = safe_upload_name(original_name)
    suffix = Path(name).suffix.lower()
    if suffix not in UPLOAD_TYPES:
        raise UploadRefused(f"{original_name}: file type {suffix or '(none)'} is not accepted; "
                            f"upload {', '.join(UPLOAD_TYPES)}")
    size = source.stat().st_size
    if size > max_bytes:
        raise UploadRefused(f"{original_name}: {size / MIB:.1f} MiB is over the "
                            f"{max_bytes / MIB:.0f} MiB limit")
    if size == 0:
        raise UploadRefused(f"{original_name}: the file is empty")
    folder = (Path(corpus_dir) / UPLOAD_FOLDER).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    target = (folder / name).resolve()
    stem = target.stem
    n = 1
    while target.exists():
        if target.read_bytes() == source.read_bytes():
            break
        n += 1
        target = folder / f"{stem}-{n}{suffix}"
    if target.parent != folder:
        raise UploadRefused(f"{original_name}: refused, the name points outside the upload folder")
    shutil.copyfile(source, target)
    return target


# --------------------------------------------------------------------------- the shared engine


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
    def open(cls, settings: Settings, say: Callable[[str], None] = lambda _m: None) -> "Engine":
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
    from .answer import Answerer

    retriever = Retriever.open(settings)
    index = retriever.index
    answerer = Answerer(settings, retriever)
    if index.chunks:
        retriever.search("warm up 预热", k=1)
    return Loaded(index, retriever, answerer)


def build_with_progress(settings: Settings, say: Callable[[str], None]) -> None:
    """Run a full ingest with tqdm bars on stderr (first start without an index)."""
    from tqdm import tqdm

    from .indexer import STAGES, ingest

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


# --------------------------------------------------------------------------- asking


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


# --------------------------------------------------------------------------- the Gradio app

CSS = """
.pq-source {border:1px solid var(--border-color-primary); border-radius:8px; padding:8px 10px; margin:0;}
.pq-head {font-weight:600;}
.pq-n {color: var(--color-accent); font-weight:700; margin-right:4px;}
.pq-alt {color: var(--body-text-color-subdued); font-size: 0.9em;}
.pq-meta {color: var(--body-text-color-subdued); font-size: 0.85em; margin-top:2px;}
.pq-section {font-size:0.85em; font-style: italic; margin-top:2px;}
.pq-text {margin-top:6px; white-space: pre-wrap; font-size:0.92em; max-height: 14em; overflow-y:auto;}
mark.pq-sentence, mark.pq-target {background:#fde68a; color:#111; padding:0 1px; border-radius:2px;}
.pq-doc-title {font-weight:700; font-size:1.05em;}
.pq-doc-text {white-space: pre-wrap; margin-top:8px; max-height: 460px; overflow-y:auto;
              border-top:1px solid var(--border-color-primary); padding-top:6px; font-size:0.92em;}
.pq-upload {color:#92400e; background:#fef3c7; font-size:0.85em; border-radius:4px; padding:1px 6px;
             margin-top:3px; display:inline-block;}
.pq-viewer-empty {color: var(--body-text-color-subdued); font-style: italic;}
.pq-slot {gap: 4px !important;}
"""

SCROLL_JS = """() => { setTimeout(() => {
  const box = document.getElementById('pq-doc-text'); const target = document.getElementById('pq-target');
  if (box && target) { box.scrollTop = target.offsetTop - box.offsetTop - 80; }
  const viewer = document.getElementById('pq-viewer'); if (viewer) viewer.scrollIntoView({block: 'nearest'});
}, 150); }"""


def region_choices(index: Index) -> list[str]:
    names: set[str] = set()
    for doc in index.documents.values():
        for part in re.split(r"[;,/()]|\bmultiple\b", doc.meta.region):
            if part.strip():
                names.add(part.strip())
    return sorted(names, key=lambda r: (r.lower() != "national", r.lower()))


def document_choices(index: Index) -> list[tuple[str, str]]:
    return sorted(((d.meta.title[:90], d.meta.doc_id) for d in index.documents.values()), key=lambda c: c[0])


def build_app(engine: Engine):
    """The Blocks app: chat + controls + upload on the left, sources + document viewer on the right."""
    import gradio as gr

    settings = engine.settings
    n_docs, n_chunks = engine.stats
    llm_note = (f"LLM server at {settings.openai_base_url} is reachable." if engine.llm_available else
                f"LLM backend: no OpenAI-compatible server answered at {settings.openai_base_url}; "
                "choosing it falls back to extractive. Start one and restart `policyqa serve` to use it.")

    with gr.Blocks(title="policyqa · 医药政策问答", analytics_enabled=False) as demo:
        turns = gr.State([])
        sources_state = gr.State([])
        gr.Markdown(
            "## policyqa · 医药政策问答\n"
            "Ask about Chinese pharmaceutical policy in Chinese or English; every answer cites the passages "
            "it comes from. 用中文或英文提问，每个回答都附有出处。"
        )
        status = gr.Markdown(f"<small>{n_docs} documents · {n_chunks} passages indexed</small>")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(
                    label="Chat", height=520, latex_delimiters=[], sanitize_html=True, buttons=["copy"],
                    placeholder="**Ask a question about the policy documents · 请就政策文件提问**",
                    examples=[{"text": q} for q in EXAMPLES], elem_id="pq-chat",
                )
                with gr.Row():
                    question = gr.Textbox(show_label=False, scale=8, max_lines=6, elem_id="pq-question",
                                          placeholder="Ask in Chinese or English · 用中文或英文提问")
                    ask_btn = gr.Button("Ask · 提问", variant="primary", scale=1, elem_id="pq-ask")
                with gr.Row():
                    up_btn = gr.Button("👍 Helpful · 有帮助", size="sm", elem_id="pq-up")
                    down_btn = gr.Button("👎 Not helpful · 没帮助", size="sm", elem_id="pq-down")
                    clear_btn = gr.Button("New chat · 新对话", size="sm")
                with gr.Accordion("Copy answer with citations · 复制答案及出处", open=False):
                    copy_box = gr.Textbox(show_label=False, lines=8, buttons=["copy"], interactive=False,
                                          elem_id="pq-copy")
                with gr.Accordion("Search settings · 检索设置", open=False):
                    with gr.Row():
                        k = gr.Slider(1, MAX_K, value=min(settings.k, MAX_K), step=1,
                                      label="Passages · 段落数")
                        mode = gr.Radio(list(MODES), value=settings.mode, label="Retrieval mode · 检索方式")
                    backend = gr.Dropdown(
                        [("Extractive (quotes the documents)", "extractive"),
                         ("LLM (OpenAI-compatible server)", "openai")],
                        value=settings.backend, label="Answer backend · 回答方式", info=llm_note,
                    )
                    idx = engine.current.index
                    docs = gr.Dropdown(document_choices(idx), multiselect=True, label="Documents · 文档")
                    with gr.Row():
                        regions = gr.Dropdown(region_choices(idx), multiselect=True, allow_custom_value=True,
                                              label="Region · 地区")
                        langs = gr.CheckboxGroup([("中文", "zh"), ("English", "en")],
                                                 label="Passage language · 语言")
                    with gr.Row():
                        date_from = gr.Textbox(label="From date · 起始日期", placeholder="2024-01-01")
                        date_to = gr.Textbox(label="To date · 截止日期", placeholder="2025-12-31")
                with gr.Accordion("Add documents · 上传文档", open=False):
                    files = gr.File(file_count="multiple", file_types=list(UPLOAD_TYPES), type="filepath",
                                    label=f"txt, md, html, pdf, docx · ≤ {settings.max_upload_mb} MiB each")
                    upload_btn = gr.Button("Add to the index · 加入索引")
                    upload_status = gr.Markdown()
            with gr.Column(scale=2):
                sources_title = gr.Markdown("### Sources · 来源\n<small>Cited passages appear here.</small>")
                slots, cards, opens = [], [], []
                for i in range(MAX_K):
                    with gr.Column(visible=False, elem_classes="pq-slot") as slot:
                        cards.append(gr.HTML(elem_id=f"pq-source-{i + 1}"))
                        opens.append(gr.Button("Open in document · 查看原文", size="sm",
                                               elem_id=f"pq-open-{i + 1}"))
                    slots.append(slot)
                gr.Markdown("### Document viewer · 原文")
                viewer = gr.HTML('<div class="pq-viewer-empty">Click “Open in document” on a source. '
                                 "点击来源下的“查看原文”。</div>", elem_id="pq-viewer")

        # ---- chat

        def respond(message, history, turns_value, k_value, mode_value, backend_value, docs_value,
                    regions_value, langs_value, from_value, to_value):
            history = list(history or [])
            turns_value = list(turns_value or [])
            text = message if isinstance(message, str) else ""
            lang = ui_lang(text[:2000]) if text.strip() else "en"
            same = (gr.skip(),) * (4 + 2 * MAX_K)
            if not text.strip():
                yield history, gr.skip(), *same
                return
            history.append({"role": "user", "content": md_escape(text[:2000])})
            problem = question_problem(text, settings, lang)
            if problem:
                history.append({"role": "assistant", "content": md_escape(problem)})
                yield history, "", *same
                return
            previous = turns_value[-1]["resolved"] if turns_value else ""
            resolved = resolve_followup(text.strip(), previous)
            interpreted = resolved if resolved != text.strip() else ""
            thinking = answer_markdown(None, lang, interpreted, final=False)
            history.append({"role": "assistant", "content": thinking})
            yield history, "", *same
            try:
                filters = make_filters(docs_value, regions_value, langs_value, from_value, to_value)
            except ValueError as exc:
                history[-1]["content"] = md_escape(TEXT[lang]["bad_filter"].format(problem=str(exc)))
                yield history, "", *same
                return
            chosen, notice = choose_backend(engine, backend_value, lang)
            loaded = engine.current
            answer = None
            try:
                stream = loaded.answerer.ask_stream(resolved, k=int(k_value or settings.k), filters=filters,
                                                    mode=mode_value, backend=chosen)
                for answer in stream:
                    history[-1]["content"] = answer_markdown(answer, lang, interpreted, final=False)
                    yield history, gr.skip(), *same
            except Exception:
                log.error("answering %r failed:\n%s", resolved[:200], traceback.format_exc())
                history[-1]["content"] = md_escape(TEXT[lang]["failed"])
                yield history, gr.skip(), *same
                return
            if answer is None:
                history[-1]["content"] = md_escape(TEXT[lang]["failed"])
                yield history, gr.skip(), *same
                return
            sources = sources_of(answer, loaded.index)
            if not answer.declined:
                notice = " ".join(x for x in (notice, uploads_notice(sources, lang)) if x)
            history[-1]["content"] = answer_markdown(answer, lang, interpreted, notice, final=True)
            if not sources and not filters.is_empty() and not answer.hits:
                history[-1]["content"] += "\n\n" + md_escape(TEXT[lang]["no_match"])
            turns_value.append({
                "question": text.strip(), "resolved": resolved, "answer": answer.answer,
                "declined": answer.declined, "backend": answer.backend, "mode": mode_value,
                "sources": [{"n": s.n, "doc_id": s.doc_id, "title": s.title, "section": s.section,
                             "start": s.start, "end": s.end} for s in sources],
            })
            title = TEXT[lang]["closest" if answer.declined else "sources"]
            yield (history, gr.skip(), turns_value, [s.__dict__ for s in sources],
                   f"### {title}", copy_text(resolved, answer, sources, lang), *slot_updates(sources))

        def slot_updates(sources: list[Source]) -> list:
            shown = [gr.Column(visible=i < len(sources)) for i in range(MAX_K)]
            html_values = [source_card(sources[i]) if i < len(sources) else "" for i in range(MAX_K)]
            return shown + html_values

        chat_outputs = [chatbot, question, turns, sources_state, sources_title, copy_box, *slots, *cards]
        chat_inputs = [question, chatbot, turns, k, mode, backend, docs, regions, langs, date_from, date_to]
        question.submit(respond, chat_inputs, chat_outputs, api_visibility="private")
        ask_btn.click(respond, chat_inputs, chat_outputs, api_visibility="private")
        def pick_example(evt: gr.SelectData) -> str:
            value = evt.value
            return value.get("text", "") if isinstance(value, dict) else str(value or "")

        chatbot.example_select(pick_example, None, question, api_visibility="private", queue=False) \
            .then(respond, chat_inputs, chat_outputs, api_visibility="private")

        def clear():
            return ([], [], [], "### Sources · 来源", "", *slot_updates([]),
                    '<div class="pq-viewer-empty">—</div>')

        clear_outputs = [chatbot, turns, sources_state, sources_title, copy_box, *slots, *cards, viewer]
        clear_btn.click(clear, None, clear_outputs, api_visibility="private", queue=False)

        # ---- sources -> viewer

        def open_source(i: int, sources_value):
            if not sources_value or i >= len(sources_value):
                return gr.skip()
            src = sources_value[i]
            return document_view(engine.current.index, src["doc_id"], src["start"], src["end"])

        for i, button in enumerate(opens):
            button.click(lambda s, i=i: open_source(i, s), sources_state, viewer, api_visibility="private",
                         queue=False).then(None, js=SCROLL_JS)

        # ---- feedback

        def vote(value: str, turns_value):
            if not turns_value:
                gr.Info("Ask a question first · 请先提问")
                return
            turn = turns_value[-1]
            engine.record_feedback({**turn, "vote": value, "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S%z")})
            gr.Info("Thanks, feedback saved · 已记录反馈")

        up_btn.click(lambda t: vote("up", t), turns, None, api_visibility="private")
        down_btn.click(lambda t: vote("down", t), turns, None, api_visibility="private")

        def on_like(data: gr.LikeData, turns_value):
            index = data.index[0] if isinstance(data.index, list | tuple) else data.index
            turn_no = (int(index) - 1) // 2 if index is not None else -1
            if 0 <= turn_no < len(turns_value or []):
                turn = turns_value[turn_no]
                engine.record_feedback({**turn, "vote": "up" if data.liked else "down",
                                        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S%z")})

        chatbot.like(on_like, turns, None, api_visibility="private")

        # ---- uploads

        def upload(paths, progress=gr.Progress()):  # noqa: B008 - Gradio injects progress this way
            message, changed = ingest_uploads(engine, paths or [], progress)
            idx = engine.current.index
            n_docs, n_chunks = engine.stats
            if not changed:
                return message, gr.skip(), gr.skip(), gr.skip(), None
            return (message, f"<small>{n_docs} documents · {n_chunks} passages indexed</small>",
                    gr.Dropdown(choices=document_choices(idx)), gr.Dropdown(choices=region_choices(idx)),
                    None)

        upload_btn.click(upload, files, [upload_status, status, docs, regions, files], api_name="upload",
                         concurrency_limit=1, concurrency_id="ingest")

        # ---- named API endpoints for scripts

        def ask(question: str, k: int = 0, mode: str = "", backend: str = "", documents: str = "",
                regions: str = "", languages: str = "", date_from: str = "", date_to: str = "",
                previous_question: str = "") -> dict:
            """Answer a question with numbered citations. k=0 / empty strings use the server defaults;
            documents, regions and languages are comma-separated; dates are YYYY[-MM[-DD]]."""
            return api_ask(engine, question, k, mode, backend, documents, regions, languages, date_from,
                           date_to, previous_question)

        def view(document: str, start: int = 0, end: int = 0) -> str:
            """HTML of an indexed document (by document id) with the span start-end highlighted."""
            try:
                return document_view(engine.current.index, document, int(start or 0), int(end or 0))
            except Exception:
                log.error("viewer failed:\n%s", traceback.format_exc())
                return '<div class="pq-viewer-empty">Cannot show this document.</div>'

        gr.api(ask, api_name="ask")
        gr.api(view, api_name="view")

    demo.queue(default_concurrency_limit=settings.serve_concurrency, max_size=settings.serve_queue_size)
    return demo


def ingest_uploads(engine: Engine, paths: list, progress: Callable | None = None) -> tuple[str, bool]:
    """Save accepted uploads, ingest incrementally, swap in the new index. Returns (report, changed)."""
    from .indexer import ingest

    settings = engine.settings
    corpus = Path(settings.corpus_dir)
    lines, saved = [], []
    for item in paths:
        path = Path(item if isinstance(item, str | os.PathLike) else getattr(item, "name", ""))
        try:
            target = save_upload(path, path.name, corpus, settings.max_upload_mb * MIB)
        except UploadRefused as exc:
            lines.append(f"❌ {md_escape(str(exc))}")
            continue
        try:
            load_document(target, corpus.resolve())
        except UnreadableFile as exc:
            target.unlink(missing_ok=True)
            lines.append(f"❌ {md_escape(path.name)}: {md_escape(str(exc))} — not added")
            continue
        except Exception as exc:
            target.unlink(missing_ok=True)
            why = md_escape(type(exc).__name__)
            lines.append(f"❌ {md_escape(path.name)}: cannot read it ({why}) — not added")
            continue
        saved.append(target)
    if not saved:
        return "\n\n".join(lines) or "Choose files to upload first · 请先选择文件", False
    if not engine.ingest_lock.acquire(timeout=600):
        return "Another upload is being indexed; try again in a minute.", False
    try:
        def tick(stage: str, done: int, total: int) -> None:
            if progress is not None and total:
                label = {"read": "Reading files · 读取文件", "embed": "Embedding passages · 向量化",
                         "sentences": "Embedding sentences · 句向量"}.get(stage, stage)
                progress((done, total), desc=label)

        try:
            result = ingest(settings, progress=tick)
        except Exception as exc:
            for target in saved:
                target.unlink(missing_ok=True)
            log.error("ingest after upload failed:\n%s", traceback.format_exc())
            why = f"{type(exc).__name__}: {str(exc)[:200]}"
            lines.append(f"❌ indexing failed ({md_escape(why)}); "
                         "the index is unchanged")
            return "\n\n".join(lines), False
        reports = {r.path: r for r in result.files}
        for target in saved:
            relative = target.relative_to(corpus.resolve()).as_posix()
            report = reports.get(relative)
            if report is None or report.status in ("skipped", "duplicate"):
                target.unlink(missing_ok=True)
                why = report.message if report else "not found by the indexer"
                lines.append(f"❌ {md_escape(target.name)}: {md_escape(why)} — not added")
            else:
                lines.append(f"✅ {md_escape(target.name)}: {report.status}, {report.chunks} passages")
        engine.reload()
    finally:
        engine.ingest_lock.release()
    n_docs, n_chunks = engine.stats
    lines.append(f"Index now holds {n_docs} documents, {n_chunks} passages · 索引已更新")
    return "\n\n".join(lines), True


# --------------------------------------------------------------------------- serve


def read_auth(auth: str | None, auth_file: Path | None) -> list[tuple[str, str]] | None:
    """(user, password) pairs from `--auth user:pass` and/or a file of `user:password` lines."""
    pairs = []
    entries = [auth] if auth else []
    if auth_file:
        entries += [ln.strip() for ln in Path(auth_file).read_text(encoding="utf-8").splitlines()
                    if ln.strip() and not ln.strip().startswith("#")]
    for entry in entries:
        user, sep, password = entry.partition(":")
        if not sep or not user or not password:
            raise ValueError("auth must be user:password (one per line in --auth-file)")
        pairs.append((user, password))
    return pairs or None


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class ServeRefused(ValueError):
    """`serve` will not start: the settings would expose the corpus, or the port is taken."""


def exposure_problem(host: str, share: bool, has_auth: bool) -> str:
    """Why serving would hand strangers read and upload access to the corpus, or '' when it would not.

    Only a loopback bind without a public link may go without a password: anything else reaches other
    machines, and uploads write into the corpus.
    """
    if has_auth or (is_loopback(host) and not share):
        return ""
    where = "--share (a public link)" if share else f"--host {host} (reachable from other machines)"
    return (f"refusing to serve on {where} without a password: add --auth user:password or "
            "--auth-file FILE, or bind --host 127.0.0.1")


def check_port_free(host: str, port: int) -> None:
    """Fail fast, before the model loads, when another process already listens on host:port."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds: TIME_WAIT is free
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise ServeRefused(port_taken(host, port, exc)) from None


def port_taken(host: str, port: int, exc: Exception) -> str:
    return (f"cannot listen on {host}:{port} ({getattr(exc, 'strerror', None) or exc}): stop the other "
            "server or choose another port with --port")


class LoginThrottle:
    """ASGI middleware that locks a client out of `/login` after repeated wrong passwords.

    After `max_failures` failed sign-ins from one address, its sign-ins are refused with 429 and a
    Retry-After for `lockout` seconds, doubling with every further failure up to `max_lockout`. A correct
    sign-in clears the count. Attempts still in flight count as failures, so a burst of parallel guesses
    gets no more tries than a sequential one. Behind a reverse proxy every client shares its address.
    """

    PRUNE_ABOVE = 10_000  # tracked addresses before expired entries are dropped

    def __init__(self, app, max_failures: int = 5, lockout: float = 2.0, max_lockout: float = 600.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.app, self.max_failures, self.lockout, self.max_lockout = app, max_failures, lockout, max_lockout
        self.clock = clock
        self.clients: dict[str, dict[str, float]] = {}
        self.lock = threading.Lock()

    async def __call__(self, scope, receive, send) -> None:
        is_login = scope["type"] == "http" and scope.get("method") == "POST" and \
            scope.get("path", "").rstrip("/").endswith("/login")
        if not is_login:
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown",))[0]
        wait = self.admit(client)
        if wait > 0:
            await self.refuse(send, wait)
            return
        status = {"code": 500}

        async def capture(message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            self.record(client, status["code"])

    def admit(self, client: str) -> float:
        """0 when the client may try now (the attempt is then counted in flight), else seconds to wait."""
        now = self.clock()
        with self.lock:
            state = self.clients.setdefault(client, {"failures": 0, "pending": 0, "until": 0.0})
            if now < state["until"]:
                return state["until"] - now
            if state["pending"] >= max(1, self.max_failures - state["failures"]):
                return self.lockout  # as many guesses in flight as failures are left (one after a lockout)
            state["pending"] += 1
            return 0.0

    def record(self, client: str, status: int) -> None:
        """Count a wrong password (any 4xx), clear the count on success; 5xx says nothing about it."""
        with self.lock:
            state = self.clients[client]
            state["pending"] -= 1
            if status < 400:
                state["failures"], state["until"] = 0, 0.0
            elif status < 500:
                state["failures"] += 1
                over = state["failures"] - self.max_failures
                if over >= 0:
                    delay = min(self.max_lockout, self.lockout * 2 ** min(over, 30))
                    state["until"] = self.clock() + delay
            if len(self.clients) > self.PRUNE_ABOVE:
                now = self.clock()
                for key in [k for k, v in self.clients.items() if not v["pending"] and v["until"] < now]:
                    del self.clients[key]

    @staticmethod
    async def refuse(send, wait: float) -> None:
        body = json.dumps({"detail": f"Too many failed sign-ins; try again in {math.ceil(wait)} s."}).encode()
        await send({"type": "http.response.start", "status": 429, "headers": [
            (b"content-type", b"application/json"), (b"retry-after", str(math.ceil(wait)).encode()),
            (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


def serve(settings: Settings, share: bool = False, auth: list[tuple[str, str]] | None = None,
          block: bool = True):
    """Load once, print what is loaded and the URL, serve until interrupted.

    Refuses (ServeRefused) before loading anything when the bind would expose the corpus without a
    password or the port is taken.
    """
    problem = exposure_problem(settings.host, share, bool(auth))
    if problem:
        raise ServeRefused(problem)
    check_port_free(settings.host, settings.port)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "httpcore", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    engine = Engine.open(settings, say)
    n_docs, n_chunks = engine.stats
    print(f"policyqa: {n_docs} documents, {n_chunks} chunks loaded from {settings.index_dir}", flush=True)
    demo = build_app(engine)
    from starlette.middleware import Middleware

    throttle = Middleware(LoginThrottle, max_failures=settings.login_max_failures,
                          lockout=settings.login_lockout_seconds,
                          max_lockout=settings.login_lockout_max_seconds)
    try:
        _, local_url, share_url = demo.launch(
            server_name=settings.host, server_port=settings.port, share=share, auth=auth,
            auth_message="policyqa: sign in · 请登录" if auth else None, prevent_thread_lock=True,
            show_error=False, quiet=True, max_file_size=settings.max_upload_mb * MIB, ssr_mode=False,
            css=CSS, theme=_theme(), footer_links=["api"], app_kwargs={"middleware": [throttle]},
        )
    except OSError as exc:  # the port was taken while the model loaded
        raise ServeRefused(port_taken(settings.host, settings.port, exc)) from None
    print(f"policyqa is ready: {local_url}" + (f"  (public: {share_url})" if share_url else ""), flush=True)
    if block:
        try:
            demo.block_thread()
        except KeyboardInterrupt:
            pass
        finally:
            demo.close()
    return demo


def _theme():
    """A theme with system fonts only: the page must not fetch anything from the internet."""
    import gradio as gr

    return gr.themes.Soft(font=["system-ui", "PingFang SC", "Noto Sans CJK SC", "sans-serif"],
                          font_mono=["ui-monospace", "monospace"])


