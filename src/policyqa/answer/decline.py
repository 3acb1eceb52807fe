"""The decline model: a logistic regression over the evidence features and their pairwise products.

A feature alone says little about whether the documents answer: a lead that states a figure is strong
evidence for a figure question and none for a "which measures" one, and a weak keyword match is worrying
within a language and normal across languages. The products let the model weigh one feature by another.
EXPERIMENT (stop 39, reverted): fitted on the fifteen read question files, held out a file at a time, it
declines 100 of the 178 unanswerable questions it decides at 11 false refusals; on XQuAD it declines 0.214
of the answerable en->zh questions (0.115 with the linear model), so it was not kept.
Features are standardised first (`scaling`: mean and scale per feature), so that the products are on one
scale and the weights fitted with one regularisation. Fitted by eval/fit_answer.py, shipped in
settings/refusal_model.json.
"""

from __future__ import annotations

import math

from .facts import QuestionFacts

#: the question kinds the model tells apart besides a quantity (asks_quantity): how often the documents
#: leave such a question unanswered, and what a lead must show to answer it, differ by kind
KINDS = ("list", "other", "yesno", "date", "place", "person", "organisation")


def question_features(facts: QuestionFacts) -> dict[str, float]:
    """What the model reads of the question itself: its kind. Not its language, nor whether the lead is in
    the other one: on the policy questions those told unanswerable questions apart (an English question
    off the corpus's topics meets Chinese sentences), and on XQuAD, where every question is answerable,
    they declined twice as many en->zh questions (0.115 -> 0.235)."""
    return {f"asks_{kind}": float(facts.kind == kind) for kind in KINDS}


def answer_probability(features: dict[str, float], weights: dict[str, float],
                       scaling: dict[str, tuple[float, float]] | None = None) -> float:
    """The model's probability that the documents answer. `weights` has 'intercept', one weight per feature
    and one per product ('lead_states*asks_quantity'); `scaling` the (mean, scale) by which a feature is
    standardised first, none for a model fitted on raw features (the comparison rows')."""
    scaling = scaling or {}
    x = {name: (value - scaling[name][0]) / scaling[name][1] if name in scaling else value
         for name, value in features.items()}
    z = weights.get("intercept", 0.0)
    for name, weight in weights.items():
        first, _, second = name.partition("*")
        if first != "intercept":
            z += weight * x.get(first, 0.0) * (x.get(second, 0.0) if second else 1.0)
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))
