"""Hybrid: language-debiased dense score plus weighted BM25 coverage, on one scale for both languages.

Removing all of the same-language bias overshoots on questions written after tuning (held-out set),
so `debias` removes a share of it. Normalising BM25 by its own best hit instead (what max-normalisation
and RRF do) rates the best same-language junk as a perfect match exactly when the answer is written in
the other language; coverage does not.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .candidates import Candidate
from .dense import DenseScorer


def hybrid(dense: DenseScorer, query: np.ndarray, depth: int, allowed: np.ndarray | None,
           keyword: Iterable[Candidate]) -> list[Candidate]:
    """Every dense candidate of each language and every keyword candidate, ranked by the fused score."""
    cosine = dense.per_language(query, depth, allowed)
    lexical = {}
    for row, coverage, dense_score in keyword:
        lexical[row] = coverage
        cosine.setdefault(row, dense_score)  # BM25 hits join the dense candidates
    rows = np.fromiter(cosine, dtype=np.int64, count=len(cosine))
    raw = np.fromiter(cosine.values(), dtype=np.float64, count=len(cosine))
    bm25 = np.array([lexical.get(int(r), 0.0) for r in rows])
    final = fuse(dense.scores(query, rows, raw), dense.bias(query, rows), bm25, dense.fusion.bm25_weight)
    order = np.argsort(-final, kind="stable")
    return [Candidate(int(rows[i]), float(final[i]), float(raw[i])) for i in order]


def fuse(dense: np.ndarray, bias: np.ndarray, coverage: np.ndarray, bm25_weight: float) -> np.ndarray:
    """The hybrid score: dense (sentence-mixed) minus the removed language bias plus weighted coverage."""
    return dense - bias + bm25_weight * coverage
