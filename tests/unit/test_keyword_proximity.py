"""BM25 coverage's best-sentence share, the word-part weights of a Chinese query and its function words.

Real bm25s over a few rows; coverage_search as retrieval calls it.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from policyqa.index.lexical import LexicalIndex
from policyqa.retrieve.coverage import (
    Proximity,
    content_words,
    coverage_search,
    query_weights,
    term_coverage,
    weighted_coverage,
)
from policyqa.settings import Settings
from policyqa.text.language import detect_language
from policyqa.text.sentences import split_sentences

TEXTS = [
    "华沙的大学有很多学生。城市很大。",  # 华沙 and 大学 in one sentence
    "华沙是一座城市。这里也有大学。",  # the same two words in two sentences
    "北京的医院很大。",
    "The university in Warsaw has many students. The city is large.",
    "Warsaw is a city. It also has a university.",
]


@pytest.fixture(scope="module")
def lexical() -> LexicalIndex:
    index = LexicalIndex()
    index.build(TEXTS)
    return index


def _proximity(lexical: LexicalIndex, question: str, share: float) -> Proximity:
    def sentences(row: int) -> list[frozenset[str]]:
        text = TEXTS[row]
        return [frozenset(lexical.tokenizer(text[a:b])) for a, b in split_sentences(text)]

    return Proximity(share, sentences, lambda row: detect_language(TEXTS[row]), detect_language(question))


def _coverage(lexical: LexicalIndex, question: str, **options) -> dict[int, float]:
    scores, rows = coverage_search(lexical, question, 5, **options)
    return dict(zip(rows.tolist(), scores.tolist(), strict=True))


def test_pieces_are_the_tokens_grouped_by_word(lexical) -> None:
    text = "维多利亚州将很快失去哪种制造工厂？ NRDL drugs 3.5%"
    pieces = lexical.tokenizer.pieces(text)
    assert [t for group in pieces for t in group] == lexical.tokenizer(text)
    assert ["维多", "多利", "利亚", "维多利", "多利亚", "利亚州", "维多利亚州"] in pieces
    assert ["工厂"] in pieces and ["drug"] in pieces


def test_a_long_words_parts_share_its_weight() -> None:
    pieces = [["维多", "维多利亚"], ["工厂"]]
    assert query_weights(pieces, 0.0) == {"维多": 1.0, "维多利亚": 1.0, "工厂": 1.0}
    assert query_weights(pieces, 1.0) == {"维多": 0.5, "维多利亚": 0.5, "工厂": 1.0}
    assert query_weights(pieces, 0.5)["维多"] == pytest.approx(0.75)
    assert query_weights([["大学"], ["大学", "大学生"]], 1.0)["大学"] == 1.0  # its largest weight


def test_weights_of_one_are_plain_coverage(lexical) -> None:
    terms = lexical.tokenizer("华沙 大学 zzzz")
    plain, ideal = term_coverage(lexical, terms)
    weighted, weighted_ideal = weighted_coverage(lexical, dict.fromkeys(terms, 1.0))
    assert weighted_ideal == pytest.approx(ideal, rel=1e-6)
    np.testing.assert_allclose(weighted, plain, rtol=1e-5)


def test_words_found_in_one_sentence_count_for_more(lexical) -> None:
    question = "华沙的大学"
    plain = _coverage(lexical, question)
    near = _coverage(lexical, question, proximity=_proximity(lexical, question, 0.5))
    assert near[0] > near[1]  # together in one sentence beats spread over two
    # the second passage's best sentence holds one of the two words: its coverage falls
    assert near[1] < plain[1]
    assert 2 not in near  # the hospital passage matches nothing, with or without proximity
    assert _coverage(lexical, question, proximity=_proximity(lexical, question, 0.0)) == plain


def test_the_translated_side_is_mixed_in_the_other_languages_passages(lexical) -> None:
    from policyqa.retrieve.lexicon import Term

    question = "华沙 大学"
    translations = [Term("华沙", ["warsaw"]), Term("大学", ["university"])]
    near = _coverage(lexical, question, translations=translations,
                     proximity=_proximity(lexical, question, 0.5))
    assert near[3] > near[4]  # English: Warsaw and university in one sentence
    assert near[0] > near[1]  # Chinese: the question's own words


def test_chinese_function_words_leave_the_keyword_query() -> None:
    words = re.compile(Settings().keyword_function_words)
    pieces = [["定子"], ["另"], ["一种"], ["名称"]]
    assert content_words(pieces, words) == (["定子", "名称"], [["定子"], ["名称"]])
    assert content_words(pieces, None) == (["定子", "另", "一种", "名称"], pieces)
    # a question of nothing else keeps them all
    assert content_words([["他们"], ["一个"]], words) == (["他们", "一个"], [["他们"], ["一个"]])
    for word in ("她", "他们", "这些", "该", "一座", "另一", "每个"):
        assert words.fullmatch(word), word
    # question words, category terms (一类新药) and content words stay
    for word in ("谁", "哪位", "何时", "一类", "每年", "一次", "华沙"):
        assert not words.fullmatch(word), word


def test_a_function_word_no_longer_dilutes_the_question(lexical) -> None:
    question = "她在华沙的大学"
    plain = _coverage(lexical, question)
    content = _coverage(lexical, question, function_words=re.compile(Settings().keyword_function_words))
    assert content[0] > plain[0]  # 她 (no passage has it) no longer counts in the question's weight
    # a word no passage has tells none apart: leaving it out scales every passage alike
    assert content[1] / plain[1] == pytest.approx(content[0] / plain[0], rel=1e-5)
