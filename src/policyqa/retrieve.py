"""Ranked, cited passages for a question: dense, BM25 or hybrid, with metadata filters inside the search.

Dense scores mix a passage's own cosine with its best sentence's, so one answering sentence in a long
passage is not blurred away. Hybrid fusion is language-aware: BM25 reorders the passages of each
language among themselves (strongly in the question's language, weakly elsewhere, where only numbers
and Latin names can match), while the scores that decide between languages stay dense. Fusing by rank
across languages lets same-language keyword junk push out a strong cross-lingual dense hit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
from pydantic import BaseModel

from .embedding import Embedder, embedder_for
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
    """How the channels mix; set with `policyqa eval` on eval/questions.jsonl and XQuAD (see README)."""

    depth: int = 50
    sentence_weight: float = 0.5  # share of the dense score that comes from the passage's best sentence
    bm25_weight: float = 0.6  # BM25 (max-normalised) added within the question's language
    cross_bm25_weight: float = 0.05  # the same within other languages: shared numbers, acronyms, names


class Retriever:
    """Searches one loaded index with one embedder."""

    def __init__(self, index: Index, embedder: Embedder, fusion: FusionSettings | None = None) -> None:
        self.index = index
        self.embedder = embedder
        self.fusion = fusion or FusionSettings()

    @classmethod
    def open(cls, settings) -> Retriever:
        """The configured index (checked against the configured embedder and chunker) and embedder."""
        from .indexer import load_index

        return cls(load_index(settings), embedder_for(settings))

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
        cosine, rows = self.index.vector_store.search(query, depth, allowed)
        keep = rows[0] >= 0
        rows, cosine = rows[0][keep].astype(np.int64), cosine[0][keep]
        dense = self._dense_scores(query, rows, cosine)
        return sorted(zip(rows.tolist(), dense.tolist(), cosine.tolist(), strict=True), key=lambda t: -t[1])

    def _dense_scores(self, query: np.ndarray, rows: np.ndarray, cosine: np.ndarray) -> np.ndarray:
        """Passage cosine mixed with the passage's best sentence cosine (the same when it has one)."""
        share = self.fusion.sentence_weight
        return (1 - share) * cosine + share * self.index.best_sentence(rows, query, cosine)

    def _bm25(self, question: str, depth: int, allowed: np.ndarray | None,
              query: np.ndarray | None = None) -> list[tuple[int, float, float]]:
        """BM25 ranking; each hit also carries its dense cosine, which the refusal rule reads."""
        scores, rows = self.index.lexical.search(question, depth, allowed, n_rows=len(self.index.chunks))
        if not len(rows):
            return []
        query = self.embedder.encode_query(question) if query is None else query
        dense = np.asarray(self.index.vectors[rows]) @ query
        return [(int(r), float(s), float(d)) for r, s, d in zip(rows, scores, dense, strict=True)]

    def _hybrid(
        self, question: str, depth: int, allowed: np.ndarray | None
    ) -> list[tuple[int, float, float]]:
        """Language-debiased dense scores; BM25 reorders passages within each language only.

        A question's cosine with every passage in its own language runs higher than with passages in the
        other language, relevant or not; subtracting its cosine with each language's centroid removes the
        bias. Within one language, BM25 (max-normalised) is added and the passages re-sorted, then they
        take that language's dense scores in the new order: keywords pick which passage of a language
        comes first, dense evidence alone decides between languages.
        """
        query = self.embedder.encode_query(question)
        cosine: dict[int, float] = {}
        for rows in self.index.rows_by_lang.values():
            subset = rows if allowed is None else np.intersect1d(rows, allowed, assume_unique=True)
            if len(subset):
                scores, found = self.index.vector_store.search(query, depth, subset)
                cosine.update((int(r), float(s)) for r, s in zip(found[0], scores[0], strict=True) if r >= 0)
        lexical = {}
        for row, score, dense_score in self._bm25(question, depth, allowed, query):
            lexical[row] = score
            cosine.setdefault(row, dense_score)  # BM25 hits join the dense candidates
        rows = np.fromiter(cosine, dtype=np.int64, count=len(cosine))
        raw = np.fromiter(cosine.values(), dtype=np.float64, count=len(cosine))
        langs = np.array([self.index.chunks[r].lang for r in rows])
        offsets = {lang: float(centroid @ query) for lang, centroid in self.index.centroids.items()}
        dense = self._dense_scores(query, rows, raw) - np.array([offsets[lang] for lang in langs])
        bm25 = np.array([lexical.get(int(r), 0.0) for r in rows])
        final = np.empty_like(dense)
        question_lang = detect_language(question)
        for lang in np.unique(langs):
            mine = np.flatnonzero(langs == lang)
            weight = self.fusion.bm25_weight if lang == question_lang else self.fusion.cross_bm25_weight
            top = bm25[mine].max()
            fused = dense[mine] + (weight * bm25[mine] / top if top > 0 else 0.0)
            final[mine[np.argsort(-fused, kind="stable")]] = np.sort(dense[mine])[::-1]
        order = np.argsort(-final, kind="stable")
        return [(int(rows[i]), float(final[i]), float(raw[i])) for i in order]

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
    """Drop a passage whose character 4-grams mostly repeat a better-ranked one (same text in two files).

    A generator, so only the passages up to the k-th kept one are shingled.
    """
    shingles: list[np.ndarray] = []
    for item in scored:
        grams = _shingles(chunks[item[0]].text)
        if any(_contained(grams, other) >= threshold for other in shingles):
            continue
        shingles.append(grams)
        yield item


_GRAM_BASE = np.uint64(1_000_003)


def _shingles(text: str) -> np.ndarray:
    """Sorted hashes of the character 4-grams of the text without spaces or punctuation (numpy: ~20 us)."""
    flat = _NON_WORD.sub("", text.lower()) or text
    codes = np.frombuffer(flat.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(codes) < 4:
        return np.unique(codes)
    with np.errstate(over="ignore"):
        grams = ((codes[:-3] * _GRAM_BASE + codes[1:-2]) * _GRAM_BASE + codes[2:-1]) * _GRAM_BASE + codes[3:]
    return np.unique(grams)


def _contained(candidate: np.ndarray, kept: np.ndarray) -> float:
    """Share of a lower-ranked passage already shown by a better one (a longer passage that quotes a
    title shown above it adds text, so it stays)."""
    return np.intersect1d(candidate, kept, assume_unique=True).size / max(1, candidate.size)
