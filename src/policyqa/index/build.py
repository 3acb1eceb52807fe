"""`policyqa ingest`: bring the index up to date with the corpus folder, incrementally and atomically.

Unchanged documents keep their chunks and vectors; changed ones are re-chunked and only chunks whose
embedded text is new are embedded (vectors are cached by content hash); deleted ones are dropped.
Bad files are reported and skipped. The new build becomes current only when it is complete.
"""

from __future__ import annotations

import functools
import hashlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..chunking import Chunker
from ..embedding import Embedder, embedder_for
from ..ingest.corpus import corpus_files, load_document
from ..ingest.decode import UnreadableFile
from ..ingest.loaders import SUPPORTED, unsupported_type
from ..ingest.metadata import METADATA_FILE, assign_doc_ids, id_holder, load_metadata
from ..records import Chunk, Document
from ..settings import Settings
from ..text.sentences import chunk_sentences, passage_clauses
from .lexical import LexicalIndex, keyword_text
from .manifest import CLAUSE_OFFSETS, CLAUSES, SENTENCE_OFFSETS, SENTENCES, Manifest
from .previous import Lent, open_previous, text_hash
from .reader import Index, index_settings
from .vectors import (
    EMBED_BLOCK,
    MilvusStore,
    _checked,
    choose_index_type,
    make_vector_store,
    milvus_collection_name,
)
from .writer import ArrayFile, BuildWriter, _disk_errors, remove_unfinished_builds, write_lock

#: what each `progress(stage, ...)` stage is called on a progress bar
STAGES = {"read": "reading files", "embed": "embedding passages", "sentences": "embedding sentences"}


@dataclass
class FileReport:
    """What happened to one file, for the per-file report."""

    path: str
    status: str  # added | updated | unchanged | skipped | duplicate | removed
    chunks: int = 0
    message: str = ""
    doc_id: str = ""


@dataclass
class IngestResult:
    files: list[FileReport] = field(default_factory=list)
    n_documents: int = 0
    n_chunks: int = 0
    embedded: int = 0
    reused: int = 0
    seconds: float = 0.0
    build: Path | None = None

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)


def document_key(doc: Document) -> str:
    """Changes when the text or the metadata of a document changes."""
    return hashlib.sha1((doc.content_hash + doc.meta.model_dump_json()).encode()).hexdigest()[:16]


