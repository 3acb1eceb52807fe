"""Load, decode and clean documents, and attach their metadata.

Cleaning works on whole lines by general rules (widget words, bylines, view-count news lists, copyright
footers, navigation), never by per-file offsets, and records (clean_start, raw_start, length) runs so a
citation in the cleaned text can still be traced to the raw file.
"""

from __future__ import annotations

import codecs
import datetime
import hashlib
import io
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .records import Document, DocumentMeta

SUPPORTED = {".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx"}
METADATA_FILE = "documents.yaml"
UPLOAD_FOLDER = "uploads"  # files the chat saved; their documents are marked as uploads


class UnreadableFile(Exception):
    """A file that cannot become text; the message says why in words a user can act on."""


STRAY_NUL_SHARE = 0.01  # at most this share of NUL bytes (of the first STRAY_NUL_SAMPLE) is damage
STRAY_NUL_SAMPLE = 2**16
STREAM_BYTES = 4 * 2**20  # text files larger than this are decoded and cleaned block by block
BLOCK_BYTES = 2**20  # read size when streaming; the encoding is detected on the first block


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


# --------------------------------------------------------------------------- decoding and loaders


def decode_bytes(data: bytes) -> str:
    """Decode text of unknown encoding: BOMs first, strict UTF-8, then charset-normalizer's best guess.

    Chinese files from Windows are often GB18030/GBK and UTF-16; short GBK texts fool generic detectors,
    so the CJK-specific codecs are tried before the library's guess when UTF-8 fails.
    """
    return data.decode(detect_codec(data))


def detect_codec(data: bytes, partial: bool = False) -> str:
    """The codec that turns `data` into readable text, or UnreadableFile saying why there is none.

    With `partial`, `data` is the first block of a longer file: a multi-byte character cut at its end
    is not held against a codec.
    """
    if not data.strip():
        raise UnreadableFile("empty file")
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return codec
    if b"\x00" in data[:4096]:
        return _nul_text_codec(data, partial)
    if _try_decode(data, "utf-8", partial) is not None:
        return "utf-8"
    chinese = [(codec, text) for codec in ("gb18030", "big5")
               if (text := _try_decode(data, codec, partial)) is not None and _looks_like_text(text)]
    if chinese:  # both may decode a short text; the right one yields common characters (GB on a tie)
        return max(chinese, key=lambda pair: _common_han_share(*pair))[0]
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or not _looks_like_text(str(best)):
        raise UnreadableFile("not text: no encoding decodes it to readable characters (binary file?)")
    return best.encoding


def _try_decode(data: bytes, codec: str, partial: bool) -> str | None:
    try:
        if partial:
            return codecs.getincrementaldecoder(codec)().decode(data, final=False)
        return data.decode(codec)
    except UnicodeDecodeError:
        return None


def _common_han_share(codec: str, text: str) -> float:
    """Share of the text's Chinese characters that are in its encoding's first level (most frequent).

    Big5 bytes read as GB18030 (or the reverse) decode to valid but rare characters: 臺灣醫藥 in Big5
    reads as 籓芖洛媚 in GB18030, 40% of them in GB2312's level 1 against 100% of the Big5 reading in
    Big5's. Real text scores near 1 in its own encoding.
    """
    han = [c for c in text[:5000] if "\u4e00" <= c <= "\u9fff"]
    if not han:
        return 0.0
    common = 0
    for char in han:
        try:
            lead, trail = char.encode("gb2312" if codec == "gb18030" else "big5")[:2]
        except (UnicodeEncodeError, ValueError):
            continue
        if codec == "gb18030":
            common += 0xB0 <= lead <= 0xD7  # GB2312 level 1: the 3,755 most used characters
        else:
            common += 0xA4 <= lead <= 0xC6 and not (lead == 0xC6 and trail >= 0xA1)  # Big5 常用字
    return common / len(han)


def _nul_text_codec(data: bytes, partial: bool) -> str:
    """NUL bytes mean UTF-16 without a BOM, a binary file wearing a text extension, or a few stray NULs
    in UTF-8 text (a bad export or copy): that text is kept and its NULs are read as spaces (`clean`)."""
    for codec in ("utf-16-le", "utf-16-be"):
        text = _try_decode(data, codec, partial)
        if text is not None and _looks_like_text(text):
            return codec
    sample = data[:STRAY_NUL_SAMPLE]
    text = _try_decode(data, "utf-8", partial)
    stray = sample.count(b"\x00") <= max(1, len(sample) * STRAY_NUL_SHARE)
    if stray and text is not None and _looks_like_text(text.replace("\x00", "")):
        return "utf-8"
    raise UnreadableFile("binary content (NUL bytes) in a text file")


