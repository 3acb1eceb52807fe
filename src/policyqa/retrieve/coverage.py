"""BM25 as query coverage: how much of the question a passage matches, on one scale in both languages.

Coverage is a passage's BM25 score divided by the best score each of the question's terms reaches
anywhere in the index (a term no passage has counts as the rarest), so 1.0 means "matches the
question's keywords as well as any passage can", whatever the question. Dividing by the best hit of
each search instead would make junk look perfect whenever nothing in the question's language is
relevant.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence, Set
from dataclasses import dataclass

import numpy as np

from ..index.lexical import LexicalIndex
from ..text.tokenizer import language_neutral
from .lexicon import Term

#: the question's terms with their forms in the other language and their trust (glossary 1, dictionary less)
Translations = Iterable[Term]
#: a translated term's trust, its weight (its forms' mean ideal score) and its forms as (tokens, ideal)
_Forms = list[tuple[float, float, list[tuple[list[str], float]]]]


@dataclass(frozen=True)
class Proximity:
    """The best-sentence share of coverage: a passage's coverage is mixed with that of its best sentence, so
    the question's words found together in one sentence count for more than the same words spread over a
    passage (the keyword twin of the dense channel's best sentence).

    `sentences` gives a row's sentences as token sets, `languages` a row's language; `language` is the
    question's. The question's own words are mixed in passages of its language, its translations in the
    others' (in the other language the own words are only numbers and Latin names)."""

    share: float
    sentences: Callable[[int], Sequence[Set[str]]]
    languages: Callable[[int], str]
    language: str

    def mix(self, lexical: LexicalIndex, coverage: np.ndarray, terms: _Forms, k: int, same: bool
            ) -> np.ndarray:
        """`coverage` with its best `2k` rows in the question's language (`same`) or in another mixed with
        their best sentence's: the terms a sentence holds, each counted at its best score in any passage
        (`LexicalIndex.ideal`) and by its best form, as a share of all the terms' weight."""
        total = sum(weight for _, weight, _ in terms)
        if not total or not self.share:
            return coverage
        depth = min(2 * k, len(coverage))
        rows = np.argpartition(-coverage, depth - 1)[:depth]
        rows = [row for row in rows[coverage[rows] > 0].tolist()
                if (self.languages(row) == self.language) == same]
        if not rows:
            return coverage
        # one matrix product over every candidate sentence: sentences x tokens (present or not), tokens x
        # forms (the token's best score over the form's ideal), then each term's best form
        vocabulary = {t: i for i, t in enumerate(dict.fromkeys(
            t for _, _, forms in terms for tokens, _ in forms for t in tokens if lexical.knows(t)))}
        columns, term_of, scales = [], [], []
        for number, (trust, weight, forms) in enumerate(terms):
            scales.append(trust * weight / total)
            for tokens, ideal in forms:
                column = np.zeros(len(vocabulary))
                for t in dict.fromkeys(tokens):
                    if t in vocabulary:
                        column[vocabulary[t]] = lexical.ideal([t]) / ideal
                columns.append(column)
                term_of.append(number)
        sentences = [self.sentences(row) or (frozenset(),) for row in rows]
        present = np.zeros((sum(map(len, sentences)), len(vocabulary)))
        known = vocabulary.keys()
        line = 0
        for row_sentences in sentences:
            for sentence in row_sentences:
                for t in known & sentence:
                    present[line, vocabulary[t]] = 1.0
                line += 1
        per_form = present @ np.array(columns).T  # sentences x forms
        starts = np.flatnonzero(np.diff(term_of, prepend=-1))  # forms are grouped by term
        per_sentence = np.maximum.reduceat(per_form, starts, axis=1) @ np.array(scales)
        first = np.cumsum([0, *map(len, sentences[:-1])])
        best = np.maximum.reduceat(per_sentence, first)
        mixed = coverage.copy()
        mixed[rows] = (1 - self.share) * coverage[rows] + self.share * best
        return mixed


def coverage_search(lexical: LexicalIndex, question: str, k: int, allowed: np.ndarray | None = None,
                    translations: Translations = (), part_share: float = 0.0,
                    proximity: Proximity | None = None, function_words: re.Pattern[str] | None = None
                    ) -> tuple[np.ndarray, np.ndarray]:
    """(coverage, rows) of the best rows; rows that match no term are dropped.

    `translations` are the question's glossary and dictionary terms with their forms in the other
    language and their trust (`retrieve.lexicon`). The other-language query is those forms plus the
    question's numbers and, in a Chinese question, its Latin-script names (NRDL, CAR-T), which read
    the same in both languages. A passage's coverage is the better of the question's own terms and
    the other-language query, so a passage in either language can match fully; the other-language
    side is scaled by the square root of the share of the question it carries over, so one
    translated place name cannot stand for the whole question.

    `part_share` (`query_weights`) weighs a Chinese word's search-mode parts as shares of the word;
    `proximity` mixes each side's coverage with that of a passage's best sentence; the question's tokens
    that `function_words` matches whole are left out of its own side (`content_words`).
    """
    own, pieces = content_words(lexical.tokenizer.pieces(question), function_words)
    weights = query_weights(pieces, part_share)
    coverage, _ = weighted_coverage(lexical, weights)
    if proximity is not None and coverage is not None:
        coverage = proximity.mix(lexical, coverage, _own_terms(lexical, weights), k, same=True)
    carried = language_neutral(own)
    terms, sources = _translated_terms(lexical, set(own) - set(carried),
                                       [*translations, *(Term(t, [t]) for t in carried)])
    translated = _translated_coverage(lexical, terms)
    if translated is not None:
        if proximity is not None:
            translated = proximity.mix(lexical, translated, terms, k, same=False)
        plain = lexical.ideal(own)
        share = lexical.ideal([t for t in own if t in sources]) / plain if plain else 1.0
        coverage = np.maximum(coverage if coverage is not None else 0.0, np.sqrt(share) * translated)
    if coverage is None:
        return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
    if allowed is not None:
        kept = np.zeros_like(coverage)
        kept[allowed] = coverage[allowed]
        coverage = kept
    # numpy's top k over every passage's score: ten times faster than bm25s.retrieve here
    k = min(k, len(coverage))
    rows = np.argpartition(-coverage, k - 1)[:k]
    rows = rows[np.argsort(-coverage[rows], kind="stable")]
    rows = rows[coverage[rows] > 0].astype(np.int64)
    return coverage[rows], rows


def content_words(pieces: list[list[str]], function_words: re.Pattern[str] | None
                  ) -> tuple[list[str], list[list[str]]]:
    """The question's keyword tokens and word groups (`LexicalTokenizer.pieces`) without the tokens that
    `function_words` matches whole (他们, 一种, 另: the Chinese counterparts of English stop words, which the
    tokenizer keeps); all of them when nothing else would be left."""
    if function_words is not None:
        kept = [group for group in ([t for t in group if not function_words.fullmatch(t)] for group in pieces)
                if group]
        if kept:
            pieces = kept
    return [t for group in pieces for t in group], pieces


def query_weights(pieces: list[list[str]], part_share: float) -> dict[str, float]:
    """Each query token's weight: 1, but each of the n search-mode parts of one Chinese word (the word among
    them) weighs 1 - part_share + part_share / n, so that a long name (维多利亚州, seven parts) does not
    outweigh the question's other words seven to one; a token in several words keeps its largest weight."""
    weights: dict[str, float] = {}
    for group in pieces:
        weight = 1.0 - part_share + part_share / len(group)
        for token in group:
            weights[token] = max(weights.get(token, 0.0), weight)
    return weights


def weighted_coverage(lexical: LexicalIndex, weights: dict[str, float]) -> tuple[np.ndarray | None, float]:
    """Every passage's weighted share of the terms matched (None when the index has none of them), and the
    terms' weighted ideal score. With every weight 1 this is `term_coverage`."""
    ideal = sum(weight * lexical.ideal([term]) for term, weight in weights.items())
    by_weight: dict[float, list[str]] = {}
    for term, weight in weights.items():
        if lexical.knows(term):
            by_weight.setdefault(weight, []).append(term)
    if not by_weight:
        return None, ideal
    scores = sum(weight * np.asarray(lexical.scores(terms), dtype=np.float64)
                 for weight, terms in by_weight.items())
    return np.asarray(scores / ideal, dtype=np.float32), ideal


def term_coverage(lexical: LexicalIndex, terms: list[str]) -> tuple[np.ndarray | None, float]:
    """Every passage's share of `terms` matched (None when the index has none of them), and the
    terms' ideal score."""
    known = [t for t in dict.fromkeys(terms) if lexical.knows(t)]
    ideal = lexical.ideal(terms)
    if not known:
        return None, ideal
    return np.asarray(lexical.scores(known), dtype=np.float32) / ideal, ideal


def translated_coverage(lexical: LexicalIndex, own: set[str], translations: Translations
                        ) -> tuple[np.ndarray | None, set[str]]:
    """Coverage of the other-language query, each term matched by its best form (a structured
    query: alternative translations are synonyms, not extra terms) and weighted by its forms' mean
    ideal score; and the question's words it carries over. Form words that are already the
    question's own (`own`) are left out, as the question's side counts them.

    A term's matched coverage is multiplied by its trust while its full weight stays in the
    denominator: a passage that matches the whole question only through dictionary words (trust 0.5)
    reaches half the coverage of one matching glossary terms, so noisy translations cannot outrank
    the question's own words."""
    terms, sources = _translated_terms(lexical, own, translations)
    return _translated_coverage(lexical, terms), sources


def _translated_terms(lexical: LexicalIndex, own: set[str], translations: Translations
                      ) -> tuple[_Forms, set[str]]:
    """Each translated term with a form of keyword tokens (not the question's own): its trust, weight and
    forms; and the question's words those terms carry over."""
    terms, sources = [], set()
    for term, forms, trust in translations:
        tokens = [found for form in forms if (found := [t for t in lexical.tokenizer(form) if t not in own])]
        if not tokens:
            continue
        ideals = [lexical.ideal(found) for found in tokens]
        terms.append((trust, float(np.mean(ideals)), list(zip(tokens, ideals, strict=True))))
        sources.update(lexical.tokenizer(term))
    return terms, sources


def _translated_coverage(lexical: LexicalIndex, terms: _Forms) -> np.ndarray | None:
    total, weights = None, 0.0
    for trust, weight, forms in terms:
        weights += weight
        matched = (term_coverage(lexical, tokens)[0] for tokens, _ in forms)
        if found := [scores for scores in matched if scores is not None]:
            best = trust * weight * np.maximum.reduce(found)
            total = best if total is None else total + best
    return None if total is None else total / weights


def _own_terms(lexical: LexicalIndex, weights: dict[str, float]) -> _Forms:
    """The question's own tokens in the shape of translated terms: trust 1, its weighted ideal, one form."""
    return [(1.0, weight * ideal, [([term], ideal)]) for term, weight in weights.items()
            if (ideal := lexical.ideal([term]))]
