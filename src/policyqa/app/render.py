"""What the chat shows: answers as escaped Markdown, source cards, the document viewer."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..records import Answer, CitedPassage, Comparison, Document, Hit
from ..text.language import detect_language
from ..text.places import NATIONAL, document_regions
from ..text.sentences import split_sentences

UI_TEXT = {
    "en": {
        "interpreted": "Interpreted as: {q}",
        "declined": "**The documents do not answer this question.** The closest passages are listed under "
                    "Sources so you can check for yourself.",
        "sources_hint": "Sources: see the numbered passages in the Sources panel.",
        "sources": "Sources",
        "closest": "Closest passages (not an answer)",
        "failed": "Sorry, something went wrong while answering. The problem was logged on the server; "
                  "please try again or rephrase the question.",
        "bad_filter": "This filter cannot be used: {problem}.",
        # said after bad_filter for the filter at fault only (a region's error ended with the dates' rule)
        "filter_hint_dates": " Dates look like 2025, 2025-06 or 2025-06-30.",
        "filter_hint_languages": " Languages are zh or en.",
        "no_match": "No document matches the filters; clear some filters and ask again.",
        "llm_off": "The LLM backend is not reachable at {url}; answered with the extractive backend.",
        "uploaded": "uploaded {time}, not curated",
        "from_uploads": "Passage {ns} comes from a document uploaded through the chat, not from the curated "
                        "corpus: check it against the curated sources.",
        "thinking": "Searching the documents…",
        "compare_head": ("Region", "Answer", "Documents"),
        "compare_head_document": ("Document", "Answer", "Date"),
        "cited_head": "Cited passages",
        "cited_columns": ("Cited passage", "Quoted text", "Document and section"),
    },
    "zh": {
        "interpreted": "理解为：{q}",
        "declined": "**文档中没有找到能回答这个问题的依据。** 右侧“来源”中列出了最接近的段落，供您自行核对。",
        "sources_hint": "出处：见右侧“来源”面板中编号对应的段落。",
        "sources": "来源",
        "closest": "最接近的段落（不构成答案）",
        "failed": "抱歉，回答时出现错误，已在服务器端记录。请重试或换一种问法。",
        "bad_filter": "筛选条件有误或无法匹配：{problem}。",
        "filter_hint_dates": "日期格式应为 2025、2025-06 或 2025-06-30。",
        "filter_hint_languages": "语言为 zh 或 en。",
        "no_match": "没有文档符合筛选条件，请减少筛选条件后再问。",
        "llm_off": "无法连接大模型服务 {url}，已改用抽取式回答。",
        "uploaded": "用户上传（{time}），未经审核",
        "from_uploads": "段落 {ns} 来自用户上传的文档，并非经审核的语料，请与审核过的来源核对。",
        "thinking": "正在检索文档…",
        "compare_head": ("地区", "回答", "文件"),
        "compare_head_document": ("文件", "回答", "日期"),
        "cited_head": "引用的段落",
        "cited_columns": ("引用段落", "引文", "文件及章节"),
    },
}


def ui_lang(question: str) -> str:
    """'zh' when the question is Chinese, else 'en' (the language of the answer's framing)."""
    try:
        return "zh" if detect_language(question) == "zh" else "en"
    except Exception:  # pragma: no cover - detection never matters enough to fail a question
        return "en"


def esc(text: Any) -> str:
    return html.escape(str(text or ""), quote=True)


#: a card folds the text above a cited sentence that starts further in than CARD_FOLD_AT characters (a
#: line break counting 40): its box shows about nine lines, and a sentence past them was below the fold (the
#: audit's 07_card3_crop.png); the fold keeps a sentence or line start at most CARD_CONTEXT before it
CARD_FOLD_AT, CARD_CONTEXT = 200, 100


def highlight(text: str, sentence: str, start: int = 0) -> str:
    """The passage from `start`, escaped, with the supporting sentence wrapped in <mark>."""
    at, sentence = _locate(text, sentence)
    if at < start:
        return esc(text[start:])
    end = at + len(sentence)
    return f'{esc(text[start:at])}<mark class="pq-sentence">{esc(text[at:end])}</mark>{esc(text[end:])}'


def _locate(text: str, sentence: str) -> tuple[int, str]:
    """Where the supporting sentence is in the passage (-1 when it is not), and the sentence as found."""
    at = text.find(sentence) if sentence else -1
    if at < 0 and sentence.strip():  # a quote trimmed of the spaces around it in the passage
        sentence = sentence.strip()
        at = text.find(sentence)
    return at, sentence


def card_passage(text: str, sentence: str) -> str:
    """A card's passage with the supporting sentence in sight when it shows: text far above the sentence
    folds into a <details> ("…": one click from the whole passage, no script; the viewer has the document)."""
    at, _ = _locate(text, sentence)
    if at < 0 or at + 40 * text.count("\n", 0, at) <= CARD_FOLD_AT:
        return highlight(text, sentence)
    starts = [s for s, _ in split_sentences(text)] + [m.end() for m in re.finditer("\n", text)]
    cut = min((s for s in starts if at - CARD_CONTEXT <= s <= at), default=at)
    summary = '<summary>… <span class="pq-more">earlier in the passage · 段落前文</span></summary>'
    return f'<details class="pq-before">{summary}{esc(text[:cut].rstrip())}</details>' \
           f"{highlight(text, sentence, cut)}"


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
    places: list[str] = field(default_factory=list)
    #: the file (relative to the corpus) and the offsets into its text as read (records.Citation)
    source_file: str = ""
    source_span: tuple[int, int] | None = None

    @property
    def unvetted_upload(self) -> bool:
        """An upload nobody curated: shown with a label wherever it is quoted."""
        return bool(self.uploaded_at) and not self.curated

    def to_api(self) -> dict:
        return {
            "n": self.n, "document": self.doc_id, "chunk_id": self.chunk_id, "title": self.title,
            "title_alt": self.title_alt, "issuer": self.issuer, "region": self.region, "date": self.date,
            "section": self.section, "span": [self.start, self.end], "source_file": self.source_file,
            "source_span": list(self.source_span) if self.source_span else None, "page": self.page,
            "lang": self.lang,
            "text": self.text, "sentence": self.sentence,
            "origin": "upload" if self.uploaded_at else "corpus", "uploaded_at": self.uploaded_at,
            "curated": self.curated, "places": self.places,
        }


def sources_of(answer: Answer, documents: Mapping[str, Document]) -> list[Source]:
    """Cited passages, or the closest passages when the answer was declined."""
    if answer.citations and not answer.declined:
        return [source_from_cited(c, documents) for c in answer.citations]
    return [source_from_hit(hit, documents) for hit in answer.hits]


def comparison_sources(comparison: Comparison, documents: Mapping[str, Document]) -> list[Source]:
    """Every group's cited passages, in table order (their numbers already run across the groups)."""
    return [source_from_cited(c, documents) for g in comparison.groups for c in g.citations]


def source_from_cited(c: CitedPassage, documents: Mapping[str, Document]) -> Source:
    meta = documents[c.doc_id].meta if c.doc_id in documents else None
    return Source(
        n=c.n, doc_id=c.doc_id, chunk_id=c.chunk_id, title=meta.title if meta else c.title,
        title_alt=meta.title_alt if meta else "", issuer=meta.issuer if meta else "",
        region=meta.region if meta else "", date=meta.date if meta else "", section=c.section,
        start=c.start, end=c.end, page=c.page, lang=c.lang, text=c.text, sentence=c.sentence,
        curated=c.curated, uploaded_at=c.uploaded_at, places=c.places, **_in_file(c),
    )


def source_from_hit(hit: Hit, documents: Mapping[str, Document]) -> Source:
    c = hit.citation
    meta = documents[c.doc_id].meta if c.doc_id in documents else None
    return Source(
        n=hit.rank, doc_id=hit.doc_id, chunk_id=hit.chunk_id, title=c.title,
        title_alt=meta.title_alt if meta else "", issuer=c.issuer, region=c.region, date=c.date,
        section=c.section, start=c.start, end=c.end, page=c.page, lang=hit.lang, text=hit.text,
        curated=c.curated, uploaded_at=c.uploaded_at, places=c.places, **_in_file(c),
    )


def _in_file(cited) -> dict:
    """A citation's file and its span in the file's text, for the Source fields of the same names."""
    span = None if cited.source_start is None else (cited.source_start, cited.source_end)
    return {"source_file": cited.source_file, "source_span": span}


def source_card(src: Source) -> str:
    """HTML for one source: number, title in both languages, issuer, date, section, highlighted passage."""
    has_alt = src.title_alt and src.title_alt != src.title
    alt = f'<div class="pq-alt">{esc(src.title_alt)}</div>' if has_alt else ""
    facts = [esc(x) for x in (src.issuer, src.region, src.date) if x]
    if src.page:
        facts.append(f"p. {src.page}")
    if src.places:
        facts.append(f'<span class="pq-places">about · 涉及 {esc(", ".join(src.places))}</span>')
    section = f'<div class="pq-section">§ {esc(src.section)}</div>' if src.section else ""
    lang = "zh-CN" if src.lang == "zh" else "en"
    label = upload_label(src.uploaded_at) if src.unvetted_upload else ""
    return (
        f'<div class="pq-source" data-n="{src.n}" data-doc="{esc(src.doc_id)}">'
        f'<div class="pq-head"><span class="pq-n">[{src.n}]</span> '
        f'<span class="pq-title">{esc(src.title)}</span></div>{label}'
        f"{alt}<div class=\"pq-meta\">{' · '.join(facts)}</div>{section}"
        f'<div class="pq-text" lang="{lang}">{card_passage(src.text, src.sentence)}</div></div>'
    )


def upload_label(uploaded_at: str) -> str:
    """The visible mark of an uploaded, uncurated document, in both languages (cards and the viewer)."""
    words = f"{UI_TEXT['en']['uploaded']} · {UI_TEXT['zh']['uploaded']}".format(time=uploaded_at)
    return f'<div class="pq-upload">⚠ {esc(words)}</div>'


def uploads_notice(sources: list[Source], lang: str) -> str:
    """The answer's note naming the cited passages that come from uncurated uploads, or ''."""
    numbers = [f"[{s.n}]" for s in sources if s.unvetted_upload]
    return UI_TEXT[lang]["from_uploads"].format(ns=", ".join(numbers)) if numbers else ""


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-!|<>~$])")

