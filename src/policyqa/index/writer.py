"""Writing a build beside the current one, and switching to it atomically."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import io
import itertools
import os
import shutil
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from ..records import Chunk, Document
from .lexical import LexicalIndex
from .manifest import IndexLocked, IndexWriteFailed, Manifest
from .vectors import VectorStore


def _write_jsonl(path: Path, records: Iterable[BaseModel]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(record.model_dump_json() + "\n")


class BuildWriter:
    """Writes one build into a hidden folder; `commit` makes it current atomically, `abort` discards it.

    Documents are streamed to disk as they are processed, so a large ingest holds each raw text once.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.builds = root / "builds"
        self.builds.mkdir(parents=True, exist_ok=True)
        self.name = time.strftime("%Y%m%dT%H%M%S") + f"-{os.getpid()}-{time.monotonic_ns() % 10**6:06d}"
        self.tmp = self.builds / f".tmp-{self.name}"
        self.tmp.mkdir()
        self._documents = (self.tmp / "documents.jsonl").open("w", encoding="utf-8")

    def add_document(self, document: Document) -> None:
        self._documents.write(document.model_dump_json() + "\n")

    def open_array(self, name: str, shape: tuple[int, ...], dtype) -> ArrayFile:
        """A .npy file in the build, filled in place (never held in memory whole)."""
        return ArrayFile(self.tmp / name, shape, dtype)

    def save_array(self, name: str, array: np.ndarray) -> None:
        np.save(self.tmp / name, array)

    def commit(self, manifest: Manifest, chunks: list[Chunk], vectors: np.ndarray,
               vector_store: VectorStore, lexical: LexicalIndex) -> Path:
        """Finish every file, fsync, then point CURRENT at the new build and drop the old ones."""
        self._documents.close()
        _write_jsonl(self.tmp / "chunks.jsonl", chunks)
        np.save(self.tmp / "vectors.npy", vectors)
        vector_store.save(self.tmp)
        lexical.save(self.tmp)
        (self.tmp / "manifest.json").write_text(manifest.model_dump_json(indent=2), encoding="utf-8")
        _fsync_tree(self.tmp)
        final = self.builds / self.name
        os.replace(self.tmp, final)
        _atomic_write(self.root / "CURRENT", self.name)
        _remove_old_builds(self.builds, keep=self.name)
        return final

    def abort(self) -> None:
        with contextlib.suppress(OSError):  # closing flushes, which fails again on a full disk
            self._documents.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


@contextlib.contextmanager
def write_lock(root: Path) -> Iterator[None]:
    """One writer per index; a second ingest is told who holds the lock instead of corrupting it."""
    root.mkdir(parents=True, exist_ok=True)
    handle = (root / ".lock").open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as exc:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise IndexLocked(f"index {root} is being written by {holder}; wait for it to finish") from exc
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()} since {time.strftime('%H:%M:%S')}")
    handle.flush()
    try:
        yield
    finally:
        handle.seek(0)
        handle.truncate()
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with tmp.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _fsync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_old_builds(builds: Path, keep: str) -> None:
    """Drop superseded and abandoned builds (a killed ingest leaves a .tmp-* folder behind)."""
    for path in builds.iterdir():
        if path.name != keep:
            shutil.rmtree(path, ignore_errors=True)


class ArrayFile:
    """A .npy file filled by rows with positioned writes, never through a memory map.

    A write through a memory map to a full disk kills the process with SIGBUS and leaves its build
    behind; here the file's space is reserved when it is created, so a full disk is an OSError (ENOSPC)
    that the ingest can report, before any row is written. Rows are read back the same way (`_copy_rows`).
    """

    def __init__(self, path: Path, shape: tuple[int, ...], dtype) -> None:
        self.dtype = np.dtype(dtype)
        self.shape = tuple(int(n) for n in shape)
        self.row_bytes = int(np.prod(self.shape[1:], dtype=np.int64)) * self.dtype.itemsize
        header = io.BytesIO()
        np.lib.format.write_array_header_1_0(header, {
            "descr": np.lib.format.dtype_to_descr(self.dtype), "fortran_order": False, "shape": self.shape})
        self.offset = header.tell()
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            os.posix_fallocate(self.fd, 0, self.offset + self.shape[0] * self.row_bytes)
            _pwrite_all(self.fd, header.getvalue(), 0)
        except BaseException:
            os.close(self.fd)
            raise

    def __setitem__(self, rows, values) -> None:
        rows = np.atleast_1d(np.asarray(rows, dtype=np.int64))
        values = np.ascontiguousarray(np.asarray(values, dtype=self.dtype).reshape(len(rows), -1))
        for start, stop in _runs(rows):
            at = self.offset + int(rows[start]) * self.row_bytes
            _pwrite_all(self.fd, values[start:stop].tobytes(), at)

    def __getitem__(self, rows) -> np.ndarray:
        single = np.ndim(rows) == 0
        rows = np.atleast_1d(np.asarray(rows, dtype=np.int64))
        out = np.empty((len(rows), *self.shape[1:]), dtype=self.dtype)
        for start, stop in _runs(rows):
            size = (stop - start) * self.row_bytes
            data = os.pread(self.fd, size, self.offset + int(rows[start]) * self.row_bytes)
            out[start:stop] = np.frombuffer(data, dtype=self.dtype).reshape(stop - start, *self.shape[1:])
        return out[0] if single else out

    def close(self) -> None:
        os.close(self.fd)


def _runs(rows: np.ndarray) -> Iterator[tuple[int, int]]:
    """[start, stop) positions in `rows` where the row numbers run consecutively (one syscall each)."""
    breaks = np.flatnonzero(np.diff(rows) != 1) + 1
    bounds = [0, *breaks.tolist(), len(rows)]
    return itertools.pairwise(bounds)


def _pwrite_all(fd: int, data: bytes, offset: int) -> None:
    view = memoryview(data)
    while view:
        written = os.pwrite(fd, view, offset)
        view, offset = view[written:], offset + written


def remove_unfinished_builds(root: Path) -> list[str]:
    """Delete the .tmp-* builds of earlier ingests; call only while holding `write_lock`.

    Every writer holds the lock while its .tmp-* build exists, so one found by the lock's holder was
    left by a writer that died (killed, or out of disk space): on a full disk it is what keeps the next
    ingest from fitting. Returns the names removed.
    """
    builds = root / "builds"
    stale = sorted(builds.glob(".tmp-*")) if builds.is_dir() else []
    for path in stale:
        shutil.rmtree(path, ignore_errors=True)
    return [p.name for p in stale]


#: errno values that mean the disk cannot take the build (full, over quota, failing)
DISK_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EFBIG}


@contextlib.contextmanager
def _disk_errors(root: Path) -> Iterator[None]:
    """A full or failing disk as one IndexWriteFailed naming the index folder (the build is aborted)."""
    try:
        yield
    except OSError as exc:
        if exc.errno not in DISK_ERRORS:
            raise
        raise IndexWriteFailed(
            f"cannot write index {root.resolve()}: {exc.strerror or os.strerror(exc.errno)}; the previous "
            "build is still in use and nothing was left behind; free space there, or build elsewhere with "
            "--index") from exc
