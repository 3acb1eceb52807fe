"""A loaded build: documents, chunks, vectors and the search structures over them."""

from __future__ import annotations

import os
import shlex
from collections.abc import Callable, Iterator
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel

from ..embedding import embedder_for, embedder_name, spec_for_name
from ..records import Chunk, Document
from ..settings import Settings
from ..text.tokenizer import LexicalTokenizer
from .lexical import LexicalIndex
from .manifest import (
    CLAUSE_OFFSETS,
    CLAUSES,
    REBUILD_HINT,
    SENTENCE_OFFSETS,
    SENTENCES,
    IndexLocked,
    IndexMismatch,
    IndexMissing,
    Manifest,
)
from .vectors import FaissStore, VectorStore, make_vector_store

#: times a reader starts over when a concurrent commit deletes the build it is reading
LOAD_ATTEMPTS = 5


def _read_jsonl(path: Path, model: type[BaseModel]) -> Iterator:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            yield model.model_validate_json(line)


class Index:
    """A loaded build: documents, chunks, vectors, and the search structures over them."""

    def __init__(self, folder: Path, manifest: Manifest, documents: list[Document], chunks: list[Chunk],
                 vectors: np.ndarray, vector_store: VectorStore, lexical: LexicalIndex) -> None:
        self.folder = folder
        self.manifest = manifest
        self.documents = {d.meta.doc_id: d for d in documents}
        self.chunks = chunks
        self.vectors = vectors
        self.vector_store = vector_store
        self.lexical = lexical
        self.sentence_vectors: np.ndarray | None = None
        self.sentence_offsets: np.ndarray | None = None
        if manifest.n_sentences:  # not `exists()`: a build removed while it is read must fail, and be retried
            self.sentence_vectors = np.load(folder / SENTENCES, mmap_mode="r")
            self.sentence_offsets = np.load(folder / SENTENCE_OFFSETS)
        self.clause_vectors: np.ndarray | None = None
        self.clause_offsets: np.ndarray | None = None
        if manifest.n_clauses:
            self.clause_vectors = np.load(folder / CLAUSES, mmap_mode="r")
            self.clause_offsets = np.load(folder / CLAUSE_OFFSETS)

    @cached_property
    def rows_by_doc(self) -> dict[str, np.ndarray]:
        """Chunk rows of each document, for filters."""
        return self._group_rows("doc_id")

    @cached_property
    def rows_by_lang(self) -> dict[str, np.ndarray]:
        """Chunk rows per passage language, for per-language scoring in hybrid search."""
        return self._group_rows("lang")

    @cached_property
    def places_by_doc(self) -> dict[str, frozenset[str]]:
        """The region tags of each document's passages (Chunk.places), gathered once: a place filter and a
        comparison's rows ask for them on every request."""
        places: dict[str, set[str]] = {}
        for chunk in self.chunks:
            places.setdefault(chunk.doc_id, set()).update(chunk.places)
        return {doc_id: frozenset(tags) for doc_id, tags in places.items()}

    def _group_rows(self, field: str) -> dict[str, np.ndarray]:
        rows: dict[str, list[int]] = {}
        for i, chunk in enumerate(self.chunks):
            rows.setdefault(getattr(chunk, field), []).append(i)
        return {key: np.asarray(r, dtype=np.int64) for key, r in rows.items()}

    # ---- reading

    @staticmethod
    def current_build(root: Path) -> Path | None:
        """The folder of the build in use, or None when no index was built yet.

        A commit may replace CURRENT and delete the build it named between the two reads here; the
        pointer is then read again rather than the index taken for missing.
        """
        pointer = root / "CURRENT"
        for _ in range(LOAD_ATTEMPTS):
            try:
                name = pointer.read_text(encoding="utf-8").strip()
            except FileNotFoundError:
                return None
            folder = root / "builds" / name
            if (folder / "manifest.json").exists():
                return folder
            if pointer.read_text(encoding="utf-8").strip() == name:
                return None
        return None

    @staticmethod
    def read_manifest(root: Path) -> Manifest | None:
        folder = Index.current_build(root)
        return Manifest.model_validate_json((folder / "manifest.json").read_text()) if folder else None

    @classmethod
    def load(cls, root: Path, embedder: str | None = None, dim: int | None = None,
             chunker: dict | None = None, corpus: Path | str = "corpus") -> Index:
        """Load the current build, refusing one built with another embedder, chunker or format.

        An ingest that commits while this reads deletes the build being read; the load then starts
        again on the new CURRENT (a reader never needs a lock, and a writer never waits for readers).
        """
        for attempt in range(1, LOAD_ATTEMPTS + 1):
            folder = cls.current_build(root)
            try:
                return cls._load_build(root, folder, embedder, dim, chunker, corpus)
            except (OSError, RuntimeError, ValueError):
                if attempt == LOAD_ATTEMPTS or folder is None or cls.current_build(root) == folder:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    @classmethod
    def _load_build(cls, root: Path, folder: Path | None, embedder: str | None, dim: int | None,
                    chunker: dict | None, corpus: Path | str) -> Index:
        hint = REBUILD_HINT.format(corpus=corpus, index=root)
        if folder is None:
            raise IndexMissing(
                f"no index in {root}: build one with: policyqa ingest --corpus {corpus} --index {root}"
            )
        manifest = Manifest.model_validate_json((folder / "manifest.json").read_text())
        diffs = manifest.differences(LexicalTokenizer.config(), embedder, dim or manifest.dim, chunker)
        if diffs:
            raise IndexMismatch(f"index {root} does not match the settings: {'; '.join(diffs)}; {hint}")
        documents = list(_read_jsonl(folder / "documents.jsonl", Document))
        chunks = list(_read_jsonl(folder / "chunks.jsonl", Chunk))
        vectors = np.load(folder / "vectors.npy", mmap_mode="r")
        store = make_vector_store(manifest.vector_store, manifest.index_type, **manifest.vector_store_config)
        store.load(folder)
        lexical = LexicalIndex()
        lexical.load(folder)
        return cls(folder, manifest, documents, chunks, vectors, store, lexical)