def ingest(settings: Settings, progress: Callable[[str, int, int], None] | None = None,
           say: Callable[[str], None] = lambda _msg: None,
           files: Iterable[Path] | None = None, rebuild: bool = False) -> IngestResult:
    """Update the index under `settings.index_dir` from `settings.corpus_dir`.

    `progress(stage, done, total)` is called as documents are read and chunks embedded. The index keeps
    the build settings it has (`index_settings`); `rebuild` applies the given ones instead and reuses
    nothing from the current build (also the way out of a damaged one). Files keep their document ids.
    A full or failing disk is an IndexWriteFailed naming the folder; the current build stays in use.
    """
    started = time.perf_counter()
    settings = index_settings(settings, rebuild=rebuild, say=say)
    embedder = embedder_for(settings)
    chunk_cfg = settings.chunking
    chunker = Chunker(chunk_cfg, embedder.count_tokens)
    corpus = Path(settings.corpus_dir)
    paths, unsupported = (list(files), []) if files is not None else corpus_files(corpus)
    metadata = load_metadata(corpus)
    result = IngestResult()
    root = Path(settings.index_dir)
    with write_lock(root), _disk_errors(root):
        for name in remove_unfinished_builds(root):
            say(f"removed {name}, the unfinished build of an ingest that did not complete")
        previous = open_previous(settings, embedder, chunk_cfg, say, rebuild)
        if previous.rejected:
            say(f"{previous.rejected} stored vectors are not finite unit vectors: embedding them again")
        writer = BuildWriter(root)
        try:
            chunks, vectors, doc_keys = _process(paths, corpus, metadata, chunker, embedder, previous,
                                                 writer, result, progress)
            result.files += _unsupported_reports(unsupported, corpus, root)
            if not chunks:
                raise EmptyCorpus(_empty_message(corpus, result))
            for doc_id in sorted(set(previous.doc_keys) - set(doc_keys)):
                result.files.append(FileReport(doc_id, "removed"))
            index_type = choose_index_type(settings.index.index_type, len(chunks),
                                           settings.index.hnsw_threshold)
            store = _vector_store(settings, index_type, writer)
            store.build(vectors)
            n_sentences = n_clauses = 0
            if settings.index.sentence_vectors:
                n_sentences = _embed_units(chunks, chunk_sentences, previous.sentences,
                                           (SENTENCES, SENTENCE_OFFSETS), embedder, writer, "sentences",
                                           progress)
                clauses = functools.partial(passage_clauses, min_chars=settings.clause_chars)
                n_clauses = _embed_units(chunks, clauses, previous.clauses,
                                         (CLAUSES, CLAUSE_OFFSETS), embedder, writer, "clauses", progress)
            lexical = LexicalIndex()
            lexical.build([keyword_text(c, settings.keyword_titles) for c in chunks],
                          [c.lang for c in chunks], settings.bm25_saturation)
            manifest = Manifest(
                embedder=embedder.name, dim=embedder.dim, chunker=chunk_cfg.model_dump(),
                tokenizer=lexical.tokenizer.config(),
                index_type=index_type, vector_store=store.name, vector_store_config=store.config(),
                documents=doc_keys, n_chunks=len(chunks), n_sentences=n_sentences, n_clauses=n_clauses,
                files=_indexed_files(result, doc_keys),
                embedder_spec=settings.embedder, sentence_vectors=settings.sentence_vectors,
                clause_chars=settings.clause_chars if settings.sentence_vectors else 0,
                keyword_titles=settings.keyword_titles,
                bm25_saturation={lang: list(kb) for lang, kb in settings.bm25_saturation.items()},
                corpus_dir=str(corpus.resolve()), built_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                build_seconds=round(time.perf_counter() - started, 3),
            )
            result.build = writer.commit(manifest, chunks, vectors, store, lexical)
            if isinstance(store, MilvusStore):
                store.drop_other_builds()
        except BaseException:
            writer.abort()
            raise
    result.n_documents, result.n_chunks = len(doc_keys), len(chunks)
    result.seconds = time.perf_counter() - started
    return result


def _unsupported_reports(paths: list[Path], corpus: Path, root: Path) -> list[FileReport]:
    """A "skipped" report for each file of a type no loader reads, so none is ignored without a word;
    none for the index's own files when its folder sits inside the corpus folder."""
    index_folder = root.resolve()
    return [FileReport(path.relative_to(corpus).as_posix(), "skipped", message=unsupported_type(path))
            for path in paths if not path.resolve().is_relative_to(index_folder)]


def _vector_store(settings: Settings, index_type: str, writer: BuildWriter):
    """The configured vector store for a new build (a Milvus Lite file goes in the build folder)."""
    config = settings.index
    hnsw = {"hnsw_m": config.hnsw_m, "ef_construction": config.hnsw_ef_construction,
            "ef_search": config.hnsw_ef_search}
    if config.vector_store == "milvus":
        uri = config.milvus_uri
        collection = milvus_collection_name(Path(settings.index_dir), writer.name) if uri else "chunks"
        return MilvusStore(index_type, uri=uri, collection=collection, folder=writer.tmp, **hnsw)
    return make_vector_store(config.vector_store, index_type, **hnsw)


def _indexed_files(result: IngestResult, doc_keys: dict[str, str]) -> dict[str, str]:
    """Corpus path -> document id of every file in the new build, recorded so ids never move."""
    indexed = {r.path: r.doc_id for r in result.files if r.doc_id in doc_keys}
    return dict(sorted(indexed.items()))


