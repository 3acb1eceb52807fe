"""The decline model's arithmetic: standardised features, their products, and the shipped model's form."""

from __future__ import annotations

import math

import pytest

from policyqa.answer.decline import KINDS, answer_probability
from policyqa.answer.facts import analyse
from policyqa.answer.refusal import REFUSAL_FEATURES
from policyqa.settings import Settings


def test_products_of_standardised_features_enter_the_logit() -> None:
    weights = {"intercept": -1.0, "a": 2.0, "b": 0.5, "a*b": 3.0}
    scaling = {"a": (1.0, 2.0), "b": (0.0, 1.0)}
    a, b = (5.0 - 1.0) / 2.0, 1.0  # a standardised: (x - mean) / scale
    z = -1.0 + 2.0 * a + 0.5 * b + 3.0 * a * b
    assert answer_probability({"a": 5.0, "b": 1.0}, weights, scaling) == pytest.approx(1 / (1 + math.exp(-z)))


def test_a_model_without_scaling_reads_raw_features_as_the_comparison_rows_do() -> None:
    """The comparison rows' model (compare_refusal_weights) is linear over raw features: no scaling, no
    products; a feature the weights do not name counts for nothing."""
    weights = {"intercept": 0.5, "order": -1.0}
    assert answer_probability({"order": 2.0, "asks_list": 1.0}, weights) == pytest.approx(
        1 / (1 + math.exp(1.5)))


def test_the_logit_is_clipped_instead_of_overflowing() -> None:
    assert answer_probability({"a": 1e6}, {"a": 1.0}) == pytest.approx(1.0)
    assert answer_probability({"a": -1e6}, {"a": 1.0}) == pytest.approx(0.0)


def test_the_shipped_model_scales_every_feature_and_weighs_their_products() -> None:
    answer = Settings().answer
    assert set(answer.refusal_scaling) == set(REFUSAL_FEATURES)
    assert all(scale > 0 for _, scale in answer.refusal_scaling.values())
    products = [name for name in answer.refusal_weights if "*" in name]
    n = len(REFUSAL_FEATURES)
    assert len(products) == n * (n - 1) // 2 and "intercept" in answer.refusal_weights
    assert 0 < answer.refusal_threshold < 1


@pytest.mark.parametrize(("question", "kind"), [
    ("Which measures support clinical trials?", "list"), ("北京什么时候开始施行？", "date"),
    ("Who attended the conference?", "person"), ("Is the catalogue updated every year?", "yesno"),
])
def test_the_question_kind_is_one_of_the_model_s_flags(question: str, kind: str) -> None:
    facts = analyse(question)
    assert facts.kind == kind and kind in KINDS