class IndexDamaged(Exception):
    """The current build cannot be read (a file missing or corrupt); the message names it and the fix."""

    @classmethod
    def of(cls, root: Path, corpus: Path | str, exc: BaseException) -> IndexDamaged:
        """The error for `exc`, raised while reading the build under `root`, naming the file when known."""
        folder = Index.current_build(root)
        name = folder.name if folder else "(unknown)"
        what = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0][:160] if str(exc).strip() else ''}"
        if getattr(exc, "filename", None):
            what = f"{Path(exc.filename).name} is missing or unreadable"
        elif folder is not None:
            try:
                manifest = Manifest.model_validate_json((folder / "manifest.json").read_text())
                needed = ["documents.jsonl", "chunks.jsonl", "vectors.npy", LexicalIndex.FOLDER]
                needed += [FaissStore.FILE] if manifest.vector_store == "faiss" else []
                missing = [name for name in needed if not (folder / name).exists()]
                what = f"{', '.join(missing)} missing" if missing else what
            except ValueError:
                what = "manifest.json is corrupt"
        return cls(f"index {root}: build {name} cannot be read ({what}); rebuild it from the corpus with: "
                   f"policyqa ingest --rebuild --corpus {corpus} --index {root}")


#: settings that decide how chunks are cut and embedded: an index is read and updated with the values it
#: was built with, and changing one means embedding everything again (`ingest --rebuild`)
BUILD_SETTINGS = ("embedder", "chunk_size", "chunk_overlap", "chunk_paragraphs", "paragraph_cap",
                  "sentence_vectors", "clause_chars", "keyword_titles", "bm25_saturation")


def built_with(manifest: Manifest) -> dict[str, Any]:
    """The settings an index was built with (Settings field -> value), from its manifest."""
    chunker = manifest.built_chunker()
    built: dict[str, Any] = {
        "embedder": manifest.embedder_spec or spec_for_name(manifest.embedder),
        "chunk_size": chunker["chunk_size"], "chunk_overlap": chunker["chunk_overlap"],
        "chunk_paragraphs": chunker["paragraphs"], "paragraph_cap": chunker["paragraph_cap"],
        "vector_store": manifest.vector_store, "milvus_uri": manifest.vector_store_config.get("uri", ""),
    }
    if manifest.sentence_vectors is not None:
        built["sentence_vectors"] = manifest.sentence_vectors
    if manifest.clause_chars is not None:  # as keyword_titles
        built["clause_chars"] = manifest.clause_chars
    if manifest.keyword_titles is not None:  # older builds take the default at their next ingest
        built["keyword_titles"] = manifest.keyword_titles
    if manifest.bm25_saturation is not None:  # as keyword_titles; JSON keeps the pairs as lists
        built["bm25_saturation"] = {lang: tuple(kb) for lang, kb in manifest.bm25_saturation.items()}
    if manifest.corpus_dir:
        built["corpus_dir"] = Path(manifest.corpus_dir)
    return built