def _fill(matrix: ArrayFile, chunks: list[Chunk], offsets: np.ndarray, units: Callable[[str], list[str]],
          lent: Lent, embedder: Embedder, stage: str,
          progress: Callable[[str, int, int], None] | None) -> None:
    """Rows offsets[i]:offsets[i + 1] of `matrix` get the vectors of chunk i's units: lent by the previous
    build, copied from the same text met earlier in this build, or embedded in blocks."""
    pending_rows: list[int] = []
    pending_texts: list[str] = []
    first: dict[bytes, int] = {}  # units already met in this build -> their row
    copies: list[tuple[int, int]] = []
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(stage, done, int(offsets[-1]))

    def flush() -> None:
        if pending_texts:
            matrix[pending_rows] = _checked(embedder.encode(pending_texts, progress=tick), pending_texts)
            pending_rows.clear()
            pending_texts.clear()

    for i, chunk in enumerate(chunks):
        for row, unit in enumerate(units(chunk.text), start=int(offsets[i])):
            key = text_hash(unit)
            cached = lent.rows.get(key)
            if cached is not None:
                matrix[row] = lent.vectors[cached]
                tick(1)
            elif first.setdefault(key, row) != row:
                copies.append((row, first[key]))
                tick(1)
            else:
                pending_rows.append(row)
                pending_texts.append(unit)
                if len(pending_texts) >= EMBED_BLOCK:
                    flush()
    flush()
    _copy_rows(matrix, copies)
    tick(0)


def _process(paths, corpus, metadata, chunker, embedder, previous, writer, result, progress):
    """Read every file once; reuse what is unchanged; embed the rest in batches.

    Raw texts go to disk as each document is read; the vectors live in one float32 matrix allocated
    once, filled from the previous build's memory map and by embedding blocks of chunks in place.
    Files the index already holds are read first, so of two files with the same text the indexed one
    stays; each file gets its id from `assign_doc_ids`.
    """
    chunks: list[Chunk] = []
    vectors: list[int | None] = []  # row of each chunk's vector in the previous build, None = embed
    doc_keys: dict[str, str] = {}
    seen_content: dict[str, str] = {}
    relative = {path: path.relative_to(corpus).as_posix() for path in paths}
    paths = sorted(paths, key=lambda path: relative[path] not in previous.files)
    ids = assign_doc_ids(relative.values(), previous.files, {p: m.doc_id for p, m in metadata.items()})
    for done, path in enumerate(paths, start=1):
        report = _process_file(path, corpus, metadata, ids, chunker, previous, writer, chunks, vectors,
                               doc_keys, seen_content)
        result.files.append(report)
        if progress:
            progress("read", done, len(paths))
    reused = [i for i, v in enumerate(vectors) if v is not None]
    missing, copies = _unique_texts((i, chunks[i].text) for i, v in enumerate(vectors) if v is None)
    result.embedded, result.reused = len(missing), len(chunks) - len(missing)
    matrix = np.zeros((len(chunks), embedder.dim), dtype=np.float32)
    for start in range(0, len(reused), EMBED_BLOCK):
        block = reused[start : start + EMBED_BLOCK]
        matrix[block] = previous.vectors[[vectors[i] for i in block]]
    del vectors
    counter = {"done": 0}

    def tick(n: int) -> None:
        counter["done"] += n
        if progress:
            progress("embed", counter["done"], len(missing))

    for start in range(0, len(missing), EMBED_BLOCK):
        block = missing[start : start + EMBED_BLOCK]
        texts = [chunks[i].text for i in block]
        matrix[block] = _checked(embedder.encode(texts, progress=tick), texts)
    _copy_rows(matrix, copies)
    return chunks, matrix, doc_keys


def _unique_texts(items) -> tuple[list[int], list[tuple[int, int]]]:
    """Rows whose text is new in this build, and (row, row with the same text) for the repeats.

    The same passage or sentence recurs across notices (boilerplate, quoted measures); it is embedded
    once and its vector copied.
    """
    first: dict[bytes, int] = {}
    unique, copies = [], []
    for row, text in items:
        source = first.setdefault(text_hash(text), row)
        if source == row:
            unique.append(row)
        else:
            copies.append((row, source))
    return unique, copies


def _copy_rows(matrix: np.ndarray, copies: list[tuple[int, int]]) -> None:
    for start in range(0, len(copies), EMBED_BLOCK):
        targets, sources = zip(*copies[start : start + EMBED_BLOCK], strict=True)
        matrix[list(targets)] = matrix[list(sources)]


