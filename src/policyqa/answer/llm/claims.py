"""The claim check: every sentence of a model's answer must be supported by the passage it cites.

A citation marker only says where a claim claims to come from; a small or careless model cites a passage
and then states something else. Each claim sentence is checked against the passages it cites (a sentence
that cites none, against all of them):

1. every figure the claim writes in digits must appear in those passages, in digits or in Chinese
   numerals, with 万/亿/million scaling ("400,000 yuan" is "40万元");
2. and its words must be there: the share of its content words (Latin words, CJK character bigrams)
   found in one of the passages, or, for a claim translated from a passage in the other language, the
   cosine of the claim to the passage's closest sentence (the embedder is cross-lingual), must reach the
   `claim_overlap` or `claim_cosine` threshold of the llm settings.

A claim that fails is cut from the answer; the backend says how many were.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ...records import Hit
from ...text.sentences import split_sentences
from ..citations import cited_numbers, without_markers

Embed = Callable[[Sequence[str]], np.ndarray]

_ARABIC = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?\s*(万亿|亿|万|千|百万|million|billion|thousand)?",
                     re.I)
_ZH_NUMERAL = re.compile(r"[零〇一二两三四五六七八九十百千万亿]+")
_SCALE = {"万亿": 1e12, "亿": 1e8, "万": 1e4, "千": 1e3, "百万": 1e6, "million": 1e6, "billion": 1e9,
          "thousand": 1e3}
_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}
_ZH_UNITS = {"十": 10, "百": 100, "千": 1000}
#: "1." or "2)" opening a list item: numbering, not a figure
_ENUMERATOR = re.compile(r"^\s*(?:[-*•]\s*)?\d{1,2}[.)、]\s+")
_LEADING_MARKERS = re.compile(r"(?:\s*[\[【]\s*\d{1,4}(?:\s*[,，、;；]\s*\d{1,4})*\s*[\]】])+")
_LATIN_WORD = re.compile(r"[a-z]{3,}")
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_STOPWORDS = frozenset((
    "the", "and", "for", "are", "was", "were", "has", "have", "had", "its", "this", "that", "these",
    "those", "with", "from", "into", "over", "under", "than", "then", "which", "who", "what", "when",
    "where", "how", "why", "will", "would", "shall", "should", "can", "could", "may", "might", "must",
    "not", "but", "also", "all", "any", "each", "other", "such", "more", "most", "some", "only", "own",
    "same", "very", "been", "being", "does", "did", "about", "their", "them", "they", "there", "our",
    "you", "your", "his", "her", "per",
))
#: below this many content words and no figure, a sentence says too little to check ("Yes [1].")
MIN_GRAMS = 2


@dataclass
class Verdict:
    """The answer with its unsupported claims cut, and how many were."""

    text: str
    dropped: int


@dataclass
class ClaimCheck:
    """Checks an answer's claims against the passages they cite; `embed` (L2-normalised rows) enables the
    cross-lingual test, without it only figures and shared words count."""

    overlap: float
    cosine: float
    embed: Embed | None = None

    def verify(self, text: str, hits: list[Hit]) -> Verdict:
        spans = claim_spans(text)
        claims = [without_markers(_ENUMERATOR.sub("", text[s:e])) for s, e in spans]
        sources = [self._sources(text[s:e], hits) for s, e in spans]
        similarity = self._similarities(claims, sources, hits)
        keep = [self.supported(claim, [hits[h].text for h in cited], similarity[i])
                for i, (claim, cited) in enumerate(zip(claims, sources, strict=True))]
        dropped = [span for span, kept in zip(spans, keep, strict=True) if not kept]
        for start, end in reversed(dropped):
            tail = len(text[end:]) - len(text[end:].lstrip(" \t"))
            text = text[:start] + text[end + tail:]
        return Verdict(re.sub(r"\n{3,}", "\n\n", text).strip(), len(dropped))

    @staticmethod
    def _sources(claim: str, hits: list[Hit]) -> list[int]:
        """Hit indexes a claim cites (all of them when it cites none that was given)."""
        cited = [n - 1 for n in dict.fromkeys(cited_numbers(claim)) if 1 <= n <= len(hits)]
        return cited or list(range(len(hits)))

    def supported(self, claim: str, passages: list[str], cosine: float) -> bool:
        """Figures present, and enough shared words or a close enough sentence."""
        wanted = figures(claim)
        if wanted and not wanted <= passage_figures(" ".join(passages)):
            return False
        words = grams(claim)
        if len(words) < MIN_GRAMS:
            return True
        best_overlap = max((len(words & grams(p)) / len(words) for p in passages), default=0.0)
        return best_overlap >= self.overlap or cosine >= self.cosine

    def _similarities(self, claims: list[str], sources: list[list[int]], hits: list[Hit]) -> list[float]:
        """Each claim's cosine to the closest sentence of the passages it cites (0 without an embedder)."""
        if self.embed is None or not claims:
            return [0.0] * len(claims)
        sentences = {h: [hits[h].text[s:e] for s, e in split_sentences(hits[h].text)] or [hits[h].text]
                     for cited in sources for h in cited}
        texts = list(dict.fromkeys([*claims, *(s for group in sentences.values() for s in group)]))
        vectors = dict(zip(texts, self.embed(texts), strict=True))
        out = []
        for claim, cited in zip(claims, sources, strict=True):
            pool = np.stack([vectors[s] for h in cited for s in sentences[h]])
            out.append(float(np.max(pool @ vectors[claim])))
        return out


