"""The dense channel: a passage's cosine mixed with its best sentence's, and language debiasing.

A question about one sentence of a long passage is blurred in the passage's single vector; its best
sentence's vector (built at ingest) finds it. A question's cosine with every passage in its own
language runs higher than with passages in the other language, relevant or not; the centroid of each
language's passages measures that bias, and hybrid subtracts a share of it.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np

from ..index.reader import Index
from ..settings import FusionSettings
from .candidates import Candidate


class DenseScorer:
    """Dense scores over one index, with the fusion settings' sentence weight and debias share."""

    def __init__(self, index: Index, fusion: FusionSettings) -> None:
        self.index = index
        self.fusion = fusion

    def search(self, query: np.ndarray, depth: int, allowed: np.ndarray | None) -> list[Candidate]:
        """The dense channel on its own: nearest passages, rescored with their best sentence."""
        cosine, rows = self.index.vector_store.search(query, depth, allowed)
        keep = rows[0] >= 0
        rows, cosine = rows[0][keep].astype(np.int64), cosine[0][keep]
        dense = self.scores(query, rows, cosine)
        return sorted((Candidate(r, d, c) for r, d, c in zip(rows.tolist(), dense.tolist(), cosine.tolist(),
                                                             strict=True)), key=lambda t: -t[1])

    def per_language(self, query: np.ndarray, depth: int, allowed: np.ndarray | None) -> dict[int, float]:
        """Each language's nearest passages (row -> cosine), so one language cannot crowd out the other."""
        cosine: dict[int, float] = {}
        for rows in self.index.rows_by_lang.values():
            subset = rows if allowed is None else np.intersect1d(rows, allowed, assume_unique=True)
            if len(subset):
                scores, found = self.index.vector_store.search(query, depth, subset)
                cosine.update((int(r), float(s)) for r, s in zip(found[0], scores[0], strict=True) if r >= 0)
        return cosine

    def scores(self, query: np.ndarray, rows: np.ndarray, cosine: np.ndarray) -> np.ndarray:
        """Passage cosine mixed with the passage's best sentence cosine (the same when it has one)."""
        share = self.fusion.sentence_weight
        return (1 - share) * cosine + share * best_sentence(self.index, rows, query, cosine)

    def bias(self, query: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """The share of each row's same-language bias that hybrid removes: debias x (query . centroid)."""
        share = self.fusion.debias
        offsets = {lang: share * float(centroid @ query) for lang, centroid in self.centroids.items()}
        return np.array([offsets[self.index.chunks[r].lang] for r in rows])

    @cached_property
    def centroids(self) -> dict[str, np.ndarray]:
        """Mean vector of each language's passages: a question's similarity to it is that language's bias."""
        index = self.index
        by_lang = index.rows_by_lang.items()
        return {lang: np.asarray(index.vectors[rows]).mean(axis=0) for lang, rows in by_lang}


def best_sentence(index: Index, rows: np.ndarray, query: np.ndarray, passage: np.ndarray) -> np.ndarray:
    """Each row's best sentence cosine with the query; `passage` (its own cosine) when it has none."""
    best = np.array(passage, dtype=np.float32)
    if index.sentence_offsets is None or not len(rows):
        return best
    starts, ends = index.sentence_offsets[rows], index.sentence_offsets[rows + 1]
    has = ends > starts
    if not has.any():
        return best
    sizes = (ends - starts)[has]
    picked = np.concatenate([np.arange(a, b) for a, b in zip(starts[has], ends[has], strict=True)])
    sims = np.asarray(index.sentence_vectors[picked], dtype=np.float32) @ query
    best[has] = np.maximum.reduceat(sims, np.concatenate([[0], np.cumsum(sizes)[:-1]]))
    return best