def _embed_units(chunks: list[Chunk], units: Callable[[str], list[str]], lent: Lent, files: tuple[str, str],
                 embedder: Embedder, writer: BuildWriter, stage: str,
                 progress: Callable[[str, int, int], None] | None) -> int:
    """Vectors for the units (sentences, clause windows) of every chunk, written straight into the build
    folder as `files` (matrix, offsets); their number.

    Row range `offsets[i]:offsets[i + 1]` holds chunk i's units; units seen in the previous build are
    copied, the rest embedded in blocks, so memory stays bounded by one block (units are cut twice, once
    to count them, rather than all held at once).
    """
    counts = np.fromiter((len(units(c.text)) for c in chunks), dtype=np.int64, count=len(chunks))
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    if not offsets[-1]:
        return 0
    writer.save_array(files[1], offsets)
    matrix = writer.open_array(files[0], (int(offsets[-1]), embedder.dim), np.float16)
    try:
        _fill(matrix, chunks, offsets, units, lent, embedder, stage, progress)
    finally:
        matrix.close()
    return int(offsets[-1])


def _process_file(path, corpus, metadata, ids, chunker, previous, writer, chunks, vectors, doc_keys,
                  seen_content):
    relative = path.relative_to(corpus).as_posix()
    if relative not in ids:
        wanted, holder = id_holder(relative, ids, {p: m.doc_id for p, m in metadata.items()})
        return FileReport(relative, "skipped", message=f"document id {wanted} is already used by {holder}; "
                          f"give one of them another id in {METADATA_FILE}")
    try:
        doc = load_document(path, corpus, metadata.get(relative), doc_id=ids[relative])
    except UnreadableFile as exc:
        return FileReport(relative, "skipped", message=str(exc))
    except Exception as exc:  # a loader library failing on a malformed file must not stop the others
        return FileReport(relative, "skipped", message=f"{type(exc).__name__}: {exc}")
    if doc.content_hash in seen_content:
        return FileReport(relative, "duplicate", message=f"same text as {seen_content[doc.content_hash]}")
    seen_content[doc.content_hash] = relative
    key = document_key(doc)
    doc_chunks = chunker.chunk(doc)
    for chunk in doc_chunks:
        chunks.append(chunk)
        vectors.append(previous.row(chunk))
    writer.add_document(doc)
    doc_keys[doc.meta.doc_id] = key
    old = previous.doc_keys.get(doc.meta.doc_id)
    status = "added" if old is None else ("unchanged" if old == key else "updated")
    return FileReport(relative, status, chunks=len(doc_chunks), doc_id=doc.meta.doc_id)


class EmptyCorpus(ValueError):
    """Nothing indexable in the corpus folder: no index is built and the current one is kept."""


def _empty_message(corpus: Path, result: IngestResult) -> str:
    skipped = [f for f in result.files if f.status != "removed"]
    why = "; ".join(f"{f.path!r}: {f.message}" for f in skipped[:3]) + ("; ..." if len(skipped) > 3 else "")
    found = (f"{len(skipped)} file(s), none readable ({why})" if skipped
             else f"no {', '.join(sorted(SUPPORTED))} files")
    return f"nothing to index in {corpus}: {found}; add documents there (the index is unchanged)"


def index_exists(root: Path) -> bool:
    """Whether an index has a current build (the chat builds one on its first start otherwise)."""
    return current_build(root) is not None


def current_build(root: Path | str) -> Path | None:
    """The folder of the index's build in use, None before the first: the server compares it with the one it
    loaded, to load an ingest's new build."""
    return Index.current_build(Path(root))


def readable(path: Path, corpus: Path) -> str:
    """'' when a file becomes a document, else why not, in words a user can act on (checked on upload)."""
    try:
        load_document(path, corpus)
    except UnreadableFile as exc:
        return str(exc)
    except Exception as exc:  # a loader library failing on a malformed file
        return f"cannot read it ({type(exc).__name__})"
    return ""
