"""The BM25 index (bm25s) over the same chunk rows as the vector store: the only module that touches bm25s.

It answers questions about terms (scores, best reachable score, document frequency); how those become
a ranking (query coverage in both languages) is retrieval's business (retrieve/coverage.py).
"""

from __future__ import annotations

import logging
import sys
from functools import cached_property
from pathlib import Path

import numpy as np

from ..records import Chunk
from ..text.language import detect_language
from ..text.tokenizer import LexicalTokenizer


def keyword_text(chunk: Chunk, titles: bool) -> str:
    """What BM25 reads for a passage: its text, after its document's title when `titles` and the title is
    in the passage's language. A question often names the document it asks about ("Guangdong's cluster
    plan") besides the fact, and a passage deep in the plan names neither; a title in the other language
    would only match the other language's questions, which the query's translation reaches already."""
    if titles and chunk.title and detect_language(chunk.title) == chunk.lang:
        return f"{chunk.title}\n{chunk.text}"
    return chunk.text


class LexicalIndex:
    """bm25s over the same chunk rows as the vector store."""

    FOLDER = "bm25"

    def __init__(self, tokenizer: LexicalTokenizer | None = None) -> None:
        self.tokenizer = tokenizer or LexicalTokenizer()
        self.bm25 = None

    def build(self, texts: list[str], langs: list[str] | None = None,
              saturation: dict[str, tuple[float, float]] | None = None) -> None:
        """Index `texts`; with `langs` (each text's language) and `saturation` (language -> (k1, b)), each
        language's passages take their own k1, b and average length, while IDF stays corpus-wide."""
        self.bm25 = _bm25s().BM25()
        tokens = [self.tokenizer(t) or ["\u2205"] for t in texts]
        self.bm25.index(tokens, show_progress=False)
        if langs is not None and saturation:
            self._saturate(tokens, langs, saturation)

    def _saturate(self, tokens: list[list[str]], langs: list[str], saturation: dict[str, tuple[float, float]]
                  ) -> None:
        """Recompute every stored score (Lucene BM25: idf x tf / (tf + k1 (1 - b + b dl / avgdl))) with the
        k1, b and average length of its passage's language; a language not in `saturation` keeps bm25s's
        own k1 and b. Chinese and English tokens differ in length and repetition (jieba's search mode
        repeats a long word's parts), so one k1 and b do not suit both (eval/benchmarks/README.md, "BM25 per
        language")."""
        bm25, n_docs = self.bm25, len(tokens)
        vocab, scores = bm25.vocab_dict, bm25.scores
        indptr, docs = scores["indptr"], scores["indices"].astype(np.int64)
        cols = np.repeat(np.arange(len(indptr) - 1, dtype=np.int64), np.diff(indptr))
        ids = np.fromiter((vocab[t] for doc in tokens for t in doc), dtype=np.int64)
        lengths = np.array([len(doc) for doc in tokens], dtype=np.float64)
        owners = np.repeat(np.arange(n_docs, dtype=np.int64), lengths.astype(np.int64))
        keys, counts = np.unique(ids * n_docs + owners, return_counts=True)
        tf = counts[np.searchsorted(keys, cols * n_docs + docs)].astype(np.float64)
        df = np.diff(indptr).astype(np.float64)
        idf = np.log(1 + (n_docs - df + 0.5) / (df + 0.5))
        lang = np.asarray(langs)
        k1, b, avg = np.full(n_docs, bm25.k1), np.full(n_docs, bm25.b), np.full(n_docs, lengths.mean())
        for name, (k1_l, b_l) in saturation.items():
            mine = lang == name
            if mine.any():
                k1[mine], b[mine], avg[mine] = k1_l, b_l, lengths[mine].mean()
        norm = k1 * (1 - b + b * lengths / avg)
        scores["data"] = (idf[cols] * tf / (tf + norm[docs])).astype(scores["data"].dtype)
        self.__dict__.pop("term_ceiling", None)

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
        self.bm25 = _bm25s().BM25.load(str(folder / self.FOLDER), show_progress=False)


def _bm25s():
    """bm25s, imported without numba and scipy unless something has already loaded them.

    BM25's defaults, which we use (backend="numpy", csc_backend="numpy"), need neither: bm25s requires only
    numpy and imports numba and scipy only if it can (both are optional extras of the package), yet importing
    them costs a fresh process 0.5-0.9 s. Marking them absent in `sys.modules` for that one import makes it
    take the no-numba, no-scipy path; they are importable again right after, for whatever else needs them.
    """
    first = "bm25s" not in sys.modules
    hidden = [name for name in ("numba", "scipy") if first and name not in sys.modules]
    sys.modules.update(dict.fromkeys(hidden))
    try:
        import bm25s
    finally:
        for name in hidden:
            if sys.modules.get(name, False) is None:
                del sys.modules[name]
    if first:  # its import sets its own logger to DEBUG ("Building index from tokens" on every upload)
        logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s
