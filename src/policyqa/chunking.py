"""Split cleaned documents into passages that follow the policy's own structure.

Two steps: numbered headings (一、 （一） 1. （1） I. (II) # ...) cut the text into sections that carry a
heading path; langchain's RecursiveCharacterTextSplitter then splits a section that is too long at
paragraph, sentence (。！？； . ! ? ;) and only then clause breaks, measuring length in the embedding
model's tokens. Every chunk is an exact slice of the cleaned text, so its span is its citation.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from langchain_text_splitters import RecursiveCharacterTextSplitter

from .records import Chunk, Document
from .settings import ChunkingSettings
from .text.headings import HEADING_PATTERNS
from .text.language import detect_language
from .text.places import document_regions, passage_places

#: closing quotes and brackets that belong to the sentence they end (。” stays one end, never ” alone)
CLOSERS = "”’」』）)\"'"

#: after a footnoted claim that a bullet or a new claim follows ("... yuan [4] - The zone"), as
#: text.sentences.FOOTNOTED_END ends a sentence there (lookbehinds take one width each: [4] and [12])
FOOTNOTED_BREAK = r"(?:(?<=[\[［]\d[\]］])|(?<=\d\d[\]］]))\s+(?=-\s|[A-Z])"

SEPARATORS = [
    r"\n\n",
    r"\n",
    rf"(?<=[。！？])(?![{CLOSERS}])|(?<=[。！？][{CLOSERS}])(?![{CLOSERS}])",
    rf"(?<=[.!?])\s+|(?<=[.!?][{CLOSERS}])\s+|{FOOTNOTED_BREAK}",
    r"(?<=[；;])",
    r"(?<=[，、：])|(?<=[,:])(?!\d)",  # never inside a number or a time: 3,900 / 10:30
    r"\s+",
    r"",
]

_SENTENCE_END = re.compile(r"[。！？；]|[.!?;](?=\s|$)")

_BLANK_LINE = re.compile(r"\n[^\S\n]*\n\s*")


@dataclass
class Section:
    """A run of the cleaned text under one heading path."""

    start: int
    end: int
    path: list[str]


def heading_level(line: str, open_levels: list[str]) -> str | None:
    """The structural level a line opens, or None for body text."""
    for level, pattern in HEADING_PATTERNS:
        match = pattern.match(line)
        if not match:
            continue
        if level == "md":
            return f"md{len(match.group(1))}"
        if level == "paren_num":
            return "paren_num" if "num" in open_levels else "paren"
        return level
    return None


LEVEL_ORDER = ["md1", "md2", "md3", "chapter", "l1", "md4", "paren", "md5", "num", "md6", "paren_num"]


def heading_label(line: str) -> str:
    """A short label for a heading line: the line itself, or its first sentence when it runs on."""
    line = line.lstrip("#").strip()
    if len(line) <= 60:
        return line
    end = _SENTENCE_END.search(line)
    if end and end.end() <= 90:
        return line[: end.end()].strip()
    return line[:60].rstrip() + "…"


def split_sections(text: str) -> list[Section]:
    """Cut the text at heading lines; a heading that stands alone on its line joins the next section."""
    sections: list[Section] = []
    stack: list[tuple[str, str]] = []  # (level, label)
    start, pos = 0, 0
    current_path: list[str] = []
    for line in _iter_lines(text):
        line_start, pos = pos, pos + len(line) + 1
        level = heading_level(line.strip(), [lv for lv, _ in stack])
        if level is None:
            continue
        if line_start > start and text[start:line_start].strip():
            sections.append(Section(start, line_start, current_path))
        rank = LEVEL_ORDER.index(level)
        stack = [(lv, lb) for lv, lb in stack if LEVEL_ORDER.index(lv) < rank]
        stack.append((level, heading_label(line)))
        current_path = [label for _, label in stack]
        start = line_start
    if text[start:].strip():
        sections.append(Section(start, len(text), current_path))
    return _merge_bare_headings(text, sections)


def _iter_lines(text: str) -> Iterator[str]:
    """`text.split("\n")` one line at a time, so a long document is not copied into a list of lines."""
    start = 0
    while (end := text.find("\n", start)) >= 0:
        yield text[start:end]
        start = end + 1
    yield text[start:]


def _merge_bare_headings(text: str, sections: list[Section], headed_only: bool = True) -> list[Section]:
    """A section that is only its heading line is glued to the next one, so no chunk is a bare title.

    `headed_only=False` also glues a short unheaded line that is not a sentence (a document title above
    its first paragraph).
    """
    merged: list[Section] = []
    pending: Section | None = None
    for section in sections:
        if pending is not None:
            section = Section(pending.start, section.end, section.path)
            pending = None
        body = text[section.start : section.end].strip()
        titled = section.path if headed_only else not body.endswith(tuple("。！？.!?"))
        if "\n" not in body and len(body) <= 60 and titled:
            pending = section
            continue
        merged.append(section)
    if pending is not None:
        merged.append(pending)
    return merged


class Chunker:
    """Structure-aware splitter sized in the embedder's tokens.

    Sections are split to `chunk_size`; paragraph units (`paragraphs`) only above `paragraph_cap`, since
    the embedder has no length limit and a paragraph cut in two loses its context on both sides.
    """

    def __init__(self, settings: ChunkingSettings, count_tokens: Callable[[str], int]) -> None:
        self.settings = settings
        self.splitter = RecursiveCharacterTextSplitter(
            separators=SEPARATORS,
            is_separator_regex=True,
            keep_separator="end",
            chunk_size=settings.paragraph_cap if settings.paragraphs else settings.chunk_size,
            chunk_overlap=settings.chunk_overlap,
            length_function=count_tokens,
            strip_whitespace=True,
        )

    def chunk(self, doc: Document) -> list[Chunk]:
        """All chunks of a document, in order, with stable ids (same document -> same ids)."""
        chunks: list[Chunk] = []
        regions = document_regions(doc.meta.region)
        for start, end, path in self._spans(doc.text):
            text = doc.text[start:end]
            places = passage_places(text, regions, chunks[-1].places if chunks else [])
            chunks.append(
                Chunk(
                    chunk_id=f"{doc.meta.doc_id}#{len(chunks):04d}",
                    doc_id=doc.meta.doc_id,
                    title=doc.meta.title,
                    section=path,
                    lang=detect_language(text),
                    start=start,
                    end=end,
                    page=doc.page_at(start),
                    text=text,
                    content_hash=hashlib.sha1(text.encode("utf-8")).hexdigest()[:16],
                    places=places,
                )
            )
        return chunks

    def _spans(self, text: str) -> Iterator[tuple[int, int, list[str]]]:
        """(start, end, heading path) of every chunk, found back in the text so spans are exact."""
        for section in self._units(text):
            body = text[section.start : section.end]
            cursor = 0
            for piece in self.splitter.split_text(body):
                found = body.find(piece, cursor)
                if found < 0:  # pragma: no cover - the splitter only returns slices of its input
                    raise RuntimeError("chunk not found in its section")
                yield section.start + found, section.start + found + len(piece), section.path
                # without overlap the next piece starts after this one: searching from found + 1 would
                # find a repeated piece ("医保医保") inside this one and give overlapping spans
                cursor = found + len(piece) if self.settings.chunk_overlap == 0 else found + 1

    def _units(self, text: str) -> Iterator[Section]:
        """Sections, or with `paragraphs` each blank-line paragraph of a section, which chunks never cross.

        Paragraph units suit corpora whose paragraphs are self-contained answers (encyclopaedia text,
        the XQuAD benchmark); policy plans read better with short items merged up to the chunk size.
        """
        for section in split_sections(text):
            if not self.settings.paragraphs:
                yield section
                continue
            gaps = list(_BLANK_LINE.finditer(text, section.start, section.end))
            starts = [section.start, *(gap.end() for gap in gaps)]
            ends = [*(gap.start() for gap in gaps), section.end]
            pieces = [Section(s, e, section.path) for s, e in zip(starts, ends, strict=True)
                      if text[s:e].strip()]
            yield from _merge_bare_headings(text, pieces, headed_only=False)
