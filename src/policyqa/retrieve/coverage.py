"""BM25 as query coverage: how much of the question a passage matches, on one scale in both languages.

Coverage is a passage's BM25 score divided by the best score each of the question's terms reaches
anywhere in the index (a term no passage has counts as the rarest), so 1.0 means "matches the
question's keywords as well as any passage can", whatever the question. Dividing by the best hit of
each search instead would make junk look perfect whenever nothing in the question's language is
relevant.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ..index.lexical import LexicalIndex
from ..text.tokenizer import language_neutral
from .lexicon import Term

#: the question's terms with their forms in the other language and their trust (glossary 1, dictionary less)
Translations = Iterable[Term]


def coverage_search(lexical: LexicalIndex, question: str, k: int, allowed: np.ndarray | None = None,
                    translations: Translations = ()) -> tuple[np.ndarray, np.ndarray]:
    """(coverage, rows) of the best rows; rows that match no term are dropped.

    `translations` are the question's glossary and dictionary terms with their forms in the other
    language and their trust (`retrieve.lexicon`). The other-language query is those forms plus the
    question's numbers and, in a Chinese question, its Latin-script names (NRDL, CAR-T), which read
    the same in both languages. A passage's coverage is the better of the question's own terms and
    the other-language query, so a passage in either language can match fully; the other-language
    side is scaled by the square root of the share of the question it carries over, so one
    translated place name cannot stand for the whole question.
    """
    own = lexical.tokenizer(question)
    coverage, ideal = term_coverage(lexical, own)
    carried = language_neutral(own)
    translated, sources = translated_coverage(
        lexical, set(own) - set(carried), [*translations, *(Term(t, [t]) for t in carried)])
    if translated is not None:
        share = lexical.ideal([t for t in own if t in sources]) / ideal if ideal else 1.0
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
    total, weights, sources = None, 0.0, set()
    for term, forms, trust in translations:
        matched = [term_coverage(lexical, tokens) for form in forms
                   if (tokens := [t for t in lexical.tokenizer(form) if t not in own])]
        if not matched:
            continue
        weight = float(np.mean([ideal for _, ideal in matched]))
        weights += weight
        if found := [scores for scores, _ in matched if scores is not None]:
            best = trust * weight * np.maximum.reduce(found)
            total = best if total is None else total + best
        sources.update(lexical.tokenizer(term))
    return (None if total is None else total / weights), sources
