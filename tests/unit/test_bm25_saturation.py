"""BM25 per passage language (setting bm25_saturation): each language's passages take their own k1, b and
average length, while IDF stays corpus-wide (index/lexical.py, `LexicalIndex._saturate`)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from policyqa.index.lexical import LexicalIndex
from policyqa.settings import Settings

TEXTS = ["drug price negotiation drug", "drug catalogue", "price of hospital beds and drug prices",
         "医保目录 药品 价格 谈判", "药品 目录 药品", "医院 床位 价格"]
LANGS = ["en", "en", "en", "zh", "zh", "zh"]


def _built(saturation=None) -> LexicalIndex:
    index = LexicalIndex()
    index.build(TEXTS, LANGS if saturation is not None else None, saturation)
    return index


def test_the_same_k1_and_b_everywhere_reproduce_bm25s() -> None:
    plain = _built()
    # one language label for all passages: one average length, bm25s's own k1 and b
    again = LexicalIndex()
    again.build(TEXTS, ["x"] * len(TEXTS), {"x": (plain.bm25.k1, plain.bm25.b)})
    np.testing.assert_allclose(again.bm25.scores["data"], plain.bm25.scores["data"], rtol=1e-5)


def test_each_language_takes_its_own_k1_b_and_average_length() -> None:
    index = _built({"en": (1.5, 0.75), "zh": (1.0, 0.5)})
    tokens = [index.tokenizer(t) for t in TEXTS]
    n = len(TEXTS)
    for term in ("drug", "药品"):
        scores = np.asarray(index.scores([term]), dtype=np.float64)
        df = sum(term in doc for doc in tokens)
        idf = math.log(1 + (n - df + 0.5) / (df + 0.5))  # over the whole corpus
        for row, doc in enumerate(tokens):
            k1, b = (1.5, 0.75) if LANGS[row] == "en" else (1.0, 0.5)
            mine = [len(d) for d, lang in zip(tokens, LANGS, strict=True) if lang == LANGS[row]]
            tf = doc.count(term)
            expected = idf * tf / (tf + k1 * (1 - b + b * len(doc) / np.mean(mine))) if tf else 0.0
            assert scores[row] == pytest.approx(expected, rel=1e-5)
    # the best reachable score of each term follows the new scores
    assert index.term_ceiling.max() == pytest.approx(index.bm25.scores["data"].max())


def test_the_default_keeps_english_and_lowers_chinese_saturation() -> None:
    assert Settings().bm25_saturation == {"en": (1.5, 0.75), "zh": (1.0, 0.5)}
