"""Typos in a question's English words, corrected towards the words of the index.

A misspelt keyword matches nothing in BM25 and blurs the question's vector: "Waht dose the nationl polcy
say about comercial insurance for innovatve drugs?" was declined, while the same question spelt right is
answered from the national measures (the third user audit). A search engine would say "showing results
for"; so does policyqa (the answer's notice).

Only a word that is no English word (symspellpy's 82,765-word frequency list), no word of the index and
no place name is corrected, and only to a word of the index or a question word: nearest first
(Damerau-Levenshtein), then commonest in the index. A name the index does not hold (Zhejiang, Moderna)
stays as typed, so a question about a place or a company the documents do not cover is still declined for
it; a capitalised word takes at most one edit, as do short words, where two edits reach too many others.
Chinese text is left alone: jieba words have no such near misses.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable
from importlib.resources import files
from typing import NamedTuple

from symspellpy import SymSpell, Verbosity

from .places import ABROAD, PLACES

#: a run of Latin letters not followed by an apostrophe: "doesn't" and "Beijing's" are not read as "doesn"
#: and a word to correct (the possessive's stem is still checked, "Beijng's" -> "Beijing's")
_WORD = re.compile(r"(?<![A-Za-z])[A-Za-z]+(?![A-Za-z])(?!['’]t\b)")
#: what ends a sentence: the word after it is capitalised as any first word is, not as a name
_STARTS = re.compile(r"(?:^|[.?!:;\"“(]\s*)\s*$")
#: question words are the first ones a typo hides ("Waht"), and a corpus of statements may lack them
QUESTION_WORDS = ("what", "which", "who", "whom", "whose", "when", "where", "why", "how", "many", "much",
                  "does", "did", "is", "are", "was", "were", "there", "any", "give", "say", "says")
#: endings stripped before a word is looked up ("biobanks" is the index's "biobank", "regulators" a word)
_ENDINGS = ("s", "es", "ed", "ing", "ly")


class Spelling(NamedTuple):
    """The question as searched and the corrections made, (typed, searched) in question order."""

    text: str
    changes: tuple[tuple[str, str], ...] = ()


@functools.cache
def english_words() -> dict[str, int]:
    """symspellpy's English frequency list (lower case word -> count), read once per process (40 ms)."""
    data = files("symspellpy").joinpath("frequency_dictionary_en_82_765.txt").read_text(encoding="utf-8")
    pairs = (line.split(" ", 1) for line in data.splitlines() if line)
    return {word: int(count) for word, count in pairs}


@functools.cache
def _place_words() -> frozenset[str]:
    """The words of the place names the answer layer knows, in English (Zhejiang, Hong Kong, France)."""
    forms = [en for en, _ in PLACES] + [form for named in ABROAD.values() for form in named]
    return frozenset(word.lower() for form in forms for word in _WORD.findall(form) if not word.isupper())


def _one_edit(word: str) -> set[str]:
    """Every string one deletion, swap of neighbours, replacement or insertion away (Norvig's edits1)."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    letters = "abcdefghijklmnopqrstuvwxyz"
    deleted = {a + b[1:] for a, b in splits if b}
    swapped = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaced = {a + c + b[1:] for a, b in splits if b for c in letters}
    return deleted | swapped | replaced | {a + c + b for a, b in splits for c in letters}


class Speller:
    """Corrects the English words of a text that neither English nor the index knows."""

    def __init__(self, counts: Counter[str], names: frozenset[str], min_letters: int = 4,
                 long_word: int = 7) -> None:
        self.counts = counts  # the index's words, lower case, with their frequency
        self.names = names | _place_words()  # what a capitalised word may become
        self.min_letters = min_letters  # shorter words are left alone: too many words are one edit away
        self.long_word = long_word  # words this long may take two edits
        self.english = english_words()  # read now, so that a server's warm-up pays for it, not a question
        self.symspell = SymSpell(max_dictionary_edit_distance=2, prefix_length=7)
        for word, count in [*counts.items(), *((name, 1) for name in self.names - counts.keys())]:
            if len(word) >= min_letters - 1:
                self.symspell.create_dictionary_entry(word, count)

    @classmethod
    def from_texts(cls, texts: Iterable[str], extra: Iterable[str] = (), **limits: int) -> Speller:
        """A speller over the words of `texts` (the index's passages) and `extra` (glossary forms). The
        index's names are its words never written in lower case (Beijing, Suixinbao, not Modern)."""
        typed = Counter(word for text in texts for word in _WORD.findall(text))
        typed.update(word for text in (*extra, *QUESTION_WORDS) for word in _WORD.findall(text))
        counts = Counter()
        for word, count in typed.items():
            counts[word.lower()] += count
        lower = {word for word in typed if word.islower()}
        names = frozenset(word.lower() for word in typed if word[0].isupper() and word[1:].islower()) - lower
        return cls(counts, names, **limits)

    def known(self, word: str) -> bool:
        """Whether a lower-case word, or its stem without a common ending, is English, the index's or a
        place's."""
        forms = [word] + [word[: -len(end)] for end in _ENDINGS
                          if word.endswith(end) and len(word) > len(end) + 2]
        return any(form in self.counts or form in self.english or form in self.names for form in forms)

    def correct(self, text: str) -> Spelling:
        """`text` with each unknown English word replaced by its nearest word, in its case."""
        pieces, changes, last = [], [], 0
        for match in _WORD.finditer(text):
            word = match.group()
            better = self._nearest(word, _STARTS.search(text[: match.start()]) is not None)
            if better:
                pieces += [text[last:match.start()], better]
                changes.append((word, better))
                last = match.end()
        if not changes:
            return Spelling(text)
        return Spelling("".join(pieces) + text[last:], tuple(changes))

    def _nearest(self, word: str, first: bool) -> str:
        """The correction of one word, '' when it needs none or none is near enough. A capitalised word
        inside a sentence is a name, and becomes only a name; any other takes the index's nearest word,
        unless that is two edits away and English has a word one edit away (rseistance: resistance, not
        the index's assistance). A word the index has nothing near stays as typed: English alone turned
        pharma into parma and bitech into something worse."""
        lower = word.lower()
        capitalised = word[0].isupper() and word[1:].islower()
        if len(word) < self.min_letters or not (word.islower() or capitalised) or self.known(lower):
            return ""
        name = capitalised and not first
        edits = 2 if len(word) >= self.long_word and not capitalised else 1
        found = [item for item in self.symspell.lookup(lower, Verbosity.ALL, max_edit_distance=edits)
                 if not name or item.term in self.names]
        best = min(found, key=lambda item: (item.distance, -item.count), default=None)
        if not name and best is not None and best.distance > 1:
            english = [w for w in _one_edit(lower) if w in self.english and len(w) >= self.min_letters]
            if english:
                return _cased(max(english, key=self.english.get), capitalised)
        return _cased(best.term, capitalised) if best else ""


def _cased(word: str, capitalised: bool) -> str:
    return word.capitalize() if capitalised else word
