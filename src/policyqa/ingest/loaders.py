"""One loader per file type: a file's raw text (and page starts), large text files streamed."""

from __future__ import annotations

import codecs
import contextlib
import io
import logging
import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..text.headings import is_numbered_heading
from .clean import clean
from .decode import UnreadableFile, decode_bytes, detect_codec

SUPPORTED = {".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx"}

STREAM_BYTES = 4 * 2**20  # text files larger than this are decoded and cleaned block by block

BLOCK_BYTES = 2**20  # read size when streaming; the encoding is detected on the first block

log = logging.getLogger("policyqa.ingest")


def unsupported_type(path: Path) -> str:
    """Why a file no loader reads is not indexed, naming the types that are."""
    return f"unsupported type {path.suffix or '(none)'}; supported: {', '.join(sorted(SUPPORTED))}"


@dataclass
class RawText:
    """Text as extracted from a file, with page starts (raw offsets) for paginated formats.

    A large text file is not held whole: `lines` then yields its raw lines (split at "\n") as they are
    decoded, `text` stays empty and `head` keeps the first characters for metadata detection.
    """

    text: str
    pages: list[tuple[int, int]] = field(default_factory=list)
    lines: Iterable[str] | None = None
    n_lines: int = 0
    head: str = ""

    def cleaned(self) -> tuple[str, list[tuple[int, int, int]], int]:
        """`clean` of the whole text, or of the stream of raw lines."""
        return clean(self.text) if self.lines is None else clean(self.lines, self.n_lines)

    def start(self) -> str:
        return self.text[:4096] if self.lines is None else self.head


def load_text(path: Path) -> RawText:
    """Plain text and Markdown, any common encoding; files above STREAM_BYTES are streamed, not read whole."""
    if path.stat().st_size <= STREAM_BYTES:
        return RawText(decode_bytes(path.read_bytes()))
    with path.open("rb") as handle:
        first = handle.read(BLOCK_BYTES)
    codec = detect_codec(first, partial=True)
    head = codecs.getincrementaldecoder(codec)().decode(first[:8192], final=False)
    return RawText("", lines=_stream_lines(path, codec), n_lines=_count_lines(path, codec), head=head)


def _count_lines(path: Path, codec: str) -> int:
    """Lines of a file (newlines + 1) in a quick pass, so the cleaner knows where the tail begins.

    In UTF-8, GB18030/GBK and Big5 the byte 0x0A is always a newline; UTF-16 is decoded to count.
    """
    count = 1
    with path.open("rb") as handle:
        if codec.replace("_", "-").lower().startswith("utf-16") or codec.lower().startswith("utf-32"):
            decoder = codecs.getincrementaldecoder(codec)(errors="replace")
            while block := handle.read(BLOCK_BYTES):
                count += decoder.decode(block).count("\n")
        else:
            while block := handle.read(BLOCK_BYTES):
                count += block.count(b"\n")
    return count


def _stream_lines(path: Path, codec: str) -> Iterator[str]:
    """Raw lines of a file exactly as `text.split("\n")` would give them, decoding one block at a time."""
    decoder = codecs.getincrementaldecoder(codec)()
    partial: list[str] = []  # pieces of a line longer than a block
    done = 0
    with path.open("rb") as handle:
        while True:
            block = handle.read(BLOCK_BYTES)
            try:
                text = decoder.decode(block, final=not block)
            except UnicodeDecodeError as exc:
                raise UnreadableFile(
                    f"not valid {codec} near byte {done + exc.start} (the encoding was detected on the "
                    f"first {BLOCK_BYTES // 2**20} MB); convert the file to UTF-8"
                ) from None
            done += len(block)
            lines = text.split("\n")
            if not block:
                lines[0] = "".join(partial) + lines[0]
                yield from lines
                return
            if len(lines) > 1:
                lines[0] = "".join(partial) + lines[0]
                partial = []
                yield from lines[:-1]
            partial.append(lines[-1])


