"""Coverage and fusion maths on a toy index: real bm25s and FAISS over a handful of rows, no embedder.

Expected values are rebuilt here from per-term BM25 scores, so the tests pin the formulas of
retrieve/coverage.py and retrieve/fusion.py: coverage = score / best reachable score, an unknown term
counts as the rarest, the other-language side is damped by sqrt(share translated), and
hybrid = sentence-mixed dense - debias x (query . language centroid) + bm25_weight x coverage.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from policyqa.index.lexical import LexicalIndex
from policyqa.index.vectors import FaissStore
from policyqa.retrieve.candidates import Candidate
from policyqa.retrieve.coverage import coverage_search, term_coverage
from policyqa.retrieve.dense import DenseScorer
from policyqa.retrieve.fusion import fuse, hybrid
from policyqa.retrieve.lexicon import Term
from policyqa.settings import FusionSettings

TEXTS = ["drug price negotiation", "drug drug catalogue", "price of hospital beds", "insurance catalogue",
         "national reimbursement drug list"]


@pytest.fixture(scope="module")
def lexical() -> LexicalIndex:
    index = LexicalIndex()
    index.build(TEXTS)
    return index


def _by_term(lexical: LexicalIndex, terms: list[str]) -> np.ndarray:
    """(terms, rows) BM25 score of each term alone."""
    return np.stack([np.asarray(lexical.scores([t]), dtype=np.float64) for t in terms])


def test_coverage_is_the_score_over_the_best_reachable_score(lexical) -> None:
    terms = lexical.tokenizer("drug price")
    per_term = _by_term(lexical, terms)
    expected = per_term.sum(axis=0) / per_term.max(axis=1).sum()
    coverage, ideal = term_coverage(lexical, terms)
    assert ideal == pytest.approx(per_term.max(axis=1).sum(), rel=1e-6)
    np.testing.assert_allclose(coverage, expected, rtol=1e-5)
    assert coverage.max() <= 1.0 + 1e-6
    scores, rows = coverage_search(lexical, "drug price", k=10)
    assert rows[0] == 0  # the one passage with both terms
    assert list(scores) == sorted(scores, reverse=True) and set(rows) == {0, 1, 2, 4}  # every "drug"/"price"


def test_a_term_no_passage_has_counts_as_the_rarest(lexical) -> None:
    rarest = float(lexical.term_ceiling.max())
    known = _by_term(lexical, lexical.tokenizer("drug"))
    coverage, ideal = term_coverage(lexical, lexical.tokenizer("drug zzzz"))
    assert ideal == pytest.approx(known.max() + rarest, rel=1e-6)
    np.testing.assert_allclose(coverage, known[0] / (known.max() + rarest), rtol=1e-5)


def test_the_translated_side_is_damped_by_the_square_root_of_the_share_carried_over(lexical) -> None:
    glossary = [Term("医保目录", ["national reimbursement drug list"])]
    full, rows = coverage_search(lexical, "医保目录", k=5, translations=glossary)
    per_term = _by_term(lexical, lexical.tokenizer(glossary[0][1][0]))
    # all of the question is carried over: no damping, the forms' own coverage of the passage
    own_coverage = per_term[:, 4].sum() / per_term.max(axis=1).sum()
    assert rows[0] == 4 and full[0] == pytest.approx(own_coverage, rel=1e-5)

    own = lexical.tokenizer("医保目录 医院")
    share = lexical.ideal(lexical.tokenizer("医保目录")) / lexical.ideal(own)
    damped, rows = coverage_search(lexical, "医保目录 医院", k=5, translations=glossary)
    assert 0 < share < 1 and rows[0] == 4
    assert damped[0] == pytest.approx(np.sqrt(share) * full[0], rel=1e-5)


def test_filters_keep_only_allowed_rows(lexical) -> None:
    _, rows = coverage_search(lexical, "drug price", k=10, allowed=np.array([1, 2]))
    assert set(rows) == {1, 2}


def test_fuse_is_dense_minus_bias_plus_weighted_coverage() -> None:
    fused = fuse(np.array([0.5, 0.4]), np.array([0.1, 0.05]), np.array([0.0, 1.0]), 1.0)
    np.testing.assert_allclose(fused, [0.4, 1.35])
    np.testing.assert_allclose(fuse(np.array([0.5]), np.array([0.1]), np.array([1.0]), 0.5), [0.9])


def _toy_index() -> SimpleNamespace:
    """Four unit vectors, two per language, in a real flat FAISS store; no sentence vectors."""
    vectors = np.array([[1, 0, 0], [0.8, 0.6, 0], [0, 1, 0], [0, 0.6, 0.8]], dtype=np.float32)
    store = FaissStore()
    store.build(vectors)
    langs = ["zh", "zh", "en", "en"]
    return SimpleNamespace(vectors=vectors, vector_store=store, sentence_offsets=None,
                           chunks=[SimpleNamespace(lang=lang) for lang in langs],
                           rows_by_lang={"zh": np.array([0, 1]), "en": np.array([2, 3])})


def test_hybrid_adds_coverage_to_debiased_dense_and_ranks_by_it() -> None:
    index = _toy_index()
    fusion = FusionSettings(debias=0.5, bm25_weight=1.0, sentence_weight=0.5)
    dense = DenseScorer(index, fusion)
    query = np.array([0.6, 0.8, 0], dtype=np.float32)
    cosine = index.vectors @ query
    ranked = hybrid(dense, query, depth=4, allowed=None, keyword=[Candidate(3, 0.5, float(cosine[3]))])
    centroid = {"zh": index.vectors[:2].mean(axis=0), "en": index.vectors[2:].mean(axis=0)}
    bias = {row: 0.5 * float(centroid[index.chunks[row].lang] @ query) for row in range(4)}
    expected = {row: cosine[row] - bias[row] + (0.5 if row == 3 else 0) for row in range(4)}
    assert [c.row for c in ranked] == sorted(expected, key=lambda r: -expected[r])
    for candidate in ranked:
        assert candidate.score == pytest.approx(expected[candidate.row], abs=1e-6)
        assert candidate.cosine == pytest.approx(cosine[candidate.row], abs=1e-6)