_ESCAPED_MARKER = re.compile(r"\\\[(\d+)\\\]")


def md_escape(text: str, cited: set[int] | None = None) -> str:
    """Document text as literal Markdown: no links, images, HTML or emphasis can come from a passage.

    Citation markers [n] are bolded; with `cited`, only those that name a listed source (a document's
    own '[3]' footnote stays plain text). The bold is a <strong> tag, not **: Markdown reads `**[2]****[3]**`
    as literal asterisks, and `**` between a Chinese character and a bracket (收入**[2]**来源) opens or
    closes nothing.
    """
    escaped = _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))

    def bold(match: re.Match) -> str:
        n = int(match.group(1))
        return f"<strong>[{n}]</strong>" if cited is None or n in cited else f"\\[{n}\\]"

    return _ESCAPED_MARKER.sub(bold, escaped)


def answer_markdown(answer: Answer | None, lang: str, interpreted: str = "", notice: str = "",
                    final: bool = True) -> str:
    """The chat message: optional 'interpreted as', the answer with bold [n] markers, the framing."""
    t = UI_TEXT[lang]
    parts = []
    if interpreted:
        parts.append("_" + md_escape(t["interpreted"].format(q=interpreted)) + "_")
    if answer is None or (not answer.answer.strip() and not final):
        parts.append(t["thinking"])
    elif answer.declined:
        text = answer.answer.strip()
        # the refusal in bold; the closest statement that may follow it is a quote, not the verdict
        head, _, closest = text.partition("\n\n")
        parts.append(f"**{md_escape(head)}**" if text else t["declined"])
        if closest:
            parts.append(md_escape(closest))
    else:
        parts.append(md_escape(answer.answer.strip(), {c.n for c in answer.citations}))
        if final and answer.citations:
            parts.append(f"<small>{t['sources_hint']}</small>")
    shown = answer.answer if answer is not None else ""
    if final:
        parts += [f"<small>{md_escape(extra)}</small>"
                  for extra in notices_besides(shown, answer.notice if answer is not None else "", notice)]
    return "\n\n".join(parts)


