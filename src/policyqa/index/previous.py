"""What the last build lends the next one: document ids, and vectors by text hash (incremental ingest)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from ..embedding import Embedder
from ..records import Chunk
from ..settings import ChunkingSettings, Settings
from ..text.sentences import chunk_sentences
from ..text.tokenizer import LexicalTokenizer
from .manifest import SENTENCE_OFFSETS, SENTENCES, Manifest
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
        self.sentence_rows: dict[bytes, int] = {}
        self.vectors: np.ndarray | None = None
        self.sentences: np.ndarray | None = None
        self.rejected = 0
        if folder is None or not reuse:
            return
        self.vectors = np.load(folder / "vectors.npy", mmap_mode="r")
        offsets = None
        if (folder / SENTENCES).exists():
            self.sentences = np.load(folder / SENTENCES, mmap_mode="r")
            offsets = np.load(folder / SENTENCE_OFFSETS)
        # a vector that is not a finite unit vector (a build poisoned before vectors were checked) is
        # never lent: its text is embedded again
        bad, bad_sentences = _bad_rows(self.vectors), _bad_rows(self.sentences)
        self.rejected = len(bad) + len(bad_sentences)
        with (folder / "chunks.jsonl").open(encoding="utf-8") as handle:
            for row, line in enumerate(handle):
                record = json.loads(line)
                if row not in bad:
                    self.vector_rows[text_hash(record["text"])] = row
                if offsets is not None:
                    for j, sentence in enumerate(chunk_sentences(record["text"]), start=int(offsets[row])):
                        if j not in bad_sentences:
                            self.sentence_rows[text_hash(sentence)] = j

    def row(self, chunk: Chunk) -> int | None:
        """Row of the previous build's vector for this chunk's embedded text, if it had one."""
        return self.vector_rows.get(text_hash(chunk.text))


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
