"""The on-disk index: chunks, vectors, a FAISS (or other) vector store, a BM25 index, and a manifest.

Layout of `index/`::

    CURRENT              name of the build in use (replaced atomically)
    builds/<build>/      manifest.json, documents.jsonl, chunks.jsonl, vectors.npy, vectors.faiss, bm25/
    .lock                held while an ingest writes

A build is written in full beside the current one and only then named in CURRENT (write + fsync +
os.replace), so a killed ingest leaves the previous build in use, complete; never a mix.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import io
import itertools
import os
import re
import shutil
import time
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from functools import cached_property
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field

from .chunking import ChunkerSettings
from .records import Chunk, Document

FORMAT_VERSION = 1
#: times a reader starts over when a concurrent commit deletes the build it is reading
LOAD_ATTEMPTS = 5
#: sentence vectors (float16) of multi-sentence chunks, and each chunk's first row in them (n_chunks + 1)
SENTENCES, SENTENCE_OFFSETS = "sentences.npy", "sentence_offsets.npy"
REBUILD_HINT = "rebuild it with: policyqa ingest --corpus {corpus} --index {index}"


class IndexMismatch(Exception):
    """An index built with other settings than the ones asked for; the message says what and how to fix."""


class IndexMissing(Exception):
    """No index where one was expected."""


class IndexLocked(Exception):
    """Another process is writing this index."""


class IndexWriteFailed(Exception):
    """The disk refused a build (full, or failing); the message names the folder. Nothing was changed."""


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


class Manifest(BaseModel):
    """What an index was built with; compared field by field before the index is used."""

    format_version: int = FORMAT_VERSION
    embedder: str
    dim: int
    chunker: dict
    vector_store: str = "faiss"
    index_type: str = "flat"
    vector_store_config: dict = Field(default_factory=dict, description="what the vector store reopens with")
    documents: dict[str, str] = Field(default_factory=dict, description="doc_id -> content hash")
    files: dict[str, str] | None = Field(None, description="corpus path -> doc_id, so ids never move")
    embedder_spec: str = Field("", description="the `embedder` setting that reopens the model")
    sentence_vectors: bool | None = Field(None, description="whether sentences were embedded too")
    n_chunks: int = 0
    n_sentences: int = Field(0, description="sentence vectors stored beside the passage vectors")
    corpus_dir: str = ""
    built_at: str = ""
    build_seconds: float = 0.0

    def differences(self, embedder: str, dim: int, chunker: dict) -> list[str]:
        """Human-readable list of what differs from the configured embedder and chunker."""
        diffs = []
        if self.format_version != FORMAT_VERSION:
            diffs.append(f"index format {self.format_version} (this policyqa reads {FORMAT_VERSION})")
        if self.embedder != embedder or self.dim != dim:
            diffs.append(f"embedder {self.embedder} ({self.dim}-d) vs configured {embedder} ({dim}-d)")
        # settings added after an index was built take their defaults, which it was built with
        built = {**ChunkerSettings().model_dump(), **self.chunker}
        for key in sorted(set(built) | set(chunker)):
            if built.get(key) != chunker.get(key):
                diffs.append(f"chunker {key}={built.get(key)!r} vs configured {chunker.get(key)!r}")
        return diffs


# --------------------------------------------------------------------------- vector stores


class VectorStore(ABC):
    """Nearest-neighbour search over unit vectors, with row filters applied inside the search."""

    name: str

    @abstractmethod
    def build(self, vectors: np.ndarray) -> None:
        """Index all rows (row i is chunk i)."""

    @abstractmethod
    def search(self, queries: np.ndarray, k: int,
               allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(scores, rows) of the k best rows per query, rows -1 where fewer exist; only `allowed` rows."""

    @abstractmethod
    def save(self, folder: Path) -> None: ...

    @abstractmethod
    def load(self, folder: Path) -> None: ...

    def config(self) -> dict:
        """Keyword arguments for `make_vector_store` that reopen this store (recorded in the manifest)."""
        return {}


