"""Uploads: saved under sanitised names inside `<corpus>/uploads/`, then ingested."""

from __future__ import annotations

import logging
import os
import re
import shutil
import traceback
from collections.abc import Callable
from pathlib import Path

from ..index.build import ingest, readable
from ..records import UPLOAD_FOLDER
from .render import counted, md_escape
from .service import Service

log = logging.getLogger("policyqa.app")


UPLOAD_TYPES = (".txt", ".md", ".html", ".htm", ".pdf", ".docx")

MIB = 2**20  # upload limits are in MiB everywhere: the label, our check and Gradio's max_file_size (bytes)

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


def ingest_uploads(service: Service, paths: list, progress: Callable | None = None) -> tuple[str, bool]:
    """Save accepted uploads, ingest incrementally, swap in the new index. Returns (report, changed)."""
    settings = service.settings
    corpus = Path(settings.corpus_dir)
    lines, saved = _save_all(paths, corpus, settings.max_upload_mb * MIB)
    if not saved:
        return "\n\n".join(lines) or "Choose files to upload first · 请先选择文件", False
    if not service.ingest_lock.acquire(timeout=600):
        return "Another upload is being indexed; try again in a minute.", False
    try:
        if not _index(service, corpus, saved, lines, progress):
            return "\n\n".join(lines), False
        service.reload()
    finally:
        service.ingest_lock.release()
    n_docs, n_chunks = service.stats
    lines.append(f"Index now holds {counted(n_docs, 'document')}, {counted(n_chunks, 'passage')} "
                 "· 索引已更新")
    return "\n\n".join(lines), True


def _save_all(paths: list, corpus: Path, max_bytes: int) -> tuple[list[str], list[Path]]:
    """Report lines, and the uploads saved into the corpus that the loaders can read."""
    lines, saved = [], []
    for item in paths:
        path = Path(item if isinstance(item, str | os.PathLike) else getattr(item, "name", ""))
        try:
            target = save_upload(path, path.name, corpus, max_bytes)
        except UploadRefused as exc:
            lines.append(f"✗ {md_escape(str(exc))}")
            continue
        why = readable(target, corpus.resolve())
        if why:
            target.unlink(missing_ok=True)
            lines.append(f"✗ {md_escape(path.name)}: {md_escape(why)} — not added")
            continue
        saved.append(target)
    return lines, saved


def _index(service: Service, corpus: Path, saved: list[Path], lines: list[str],
           progress: Callable | None) -> bool:
    """Ingest with the uploads in place; report each of them. False (uploads removed) when it failed."""
    def tick(stage: str, done: int, total: int) -> None:
        if progress is not None and total:
            label = {"read": "Reading files · 读取文件", "embed": "Embedding passages · 向量化",
                     "sentences": "Embedding sentences · 句向量"}.get(stage, stage)
            progress((done, total), desc=label)

    try:
        result = ingest(service.settings, progress=tick)
    except Exception as exc:
        for target in saved:
            target.unlink(missing_ok=True)
        log.error("ingest after upload failed:\n%s", traceback.format_exc())
        why = f"{type(exc).__name__}: {str(exc)[:200]}"
        lines.append(f"✗ indexing failed ({md_escape(why)}); "
                     "the index is unchanged")
        return False
    reports = {r.path: r for r in result.files}
    for target in saved:
        relative = target.relative_to(corpus.resolve()).as_posix()
        report = reports.get(relative)
        if report is None or report.status in ("skipped", "duplicate"):
            target.unlink(missing_ok=True)
            why = report.message if report else "not found by the indexer"
            lines.append(f"✗ {md_escape(target.name)}: {md_escape(why)} — not added")
        else:
            lines.append(f"✓ {md_escape(target.name)}: {report.status}, {counted(report.chunks, 'passage')}")
    return True