def claim_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each claim sentence, with the markers that close it: a marker written after the
    full stop ("… days. [1]", "…日。[1]") belongs to the sentence before it, and a bare list number
    ("1.") to the item after it."""
    spans: list[list[int]] = []
    pending = None  # start of a bare list number waiting for its item
    for start, end in split_sentences(text):
        lead = _LEADING_MARKERS.match(text, start, end)
        if lead and spans:
            spans[-1][1] = lead.end()
            start = lead.end()
            while start < end and text[start].isspace():
                start += 1
        if start >= end:
            continue
        if not grams(text[start:end]) and not figures(_ENUMERATOR.sub("", text[start:end] + " ")):
            pending = start if pending is None else pending
            continue
        spans.append([start if pending is None else pending, end])
        pending = None
    return [(s, e) for s, e in spans]


def grams(text: str) -> set[str]:
    """Content words: Latin words of three letters or more (a plural -s dropped), CJK character bigrams."""
    lowered = text.lower()
    words = {w.removesuffix("s") for w in _LATIN_WORD.findall(lowered) if w not in _STOPWORDS}
    for run in _CJK_RUN.findall(lowered):
        words.update(run[i : i + 2] for i in range(max(1, len(run) - 1)))
    return words


def figures(claim: str) -> set[float]:
    """The figures a claim writes in digits (citation markers and list numbers already removed)."""
    return {_number(m) for m in _ARABIC.finditer(claim)}


def passage_figures(passage: str) -> set[float]:
    """Every value a passage states, in digits or Chinese numerals, scaled and unscaled."""
    values: set[float] = set()
    for m in _ARABIC.finditer(passage):
        values.update((_number(m), _number(m, scaled=False)))
    for run in _ZH_NUMERAL.findall(passage):
        values.add(_round(_zh_value(run)))
    return values


def _number(match: re.Match, scaled: bool = True) -> float:
    value = float(match.group(1).replace(",", "") + (match.group(2) or ""))
    scale = _SCALE.get((match.group(3) or "").lower(), 1.0) if scaled else 1.0
    return _round(value * scale)


def _round(value: float) -> float:
    """Six significant digits: 1.2亿 and 120,000,000 are the same figure."""
    return float(f"{value:.6g}")


def _zh_value(run: str) -> float:
    """四十万 → 400000, 一千万 → 10000000, 十五 → 15, 二〇二五 → 2025 (digit by digit)."""
    if len(run) > 1 and all(c in _ZH_DIGITS for c in run):
        return float("".join(str(_ZH_DIGITS[c]) for c in run))
    total = section = number = 0.0
    for char in run:
        if char in _ZH_DIGITS:
            number = _ZH_DIGITS[char]
        elif char in _ZH_UNITS:
            section += (number or 1) * _ZH_UNITS[char]
            number = 0
        elif char == "万":
            total += (section + number or 1) * 1e4
            section = number = 0
        elif char == "亿":
            total = (total + section + number or 1) * 1e8
            section = number = 0
    return total + section + number
