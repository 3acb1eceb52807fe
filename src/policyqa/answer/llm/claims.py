"""The claim check: every sentence of a model's answer must be supported by the passage it cites.

A citation marker only says where a claim claims to come from; a small or careless model cites a passage
and then states something else. Each claim sentence is checked against the passages it cites (a sentence
that cites none, against all of them):

1. every figure the claim writes in digits must appear in those passages, in digits or in Chinese
   numerals, with 万/亿/million scaling ("400,000 yuan" is "40万元");
2. every place, city, country, listed body and drug it names must be mentioned there, in either language
   (a passage also mentions the places it is tagged with, and a one-region document's own place): a
   claim that moves a passage's figure to another place ("Shanghai also has 35 such hospitals") keeps
   its figure and most of its words;
3. and its words must be there: the share of its content words (Latin words, CJK character bigrams)
   found in one of the passages, or, for a claim translated from a passage in the other language, the
   cosine of the claim to the passage's closest sentence or clause window (the embedder is
   cross-lingual; a claim that renders half of a long sentence is far from the whole sentence's vector,
   as a question is), must reach the `claim_overlap` or `claim_cosine` threshold of the llm settings.

A claim that fails is cut from the answer; the backend says how many were.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ...records import Hit
from ...settings import Settings
from ...text.bodies import unmentioned_bodies
from ...text.cities import cities_unmentioned
from ...text.drugs import unmentioned_drugs
from ...text.language import detect_language
from ...text.places import (
    abroad_named,
    document_regions,
    places_in_regions,
    places_named,
    region_name,
    with_provinces,
)
from ...text.sentences import clause_windows, split_sentences
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
#: the clause windows a translated claim is compared with are the index's (Settings.clause_chars)
CLAUSE_CHARS = Settings.model_fields["clause_chars"].default


@dataclass
class Verdict:
    """The answer with its unsupported claims cut, and how many were."""

    text: str
    dropped: int


@dataclass
class ClaimCheck:
    """Checks an answer's claims against the passages they cite; `embed` (L2-normalised rows) enables the
    cross-lingual test, without it only figures, names and shared words count."""

    overlap: float
    cosine: float
    embed: Embed | None = None
    clause_chars: int = CLAUSE_CHARS

    def verify(self, text: str, hits: list[Hit]) -> Verdict:
        """The answer with the claims its passages do not support cut. Only claims that figures, names and
        words leave open are embedded (in one batch): most claims quote their passage's words."""
        spans = claim_spans(text)
        claims = [without_markers(_ENUMERATOR.sub("", text[s:e])) for s, e in spans]
        sources = [self._sources(text[s:e], hits) for s, e in spans]
        keep = [self.settled(claim, [hits[h] for h in cited])
                for claim, cited in zip(claims, sources, strict=True)]
        pending = [i for i, kept in enumerate(keep) if kept is None]
        similarity = self._similarities([claims[i] for i in pending], [sources[i] for i in pending], hits)
        for i, cosine in zip(pending, similarity, strict=True):
            keep[i] = cosine >= self.cosine
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

    def settled(self, claim: str, passages: list[Hit]) -> bool | None:
        """False when a figure or a name of the claim is missing from its passages, True when enough of
        its words are there (or it has too few to check), None when only the cosine can tell: a
        translated claim shares no words with its passage."""
        texts = [p.text for p in passages]
        wanted = figures(claim)
        if wanted and not wanted <= passage_figures(" ".join(texts)):
            return False
        if unmentioned_names(claim, passages):
            return False
        words = grams(claim)
        if len(words) < MIN_GRAMS:
            return True
        best_overlap = max((len(words & grams(t)) / len(words) for t in texts), default=0.0)
        return True if best_overlap >= self.overlap else None

    def _similarities(self, claims: list[str], sources: list[list[int]], hits: list[Hit]) -> list[float]:
        """Each claim's cosine to the closest sentence or clause window of the passages it cites (0 without
        an embedder)."""
        if self.embed is None or not claims:
            return [0.0] * len(claims)
        units = {h: self._units(hits[h].text) for cited in sources for h in cited}
        texts = list(dict.fromkeys([*claims, *(u for group in units.values() for u in group)]))
        vectors = dict(zip(texts, self.embed(texts), strict=True))
        out = []
        for claim, cited in zip(claims, sources, strict=True):
            pool = np.stack([vectors[u] for h in cited for u in units[h]])
            out.append(float(np.max(pool @ vectors[claim])))
        return out

    def _units(self, passage: str) -> list[str]:
        """A passage's sentences, each followed by its clause windows (text/sentences.clause_windows)."""
        sentences = [passage[s:e] for s, e in split_sentences(passage)] or [passage]
        return [unit for sentence in sentences
                for unit in (sentence, *clause_windows(sentence, self.clause_chars))]


def unmentioned_names(claim: str, passages: list[Hit]) -> set[str]:
    """The places, cities, countries, listed bodies and drugs a claim names that none of its passages
    mentions in either language (a passage also mentions the places it speaks for: _document_places). A
    drug is looked for only when every passage is in the claim's language: the check has no dictionary to
    find "adalimumab" written 阿达木单抗."""
    text = " ".join(p.text for p in passages)
    spoken = {place for p in passages for place in _document_places(p)}
    spoken |= places_in_regions(text)
    missing = places_named(claim) - with_provinces(places_named(text) | spoken)
    missing |= abroad_named(claim) - abroad_named(text)
    missing |= cities_unmentioned(claim, " ".join([text, *map(_one_region_document, passages)]))
    missing |= unmentioned_bodies(claim, text)
    if all(p.lang == detect_language(claim) for p in passages):
        missing |= unmentioned_drugs(claim, text)
    return missing


def _document_places(passage: Hit) -> set[str]:
    """The places a passage speaks for without naming them: its region tags (Citation.places); all the
    places of a one-region document's title and region (a Guangzhou report's passages speak of "the
    province"); of a digest's, only those within its tags (its title lists every story's place)."""
    tagged = {region_name(tag, "zh") for tag in passage.citation.places}
    named = places_named(f"{passage.citation.title} {passage.citation.region}")
    if _one_region_document(passage):
        return tagged | named
    return tagged | {place for place in named if with_provinces({place}) & tagged}


def _one_region_document(passage: Hit) -> str:
    """The title and region of a passage's document when it is about one region, else ''."""
    citation = passage.citation
    return f"{citation.title} {citation.region}" if len(document_regions(citation.region)) <= 1 else ""


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