def load_html(path: Path) -> RawText:
    """Main text of a web page: drop scripts, navigation, headers and footers; keep block structure."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(decode_bytes(path.read_bytes()), "html.parser")
    for tag in soup(["script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe"]):
        tag.decompose()
    root = soup.find("article") or soup.find("main") or soup.body or soup
    for level in range(1, 7):
        for heading in root.find_all(f"h{level}"):
            heading.string = "#" * level + " " + heading.get_text(" ", strip=True)
    lines = (line.strip() for line in root.get_text("\n").splitlines())
    text = "\n".join(line for line in lines if line)
    if not text.strip():
        raise UnreadableFile("HTML page has no text")
    return RawText(text)


def load_pdf(path: Path) -> RawText:
    """PDF pages joined by blank lines, remembering where each page starts so citations name pages.

    What pypdf logs while reading (EOF marker not found ...) joins the refusal's reason instead of
    landing on stderr between the progress bars; for a PDF that reads, it is logged at debug level.
    """
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    with _PDF_LOG.collect() as notes:
        try:
            reader = PdfReader(io.BytesIO(path.read_bytes()))
            page_texts = [page.extract_text() or "" for page in reader.pages]
        except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
            raise UnreadableFile(f"corrupt PDF: {exc}{_noted(notes)}") from exc
    if not any(t.strip() for t in page_texts):
        raise UnreadableFile("PDF has no text layer (scanned images?): needs OCR before it can be indexed"
                             + _noted(notes))
    for note in notes:
        log.debug("%s: pypdf: %s", path.name, note)
    parts, pages, offset = [], [], 0
    for number, page_text in enumerate(page_texts, start=1):
        pages.append((offset, number))
        parts.append(page_text)
        offset += len(page_text) + 2
    return RawText("\n\n".join(parts), pages)


class _PdfLog(logging.Handler):
    """pypdf's warnings, kept for the file this thread is reading; any other record, and every record
    logged outside a read, goes on to the root logger as it would without this handler."""

    def __init__(self) -> None:
        super().__init__()
        self.local = threading.local()

    def emit(self, record: logging.LogRecord) -> None:
        kept = getattr(self.local, "notes", None)
        if kept is None or record.levelno < logging.WARNING:
            logging.getLogger().handle(record)
        else:
            kept.append(record.getMessage())

    @contextlib.contextmanager
    def collect(self) -> Iterator[list[str]]:
        self.local.notes = notes = []
        try:
            yield notes
        finally:
            self.local.notes = None


def _install_pdf_log() -> _PdfLog:
    """The handler on the "pypdf" logger, installed once at import (no two threads race to add it); its
    records stop there and reach the root logger only through the handler."""
    handler = _PdfLog()
    logger = logging.getLogger("pypdf")
    logger.addHandler(handler)
    logger.propagate = False
    return handler


_PDF_LOG = _install_pdf_log()


def _noted(notes: list[str], most: int = 3) -> str:
    """ (pypdf: first notes) for a refusal's reason, each said once."""
    unique = list(dict.fromkeys(notes))
    more = "; ..." if len(unique) > most else ""
    return f" (pypdf: {'; '.join(unique[:most])}{more})" if unique else ""


def load_docx(path: Path) -> RawText:
    """Word paragraphs and tables; headings marked so the chunker keeps them (`docx_headings`)."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, ValueError, KeyError, OSError) as exc:
        raise UnreadableFile(f"corrupt DOCX: {exc}") from exc
    lines = docx_headings([(_heading_level(para), para.text) for para in document.paragraphs])
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text.strip() for cell in row.cells))
    text = "\n\n".join(line for line in lines if line.strip())
    if not text.strip():
        raise UnreadableFile("DOCX has no text")
    return RawText(text)


def _heading_level(para) -> int:
    """The paragraph's Word heading level (its "Heading N" style), 0 for body text."""
    style = (para.style.name or "") if para.style is not None else ""
    level = re.match(r"Heading (\d)", style)
    return int(level.group(1)) if level else 0


def docx_headings(paragraphs: list[tuple[int, str]]) -> list[str]:
    """Each (Word heading level, text) as a line; a heading as the chunker will know it.

    A numbered heading ("二、研发奖励") goes in as it reads: the chunker finds it by its number and nests
    it by its numbering (一、 > （一） > 1. > （1）), as in the .txt or .pdf of the same document, so no
    Markdown mark reaches the passage, its quotes, the cards or the viewer. An unnumbered one needs '#'
    marks, the chunker's only other sign of a heading, and those rank above every number only up to
    '###'. So the numbered headings lose their marks only when every unnumbered one sits above them, at
    level 3 at most; otherwise every heading keeps its marks as before, and its section paths with them.
    """
    numbered = [bool(level and is_numbered_heading(text.strip())) for level, text in paragraphs]
    top = min((level for (level, _), n in zip(paragraphs, numbered, strict=True) if n), default=0)
    unmark = bool(top) and all(level <= 3 and level < top
                               for (level, _), n in zip(paragraphs, numbered, strict=True) if level and not n)
    return [text if not level or (unmark and n) else "#" * level + " " + text
            for (level, text), n in zip(paragraphs, numbered, strict=True)]


LOADERS = {
    ".txt": load_text,
    ".md": load_text,
    ".markdown": load_text,
    ".html": load_html,
    ".htm": load_html,
    ".pdf": load_pdf,
    ".docx": load_docx,
}
