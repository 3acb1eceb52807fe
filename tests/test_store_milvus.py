"""MilvusStore for real, with Milvus Lite: same index as FAISS over the bundled corpus, filters, reopen."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from conftest import load_questions

pytest.importorskip("pymilvus")
pytest.importorskip("milvus_lite")


@pytest.fixture(scope="module")
def milvus_built(corpus_copy, settings_factory, tmp_path_factory):
    from policyqa.indexer import ingest

    index_dir = tmp_path_factory.mktemp("milvus") / "index"
    settings = settings_factory(corpus_copy, index_dir, vector_store="milvus")
    return settings, ingest(settings)


@pytest.fixture(scope="module")
def milvus_retriever(milvus_built, embedder):
    from policyqa.indexer import load_index
    from policyqa.retrieve import Retriever

    return Retriever(load_index(milvus_built[0]), embedder)


def test_build_keeps_the_lite_file_in_the_build_folder_and_the_manifest_says_milvus(milvus_built) -> None:
    from policyqa.store import Index

    settings, result = milvus_built
    assert result.n_chunks > 50 and result.embedded == result.n_chunks
    manifest = Index.read_manifest(Path(settings.index_dir))
    assert manifest.vector_store == "milvus" and manifest.index_type == "flat"
    assert manifest.vector_store_config["uri"] == "" and manifest.vector_store_config["collection"]
    assert (result.build / "milvus.db").exists() and not (result.build / "vectors.faiss").exists()


def test_dense_top_hits_match_faiss(milvus_retriever, retriever) -> None:
    questions = [q["question"] for q in load_questions() if q["answerable"]][:12]
    same = 0
    for question in questions:
        ours = milvus_retriever.search(question, k=3, mode="dense")
        theirs = retriever.search(question, k=3, mode="dense")
        assert ours and theirs
        same += ours[0].chunk_id == theirs[0].chunk_id
        assert ours[0].dense_score == pytest.approx(theirs[0].dense_score, abs=1e-4)
    assert same >= len(questions) - 1, "exact search in both engines: the same best passage (ties aside)"


def test_filters_are_applied_inside_the_milvus_search(milvus_retriever) -> None:
    from policyqa.retrieve import Filters

    index = milvus_retriever.index
    doc_id = sorted(index.documents)[1]
    only = Filters(doc_ids=[doc_id])
    hits = milvus_retriever.search("药品价格 drug prices", k=8, filters=only, mode="dense")
    assert hits and all(h.doc_id == doc_id for h in hits)
    expected = min(8, len(index.rows_by_doc[doc_id]))
    assert len(hits) >= min(expected, 3), "top-k stays full when the filter is inside the search"
    allowed = index.rows_by_doc[doc_id][:2]
    query = milvus_retriever.embedder.encode_query("药品")
    _, rows = index.vector_store.search(query, 5, allowed)
    assert set(rows[0][rows[0] >= 0]) == set(allowed.tolist())
    assert np.all(rows[0][2:] == -1)


def test_hybrid_search_works_on_milvus(milvus_retriever, retriever) -> None:
    for question in ("What does the Beijing measure say about clinical trials?", "医保目录调整"):
        ours = milvus_retriever.search(question, k=5, mode="hybrid")
        theirs = retriever.search(question, k=5, mode="hybrid")
        assert ours and ours[0].chunk_id == theirs[0].chunk_id


def test_reingest_unchanged_reuses_vectors_and_reopens(milvus_built, tmp_path, settings_factory) -> None:
    import shutil

    from policyqa.indexer import ingest, load_index

    settings, _ = milvus_built
    corpus = tmp_path / "corpus"
    shutil.copytree(settings.corpus_dir, corpus)
    index_dir = tmp_path / "index"
    shutil.copytree(settings.index_dir, index_dir)
    private = settings_factory(corpus, index_dir, vector_store="milvus")
    result = ingest(private)
    assert result.embedded == 0 and result.count("unchanged") == result.n_documents
    index = load_index(private)
    assert index.vector_store.ntotal == len(index.chunks) == result.n_chunks
    assert len(list((index_dir / "builds").iterdir())) == 1
