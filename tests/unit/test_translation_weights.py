"""The keyword side with weighted translations: a dictionary word counts less than a glossary term.

Real bm25s over three rows; coverage_search as retrieval calls it.
"""

from __future__ import annotations

import pytest

from policyqa.index.lexical import LexicalIndex
from policyqa.retrieve.coverage import coverage_search
from policyqa.retrieve.lexicon import Term

TEXTS = ["华沙的大学有很多学生。", "北京的医院很大。", "The university in Warsaw has many students."]


@pytest.fixture(scope="module")
def lexical() -> LexicalIndex:
    index = LexicalIndex()
    index.build(TEXTS)
    return index


def _coverage(lexical: LexicalIndex, question: str, translations: list[Term]) -> dict[int, float]:
    scores, rows = coverage_search(lexical, question, 3, translations=translations)
    return dict(zip(rows.tolist(), scores.tolist(), strict=True))


def test_a_full_match_through_weighted_terms_reaches_their_weight(lexical) -> None:
    question = "Warsaw university"
    trusted = _coverage(lexical, question, [Term("warsaw", ["华沙"]), Term("university", ["大学"])])
    weighted = [Term("warsaw", ["华沙"], 0.5), Term("university", ["大学"], 0.5)]
    dictionary = _coverage(lexical, question, weighted)
    assert trusted[0] == pytest.approx(1.0)  # the Chinese passage matches the whole question
    assert dictionary[0] == pytest.approx(0.5)
    assert trusted[2] == dictionary[2] == pytest.approx(1.0)  # the question's own words are not weighted
    assert 1 not in trusted  # the hospital passage matches nothing


def test_each_term_counts_by_its_share_of_the_query_times_its_weight(lexical) -> None:
    untrusted = [Term("warsaw", ["华沙"]), Term("university", ["大学"], 0.0)]
    warsaw, university = (lexical.ideal(lexical.tokenizer(form)) for form in ("华沙", "大学"))
    # the untrusted term still holds its share of the denominator: the passage matches only warsaw's
    assert _coverage(lexical, "Warsaw university", untrusted)[0] == pytest.approx(
        warsaw / (warsaw + university), rel=1e-5)
