"""The BM25 index (bm25s) over the same chunk rows as the vector store: the only module that touches bm25s.

It answers questions about terms (scores, best reachable score, document frequency); how those become
a ranking (query coverage in both languages) is retrieval's business (retrieve/coverage.py).
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import numpy as np

from ..text.tokenizer import LexicalTokenizer


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

    def knows(self, term: str) -> bool:
        """Whether any passage has the term."""
        return term in self.bm25.vocab_dict

    def scores(self, terms: list[str]) -> np.ndarray:
        """Every passage's BM25 score for the terms (all known to the index)."""
        return self.bm25.get_scores(terms)

    def ideal(self, terms: list[str]) -> float:
        """The best score the terms can reach together: each term's best in any passage, and a term no
        passage has counted as the rarest term would."""
        vocab, ceiling = self.bm25.vocab_dict, self.term_ceiling
        return float(sum(ceiling[vocab[t]] if t in vocab else ceiling.max() for t in dict.fromkeys(terms)))

    def document_frequency(self, term: str) -> int:
        """Passages that contain the term."""
        return int(np.count_nonzero(self.bm25.get_scores([term]))) if self.knows(term) else 0

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