def notices_besides(answer: str, *notices: str) -> list[str]:
    """The non-empty notices that are not the answer itself: a reply to "???" is its own notice, said once."""
    return [n for n in notices if n and n.strip() != answer.strip()]


def copy_text(question: str, answer: Answer | None, sources: list[Source], lang: str) -> str:
    """Plain text to paste elsewhere: the answer with [n] markers and a numbered source list."""
    if answer is None:
        return ""
    t = UI_TEXT[lang]
    head = answer.answer.strip() or (t["declined"].replace("**", ""))
    lines = [question.strip(), "", head, "", t["closest" if answer.declined else "sources"] + ":"]
    for s in sources:
        where = " — ".join(x for x in (s.title, s.section) if x)
        facts = ", ".join(x for x in (s.issuer, s.date) if x)
        page = f", p. {s.page}" if s.page else ""
        mark = f" ({UI_TEXT[lang]['uploaded'].format(time=s.uploaded_at)})" if s.unvetted_upload else ""
        # where a reader finds it: the file and the offsets into its text (the cleaned text's for an
        # index built before citations carried them)
        span = (f"{s.source_file}, chars {s.source_span[0]}-{s.source_span[1]}" if s.source_span
                else f"chars {s.start}-{s.end}")
        lines.append(f"[{s.n}] {where}" + (f" ({facts})" if facts else "")
                     + f" [{s.doc_id}: {span}{page}]{mark}")
    return "\n".join(lines)


def counted(n: int, noun: str) -> str:
    """'1 passage', '2 passages': English counts agree with their noun (the Chinese strings need none)."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


VIEW_WINDOW = 20_000  # characters of a long document shown around the cited span


def document_view(documents: Mapping[str, Document], doc_id: str, start: int = 0, end: int = 0) -> str:
    """The full cleaned document (a window of it when long) with the cited span highlighted and anchored.

    Documents are looked up by id in the loaded index; an unknown id (a path, '../..', anything else)
    gets a refusal, never a file read.
    """
    doc = documents.get(str(doc_id or ""))
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


def region_choices(documents: Mapping[str, Document]) -> list[str]:
    """The regions the corpus covers (National first), as the passages are tagged: the chat's Region
    filter keeps passages about a region, so a digest's Hainan passage counts for Hainan, not "multiple"."""
    found: dict[str, None] = {}
    for doc in documents.values():
        found.update(dict.fromkeys(document_regions(doc.meta.region)))
    return sorted(found, key=lambda r: (r != NATIONAL[0], r.lower()))


def document_choices(documents: Mapping[str, Document]) -> list[tuple[str, str]]:
    return sorted(((d.meta.title[:90], d.meta.doc_id) for d in documents.values()), key=lambda c: c[0])
