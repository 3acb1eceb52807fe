"""MilvusStore for real, twice: Milvus Lite (a file in the build folder) and a real Milvus standalone server
(the session's `milvus_server`). Each indexes the bundled corpus and is compared with FAISS: the same top
hits, filters applied inside the search, hybrid search, re-ingest and reopen; on the server, one
collection per build, the previous one dropped once a new build is current.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from conftest import load_questions

pytest.importorskip("pymilvus")

NEW_DOCUMENT = ("海南省关于支持创新药械在博鳌乐城先行区使用的若干措施。"
                "一、允许临床急需进口药品在先行区指定医疗机构使用。二、真实世界数据可用于药品注册申请。\n")


def private_index(source, folder: Path, settings_factory, milvus_uri: str):
    """A writable copy of `source`'s corpus and index, with settings that put its vectors in Milvus."""
    corpus, index_dir = folder / "corpus", folder / "index"
    shutil.copytree(source.corpus_dir, corpus)
    shutil.copytree(source.index_dir, index_dir, ignore=shutil.ignore_patterns(".lock"))
    return settings_factory(corpus, index_dir, vector_store="milvus", milvus_uri=milvus_uri)


@pytest.fixture(scope="module", params=["lite", "server"])
def milvus_built(request, built, settings_factory, tmp_path_factory):
    """(settings, ingest result): the session's FAISS index moved to Milvus Lite or the real server.

    Moving reuses the session's vectors (nothing is embedded again), so each store costs its own build
    and not another pass of the embedder.
    """
    from policyqa.index.build import ingest

    if request.param == "lite":
        pytest.importorskip("milvus_lite")
        uri = ""
    else:
        uri = request.getfixturevalue("milvus_server")
    folder = tmp_path_factory.mktemp(f"milvus-{request.param}")
    settings = private_index(built[0], folder, settings_factory, uri)
    return settings, ingest(settings)


@pytest.fixture(scope="module")
def milvus_retriever(milvus_built, embedder):
    from policyqa.index.reader import open_index
    from policyqa.retrieve.retriever import Retriever

    return Retriever(open_index(milvus_built[0]), embedder)


def server_collections(uri: str) -> list[str]:
    from pymilvus import MilvusClient

    client = MilvusClient(uri)
    try:
        return client.list_collections()
    finally:
        client.close()


def test_build_puts_the_vectors_where_the_settings_say_and_the_manifest_says_milvus(milvus_built) -> None:
    from policyqa.index.reader import Index

    settings, result = milvus_built
    assert result.n_chunks > 50 and result.embedded == 0, "the FAISS build's vectors, not embedded again"
    manifest = Index.read_manifest(Path(settings.index_dir))
    config = manifest.vector_store_config
    assert manifest.vector_store == "milvus" and manifest.index_type == "flat"
    assert not (result.build / "vectors.faiss").exists()
    assert config["uri"] == settings.milvus_uri
    if settings.milvus_uri:  # a server: one collection per build, named in the manifest
        assert config["collection"].startswith("policyqa_")
        assert config["collection"] in server_collections(settings.milvus_uri)
        assert not (result.build / "milvus.db").exists()
    else:
        assert config["collection"] and (result.build / "milvus.db").exists()


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
    from policyqa.records import Filters

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


@pytest.mark.parametrize("filters", [{"languages": ["en"]}, {"regions": ["Guangdong"]},
                                     {"languages": ["zh"], "date_from": "2025"}])
def test_filtered_search_finds_what_faiss_finds(milvus_retriever, retriever, filters) -> None:
    from policyqa.records import Filters

    chosen = Filters(**filters)
    for question in ("clinical trial approval time", "创新药 医保目录"):
        ours = milvus_retriever.search(question, k=5, filters=chosen, mode="dense")
        theirs = retriever.search(question, k=5, filters=chosen, mode="dense")
        assert theirs and [h.chunk_id for h in ours] == [h.chunk_id for h in theirs]


def test_hybrid_search_works_on_milvus(milvus_retriever, retriever) -> None:
    for question in ("What does the Beijing measure say about clinical trials?", "医保目录调整"):
        ours = milvus_retriever.search(question, k=5, mode="hybrid")
        theirs = retriever.search(question, k=5, mode="hybrid")
        assert ours and ours[0].chunk_id == theirs[0].chunk_id


def test_reingest_unchanged_reuses_vectors_and_reopens(milvus_built, tmp_path, settings_factory) -> None:
    from policyqa.index.build import ingest
    from policyqa.index.reader import open_index

    settings = milvus_built[0]
    private = private_index(settings, tmp_path, settings_factory, settings.milvus_uri)
    result = ingest(private)
    assert result.embedded == 0 and result.count("unchanged") == result.n_documents
    index = open_index(private)
    assert index.vector_store.ntotal == len(index.chunks) == result.n_chunks
    assert len(list((Path(private.index_dir) / "builds").iterdir())) == 1


@pytest.mark.parametrize("milvus_built", ["server"], indirect=True)
def test_a_changed_corpus_gets_a_new_collection_and_the_old_one_is_dropped(milvus_built, embedder, tmp_path,
                                                                          settings_factory) -> None:
    from policyqa.index.build import ingest
    from policyqa.index.reader import Index, open_index
    from policyqa.retrieve.retriever import Retriever

    settings = milvus_built[0]
    private = private_index(settings, tmp_path, settings_factory, settings.milvus_uri)
    shared = Index.read_manifest(Path(settings.index_dir)).vector_store_config["collection"]
    names = []
    for n in range(2):
        text = NEW_DOCUMENT.replace("一、", f"{n + 1}、")
        (Path(private.corpus_dir) / f"hainan_{n}.txt").write_text(text, encoding="utf-8")
        result = ingest(private)
        assert 0 < result.embedded < result.n_chunks, "only the new document is embedded"
        names.append(Index.read_manifest(Path(private.index_dir)).vector_store_config["collection"])
    collections = server_collections(settings.milvus_uri)
    assert names[1] in collections, "the current build's collection"
    assert names[0] not in collections, "the previous build's collection is dropped"
    assert shared in collections, "another index's collection (the module's) is left alone"
    hits = Retriever(open_index(private), embedder).search("博鳌乐城先行区 真实世界数据", k=3, mode="dense")
    assert hits and "博鳌乐城" in hits[0].text
