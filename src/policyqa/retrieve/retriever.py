"""Ranked, cited passages for a question: dense, BM25 or hybrid, with metadata filters inside the search.

Dense scores mix a passage's own cosine with its best sentence's, so one answering sentence in a long
passage is not blurred away. Hybrid adds BM25 to dense on one scale that means the same in both
languages: the keyword query is the question plus its glossary translations (医保目录 <-> national
reimbursement drug list ...), and a passage's BM25 is the share of that query it matches. Without the
translations, keywords can only ever favour passages in the question's own language, and their
same-language junk pushes out the right passage when it is written in the other language.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from ..embedding import Embedder, embedder_for
from ..index.reader import Index
from ..records import Chunk, Citation, Filters, Hit
from .dedup import _shingles, collapse_near_duplicates
from .filters import _doc_matches
from .glossary import Glossary
from .rerank import Reranker, make_reranker


class FusionSettings(BaseModel):
    """How the channels mix; set with `policyqa eval` on eval/questions.jsonl and XQuAD (see README)."""

    depth: int = 50
    sentence_weight: float = 0.5  # share of the dense score that comes from the passage's best sentence
    bm25_weight: float = 1.0  # weight of BM25 coverage (share of the question matched, 0..1) next to dense
    debias: float = 0.5  # share of the question's same-language cosine bias that hybrid removes
    glossary: bool = True  # expand the keyword query into the other language with the glossary


class Retriever:
    """Searches one loaded index with one embedder."""

    def __init__(self, index: Index, embedder: Embedder, fusion: FusionSettings | None = None,
                 glossary: Glossary | None = None, reranker: Reranker | None = None) -> None:
        self.index = index
        self.embedder = embedder
        self.fusion = fusion or FusionSettings()
        self.glossary = glossary or Glossary.load()
        self.reranker = reranker
        # passages recur across questions; their shingles are the costliest part of a search otherwise
        self._row_shingles = functools.lru_cache(maxsize=65536)(lambda row: _shingles(index.chunks[row].text))

    @classmethod
    def open(cls, settings) -> Retriever:
        """The configured index as it was built (its embedder, chunker and corpus glossary; given settings
        that contradict it are refused), with the configured fusion and reranker."""
        from ..index.manifest import IndexLocked, IndexMismatch, IndexMissing
        from ..index.reader import IndexDamaged, index_settings, load_index
        from ..index.writer import clear_dead_holder

        fusion = FusionSettings(glossary=settings.glossary, bm25_weight=settings.bm25_weight,
                                debias=settings.debias, depth=settings.fusion_depth)
        try:
            index = load_index(settings)
        except (IndexMissing, IndexMismatch, IndexLocked):
            raise
        except (OSError, ValueError, RuntimeError, EOFError, KeyError) as exc:  # a damaged build
            raise IndexDamaged.of(Path(settings.index_dir), settings.corpus_dir, exc) from exc
        clear_dead_holder(Path(settings.index_dir))
        settings = index_settings(settings)
        return cls(index, embedder_for(settings), fusion, Glossary.load(settings.corpus_dir),
                   make_reranker(settings.reranker))

    def search(
        self, question: str, k: int = 5, filters: Filters | None = None, mode: str = "hybrid"
    ) -> list[Hit]:
        """The k best passages, best first; fewer only when fewer passages match the filters."""
        if not question.strip():
            raise ValueError("empty question")
        allowed = self.allowed_rows(filters)
        if allowed is not None and len(allowed) == 0:
            return []
        channel = {"dense": self._dense, "bm25": self._bm25, "hybrid": self._hybrid}.get(mode)
        if channel is None:
            raise ValueError(f"unknown retrieval mode {mode!r}: use dense, bm25 or hybrid")
        query = self.embedder.encode_query(question)
        scored = channel(question, query, max(k * 4, self.fusion.depth), allowed)
        if self.reranker is not None:
            scored = self.reranker.rerank(question, query, scored, self.index)
        return self._hits(collapse_near_duplicates(scored, self._row_shingles), k)

    # ---- channels

    def _dense(self, question: str, query: np.ndarray, depth: int,
               allowed: np.ndarray | None) -> list[tuple[int, float, float]]:
        cosine, rows = self.index.vector_store.search(query, depth, allowed)
        keep = rows[0] >= 0
        rows, cosine = rows[0][keep].astype(np.int64), cosine[0][keep]
        dense = self._dense_scores(query, rows, cosine)
        return sorted(zip(rows.tolist(), dense.tolist(), cosine.tolist(), strict=True), key=lambda t: -t[1])

    def _dense_scores(self, query: np.ndarray, rows: np.ndarray, cosine: np.ndarray) -> np.ndarray:
        """Passage cosine mixed with the passage's best sentence cosine (the same when it has one)."""
        share = self.fusion.sentence_weight
        return (1 - share) * cosine + share * self.index.best_sentence(rows, query, cosine)

    def _bm25(self, question: str, query: np.ndarray, depth: int,
              allowed: np.ndarray | None) -> list[tuple[int, float, float]]:
        """BM25 ranking by query coverage; each hit also carries its dense cosine, which the refusal
        rule reads."""
        translations = self.glossary.translate(question) if self.fusion.glossary else []
        scores, rows = self.index.lexical.search(question, depth, allowed, translations)
        if not len(rows):
            return []
        dense = np.asarray(self.index.vectors[rows]) @ query
        return [(int(r), float(s), float(d)) for r, s, d in zip(rows, scores, dense, strict=True)]

    def _hybrid(self, question: str, query: np.ndarray, depth: int,
                allowed: np.ndarray | None) -> list[tuple[int, float, float]]:
        """Language-debiased dense score plus weighted BM25 coverage of the glossary-expanded query.

        A question's cosine with every passage in its own language runs higher than with passages in the
        other language, relevant or not; subtracting (a share of) its cosine with each language's centroid
        removes the bias; removing all of it overshoots on questions written after tuning (held-out set).
        Each language brings its own dense candidates, so one language cannot crowd out the other.
        """
        cosine: dict[int, float] = {}
        for rows in self.index.rows_by_lang.values():
            subset = rows if allowed is None else np.intersect1d(rows, allowed, assume_unique=True)
            if len(subset):
                scores, found = self.index.vector_store.search(query, depth, subset)
                cosine.update((int(r), float(s)) for r, s in zip(found[0], scores[0], strict=True) if r >= 0)
        lexical = {}
        for row, coverage, dense_score in self._bm25(question, query, depth, allowed):
            lexical[row] = coverage
            cosine.setdefault(row, dense_score)  # BM25 hits join the dense candidates
        rows = np.fromiter(cosine, dtype=np.int64, count=len(cosine))
        raw = np.fromiter(cosine.values(), dtype=np.float64, count=len(cosine))
        share = self.fusion.debias
        offsets = {lang: share * float(centroid @ query) for lang, centroid in self.index.centroids.items()}
        bias = np.array([offsets[self.index.chunks[r].lang] for r in rows])
        bm25 = np.array([lexical.get(int(r), 0.0) for r in rows])
        final = self._dense_scores(query, rows, raw) - bias + self.fusion.bm25_weight * bm25
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
            curated=meta.curated,
            uploaded_at=meta.uploaded_at,
        )