def _looks_like_text(text: str) -> bool:
    """Accept a decoding made of the characters real documents use: printable ASCII, CJK, punctuation.

    Binary data decoded as UTF-16 or GB18030 "succeeds" but yields control, private-use and rare
    characters from all over Unicode; that share is the tell.
    """
    sample = text[:20000]
    if not sample:
        return False
    common = sum(1 for c in sample if _is_common(c))
    return common / len(sample) > 0.95


def _is_common(char: str) -> bool:
    code = ord(char)
    return (
        (32 <= code < 127)
        or char in "\r\n\t\f"
        or 0x4E00 <= code <= 0x9FFF  # CJK unified ideographs
        or 0x3000 <= code <= 0x303F  # CJK punctuation
        or 0xFF00 <= code <= 0xFFEF  # full-width forms
        or 0x2000 <= code <= 0x206F  # general punctuation
        or (0xA0 <= code <= 0x24F and char.isprintable())  # Latin-1 and Latin extended
    )


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
    """PDF pages joined by blank lines, remembering where each page starts so citations name pages."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(path.read_bytes()))
        page_texts = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise UnreadableFile(f"corrupt PDF: {exc}") from exc
    if not any(t.strip() for t in page_texts):
        raise UnreadableFile("PDF has no text layer (scanned images?): needs OCR before it can be indexed")
    parts, pages, offset = [], [], 0
    for number, page_text in enumerate(page_texts, start=1):
        pages.append((offset, number))
        parts.append(page_text)
        offset += len(page_text) + 2
    return RawText("\n\n".join(parts), pages)


def load_docx(path: Path) -> RawText:
    """Word paragraphs and tables; headings become Markdown headings so the chunker keeps them."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, ValueError, KeyError, OSError) as exc:
        raise UnreadableFile(f"corrupt DOCX: {exc}") from exc
    lines = []
    for para in document.paragraphs:
        style = (para.style.name or "") if para.style is not None else ""
        level = re.match(r"Heading (\d)", style)
        lines.append(("#" * int(level.group(1)) + " " if level else "") + para.text)
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text.strip() for cell in row.cells))
    text = "\n\n".join(line for line in lines if line.strip())
    if not text.strip():
        raise UnreadableFile("DOCX has no text")
    return RawText(text)


LOADERS = {
    ".txt": load_text,
    ".md": load_text,
    ".markdown": load_text,
    ".html": load_html,
    ".htm": load_html,
    ".pdf": load_pdf,
    ".docx": load_docx,
}


# --------------------------------------------------------------------------- cleaning

_WIDGET = re.compile(
    r"^(分享(好友|到)?|举报|收藏|打赏|评论|点赞|转发|关注|icon|workflow|search documents|share|print|"
    r"favorites?|comments?|likes?|top|back|links|law|资讯首页.*|返回顶部|打印本页|关闭窗口|【?字体[:：].*|"
    r"上一篇.*|下一篇.*|相关(新闻|阅读|推荐|文章)|recommended reading.*|related (news|articles).*)"
    r"\s*[:：]?\s*\d*\s*$",
    re.IGNORECASE,
)
_BYLINE = re.compile(
    r"^(author|time|reader|views?|edit(or)?|responsible editor|责任编辑|编辑|作者|浏览|阅读|点击)\s*[:：]"
    r"|^\d{4}-\d{2}-\d{2}[\s\d:]*\d+\S{0,30}$"
    r"|\b(reader|views?)\s*[:：]\s*\d+\s*$",
    re.IGNORECASE,
)
_VIEW_COUNT = re.compile(r"^\d+\s*评论\s*\d{4}-\d{2}-\d{2}\d*$|^\d+\s*comments?\s*\d{4}-\d{2}-\d{2}", re.I)
_FOOTER = re.compile(
    r"^(special statement|copyright|版权所有|版权声明|免责声明|特别声明|声明[:：]|©|recommended reading|"
    r"相关推荐|相关阅读|相关新闻|举报$)",
    re.IGNORECASE,
)
_NAV_BAR = re.compile(
    r"^(?=.*(首页|频道|分类|登录|注册|导航|home|menu|sign in))[^。，,.；;！？!?]{1,60}$", re.IGNORECASE
)
_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff，。、；：！？）》”]) (?=[\u3400-\u9fff（《“])")


def is_boilerplate(line: str) -> bool:
    """A single line that is page furniture rather than policy text."""
    if _WIDGET.match(line) or _BYLINE.search(line) or _VIEW_COUNT.match(line):
        return True
    return bool(_NAV_BAR.match(line)) and len(line.split()) >= 3


