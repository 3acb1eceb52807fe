"""The extractive backend: quotes the sentences of the top passages that best answer."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from ..records import Hit
from ..retrieve.retriever import Retriever
from ..text.figures import ASKS_FIGURE, FIGURE
from ..text.language import detect_language
from ..text.sentences import split_sentences
from .base import AnswerBackend, Draft, cite
from .citations import neutralise_markers
from .messages import LANG_NAMES, MESSAGES

_CJK = re.compile(r"[\u3400-\u9fff]")

_LATIN_WORD = re.compile(r"[A-Za-z]{2,}|\d+")


def _is_candidate(sentence: str) -> bool:
    """Long enough to say something: 8+ Chinese characters or 5+ words/numbers."""
    return len(_CJK.findall(sentence)) >= 8 or len(_LATIN_WORD.findall(sentence)) >= 5


@dataclass
class _Scored:
    hit: int  # index into hits
    start: int
    end: int
    score: float


class ExtractiveBackend(AnswerBackend):
    """Quotes the 2-4 sentences of the top passages that best answer the question, each with its [n].

    A sentence's score is its embedding similarity to the question, plus the similarity of its passage
    (context a single sentence lacks), plus the IDF-weighted share of the question's terms it contains
    (figures and names that embeddings blur), plus a bonus for a figure when one is asked for, minus a
    little per retrieval rank. The weights were set on eval/questions.jsonl (gold sentence among the
    chosen ones for 63 of 78 answerable questions whose evidence was retrieved, 2.3 sentences on average).
    """

    name = "extractive"
    w_passage = 0.7
    w_terms = 0.3
    w_figure = 0.2
    w_rank = 0.02

    def __init__(self, retriever: Retriever, passages: int = 5, max_sentences: int = 4, margin: float = 0.12,
                 cache_size: int = 20_000) -> None:
        self.retriever = retriever
        self.passages = passages
        self.max_sentences = max_sentences
        self.margin = margin
        self._cache: dict[str, np.ndarray] = {}
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def stream(self, question: str, hits: list[Hit], lang: str) -> Iterator[Draft]:
        picked = self.select(question, hits)
        if not picked:
            yield Draft(text=MESSAGES[lang]["no_sentence"], notice="")
            return
        order: list[int] = []  # hit indexes in citation order
        quotes: dict[int, list[str]] = {}
        best: dict[int, _Scored] = {}
        parts: list[str] = []
        for item in picked:
            sentence = hits[item.hit].text[item.start : item.end]
            if item.hit not in quotes:
                order.append(item.hit)
                quotes[item.hit] = []
            quotes[item.hit].append(sentence)
            if item.hit not in best or item.score > best[item.hit].score:
                best[item.hit] = item
            n = order.index(item.hit) + 1
            space = "" if _CJK_END.search(sentence) else " "
            parts.append(f"{neutralise_markers(sentence)}{space}[{n}]")
            citations = [cite(i + 1, hits[h], quotes[h], hits[h].text[best[h].start : best[h].end])
                         for i, h in enumerate(order)]
            yield Draft(text=_join(parts), citations=citations)
        foreign: dict[str, list[int]] = {}
        for i, h in enumerate(order):
            source = {detect_language(sentence) for sentence in quotes[h]}
            for other in sorted(source - {lang}):
                foreign.setdefault(other, []).append(i + 1)
        if foreign:
            template = MESSAGES[lang]["source_lang"]
            notes = [template.format(refs="".join(f"[{n}]" for n in ns), lang=LANG_NAMES[lang][src])
                     for src, ns in foreign.items()]
            yield Draft(text=_join(parts) + "\n" + "\n".join(notes), citations=citations)

    def select(self, question: str, hits: list[Hit]) -> list[_Scored]:
        """The chosen sentences, grouped by passage (best passage first) and in reading order within one."""
        candidates: list[tuple[int, int, int]] = []
        for i, hit in enumerate(hits[: self.passages]):
            for start, end in split_sentences(hit.text):
                if _is_candidate(hit.text[start:end]):
                    candidates.append((i, start, end))
        if not candidates:
            return []
        texts = [hits[i].text[s:e] for i, s, e in candidates]
        vectors = self.vectors([question, *texts])
        similarity = vectors[1:] @ vectors[0]
        terms = self.retriever.term_weights(question)
        wants_figure = bool(ASKS_FIGURE.search(question))
        scored = []
        for (i, s, e), text, sim in zip(candidates, texts, similarity, strict=True):
            passage = hits[i].dense_score if hits[i].dense_score is not None else 0.0
            score = (float(sim) + self.w_passage * passage + self.w_terms * self._coverage(terms, text)
                     - self.w_rank * i)
            if wants_figure and FIGURE.search(text):
                score += self.w_figure
            scored.append(_Scored(i, s, e, score))
        scored.sort(key=lambda x: -x.score)
        best = scored[0].score
        chosen: list[_Scored] = []
        for item in scored:
            if len(chosen) == self.max_sentences or (len(chosen) >= 2 and item.score < best - self.margin):
                break
            if len(chosen) >= 1 and item.score < best - 2 * self.margin:
                break
            text = hits[item.hit].text[item.start : item.end]
            if any(_similar(text, hits[c.hit].text[c.start : c.end]) for c in chosen):
                continue
            chosen.append(item)
        first_seen = {}
        for item in chosen:
            first_seen.setdefault(item.hit, len(first_seen))
        return sorted(chosen, key=lambda x: (first_seen[x.hit], x.start))

    def vectors(self, texts: Sequence[str]) -> np.ndarray:
        """Embeddings of `texts`, reusing those of sentences seen before (passages recur across questions)."""
        embedder = self.retriever.embedder
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            fresh = embedder.encode(missing)
            with self._lock:
                if len(self._cache) + len(missing) > self._cache_size:
                    self._cache.clear()
                self._cache.update(zip(missing, fresh, strict=True))
        return np.stack([self._cache[t] if t in self._cache else embedder.encode([t])[0] for t in texts])

    def _coverage(self, terms: dict[str, float], sentence: str) -> float:
        """IDF-weighted share of the question's terms that the sentence contains."""
        total = sum(terms.values())
        if not total:
            return 0.0
        present = set(self.retriever.tokens(sentence))
        return sum(w for t, w in terms.items() if t in present) / total


_CJK_END = re.compile(r"[\u3400-\u9fff。！？；：，、”’」』）]$")


def _join(parts: list[str]) -> str:
    """Sentences with their markers; a space between them unless both sides are Chinese."""
    out = ""
    for part in parts:
        if out and not (detect_language(out[-40:]) == "zh" and detect_language(part[:20]) == "zh"):
            out += " "
        out += part
    return out


def _bigrams(text: str) -> set[str]:
    flat = re.sub(r"\W+", "", text.lower())
    return {flat[i : i + 2] for i in range(max(1, len(flat) - 1))}


def _similar(a: str, b: str, threshold: float = 0.7) -> bool:
    x, y = _bigrams(a), _bigrams(b)
    return len(x & y) / max(1, min(len(x), len(y))) >= threshold
