"""What the last build lends the next one: document ids, and vectors by text hash (incremental ingest)."""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

import numpy as np

from ..embedding import Embedder
from ..records import Chunk
from ..settings import ChunkingSettings, Settings
from ..text.sentences import chunk_sentences, passage_clauses
from ..text.tokenizer import LexicalTokenizer
from .manifest import CLAUSE_OFFSETS, CLAUSES, SENTENCE_OFFSETS, SENTENCES, Manifest
from .reader import Index, IndexDamaged
from .vectors import _bad_rows


class PreviousBuild:
    """What the last build can lend this one: whole documents, and vectors by embedded-text hash.

    Only the manifest, the hashes of the embedded texts and a memory map of vectors.npy are read, so an
    update holds neither the previous build's texts nor its search structures in memory.
    """

    def __init__(self, folder: Path | None = None, manifest: Manifest | None = None,
                 reuse: bool = True) -> None:
        self.doc_keys = {} if manifest is None else dict(manifest.documents)
        self.files: dict[str, str] = {}  # corpus path -> document id, kept even by a rebuild
        if folder is not None and manifest is not None:
            self.files = manifest.files if manifest.files is not None else _recorded_files(folder)
        self.vector_rows: dict[bytes, int] = {}
        self.sentences = Lent()
        self.clauses = Lent()
        self.vectors: np.ndarray | None = None
        self.rejected = 0
        if folder is None or not reuse:
            return
        self.vectors = np.load(folder / "vectors.npy", mmap_mode="r")
        self.sentences = Lent.load(folder, SENTENCES, SENTENCE_OFFSETS, chunk_sentences)
        self.clauses = Lent.load(folder, CLAUSES, CLAUSE_OFFSETS,
                                 functools.partial(passage_clauses, min_chars=manifest.clause_chars or 0))
        # a vector that is not a finite unit vector (a build poisoned before vectors were checked) is
        # never lent: its text is embedded again
        bad = _bad_rows(self.vectors)
        self.rejected = len(bad) + len(self.sentences.bad) + len(self.clauses.bad)
        with (folder / "chunks.jsonl").open(encoding="utf-8") as handle:
            for row, line in enumerate(handle):
                text = json.loads(line)["text"]
                if row not in bad:
                    self.vector_rows[text_hash(text)] = row
                self.sentences.add(row, text)
                self.clauses.add(row, text)

    def row(self, chunk: Chunk) -> int | None:
        """Row of the previous build's vector for this chunk's embedded text, if it had one."""
        return self.vector_rows.get(text_hash(chunk.text))


class Lent:
    """Vectors of a build's per-passage text units (sentences, clause windows) by text hash: `rows` maps
    the hash of a unit to its row of `vectors` (empty when the build has none)."""

    def __init__(self, vectors: np.ndarray | None = None, offsets: np.ndarray | None = None,
                 units=None) -> None:
        self.vectors, self.offsets, self.units = vectors, offsets, units
        self.bad = _bad_rows(vectors)
        self.rows: dict[bytes, int] = {}

    @classmethod
    def load(cls, folder: Path, matrix: str, offsets: str, units) -> Lent:
        if not (folder / matrix).exists():
            return cls()
        return cls(np.load(folder / matrix, mmap_mode="r"), np.load(folder / offsets), units)

    def add(self, row: int, text: str) -> None:
        """Lend the units of passage `row` (its text `text`), but none whose vector is bad."""
        if self.offsets is None:
            return
        for j, unit in enumerate(self.units(text), start=int(self.offsets[row])):
            if j not in self.bad:
                self.rows[text_hash(unit)] = j


def text_hash(text: str) -> bytes:
    return hashlib.sha1(text.encode("utf-8")).digest()


def open_previous(settings: Settings, embedder: Embedder, chunker: ChunkingSettings, say,
                   rebuild: bool = False) -> PreviousBuild:
    """The current build when it was made with the same embedder and chunker; else nothing (full rebuild).

    A damaged current build stops the ingest with IndexDamaged, which names `--rebuild`.
    """
    root = Path(settings.index_dir)
    folder = Index.current_build(root)
    if folder is None:
        return PreviousBuild()
    try:
        manifest = Manifest.model_validate_json((folder / "manifest.json").read_text())
        if rebuild:  # nothing reused, but every file keeps its document id
            return PreviousBuild(folder, manifest, reuse=False)
        diffs = manifest.differences(LexicalTokenizer.config(), embedder.name, embedder.dim,
                                     chunker.model_dump())
        if diffs:
            say(f"rebuilding from scratch: {'; '.join(diffs)}")
            return PreviousBuild(folder, manifest, reuse=False)
        return PreviousBuild(folder, manifest)
    except (OSError, ValueError, KeyError, EOFError) as exc:
        if rebuild:
            say(f"the current build cannot be read ({type(exc).__name__}); building anew")
            return PreviousBuild()
        raise IndexDamaged.of(root, settings.corpus_dir, exc) from exc


def _recorded_files(folder: Path) -> dict[str, str]:
    """Path -> document id of a build made before manifests recorded it (read from documents.jsonl)."""
    with (folder / "documents.jsonl").open(encoding="utf-8") as handle:
        return {record["path"]: record["meta"]["doc_id"] for record in map(json.loads, handle)}
