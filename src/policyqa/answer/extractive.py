"""The extractive backend: the sentence that answers first, then the few that support it, each cited.

Which sentences, and whether to answer at all, is the assessment's (answer/refusal.py); this module
only writes them out: [n] markers numbered by passage in order of first use, the sources' own footnote
markers already stripped, a note naming places the question asks about that no chosen sentence covers,
and a note when a quoted source is in the other language.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterator, Sequence

import numpy as np

from ..records import Hit
from ..text.bodies import BODIES
from ..text.cities import city_names
from ..text.language import detect_language
from ..text.places import ABROAD, PLACES
from .base import AnswerBackend, Draft, cite
from .citations import neutralise_markers
from .messages import KIND_NAMES, LANG_NAMES, MESSAGES
from .refusal import Assessment, Assessor

_CJK_END = re.compile(r"[\u3400-\u9fff。！？；：，、”’」』）]$")
_CUT_END = re.compile(r"\s*[,，、;；]\s*$")


class ExtractiveBackend(AnswerBackend):
    """Quotes the chosen sentences of the assessment, the lead first."""

    name = "extractive"

    def __init__(self, assessor: Assessor, cache_size: int = 20_000) -> None:
        self.assessor = assessor
        self._cache: dict[str, np.ndarray] = {}
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def stream(self, question: str, hits: list[Hit], lang: str) -> Iterator[Draft]:
        yield from self.write(self.assessor.assess(question, hits), hits, lang)

    def write(self, assessment: Assessment, hits: list[Hit], lang: str) -> Iterator[Draft]:
        """The drafts of an assessment made already (the answerer's, which may be scoped to places)."""
        if not assessment.chosen:
            yield Draft(text=MESSAGES[lang]["no_sentence"])
            return
        order: list[int] = []  # hit indexes in citation order
        quotes: dict[int, list[str]] = {}
        parts: list[str] = []
        for piece in assessment.chosen:
            if piece.hit not in quotes:
                order.append(piece.hit)
                quotes[piece.hit] = []
            quotes[piece.hit].append(piece.quote)
            space = "" if _CJK_END.search(piece.text) else " "
            shown = _mid_marks(_ellipsis(neutralise_markers(piece.text)), piece.quote, hits[piece.hit].text)
            parts.append(f"{shown}{space}[{order.index(piece.hit) + 1}]")
            citations = [cite(i + 1, hits[h], quotes[h]) for i, h in enumerate(order)]
            yield Draft(text=_join(parts), citations=citations)
        notes = _notes(assessment, order, quotes, lang)
        if notes:
            yield Draft(text=_join(parts) + "\n" + "\n".join(notes), citations=citations)

    def vectors(self, texts: Sequence[str]) -> np.ndarray:
        """Embeddings of texts that are not stored sentences (an LLM's claims), cached."""
        embedder = self.assessor.retriever.embedder
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            fresh = embedder.encode(missing)
            with self._lock:
                if len(self._cache) + len(missing) > self._cache_size:
                    self._cache.clear()
                self._cache.update(zip(missing, fresh, strict=True))
        return np.stack([self._cache[t] if t in self._cache else embedder.encode([t])[0] for t in texts])


#: a letter of either script: a quote without one (a date, a figure) is in no language
_LETTER = re.compile(r"[A-Za-z\u3400-\u9fff]")


def _notes(assessment: Assessment, order: list[int], quotes: dict[int, list[str]], lang: str) -> list[str]:
    """What the answer leaves out (places, the asked kind) and which quotes are in another language."""
    notes = []
    if assessment.missing:
        missing = place_names(assessment.missing, lang)
        notes.append(MESSAGES[lang]["partial_places"].format(places=missing))
    facts = assessment.facts
    if facts.kind in KIND_NAMES[lang] and not assessment.chosen[0].states:
        notes.append(MESSAGES[lang]["no_kind"].format(kind=KIND_NAMES[lang][facts.kind]))
    foreign: dict[str, list[int]] = {}
    for i, h in enumerate(order):
        # a dateline's "2020-10-23" is in no language: no note that it comes from a Chinese source
        for other in sorted({detect_language(s) for s in quotes[h] if _LETTER.search(s)} - {lang}):
            foreign.setdefault(other, []).append(i + 1)
    template = MESSAGES[lang]["source_lang"]
    notes += [template.format(refs="".join(f"[{n}]" for n in ns), lang=LANG_NAMES[lang][src])
              for src, ns in foreign.items()]
    return notes


def place_names(places: list[str], lang: str) -> str:
    """Places (Chinese names) joined in the answer's language; other names (drugs, years) as they are."""
    if lang == "en":
        english = _english_names()
        return ", ".join(english.get(p, p) for p in places)
    return "、".join(places)


@functools.cache
def _english_names() -> dict[str, str]:
    """Chinese name -> English of every place a refusal may name: the place list, places abroad, cities."""
    abroad = {zh: forms[0] for zh, forms in ABROAD.items()}
    bodies = {zh: forms[0] for zh, forms in BODIES.items()}
    return {zh: en for en, zh in reversed(PLACES)} | abroad | city_names() | bodies


def _ellipsis(text: str) -> str:
    """A quote that stops at a comma (a part of a sentence too long to quote whole) ends in an ellipsis,
    so it reads as the cut it is, not as a sentence that ends in a comma."""
    cut = _CUT_END.sub("", text)
    return text if cut == text else cut + ("…" if _CJK_END.search(cut) else " …")


#: a word's character: a sentence cut between two of them (no comma within its length) was cut mid-clause
_WORDY = re.compile(r"[A-Za-z0-9\u3400-\u9fff]")


def _mid_marks(shown: str, quote: str, passage: str) -> str:
    """The quote with an ellipsis on each side where it was cut out of its sentence between two words
    (text/sentences.py cuts an overlong sentence with no comma in reach where a space is): "industry in
    Beijing, but also …" reads as the fragment it is. Comma cuts have theirs already (whole_sentence,
    _ellipsis)."""
    at = passage.find(quote)
    if at < 0:
        return shown
    before, after = passage[:at].rstrip(" \t"), passage[at + len(quote):].lstrip(" \t")
    if before and _WORDY.match(before[-1]) and _WORDY.match(quote[:1]) and not shown.startswith("…"):
        shown = ("… " if shown[:1].isascii() else "…") + shown
    if after and _WORDY.match(after[0]) and _WORDY.match(quote[-1:]) and not shown.endswith("…"):
        shown += " …" if shown[-1:].isascii() else "…"
    return shown


def _join(parts: list[str]) -> str:
    """Sentences with their markers; a space between them unless both sides are Chinese."""
    out = ""
    for part in parts:
        if out and not (detect_language(out[-40:]) == "zh" and detect_language(part[:20]) == "zh"):
            out += " "
        out += part
    return out
