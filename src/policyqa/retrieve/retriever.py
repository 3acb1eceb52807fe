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
import hashlib
import math
import re
from collections.abc import Iterable

import numpy as np

from ..embedding import Embedder, embedder_for
from ..index.reader import Index, index_settings, open_index
from ..records import Chunk, Citation, Filters, Hit
from ..settings import FusionSettings, Settings
from ..text.language import detect_language
from ..text.places import places_named, region_of
from ..text.sentences import chunk_clauses, split_sentences
from ..text.spelling import Speller, Spelling
from .candidates import Candidate
from .coverage import Proximity, coverage_search
from .dedup import collapse_near_duplicates, shingles
from .dense import DenseScorer
from .filters import allowed_rows, filter_problem
from .fusion import hybrid
from .glossary import Glossary
from .lexicon import Lexicon, Term, packaged_dictionary
from .rerank import Reranker, make_reranker


class Retriever:
    """Searches one loaded index with one embedder."""

    def __init__(self, index: Index, embedder: Embedder, fusion: FusionSettings | None = None,
                 glossary: Glossary | None = None, reranker: Reranker | None = None) -> None:
        self.index = index
        self.embedder = embedder
        self.fusion = fusion or FusionSettings()
        self.glossary = glossary or Glossary.load()
        # glossary terms first, then the general dictionary (read once per process) on the rest
        self.lexicon = Lexicon(self.glossary if self.fusion.glossary else None,
                               packaged_dictionary() if self.fusion.dictionary else None,
                               self.fusion.dictionary_weight)
        self.reranker = reranker
        self.dense = DenseScorer(index, self.fusion)
        # passages recur across questions; their shingles are the costliest part of a search otherwise
        self._row_shingles = functools.lru_cache(maxsize=65536)(lambda row: shingles(index.chunks[row].text))
        # a passage's sentences as keyword token sets, for BM25's best-sentence share (cached like shingles)
        self._row_sentence_terms = functools.lru_cache(maxsize=65536)(self._sentence_terms)
        # the answer layer scores the sentences of the passages it is given, which recur across questions
        self.sentence_rows = functools.lru_cache(maxsize=1024)(self._sentence_rows)
        # the answer layer reads the question's vector again after the search: embed it once
        self.encode_query = functools.lru_cache(maxsize=1024)(embedder.encode_query)
        # the answer layer's sentence features and its decline model both read the translated terms
        self.translated_terms = functools.lru_cache(maxsize=1024)(self._translated_terms)
        # the search, the sentence features and the decline model each translate the question (about 1.5 ms)
        self.translate = functools.lru_cache(maxsize=1024)(self._translate)
        self.term_weights = functools.lru_cache(maxsize=1024)(self._term_weights)
        self._document_frequency = functools.lru_cache(maxsize=65536)(index.lexical.document_frequency)
        self.spelled = functools.lru_cache(maxsize=1024)(self._spelled)

    @classmethod
    def open(cls, settings: Settings) -> Retriever:
        """The configured index as it was built (its embedder, chunker and corpus glossary; given settings
        that contradict it are refused), with the configured fusion and reranker."""
        index = open_index(settings)
        settings = index_settings(settings)
        reranker = make_reranker(settings.rerank.reranker, settings.rerank)
        return cls(index, embedder_for(settings), settings.fusion, Glossary.load(settings.corpus_dir),
                   reranker)

    def filter_problem(self, filters: Filters | None) -> str:
        """Why `filters` can never match in this index, naming the values it holds ('' when they can).
        `search` still answers them with no hits (a comparison's row narrows the filters and may match
        nothing): the commands and the APIs ask this first and refuse what the user typed."""
        return filter_problem(self.index, filters)

    def search(
        self, question: str, k: int = 5, filters: Filters | None = None, mode: str = "hybrid"
    ) -> list[Hit]:
        """The k best passages, best first; fewer only when fewer passages match the filters. Misspelt English
        words are searched for as `spelled` corrects them."""
        if not question.strip():
            raise ValueError("empty question")
        question = self.spelled(question).text
        allowed = allowed_rows(self.index, filters)
        if allowed is not None and len(allowed) == 0:
            return []
        channel = {"dense": self._dense, "bm25": self._bm25, "hybrid": self._hybrid}.get(mode)
        if channel is None:
            raise ValueError(f"unknown retrieval mode {mode!r}: use dense, bm25 or hybrid")
        query = self.encode_query(question)
        scored = channel(question, query, max(k * 4, self.fusion.depth), allowed)
        if self.reranker is not None:
            scored = self.reranker.rerank(question, query, scored, self.index)
        hits = self._hits(collapse_near_duplicates(scored, self._row_shingles), k)
        if self.fusion.place_slot and not (filters and filters.places):
            hits = self._named_places(question, hits, k, filters or Filters(), mode)
        return hits

    def _named_places(self, question: str, hits: list[Hit], k: int, filters: Filters, mode: str
                      ) -> list[Hit]:
        """Each region the question names that no hit is about, and some passage is, gets its best passages
        (`place_slot_passages`, best first) at the end of the list in place of the last hits: a question
        about Hainan whose words match Beijing passages better must still see what the documents say about
        Hainan, or be declined as if they said nothing."""
        result, placed, share = list(hits), 0, self.fusion.place_slot_share
        for region in sorted({region_of(place) for place in places_named(question)}):
            if any(region in hit.citation.places for hit in result):  # found, or by an earlier slot
                continue
            about = filters.model_copy(update={"places": [region]})
            found = self.search(question, self.fusion.place_slot_passages, about, mode)
            if len(hits) < k:  # room at the end
                result.extend(found[: k - len(result)])
                continue
            for hit in reversed(found):  # the best ends up first among them
                # a passage that names the region in passing scores far below the hit it would replace
                if (at := k - 1 - placed) >= 1 and hit.score >= share * hits[at].score:
                    result[at] = hit
                    placed += 1
        return [hit.model_copy(update={"rank": rank}) for rank, hit in enumerate(result, 1)]

    # ---- channels

    def _dense(self, question: str, query: np.ndarray, depth: int,
               allowed: np.ndarray | None) -> list[Candidate]:
        return self.dense.search(query, depth, allowed)

    def _bm25(self, question: str, query: np.ndarray, depth: int,
              allowed: np.ndarray | None) -> list[Candidate]:
        """BM25 ranking by query coverage; each hit also carries its dense cosine, which the refusal
        rule reads."""
        scores, rows = coverage_search(self.index.lexical, question, depth, allowed, self.translate(question),
                                       self.fusion.word_part_share, self._proximity(question),
                                       self._function_words)
        if not len(rows):
            return []
        dense = np.asarray(self.index.vectors[rows]) @ query
        return [Candidate(int(r), float(s), float(d)) for r, s, d in zip(rows, scores, dense, strict=True)]

    @functools.cached_property
    def _function_words(self) -> re.Pattern[str] | None:
        """The fusion settings' function-word pattern, compiled once (None when it is '')."""
        words = self.fusion.keyword_function_words
        return re.compile(words) if words else None

    def _proximity(self, question: str) -> Proximity | None:
        """What BM25's best-sentence share reads: each passage's sentences as keyword token sets."""
        if not self.fusion.bm25_sentence_weight:
            return None
        chunks = self.index.chunks
        return Proximity(self.fusion.bm25_sentence_weight, self._row_sentence_terms,
                         lambda row: chunks[row].lang, detect_language(question))

    def _hybrid(self, question: str, query: np.ndarray, depth: int,
                allowed: np.ndarray | None) -> list[Candidate]:
        """Language-debiased dense score plus weighted BM25 coverage of the glossary-expanded query."""
        return hybrid(self.dense, query, depth, allowed, self._bm25(question, query, depth, allowed))

    def _sentence_terms(self, row: int) -> tuple[frozenset[str], ...]:
        text = self.index.chunks[row].text
        tokenizer = self.index.lexical.tokenizer
        return tuple(frozenset(tokenizer(text[start:end])) for start, end in split_sentences(text))

    # ---- output

    def _hits(self, scored: Iterable[Candidate], k: int) -> list[Hit]:
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
        document = self.index.documents[chunk.doc_id]
        meta = document.meta
        source_start, source_end = document.raw_span(chunk.start, chunk.end)
        return Citation(
            doc_id=chunk.doc_id,
            title=meta.title,
            section=" > ".join(chunk.section),
            start=chunk.start,
            end=chunk.end,
            page=chunk.page,
            source_file=document.path,
            source_start=source_start,
            source_end=source_end,
            issuer=meta.issuer,
            region=meta.region,
            date=meta.date,
            curated=meta.curated,
            uploaded_at=meta.uploaded_at,
            places=chunk.places,
        )

    # ---- for the answer layer and the eval report

    @functools.cached_property
    def speller(self) -> Speller:
        """The index's English words and the glossary's, built at the first English question or the warm-up
        (50 ms for the bundled corpus, most of it reading the English list; 0.5 s for its passages repeated
        to 18,800; a larger vocabulary costs more)."""
        forms = (form for _, named in self.glossary.entries for form in named)
        return Speller.from_texts((chunk.text for chunk in self.index.chunks), forms,
                                  min_letters=self.fusion.spelling_min_letters,
                                  long_word=self.fusion.spelling_long_word)

    def _spelled(self, question: str) -> Spelling:
        """The question with its misspelt English words corrected (text/spelling.py), unchanged when
        spelling is switched off or it has no Latin letters."""
        if not self.fusion.spelling or not re.search("[A-Za-z]", question):
            return Spelling(question)
        return self.speller.correct(question)

    def _translate(self, question: str) -> tuple[Term, ...]:
        """The question's terms in the other language: (term, forms, weight), glossary terms at weight 1,
        dictionary words at `dictionary_weight`; empty when both are switched off."""
        return tuple(self.lexicon.terms(question))

    def tokens(self, text: str) -> list[str]:
        """The index's own keyword tokens (jieba words, English stems)."""
        return self.index.lexical.tokenizer(text)

    def _term_weights(self, question: str) -> dict[str, float]:
        """The question's keyword tokens with IDF weights from the index (rare terms count most); a term
        no passage has is left out, as it cannot tell passages apart. Read-only: it is cached."""
        n_docs = max(1, len(self.index.chunks))
        weights = {}
        for token in set(self.tokens(question)):
            df = self._document_frequency(token)
            if df:
                weights[token] = math.log(1 + (n_docs - df + 0.5) / (df + 0.5))
        return weights

    def config(self) -> dict:
        """Every setting of this retriever that changes a ranking, for the eval report."""
        terms = "\n".join(f"{zh}\t{'|'.join(forms)}" for zh, forms in self.glossary.entries)
        return {
            "fusion": self.fusion.model_dump(),
            "glossary": {"enabled": self.fusion.glossary, "entries": len(self.glossary.entries),
                         "sha1": hashlib.sha1(terms.encode("utf-8")).hexdigest()[:12]},
            "dictionary": {"enabled": self.fusion.dictionary, "weight": self.fusion.dictionary_weight,
                           **packaged_dictionary().describe()},
            "reranker": self.reranker.config() if self.reranker is not None else None,
            "sentence_vectors": self.index.sentence_offsets is not None,
            # the answer layer's clause windows: sentences at least this long (0: none stored)
            "clause_chars": (self.index.manifest.clause_chars or 0) if self.index.clause_offsets is not None
            else 0,
            "keyword_titles": bool(self.index.manifest.keyword_titles),
            "bm25_saturation": self.index.manifest.bm25_saturation,
            "tokenizer": self.index.manifest.tokenizer,
        }

    def sentence_cosines(self, row: int, n: int, query: np.ndarray) -> np.ndarray:
        """Cosines of passage `row`'s `n` sentences with `query`, each raised to its best clause window's
        (text/sentences.clause_windows) when the build stored clause vectors."""
        vectors, starts = self.sentence_rows(row, n)
        return np.maximum.reduceat(vectors @ query, starts) if n else np.zeros(0, dtype=np.float32)

    def _sentence_rows(self, row: int, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Passage `row`'s sentence vectors, each followed by its clause windows' vectors, and where each
        sentence's rows start: one product and one maximum per sentence score them all, where a product
        per sentence cost more than the arithmetic."""
        sentences = self.sentence_vectors(row, n)
        clauses = {j: (start, end) for j, start, end in self._clause_spans(row, n)}
        blocks, starts, at = [sentences[:0]], [], 0
        for j in range(n):
            start, end = clauses.get(j, (0, 0))
            blocks.append(sentences[j : j + 1])
            if end > start:
                blocks.append(np.asarray(self.index.clause_vectors[start:end], dtype=np.float32))
            starts.append(at)
            at += 1 + end - start
        vectors, firsts = np.concatenate(blocks), np.array(starts, dtype=np.intp)
        vectors.setflags(write=False)  # cached and shared: read-only, as the memory-mapped rows were
        firsts.setflags(write=False)
        return vectors, firsts

    def _clause_spans(self, row: int, n: int) -> tuple[tuple[int, int, int], ...]:
        """(sentence, first row, end row) of each of passage `row`'s sentences that has clause vectors."""
        index = self.index
        if index.clause_offsets is None:
            return ()
        windows = chunk_clauses(index.chunks[row].text, index.manifest.clause_chars or 0)
        if len(windows) != n:
            return ()
        rows, start = [], int(index.clause_offsets[row])
        for j, own in enumerate(windows):
            if own:
                rows.append((j, start, start + len(own)))
                start += len(own)
        return tuple(rows)

    def sentence_vectors(self, row: int, n: int) -> np.ndarray:
        """The stored vectors of passage `row`'s `n` sentences (text.sentences.split_sentences order); a
        one-sentence passage, or a build without sentence vectors, lends its own vector to each."""
        index = self.index
        if index.sentence_offsets is not None and n > 1:
            start, end = int(index.sentence_offsets[row]), int(index.sentence_offsets[row + 1])
            if end - start == n:
                return np.asarray(index.sentence_vectors[start:end], dtype=np.float32)
        return np.repeat(np.asarray(index.vectors[row : row + 1], dtype=np.float32), n, axis=0)

    def _translated_terms(self, question: str) -> tuple[tuple[tuple[frozenset[str], ...], float], ...]:
        """The question's terms in the other language (`translate`: glossary, then dictionary) as token
        sets of their forms (alternatives), each with its weight: how the answer layer sees a sentence
        in the other language meet the question's words."""
        terms = [(tuple(frozenset(found) for form in term.forms if (found := self.tokens(form))), term.weight)
                 for term in self.translate(question)]
        return tuple((forms, weight) for forms, weight in terms if forms)

