"""FaissStore and the index-type choice, on small random vectors (no model needed)."""

from __future__ import annotations

import numpy as np
import pytest

from policyqa.index.vectors import FaissStore, choose_index_type, make_vector_store


def _unit(n: int, dim: int = 32, seed: int = 0) -> np.ndarray:
    x = np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_auto_is_exact_until_the_threshold() -> None:
    assert choose_index_type("auto", 1000, 100_000) == "flat"
    assert choose_index_type("auto", 100_001, 100_000) == "hnsw"
    assert choose_index_type("flat", 10**7, 100_000) == "flat"
    assert choose_index_type("hnsw", 10, 100_000) == "hnsw"


@pytest.mark.parametrize("index_type", ["flat", "hnsw"])
def test_filter_is_applied_inside_the_search_and_survives_save_load(index_type, tmp_path) -> None:
    data = _unit(2000)
    store = FaissStore(index_type, hnsw_m=16, ef_construction=40, ef_search=64)
    store.build(data)
    allowed = np.arange(100, 2000, 7)
    _, rows = store.search(data[:5], 10, allowed)
    assert set(rows.ravel()) <= set(allowed.tolist())
    assert (rows >= 0).all(), "top-k stays full: the filter is inside the search, not after it"
    store.save(tmp_path)
    again = make_vector_store("faiss", index_type, **store.config())
    again.load(tmp_path)
    assert again.index_type == index_type and again.config() == store.config()
    np.testing.assert_array_equal(again.search(data[:5], 10, allowed)[1], rows)


def test_hnsw_recall_against_exact() -> None:
    data, queries = _unit(5000, seed=1), _unit(50, seed=2)
    exact = FaissStore("flat")
    exact.build(data)
    hnsw = FaissStore("hnsw", hnsw_m=32, ef_construction=80, ef_search=128)
    hnsw.build(data)
    truth, found = exact.search(queries, 10)[1], hnsw.search(queries, 10)[1]
    recall = np.mean([len(set(f) & set(t)) / 10 for f, t in zip(found, truth, strict=True)])
    assert recall >= 0.9
