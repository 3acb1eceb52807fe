"""The BM25 index (bm25s) over the same chunk rows as the vector store."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from pathlib import Path

import numpy as np

from ..text.tokenizer import LexicalTokenizer, _language_neutral


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