Runs = list[tuple[int, int, int]]


def clean(raw: str | Iterable[str], n_lines: int | None = None) -> tuple[str, Runs, int]:
    """Clean raw text line by line; return text, (clean_start, raw_start, length) runs, lines dropped.

    `raw` is the whole text or its lines (split at "\n", as `_stream_lines` yields them) with their
    number, so a large file is cleaned in one pass without holding its raw text. Within a kept line,
    surrounding whitespace is trimmed and single spaces that a line-wrapping export put between two
    Chinese characters are removed; every kept run of characters is mapped back. Runs are merged across
    line breaks that the raw text has verbatim, so a long document needs few runs.

    The first footer line (copyright, disclaimer ...) in the second half of the document ends it: only
    the tail counts, so a policy paragraph that mentions copyright mid-document is kept.
    """
    if isinstance(raw, str):
        n_lines, lines = raw.count("\n") + 1, raw.split("\n")
    elif n_lines is None:
        lines = list(raw)
        n_lines = len(lines)
    else:
        lines = raw
    tail_from = n_lines // 2
    out = _TextBuilder()
    runs: list[tuple[int, int, int]] = []
    raw_pos = dropped = blanks = 0
    merge_ok = False  # the previous kept line ended its raw line and nothing was dropped since
    in_footer = False
    for i, line in enumerate(lines):
        line_start, raw_pos = raw_pos, raw_pos + len(line) + 1
        line = line.replace("\x00", " ")  # stray NULs read as spaces: same length, so offsets still hold
        stripped = line.strip()
        if not stripped:
            blanks += 1
            merge_ok = merge_ok and not line
            continue
        in_footer = in_footer or (i >= tail_from and bool(_FOOTER.match(stripped)))
        if in_footer or is_boilerplate(stripped):
            dropped += 1
            merge_ok = False
            continue
        if out.pos:
            sep = "\n\n" if blanks else "\n"
            out.append(sep)
        lead = len(line) - len(line.lstrip())
        for piece_start, piece in _split_cjk_gaps(stripped):
            if piece_start == 0 and merge_ok and lead == 0 and blanks <= 1:
                clean_start, raw_start, length = runs[-1]
                runs[-1] = (clean_start, raw_start, length + len(sep) + len(piece))
            else:
                runs.append((out.pos, line_start + lead + piece_start, len(piece)))
            out.append(piece)
        merge_ok = len(line) == lead + len(stripped)  # no trailing whitespace
        blanks = 0
    return out.build(), runs, dropped


class _TextBuilder:
    """Appends pieces of text, joining them into ~1 MB blocks so millions of small strings are not kept."""

    BLOCK = 2**20

    def __init__(self) -> None:
        self.blocks: list[str] = []
        self.pieces: list[str] = []
        self.pending = 0
        self.pos = 0

    def append(self, piece: str) -> None:
        self.pieces.append(piece)
        self.pending += len(piece)
        self.pos += len(piece)
        if self.pending >= self.BLOCK:
            self.blocks.append("".join(self.pieces))
            self.pieces, self.pending = [], 0

    def build(self) -> str:
        """The whole text; the blocks are released as it is returned (one transient copy)."""
        blocks, self.blocks = self.blocks, []
        blocks.append("".join(self.pieces))
        self.pieces, self.pending = [], 0
        return "".join(blocks)


def _split_cjk_gaps(line: str) -> Iterator[tuple[int, str]]:
    """Pieces of a line between removable CJK wrap spaces, with their offsets in the line."""
    start = 0
    for gap in _CJK_GAP.finditer(line):
        yield start, line[start : gap.start()]
        start = gap.end()
    yield start, line[start:]


# --------------------------------------------------------------------------- metadata

