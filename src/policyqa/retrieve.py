"""Ranked, cited passages for a question: dense, BM25 or hybrid, with metadata filters inside the search.

Dense scores mix a passage's own cosine with its best sentence's, so one answering sentence in a long
passage is not blurred away. Hybrid adds BM25 to dense on one scale that means the same in both
languages: the keyword query is the question plus its glossary translations (医保目录 <-> national
reimbursement drug list ...), and a passage's BM25 is the share of that query it matches. Without the
translations, keywords can only ever favour passages in the question's own language, and their
same-language junk pushes out the right passage when it is written in the other language.
"""

from __future__ import annotations

import datetime
import functools
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from importlib import resources
from pathlib import Path

import numpy as np
from pydantic import BaseModel, field_validator

from .chunking import split_sentences
from .embedding import Embedder, embedder_for
from .records import Chunk, Citation, Hit
from .store import Index

#: passage languages the detector assigns, so the only ones a filter can match
LANGUAGES = ("zh", "en")


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

    @field_validator("languages")
    @classmethod
    def _known_languages(cls, value: list[str]) -> list[str]:
        """A language no passage can have would silently match nothing: refuse it instead."""
        unknown = [lang for lang in value if lang not in LANGUAGES]
        if unknown:
            raise ValueError(f"unknown language {unknown[0]!r}: use {' or '.join(LANGUAGES)}")
        return value

    @field_validator("date_from", "date_to")
    @classmethod
    def _real_date(cls, value: str) -> str:
        """YYYY, YYYY-MM or YYYY-MM-DD naming a date that exists (2025-13-45 would match nothing)."""
        value = value.strip()
        if not value:
            return value
        parts = value.split("-")
        try:
            if len(parts) > 3 or len(parts[0]) != 4 or any(len(p) != 2 for p in parts[1:]):
                raise ValueError
            numbers = [int(p) for p in parts] + [1] * (3 - len(parts))
            datetime.date(*numbers)
        except ValueError:
            raise ValueError(f"{value!r} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD") from None
        return value


class FusionSettings(BaseModel):
    """How the channels mix; set with `policyqa eval` on eval/questions.jsonl and XQuAD (see README)."""

    depth: int = 50
    sentence_weight: float = 0.5  # share of the dense score that comes from the passage's best sentence
    bm25_weight: float = 1.0  # weight of BM25 coverage (share of the question matched, 0..1) next to dense
    debias: float = 0.5  # share of the question's same-language cosine bias that hybrid removes
    glossary: bool = True  # expand the keyword query into the other language with the glossary


class Glossary:
    """Chinese <-> English policy terms that turn a question's keywords into the other language's.

    A line of a glossary file is `中文<TAB>english form|other form`. A Chinese term found in a question
    stands for all its English forms; an English form found as whole words (plural -s allowed) stands for
    the Chinese term. The packaged list covers pharmaceutical-policy vocabulary; `corpus/glossary.tsv`
    adds a corpus's own terms.
    """

    PACKAGED = "glossary.tsv"

    def __init__(self, entries: list[tuple[str, list[str]]]) -> None:
        self.entries = entries
        self._forms = [[form.lower() for form in forms] for _, forms in entries]
        self._english = [
            re.compile("|".join(rf"(?<![a-z0-9]){re.escape(f.lower())}(?:e?s)?(?![a-z0-9])" for f in forms))
            for _, forms in entries
        ]

    @classmethod
    def load(cls, corpus_dir: Path | str | None = None) -> Glossary:
        """The packaged glossary, extended by `<corpus_dir>/glossary.tsv` when the corpus has one."""
        text = resources.files("policyqa").joinpath(cls.PACKAGED).read_text(encoding="utf-8")
        entries = _parse_glossary(text, cls.PACKAGED)
        extra = Path(corpus_dir) / "glossary.tsv" if corpus_dir else None
        if extra is not None and extra.is_file():
            entries += _parse_glossary(extra.read_text(encoding="utf-8"), str(extra))
        return cls(entries)

    def translate(self, question: str) -> list[tuple[str, list[str]]]:
        """Each glossary term of `question` with its forms in the other language, in question order.

        Longest match first and every character once, as dictionary-based cross-language retrieval does:
        医保目录 is one term (national reimbursement drug list), not also 医保 (medical insurance). The
        forms of one term are alternatives, so a passage that uses any of them matches the term.
        """
        lowered = question.lower()
        found = []  # (start, end, other-language forms)
        for (chinese, forms), folded, english in zip(self.entries, self._forms, self._english, strict=True):
            if chinese in lowered:  # plain substring tests first: a question holds few of the terms
                found += [(m.start(), m.end(), forms) for m in re.finditer(re.escape(chinese), lowered)]
            if any(form in lowered for form in folded):
                found += [(m.start(), m.end(), [chinese]) for m in english.finditer(lowered)]
        taken = np.zeros(len(lowered), dtype=bool)
        chosen: dict[tuple[int, int], list[str]] = {}  # one span can be several entries' form
        for start, end, forms in sorted(found, key=lambda f: (f[0] - f[1], f[0])):
            if (start, end) in chosen or not taken[start:end].any():
                taken[start:end] = True
                chosen.setdefault((start, end), []).extend(forms)
        terms: dict[str, list[str]] = {}
        for start, end in sorted(chosen):
            terms.setdefault(lowered[start:end], []).extend(chosen[start, end])
        return [(term, list(dict.fromkeys(forms))) for term, forms in terms.items()]