def index_settings(settings: Settings, rebuild: bool = False,
                   say: Callable[[str], None] = lambda _msg: None) -> Settings:
    """The settings to read or update an index with: the ones it was built with, unless asked otherwise.

    Every setting a user gave (flag, POLICYQA_* variable or policyqa.yaml) stands; the others (chunker,
    embedder, corpus folder, vector store) come from the index's manifest, so `search --index ix` reads
    an index built with `--chunk-paragraphs` without repeating the flag. A given build setting that
    contradicts the index is an IndexMismatch naming both values and the rebuild command, unless
    `rebuild` (then it is applied, and said). A damaged manifest is left to the loader to report.
    """
    root = Path(settings.index_dir)
    try:
        manifest = Index.read_manifest(root)
    except (OSError, ValueError):
        return settings
    if manifest is None:
        return settings
    built, asked = built_with(manifest), settings.model_fields_set
    changed = [k for k in BUILD_SETTINGS
               if k in asked and k in built and not _same_setting(k, built[k], getattr(settings, k))]
    if changed and not rebuild:
        raise IndexMismatch(_mismatch_message(settings, root, built, changed))
    kept = {k: v for k, v in built.items() if k not in asked}
    if rebuild:
        what = ", ".join(f"{k}={getattr(settings, k)!r} (was {built[k]!r})" for k in changed)
        say(f"rebuilding {root} from scratch with {what or 'its current settings'}")
    elif notable := {k: v for k, v in kept.items() if k in BUILD_SETTINGS and v != getattr(settings, k)}:
        say(f"keeping the settings {root} was built with: "
            + ", ".join(f"{k}={v!r}" for k, v in notable.items())
            + f" (to change them: policyqa ingest --rebuild --index {root} with the new values)")
    if "vector_store" in asked and settings.vector_store != built["vector_store"]:
        say(f"vector store {built['vector_store']} -> {settings.vector_store}: no vector is embedded again")
    return settings.model_copy(update=kept)


def _same_setting(name: str, built: Any, asked: Any) -> bool:
    """Whether a given value is what the index was built with (embedders compare by model)."""
    return embedder_name(built) == embedder_name(asked) if name == "embedder" else built == asked


def _mismatch_message(settings: Settings, root: Path, built: dict[str, Any], changed: list[str]) -> str:
    was = ", ".join(f"{k}={built[k]!r}" for k in changed)
    now = ", ".join(f"{k}={getattr(settings, k)!r}" for k in changed)
    corpus = settings.corpus_dir if "corpus_dir" in settings.model_fields_set else built.get(
        "corpus_dir", settings.corpus_dir)
    env = "".join(f"POLICYQA_{k.upper()}={str(getattr(settings, k)).lower()} " for k in changed
                  if k not in REBUILD_FLAGS)
    flags = "".join(" " + REBUILD_FLAGS[k](getattr(settings, k)) for k in changed if k in REBUILD_FLAGS)
    return (f"index {root} was built with {was}, but the settings ask for {now}; leave them out to use "
            f"the index as built, or rebuild it with the new ones: "
            f"{env}policyqa ingest --corpus {shlex.quote(str(corpus))} --index {shlex.quote(str(root))} "
            f"--rebuild{flags}")


#: the ingest flag that sets each build setting (sentence_vectors has only its POLICYQA_ variable)
REBUILD_FLAGS: dict[str, Callable[[Any], str]] = {
    "embedder": lambda v: f"--embedder {shlex.quote(str(v))}",
    "chunk_size": lambda v: f"--chunk-size {v}",
    "chunk_overlap": lambda v: f"--chunk-overlap {v}",
    "chunk_paragraphs": lambda v: "--chunk-paragraphs" if v else "--no-chunk-paragraphs",
    "paragraph_cap": lambda v: f"--paragraph-cap {v}",
}


def clear_dead_holder(root: Path) -> None:
    """Empty `.lock` when the writer it names is gone (an ingest killed with -9 cannot clean up after
    itself); readers call it, so a stale "pid N" line does not outlive the next search. Never locks, so a
    starting ingest is not disturbed; on a read-only index it does nothing."""
    path = root / ".lock"
    try:
        holder = path.read_text(encoding="utf-8").split()
        if len(holder) < 2 or holder[0] != "pid" or not holder[1].isdigit() or _alive(int(holder[1])):
            return
        with path.open("r+", encoding="utf-8") as handle:
            if handle.read().split()[:2] == holder[:2]:
                handle.seek(0)
                handle.truncate()
    except OSError:
        return


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def open_index(settings: Settings) -> Index:
    """Open an index as it was built (see `index_settings`), refusing given settings that contradict it
    and an index made with another keyword tokenizer; a build that cannot be read is IndexDamaged."""
    settings = index_settings(settings)
    embedder = embedder_for(settings)
    try:
        index = Index.load(
            settings.index_dir,
            embedder=embedder.name,
            dim=embedder.dim,
            chunker=settings.chunking.model_dump(),
            corpus=settings.corpus_dir,
        )
    except (IndexMissing, IndexMismatch, IndexLocked):
        raise
    except (OSError, ValueError, RuntimeError, EOFError, KeyError) as exc:  # a damaged build
        raise IndexDamaged.of(Path(settings.index_dir), settings.corpus_dir, exc) from exc
    clear_dead_holder(Path(settings.index_dir))
    return index
