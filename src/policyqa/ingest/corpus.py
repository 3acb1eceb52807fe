"""The corpus folder: which files it holds, and `load_document`: a file to a cleaned, described Document."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from ..records import UPLOAD_FOLDER, Document, DocumentMeta
from ..text.language import document_languages
from .decode import UnreadableFile
from .loaders import LOADERS, SUPPORTED, unsupported_type
from .metadata import METADATA_FILE, doc_id_for, infer_meta, upload_time

#: the corpus folder's own settings, read by their own code, not documents: the metadata, and the terms a
#: corpus adds to the glossary (retrieve/glossary.py)
CONFIG_FILES = (METADATA_FILE, "glossary.tsv")


def corpus_files(corpus_dir: Path) -> tuple[list[Path], list[Path]]:
    """(files a loader understands, visible files of other types), each in a stable order.

    Hidden entries (names starting with a dot) and links are listed too, without being followed: the
    loader refuses them with a reason, so they appear in the ingest report instead of vanishing.
    Folders that are hidden or links are listed once and never entered. Files of other types are
    returned for the report too (CONFIG_FILES aside); hidden ones (.DS_Store) are left unsaid.
    """
    if not corpus_dir.is_dir():
        raise FileNotFoundError(f"corpus folder {corpus_dir} does not exist")
    found, other = [], []
    for folder, dirs, files in os.walk(corpus_dir, followlinks=False):
        base = Path(folder)
        entered = []
        for name in dirs:
            if name.startswith(".") or (base / name).is_symlink():
                found.append(base / name)
            else:
                entered.append(name)
        dirs[:] = entered
        for name in files:
            if Path(name).suffix.lower() in SUPPORTED:
                found.append(base / name)
            elif not name.startswith(".") and base / name not in {corpus_dir / f for f in CONFIG_FILES}:
                other.append(base / name)
    return sorted(found), sorted(other)


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
        raise UnreadableFile(unsupported_type(path))
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