def _parse_glossary(text: str, source: str) -> list[tuple[str, list[str]]]:
    """Entries of a glossary file; a malformed line is an error naming the file and line."""
    entries = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        chinese, _, english = line.partition("\t")
        forms = [form.strip() for form in english.split("|") if form.strip()]
        if not chinese.strip() or not forms:
            raise ValueError(f"{source}:{number}: expected '中文<TAB>english|forms', got {line!r}")
        entries.append((chinese.strip(), forms))
    return entries


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
        from .indexer import index_settings, load_index
        from .store import IndexDamaged, IndexLocked, IndexMismatch, IndexMissing, clear_dead_holder

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


# --------------------------------------------------------------------------- rerankers

#: a question that asks for a figure (how many, when, 多少 …), and a text that states one; shared with the
#: extractive answer layer, which prefers such sentences too
ASKS_FIGURE = re.compile(
    r"多少|几[个家项种天年月倍批所部]?|哪一?[天年]|何时|什么时[候间]|日期|比例|幅度|上限|金额|规模|"
    r"\bhow (?:many|much|long|soon|quickly|fast|often|frequently)\b|\bwhat (?:share|percentage|proportion|"
    r"range|size|revenue|amount|date)\b|\bby how much\b|\bwhen\b",
    re.I,
)
FIGURE = re.compile(r"\d|[零一二三四五六七八九十百千万亿两]+(?:个|家|项|种|条|倍|年|天|批|个月|亿元|万元|%)")


class Reranker(ABC):
    """A second look at the first `depth` candidates of any mode: it reorders them, never adds or drops.

    The candidates keep the scores of the places they move to, so scores stay on the mode's scale and
    in order (the refusal rule and the UI read them).
    """

    depth = 20

    def rerank(self, question: str, query: np.ndarray, scored: list[tuple[int, float, float]],
               index: Index) -> list[tuple[int, float, float]]:
        head, tail = scored[: self.depth], scored[self.depth :]
        if len(head) < 2:
            return scored
        rows = np.array([row for row, _, _ in head], dtype=np.int64)
        fused = np.array([score for _, score, _ in head])
        order = np.argsort(-self.scores(question, query, rows, fused, index), kind="stable")
        return [(head[i][0], place, head[i][2]) for i, place in zip(order, fused, strict=True)] + tail

    @abstractmethod
    def scores(self, question: str, query: np.ndarray, rows: np.ndarray, fused: np.ndarray,
               index: Index) -> np.ndarray:
        """New scores for the candidate rows (higher first); `fused` are the mode's own scores."""


class AnswerTypeReranker(Reranker):
    """Moves up, for a question that asks for a figure, the passages whose best sentence states one.

    The embedder maps every number to one placeholder (so "10 parks" is near "how many parks"), which
    leaves it blind to whether a passage states a figure at all; the best sentence is found with the
    sentence vectors built at ingest.
    """

    def __init__(self, weight: float = 0.1) -> None:
        self.weight = weight

    def scores(self, question, query, rows, fused, index) -> np.ndarray:
        if not ASKS_FIGURE.search(question):
            return fused
        states = np.array([bool(FIGURE.search(_best_sentence(index, row, query))) for row in rows])
        return fused + self.weight * states


class CrossEncoderReranker(Reranker):
    """A sentence-transformers cross-encoder from a local folder reads question and passage together.

    No packaged multilingual cross-encoder exists, so none is bundled; point `reranker` at a folder
    (`cross-encoder:/models/bge-reranker-v2-m3`). Nothing is downloaded.
    """

    def __init__(self, folder: str, batch_size: int = 16) -> None:
        from sentence_transformers import CrossEncoder

        from .embedding import _resolve_model_path

        self.model = CrossEncoder(_resolve_model_path(folder), device="cpu")
        self.batch_size = batch_size

    def scores(self, question, query, rows, fused, index) -> np.ndarray:
        pairs = [(question, index.chunks[row].text) for row in rows]
        return np.asarray(self.model.predict(pairs, batch_size=self.batch_size), dtype=np.float64).reshape(-1)


def make_reranker(spec: str) -> Reranker | None:
    """'' or 'none', 'answer-type' or 'cross-encoder:<local folder or model package>'."""
    if spec in ("", "none"):
        return None
    if spec == "answer-type":
        return AnswerTypeReranker()
    if spec.startswith("cross-encoder:"):
        return CrossEncoderReranker(spec.split(":", 1)[1])
    raise ValueError(f"unknown reranker {spec!r}: use answer-type or cross-encoder:<model folder>")


def _best_sentence(index: Index, row: int, query: np.ndarray) -> str:
    """The sentence of a passage closest to the query (the passage itself when it is one sentence)."""
    text = index.chunks[row].text
    spans = split_sentences(text)
    if index.sentence_offsets is None or len(spans) < 2:
        return text
    start, end = index.sentence_offsets[row], index.sentence_offsets[row + 1]
    best = int(np.argmax(np.asarray(index.sentence_vectors[start:end], dtype=np.float32) @ query))
    return text[slice(*spans[best])]


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


def collapse_near_duplicates(scored, shingles_of: Callable[[int], np.ndarray], threshold: float = 0.8):
    """Drop a passage whose character 4-grams mostly repeat a better-ranked one (same text in two files).

    A generator, so only the passages up to the k-th kept one are shingled (`shingles_of(row)`).
    """
    shingles: list[np.ndarray] = []
    for item in scored:
        grams = shingles_of(item[0])
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
