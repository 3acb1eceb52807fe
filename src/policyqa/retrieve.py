"""Ranked, cited passages for a question: dense, BM25 or hybrid, with metadata filters inside the search.

Hybrid fusion is language-aware: BM25 can only match words in the question's language, so its evidence
is added to the dense score as a bounded boost for same-language passages instead of being fused by
rank, which would let same-language keyword junk push out a strong cross-lingual dense hit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
from pydantic import BaseModel

from .embedding import Embedder
from .ingest import detect_language
from .records import Chunk, Citation, Hit
from .store import Index


class Filters(BaseModel):
    """Restrict a search to some documents; every field is optional and fields combine with AND."""

    doc_ids: list[str] = []
    regions: list[str] = []
    issuers: list[str] = []
    languages: list[str] = []
    date_from: str = ""
    date_to: str = ""

    def is_empty(self) -> bool:
        return not (
            self.doc_ids or self.regions or self.issuers or self.languages or self.date_from or self.date_to
        )


class FusionSettings(BaseModel):
    """How BM25 evidence is mixed into dense scores (tuned with `policyqa eval`)."""

    depth: int = 50
    bm25_weight: float = 0.05


class Retriever:
    """Searches one loaded index with one embedder."""

    def __init__(self, index: Index, embedder: Embedder, fusion: FusionSettings | None = None) -> None:
        self.index = index
        self.embedder = embedder
        self.fusion = fusion or FusionSettings()

    def search(
        self, question: str, k: int = 5, filters: Filters | None = None, mode: str = "hybrid"
    ) -> list[Hit]:
        """The k best passages, best first; fewer only when fewer passages match the filters."""
        if not question.strip():
            raise ValueError("empty question")
        allowed = self.allowed_rows(filters)
        if allowed is not None and len(allowed) == 0:
            return []
        depth = max(k * 4, self.fusion.depth)
        if mode == "dense":
            scored = self._dense(question, depth, allowed)
        elif mode == "bm25":
            scored = self._bm25(question, depth, allowed)
        elif mode == "hybrid":
            scored = self._hybrid(question, depth, allowed)
        else:
            raise ValueError(f"unknown retrieval mode {mode!r}: use dense, bm25 or hybrid")
        return self._hits(collapse_near_duplicates(scored, self.index.chunks), k)

    # ---- channels

    def _dense(self, question: str, depth: int, allowed: np.ndarray | None) -> list[tuple[int, float, float]]:
        query = self.embedder.encode_query(question)
        scores, rows = self.index.vector_store.search(query, depth, allowed)
        return [(int(r), float(s), float(s)) for r, s in zip(rows[0], scores[0], strict=True) if r >= 0]

    def _bm25(self, question: str, depth: int, allowed: np.ndarray | None) -> list[tuple[int, float, float]]:
        """BM25 ranking; each hit also carries its dense cosine, which the refusal rule reads."""
        scores, rows = self.index.lexical.search(question, depth, allowed, n_rows=len(self.index.chunks))
        if not len(rows):
            return []
        dense = np.asarray(self.index.vectors[rows]) @ self.embedder.encode_query(question)
        return [(int(r), float(s), float(d)) for r, s, d in zip(rows, scores, dense, strict=True)]

    def _hybrid(
        self, question: str, depth: int, allowed: np.ndarray | None
    ) -> list[tuple[int, float, float]]:
        """Language-debiased dense scores, plus a BM25 boost for passages in the question's language.

        A question's cosine with every passage in its own language runs higher than with passages in the
        other language, relevant or not. Subtracting the question's cosine with each language's centroid
        (the mean similarity to that language) removes the bias, so a strong cross-lingual passage can
        win. BM25 can only help in the question's language, so its normalised score is added there only,
        with a small weight: enough to settle exact figures and terms, too little to drown the other side.
        """
        query = self.embedder.encode_query(question)
        offsets = {lang: float(centroid @ query) for lang, centroid in self.index.centroids.items()}
        cosine: dict[int, float] = {}
        for rows in self.index.rows_by_lang.values():
            subset = rows if allowed is None else np.intersect1d(rows, allowed, assume_unique=True)
            if len(subset):
                scores, found = self.index.vector_store.search(query, depth, subset)
                cosine.update((int(r), float(s)) for r, s in zip(found[0], scores[0], strict=True) if r >= 0)
        lang = detect_language(question)
        boost: dict[int, float] = {}
        lexical = self._bm25(question, depth, allowed)
        for row, score, dense_score in lexical:
            if self.index.chunks[row].lang == lang:
                cosine.setdefault(row, dense_score)
                boost[row] = score / lexical[0][1]
        fused = [
            (
                row,
                score - offsets[self.index.chunks[row].lang] + self.fusion.bm25_weight * boost.get(row, 0.0),
                score,
            )
            for row, score in cosine.items()
        ]
        return sorted(fused, key=lambda item: -item[1])

    # ---- filters and output

    def allowed_rows(self, filters: Filters | None) -> np.ndarray | None:
        """Chunk rows that pass the filters (None = all), computed before the search so top-k stays full."""
        if filters is None or filters.is_empty():
            return None
        docs = [d for d in self.index.documents.values() if _doc_matches(d.meta, filters)]
        rows = [self.index.rows_by_doc.get(d.meta.doc_id, np.zeros(0, dtype=np.int64)) for d in docs]
        allowed = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
        if filters.languages:
            langs = set(filters.languages)
            allowed = np.asarray([r for r in allowed if self.index.chunks[r].lang in langs], dtype=np.int64)
        return np.sort(allowed)

    def _hits(self, scored: Iterable[tuple[int, float, float | None]], k: int) -> list[Hit]:
        hits = []
        for row, score, dense_score in scored:
            chunk = self.index.chunks[row]
            hits.append(
                Hit(
                    rank=len(hits) + 1,
                    chunk_id=chunk.chunk_id,
                    doc_id=chunk.doc_id,
                    score=round(score, 6),
                    text=chunk.text,
                    lang=chunk.lang,
                    citation=self.citation(chunk),
                    dense_score=None if dense_score is None else round(dense_score, 6),
                )
            )
            if len(hits) == k:
                break
        return hits

    def citation(self, chunk: Chunk) -> Citation:
        meta = self.index.documents[chunk.doc_id].meta
        return Citation(
            doc_id=chunk.doc_id,
            title=meta.title,
            section=" > ".join(chunk.section),
            start=chunk.start,
            end=chunk.end,
            page=chunk.page,
            issuer=meta.issuer,
            region=meta.region,
            date=meta.date,
        )


def _doc_matches(meta, filters: Filters) -> bool:
    """Region and issuer match by case-insensitive substring ('Guangdong' matches 'Guangdong; Guangzhou')."""
    if filters.doc_ids and meta.doc_id not in filters.doc_ids:
        return False
    if filters.regions and not any(r.lower() in meta.region.lower() for r in filters.regions):
        return False
    if filters.issuers and not any(i.lower() in meta.issuer.lower() for i in filters.issuers):
        return False
    if filters.languages and not set(filters.languages) & set(meta.languages):
        return False
    if filters.date_from and (not meta.date or meta.date < filters.date_from):
        return False
    return not (filters.date_to and (not meta.date or meta.date > filters.date_to))


def declines(hits: list[Hit], min_score: float) -> bool:
    """The documents are taken not to answer when even the closest passage is semantically far.

    Uses the dense cosine of the best passage whatever the mode, because BM25 and fused scores have no
    fixed scale; `min_score` is calibrated on the eval set's unanswerable questions.
    """
    best = max((h.dense_score for h in hits if h.dense_score is not None), default=None)
    return best is None or best < min_score


_NON_WORD = re.compile(r"\W+")


def collapse_near_duplicates(scored, chunks: list[Chunk], threshold: float = 0.8):
    """Drop a passage whose character 4-grams mostly repeat a better-ranked one (same text in two files)."""
    kept, shingles = [], []
    for item in scored:
        grams = _shingles(chunks[item[0]].text)
        if any(_overlap(grams, other) >= threshold for other in shingles):
            continue
        kept.append(item)
        shingles.append(grams)
    return kept


def _shingles(text: str) -> set[str]:
    flat = _NON_WORD.sub("", text.lower())
    return {flat[i : i + 4] for i in range(max(1, len(flat) - 3))}


def _overlap(a: set[str], b: set[str]) -> float:
    """Share of the smaller passage that the other contains."""
    return len(a & b) / max(1, min(len(a), len(b)))
