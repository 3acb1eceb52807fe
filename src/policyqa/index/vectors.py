"""Vector stores: nearest-neighbour search over unit vectors (FAISS embedded, or Milvus)."""

from __future__ import annotations

import errno
import hashlib
import os
import re
from abc import ABC, abstractmethod
from pathlib import Path

import numpy as np


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


#: chunks embedded per call to the embedder (the embedder batches further inside); bounds the temporaries
EMBED_BLOCK = 4096

#: how far from length 1 a stored vector may be (float16 sentence vectors round to about 1e-3)
NORM_TOLERANCE = 1e-2


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    """Which rows are finite unit vectors: the only vectors an index stores or lends to the next build."""
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None]
    with np.errstate(invalid="ignore", over="ignore"):
        norms = np.linalg.norm(vectors, axis=1)
    return np.isfinite(vectors).all(axis=1) & (np.abs(norms - 1) <= NORM_TOLERANCE)


def _bad_rows(vectors: np.ndarray | None) -> set[int]:
    """Rows of a stored matrix that are not finite unit vectors, checked a block at a time."""
    if vectors is None:
        return set()
    bad: set[int] = set()
    for start in range(0, len(vectors), EMBED_BLOCK):
        bad.update((start + np.flatnonzero(~unit_rows(vectors[start : start + EMBED_BLOCK]))).tolist())
    return bad


class BadVectors(ValueError):
    """The embedder returned vectors that are not finite unit vectors; none of them is stored."""


def _checked(vectors: np.ndarray, texts: list[str]) -> np.ndarray:
    """`vectors`, or BadVectors naming how many and the first text, so a broken model never fills a cache."""
    good = unit_rows(vectors)
    if not good.all():
        first = texts[int(np.flatnonzero(~good)[0])]
        raise BadVectors(f"the embedder returned {int((~good).sum())} vectors that are not finite unit "
                         f"vectors (first for {first[:60]!r}); nothing was written")
    return vectors
