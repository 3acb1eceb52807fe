"""The general dictionary behind the glossary, on the bundled corpus and its session index.

'Xinjiang' and 'corps' are in no glossary, and no English passage names Xinjiang: only CC-CEDICT
(新疆, 兵团) lets the keyword side reach the Chinese notice addressed to 新疆生产建设兵团.
"""

from __future__ import annotations

import pytest

from policyqa.retrieve.retriever import Retriever
from policyqa.settings import FusionSettings

QUESTION = "What about the Xinjiang corps?"


def test_an_english_question_finds_a_chinese_passage_through_dictionary_words(retriever) -> None:
    glossary_terms = {form.lower() for _, forms in retriever.glossary.entries for form in forms}
    assert not {"xinjiang", "corps"} & glossary_terms
    terms = {term.source: term for term in retriever.translate(QUESTION)}
    assert "新疆" in terms["xinjiang"].forms
    assert terms["xinjiang"].weight == retriever.fusion.dictionary_weight

    best = retriever.search(QUESTION, k=3, mode="bm25")[0]
    assert best.lang == "zh" and "新疆生产建设兵团" in best.text
    # the whole question matched through dictionary words reaches their weight, no more
    assert best.score == pytest.approx(retriever.fusion.dictionary_weight, rel=1e-4)

    glossary_only = Retriever(retriever.index, retriever.embedder, FusionSettings(dictionary=False))
    assert not glossary_only.translate(QUESTION)
    assert not any("新疆" in hit.text for hit in glossary_only.search(QUESTION, k=10, mode="bm25"))


def test_the_eval_report_records_the_dictionary(retriever) -> None:
    recorded = retriever.config()
    assert recorded["fusion"]["dictionary"] is True and recorded["fusion"]["dictionary_weight"] == 0.5
    assert recorded["dictionary"]["zh_words"] > 90_000 and recorded["dictionary"]["sha1"]