_DATE = re.compile(r"(20\d{2}|19\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


def detect_language(text: str) -> str:
    """'zh' or 'en' by which script dominates the letters of a passage."""
    cjk = sum(1 for c in text if "\u3400" <= c <= "\u9fff")
    latin = sum(1 for c in text if c.isascii() and c.isalpha())
    return "zh" if cjk * 2 >= latin else "en"


def document_languages(text: str, sample: int = 2**20) -> list[str]:
    """All languages with a real share of a document (mixed pages list both).

    A document longer than `sample` characters is judged on 64 evenly spaced windows of it.
    """
    if len(text) > sample:
        step, width = len(text) // 64, sample // 64
        text = "".join(text[i : i + width] for i in range(0, len(text), step))
    cjk = sum(1 for c in text if "\u3400" <= c <= "\u9fff")
    latin = sum(1 for c in text if c.isascii() and c.isalpha())
    langs = [lang for lang, n in (("zh", cjk * 2), ("en", latin)) if n >= 0.1 * max(1, cjk * 2 + latin)]
    return langs or [detect_language(text)]


def find_date(text: str) -> str:
    """First date near the top, ISO-formatted, or '' when none is found."""
    match = _DATE.search(text[:600])
    if not match:
        return ""
    year, month, day = match.groups()
    return f"{year}-{int(month):02d}-{int(day):02d}"


def infer_meta(doc_id: str, clean_text: str, raw_text: str) -> DocumentMeta:
    """Metadata for a document nobody described: first line as title, detected languages, a found date."""
    first = next((line.strip() for line in clean_text[:4096].splitlines() if line.strip()), doc_id)
    return DocumentMeta(
        doc_id=doc_id,
        title=first.lstrip("# ")[:200],
        languages=document_languages(clean_text),
        date=find_date(raw_text),
    )


def load_metadata(corpus_dir: Path) -> dict[str, DocumentMeta]:
    """`documents.yaml`: a list of {file, id, title, ...}; keyed by the file's path relative to the corpus."""
    path = corpus_dir / METADATA_FILE
    if not path.exists():
        return {}
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    result = {}
    for entry in entries:
        entry = dict(entry)
        file = entry.pop("file")
        entry["doc_id"] = entry.pop("id")
        entry["date"] = str(entry.get("date", ""))
        result[file] = DocumentMeta(**entry)
    return result


def doc_id_for(relative: Path) -> str:
    """A stable id from the file's path: the same file always gets the same id."""
    stem = relative.with_suffix("").as_posix()
    slug = re.sub(r"[^\w\-]+", "-", stem, flags=re.UNICODE).strip("-").lower()
    return slug or hashlib.sha1(stem.encode()).hexdigest()[:12]


def assign_doc_ids(paths: Iterable[str], recorded: dict[str, str], given: dict[str, str]) -> dict[str, str]:
    """Each file's document id, unique in the index and kept from one ingest to the next.

    `paths` are the corpus files (relative, POSIX), `recorded` the ids the index holds for files it has
    (path -> id), `given` the ids `documents.yaml` sets. A file keeps its recorded id, so a newcomer never
    takes an indexed document's id: `notice.md` beside an indexed `notice.txt` becomes `notice-md`, and
    `My Notice.txt` beside `my-notice.txt` gets a hash of its path (`my-notice-1a2b3c4d`). Only an id that
    documents.yaml sets and another file holds cannot be given: that file is left out of the result, and
    `id_holder` names who holds it.
    """
    paths = list(paths)
    wanted = {p: recorded[p] for p in paths if p in recorded and p not in given}
    kept = set(wanted)
    wanted.update((p, given[p]) for p in paths if p in given)
    holders: dict[str, str] = {}
    for path in sorted(wanted, key=lambda p: (p not in kept, p)):  # indexed files first, then given ids
        holders.setdefault(wanted[path], path)
    # new files; one whose name is its id already (my-notice.txt) before one that only slugs to it
    for path in sorted((p for p in paths if p not in wanted), key=lambda p: (not _names_its_id(p), p)):
        free = next((c for c in _id_candidates(path, holders) if c not in holders), None)
        if free is not None:
            holders[free] = path
    return {path: doc_id for doc_id, path in holders.items()}


def _names_its_id(relative: str) -> bool:
    return Path(relative).with_suffix("").as_posix() == doc_id_for(Path(relative))


def id_holder(path: str, ids: dict[str, str], given: dict[str, str]) -> tuple[str, str]:
    """(the id a file wanted, the file holding it) for a file `assign_doc_ids` could not give an id."""
    wanted = given.get(path) or doc_id_for(Path(path))
    holder = next((other for other, doc_id in ids.items() if doc_id == wanted), "another file")
    return wanted, holder


def _id_candidates(relative: str, holders: dict[str, str]) -> Iterator[str]:
    """Ids for a file, most readable first: its path slug; with its type when the slug's holder is of
    another type (notice-md); with a hash of its path."""
    base = doc_id_for(Path(relative))
    yield base
    suffix = Path(relative).suffix.lower().lstrip(".")
    if suffix and Path(holders.get(base, relative)).suffix.lower().lstrip(".") != suffix:
        yield f"{base}-{suffix}"
    yield f"{base}-{hashlib.sha1(relative.encode()).hexdigest()[:8]}"


# --------------------------------------------------------------------------- documents


def list_files(corpus_dir: Path) -> list[Path]:
    """Files under the corpus folder that a loader understands, in a stable order.

    Hidden entries (names starting with a dot) and links are listed too, without being followed: the
    loader refuses them with a reason, so they appear in the ingest report instead of vanishing.
    Folders that are hidden or links are listed once and never entered.
    """
    if not corpus_dir.is_dir():
        raise FileNotFoundError(f"corpus folder {corpus_dir} does not exist")
    found = []
    for folder, dirs, files in os.walk(corpus_dir, followlinks=False):
        base = Path(folder)
        entered = []
        for name in dirs:
            if name.startswith(".") or (base / name).is_symlink():
                found.append(base / name)
            else:
                entered.append(name)
        dirs[:] = entered
        found += [base / name for name in files if Path(name).suffix.lower() in SUPPORTED]
    return sorted(found)


def readable_path(path: Path, corpus_dir: Path) -> Path:
    """The real file behind `path`, or UnreadableFile when it must not be read.

    A link is followed only to a file inside the corpus folder: a link to /etc/passwd must never
    become a quotable document. The loader then reads the resolved path, so swapping the link after
    this check does not lead outside either.
    """
    relative = path.relative_to(corpus_dir) if path.is_relative_to(corpus_dir) else Path(path.name)
    if any(part.startswith(".") for part in relative.parts):
        kind = "folder" if path.is_dir() else "file"
        raise UnreadableFile(f"hidden {kind} (name starts with a dot): not indexed; rename it to index it")
    real = path.resolve()
    if path.is_symlink() and not real.exists():
        raise UnreadableFile(f"broken link to {os.readlink(path)}: its target does not exist")
    if not real.is_relative_to(Path(corpus_dir).resolve()):
        raise UnreadableFile(f"link to {real}, outside the corpus folder: not followed")
    if real.is_dir():
        raise UnreadableFile("link to a folder: not followed; link the files themselves")
    return real


def content_hash(data: bytes) -> str:
    """Identity of a file's content, so unchanged files are skipped and duplicates indexed once."""
    return hashlib.sha256(data).hexdigest()[:16]


def text_hash(text: str, block: int = 2**20) -> str:
    """`content_hash(text.encode("utf-8"))` without a full encoded copy of a long text."""
    digest = hashlib.sha256()
    for start in range(0, len(text), block):
        digest.update(text[start : start + block].encode("utf-8"))
    return digest.hexdigest()[:16]


def load_document(path: Path, corpus_dir: Path, meta: DocumentMeta | None = None,
                  doc_id: str | None = None) -> Document:
    """Read, decode, clean and describe one file; raise UnreadableFile with a reason when it cannot.

    Without `meta`, the document is described from its text and gets `doc_id` (default: the path slug).
    """
    real = readable_path(path, corpus_dir)
    loader = LOADERS.get(path.suffix.lower())
    if loader is None:
        raise UnreadableFile(f"unsupported file type {path.suffix or '(none)'}")
    raw = loader(real)
    text, runs, dropped = raw.cleaned()
    if not text.strip():
        raise UnreadableFile("no text left after cleaning")
    relative = path.relative_to(corpus_dir)
    meta = meta or infer_meta(doc_id or doc_id_for(relative), text, raw.start())
    if not meta.languages:
        meta = meta.model_copy(update={"languages": document_languages(text)})
    if relative.parts[:1] == (UPLOAD_FOLDER,):
        meta = meta.model_copy(update={"uploaded_at": upload_time(real)})
    doc = Document(
        meta=meta,
        path=relative.as_posix(),
        text=text,
        content_hash=text_hash(text),
        segments=runs,
        removed_lines=dropped,
    )
    doc.pages = _clean_page_starts(raw.pages, runs)
    return doc


def upload_time(path: Path) -> str:
    """When an upload was saved: its file's modification time (the upload writes a fresh copy), UTC."""
    stamp = datetime.datetime.fromtimestamp(path.stat().st_mtime, tz=datetime.timezone.utc)
    return stamp.strftime("%Y-%m-%d %H:%M UTC")


def _clean_page_starts(
    raw_pages: list[tuple[int, int]], runs: list[tuple[int, int, int]]
) -> list[tuple[int, int]]:
    """Translate raw page-start offsets into cleaned offsets (the first kept character at or after)."""
    pages = []
    for raw_start, number in raw_pages:
        clean_start = next((c + max(0, raw_start - r) for c, r, n in runs if r + n > raw_start), None)
        if clean_start is not None:
            pages.append((clean_start, number))
    return pages