class FaissStore(VectorStore):
    """Exact inner-product search for small corpora, HNSW above a size threshold."""

    name = "faiss"
    FILE = "vectors.faiss"

    def __init__(self, index_type: str = "flat", hnsw_m: int = 32, ef_construction: int = 80,
                 ef_search: int = 128) -> None:
        self.index_type = index_type
        self.hnsw_m = hnsw_m
        self.ef_construction = ef_construction
        self.ef_search = ef_search
        self.index = None

    def build(self, vectors: np.ndarray) -> None:
        import faiss

        dim = vectors.shape[1]
        if self.index_type == "hnsw":
            self.index = faiss.IndexHNSWFlat(dim, self.hnsw_m, faiss.METRIC_INNER_PRODUCT)
            self.index.hnsw.efConstruction = self.ef_construction
        else:
            self.index = faiss.IndexFlatIP(dim)
        if len(vectors):
            self.index.add(np.ascontiguousarray(vectors, dtype=np.float32))

    def search(self, queries: np.ndarray, k: int,
               allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        import faiss

        queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
        k = max(1, min(k, self.index.ntotal)) if self.index.ntotal else 1
        params = None
        if allowed is not None:
            selector = faiss.IDSelectorBatch(np.asarray(allowed, dtype=np.int64))
            if self.index_type == "hnsw":
                params = faiss.SearchParametersHNSW(sel=selector, efSearch=max(self.ef_search, k))
            else:
                params = faiss.SearchParameters(sel=selector)
        elif self.index_type == "hnsw":
            params = faiss.SearchParametersHNSW(efSearch=max(self.ef_search, k))
        scores, rows = self.index.search(queries, k, params=params)
        return scores, rows

    def save(self, folder: Path) -> None:
        import faiss

        try:
            faiss.write_index(self.index, str(folder / self.FILE))
        except RuntimeError as exc:  # faiss reports a failed write as text; give it back its errno
            code = next((c for c in (errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EFBIG)
                         if f"({os.strerror(c)})" in str(exc)), None)
            if code is None:
                raise
            raise OSError(code, os.strerror(code), str(folder / self.FILE)) from exc

    def load(self, folder: Path) -> None:
        import faiss

        self.index = faiss.read_index(str(folder / self.FILE))
        self.index_type = "hnsw" if "HNSW" in type(self.index).__name__ else "flat"

    def config(self) -> dict:
        if self.index_type != "hnsw":
            return {}
        return {"hnsw_m": self.hnsw_m, "ef_construction": self.ef_construction, "ef_search": self.ef_search}


class MilvusStore(VectorStore):
    """Milvus via pymilvus: a Milvus server or cluster by URI, or Milvus Lite (a file in the build folder).

    Rows are the primary key (`row`, chunk i is row i), so a filter is the boolean expression
    `row in [...]` evaluated inside the search. A Lite file lives in the build folder and is replaced
    with it; a server keeps one collection per build, named in the manifest, and drops the older ones
    of the same index after the new build is current. A server token, if needed, is read from
    $POLICYQA_MILVUS_TOKEN (never written to the manifest).
    """

    name = "milvus"
    LITE_FILE = "milvus.db"
    FIELD_ROW, FIELD_VECTOR = "row", "vector"
    INSERT_BATCH = 4096

    def __init__(self, index_type: str = "flat", uri: str = "", collection: str = "chunks",
                 folder: Path | None = None, hnsw_m: int = 32, ef_construction: int = 80,
                 ef_search: int = 128) -> None:
        self.index_type = index_type
        self.uri = uri
        self.collection = collection
        self.folder = folder
        self.hnsw_m, self.ef_construction, self.ef_search = hnsw_m, ef_construction, ef_search
        self.client = None
        self.ntotal = 0

    @property
    def is_lite(self) -> bool:
        return not self.uri

    def _connect(self, folder: Path | None) -> None:
        from pymilvus import MilvusClient

        if self.is_lite:
            if folder is None:
                raise ValueError("Milvus Lite needs the build folder to keep its file in")
            self.client = MilvusClient(str(folder / self.LITE_FILE))
        else:
            self.client = MilvusClient(self.uri, token=os.environ.get("POLICYQA_MILVUS_TOKEN", ""))

    def build(self, vectors: np.ndarray) -> None:
        from pymilvus import DataType

        self._connect(self.folder)
        if self.client.has_collection(self.collection):
            self.client.drop_collection(self.collection)
        dim = int(vectors.shape[1])
        schema = self.client.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field(self.FIELD_ROW, DataType.INT64, is_primary=True)
        schema.add_field(self.FIELD_VECTOR, DataType.FLOAT_VECTOR, dim=dim)
        index_params = self.client.prepare_index_params()
        if self.index_type == "hnsw":
            index_params.add_index(field_name=self.FIELD_VECTOR, index_type="HNSW", metric_type="IP",
                                   params={"M": self.hnsw_m, "efConstruction": self.ef_construction})
        else:
            index_params.add_index(field_name=self.FIELD_VECTOR, index_type="FLAT", metric_type="IP")
        self.client.create_collection(self.collection, schema=schema, index_params=index_params,
                                      consistency_level="Strong")
        for start in range(0, len(vectors), self.INSERT_BATCH):
            block = np.asarray(vectors[start : start + self.INSERT_BATCH], dtype=np.float32)
            self.client.insert(self.collection, [
                {self.FIELD_ROW: start + i, self.FIELD_VECTOR: row} for i, row in enumerate(block.tolist())
            ])
        self.client.flush(self.collection)
        self.client.load_collection(self.collection)
        self.ntotal = len(vectors)

    def search(self, queries: np.ndarray, k: int,
               allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        queries = np.atleast_2d(np.asarray(queries, dtype=np.float32))
        k = max(1, min(k, self.ntotal or 1, 16384))
        scores = np.full((len(queries), k), np.finfo(np.float32).min, dtype=np.float32)
        rows = np.full((len(queries), k), -1, dtype=np.int64)
        if self.ntotal == 0:
            return scores, rows
        params: dict = {"metric_type": "IP"}
        if self.index_type == "hnsw":
            params["params"] = {"ef": max(self.ef_search, k)}
        expr = ""
        if allowed is not None:
            expr = f"{self.FIELD_ROW} in [{','.join(str(int(r)) for r in allowed)}]"
        results = self.client.search(self.collection, data=queries.tolist(), limit=k, filter=expr,
                                     search_params=params, output_fields=[self.FIELD_ROW])
        for qi, hits in enumerate(results):
            for j, hit in enumerate(hits[:k]):
                entity = dict.get(hit, "entity") or {}
                rows[qi, j] = int(entity.get(self.FIELD_ROW, dict.get(hit, self.FIELD_ROW, -1)))
                scores[qi, j] = float(hit["distance"])
        return scores, rows

    def save(self, folder: Path) -> None:
        """Lite: close the file (and its in-process server) so the build folder can be renamed.

        A server collection stays where it is; the manifest names it.
        """
        if self.is_lite:
            self.close(folder)

    def close(self, folder: Path | None = None) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None
        if self.is_lite and (folder or self.folder) is not None:
            from milvus_lite.server_manager import server_manager_instance

            server_manager_instance.release_server(str((folder or self.folder) / self.LITE_FILE))

    def load(self, folder: Path) -> None:
        self._connect(folder)
        self.client.load_collection(self.collection)
        self.ntotal = int(self.client.get_collection_stats(self.collection).get("row_count", 0))

    def drop_other_builds(self) -> None:
        """After a new build is current: drop this index's older collections on a server (Lite: no-op)."""
        if self.is_lite or self.client is None:
            return
        prefix = self.collection.rsplit("__", 1)[0] + "__"
        for name in self.client.list_collections():
            if name.startswith(prefix) and name != self.collection:
                self.client.drop_collection(name)

    def config(self) -> dict:
        config = {"uri": self.uri, "collection": self.collection}
        if self.index_type == "hnsw":
            config.update(hnsw_m=self.hnsw_m, ef_construction=self.ef_construction, ef_search=self.ef_search)
        return config


def milvus_collection_name(index_root: Path, build: str) -> str:
    """One collection per build on a server: policyqa_<index folder hash>__<build name>."""
    import hashlib

    digest = hashlib.sha1(str(Path(index_root).resolve()).encode()).hexdigest()[:10]
    return f"policyqa_{digest}__{re.sub(r'[^0-9A-Za-z_]', '_', build)}"


def make_vector_store(name: str, index_type: str, **config) -> VectorStore:
    """The vector store named in settings / the manifest; `config` is what `VectorStore.config` recorded."""
    if name == "faiss":
        config = {k: v for k, v in config.items() if k in ("hnsw_m", "ef_construction", "ef_search")}
        return FaissStore(index_type=index_type, **config)
    if name == "milvus":
        return MilvusStore(index_type=index_type, **config)
    raise ValueError(f"unknown vector store {name!r}: use faiss or milvus")


def choose_index_type(setting: str, n_vectors: int, threshold: int) -> str:
    """'auto' is exact search until the corpus is big enough for exact search to be slow."""
    if setting != "auto":
        return setting
    return "hnsw" if n_vectors > threshold else "flat"


# --------------------------------------------------------------------------- lexical (BM25) index

_EN_STOP = {
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in", "is",
    "it", "its", "of", "on", "or", "that", "the", "this", "to", "was", "were", "will", "with",
    "what", "which", "who", "how", "when", "where", "does", "do", "did", "about", "into", "their",
    "they", "them", "than", "then", "there", "these", "those", "been", "being", "such", "can",
    "may", "not", "no", "our", "we", "us", "you", "your",
}
_ZH_STOP = {
    "的", "了", "和", "与", "及", "等", "是", "在", "对", "为", "将", "把", "被", "以", "之", "其",
    "并", "或", "也", "就", "都", "而", "及其", "有", "中", "上", "下", "个",
    "什么", "哪些", "多少", "如何", "吗", "呢",
}
_TOKEN = re.compile(r"[\u3400-\u9fff]+|[a-z0-9]+(?:[.%][0-9]+)?%?", re.I)


class LexicalTokenizer:
    """Chinese by jieba (search mode, corpus terms added), English lower-cased and Snowball-stemmed."""

    def __init__(self) -> None:
        import jieba
        import Stemmer

        jieba.setLogLevel(60)
        self._jieba = jieba
        self._stem = Stemmer.Stemmer("english").stemWord

    def add_words(self, words: Iterable[str]) -> None:
        """Teach jieba policy terms (双通道, 挂网 ...) so they stay whole tokens."""
        for word in words:
            self._jieba.add_word(word, freq=2000)

    def __call__(self, text: str) -> list[str]:
        tokens = []
        for run in _TOKEN.findall(text.lower()):
            if "\u3400" <= run[0] <= "\u9fff":
                tokens.extend(t for t in self._jieba.cut_for_search(run) if t not in _ZH_STOP)
            elif run not in _EN_STOP:
                tokens.append(self._stem(run))
        return tokens


def _language_neutral(tokens: list[str]) -> list[str]:
    """Tokens that read the same in both languages: numbers, and Latin-script words in a question that
    also has Chinese (names and acronyms such as NRDL or CAR-T)."""
    chinese = any("\u3400" <= t[0] <= "\u9fff" for t in tokens)
    return [t for t in tokens if any(c.isdigit() for c in t) or (chinese and t.isascii())]


class LexicalIndex:
    """bm25s over the same chunk rows as the vector store."""

    FOLDER = "bm25"

    def __init__(self, tokenizer: LexicalTokenizer | None = None) -> None:
        self.tokenizer = tokenizer or LexicalTokenizer()
        self.bm25 = None

    def build(self, texts: list[str]) -> None:
        import bm25s

        self.bm25 = bm25s.BM25()
        tokens = [self.tokenizer(t) or ["\u2205"] for t in texts]
        self.bm25.index(tokens, show_progress=False)

    def search(self, question: str, k: int, allowed: np.ndarray | None = None,
               translations: Iterable[tuple[str, list[str]]] = ()) -> tuple[np.ndarray, np.ndarray]:
        """(coverage, rows) of the best rows; rows that match no term are dropped.

        Coverage is how much of the question a passage matches, in [0, 1], the same scale for every
        question: its BM25 score divided by the best score each term reaches anywhere in the index (a
        term no passage has counts as the rarest). Dividing by the best hit of each search instead
        would make junk look perfect whenever nothing in the question's language is relevant.

        `translations` are the question's glossary terms with their forms in the other language. The
        other-language query is those forms plus the question's numbers and, in a Chinese question,
        its Latin-script names (NRDL, CAR-T), which read the same in both languages. A passage's
        coverage is the better of the question's own terms and the other-language query, so a passage
        in either language can match fully; the other-language side is scaled by the square root of
        the share of the question it carries over, so one translated place name cannot stand for the
        whole question.
        """
        own = self.tokenizer(question)
        coverage, ideal = self._coverage(own)
        carried = _language_neutral(own)
        translated, sources = self._translated_coverage(
            set(own) - set(carried), [*translations, *((t, [t]) for t in carried)])
        if translated is not None:
            share = self._ideal([t for t in own if t in sources]) / ideal if ideal else 1.0
            coverage = np.maximum(coverage if coverage is not None else 0.0, np.sqrt(share) * translated)
        if coverage is None:
            return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
        if allowed is not None:
            kept = np.zeros_like(coverage)
            kept[allowed] = coverage[allowed]
            coverage = kept
        # numpy's top k over every passage's score: ten times faster than bm25s.retrieve here
        k = min(k, len(coverage))
        rows = np.argpartition(-coverage, k - 1)[:k]
        rows = rows[np.argsort(-coverage[rows], kind="stable")]
        rows = rows[coverage[rows] > 0].astype(np.int64)
        return coverage[rows], rows

    def _coverage(self, terms: list[str]) -> tuple[np.ndarray | None, float]:
        """Every passage's share of `terms` matched (None when the index has none of them), and the
        terms' ideal score."""
        known = [t for t in dict.fromkeys(terms) if t in self.bm25.vocab_dict]
        ideal = self._ideal(terms)
        if not known:
            return None, ideal
        return np.asarray(self.bm25.get_scores(known), dtype=np.float32) / ideal, ideal

    def _ideal(self, terms: list[str]) -> float:
        """The best score the terms can reach together: each term's best in any passage, and a term no
        passage has counted as the rarest term would."""
        vocab, ceiling = self.bm25.vocab_dict, self.term_ceiling
        return float(sum(ceiling[vocab[t]] if t in vocab else ceiling.max() for t in dict.fromkeys(terms)))

    def _translated_coverage(self, own: set[str], translations: Iterable[tuple[str, list[str]]]
                             ) -> tuple[np.ndarray | None, set[str]]:
        """Coverage of the other-language query, each term matched by its best form (a structured
        query: alternative translations are synonyms, not extra terms) and weighted by its forms' mean
        ideal score; and the question's words it carries over. Form words that are already the
        question's own (`own`) are left out, as the question's side counts them."""
        total, weights, sources = None, 0.0, set()
        for term, forms in translations:
            matched = [self._coverage(tokens) for form in forms
                       if (tokens := [t for t in self.tokenizer(form) if t not in own])]
            if not matched:
                continue
            weight = float(np.mean([ideal for _, ideal in matched]))
            weights += weight
            if found := [scores for scores, _ in matched if scores is not None]:
                best = weight * np.maximum.reduce(found)
                total = best if total is None else total + best
            sources.update(self.tokenizer(term))
        return (None if total is None else total / weights), sources

    @cached_property
    def term_ceiling(self) -> np.ndarray:
        """Each vocabulary term's highest BM25 contribution to any one passage (the scores are stored
        per term as a sparse column, so this is one reduction over them)."""
        scores = self.bm25.scores
        data, starts = scores["data"], scores["indptr"]
        ceiling = np.zeros(len(starts) - 1, dtype=np.float32)
        filled = np.flatnonzero(starts[1:] > starts[:-1])
        if len(filled):
            ceiling[filled] = np.maximum.reduceat(data, starts[filled])
        return ceiling

    def save(self, folder: Path) -> None:
        self.bm25.save(str(folder / self.FOLDER), show_progress=False)

    def load(self, folder: Path) -> None:
        import bm25s

        self.bm25 = bm25s.BM25.load(str(folder / self.FOLDER), show_progress=False)


# --------------------------------------------------------------------------- the index on disk


def _write_jsonl(path: Path, records: Iterable[BaseModel]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(record.model_dump_json() + "\n")


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

    def best_sentence(self, rows: np.ndarray, query: np.ndarray, passage: np.ndarray) -> np.ndarray:
        """Each row's best sentence cosine with the query; `passage` (its own cosine) when it has none."""
        best = np.array(passage, dtype=np.float32)
        if self.sentence_offsets is None or not len(rows):
            return best
        starts, ends = self.sentence_offsets[rows], self.sentence_offsets[rows + 1]
        has = ends > starts
        if not has.any():
            return best
        sizes = (ends - starts)[has]
        picked = np.concatenate([np.arange(a, b) for a, b in zip(starts[has], ends[has], strict=True)])
        sims = np.asarray(self.sentence_vectors[picked], dtype=np.float32) @ query
        best[has] = np.maximum.reduceat(sims, np.concatenate([[0], np.cumsum(sizes)[:-1]]))
        return best

    @cached_property
    def rows_by_doc(self) -> dict[str, np.ndarray]:
        """Chunk rows of each document, for filters."""
        return self._group_rows("doc_id")

    @cached_property
    def rows_by_lang(self) -> dict[str, np.ndarray]:
        """Chunk rows per passage language, for per-language scoring in hybrid search."""
        return self._group_rows("lang")

    def _group_rows(self, field: str) -> dict[str, np.ndarray]:
        rows: dict[str, list[int]] = {}
        for i, chunk in enumerate(self.chunks):
            rows.setdefault(getattr(chunk, field), []).append(i)
        return {key: np.asarray(r, dtype=np.int64) for key, r in rows.items()}

    @cached_property
    def centroids(self) -> dict[str, np.ndarray]:
        """Mean vector of each language's passages: a question's similarity to it is that language's bias."""
        return {lang: np.asarray(self.vectors[rows]).mean(axis=0) for lang, rows in self.rows_by_lang.items()}

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
        if embedder is not None:
            diffs = manifest.differences(embedder, dim or manifest.dim, chunker or manifest.chunker)
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


def _remove_old_builds(builds: Path, keep: str) -> None:
    """Drop superseded and abandoned builds (a killed ingest leaves a .tmp-* folder behind)."""
    for path in builds.iterdir():
        if path.name != keep:
            shutil.rmtree(path, ignore_errors=True)


