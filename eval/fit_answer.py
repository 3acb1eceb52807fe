"""Fit the answer layer's two models on one question file; print them as settings.

1. Sentence ranking: pairwise logistic regression (a piece holding the gold evidence against every other
   piece of the same question), so the weights order pieces within a question.
2. Declining: logistic regression over the refusal features (answerable or not), with the threshold that
   keeps the 5-fold cross-validated false-refusal rate on the tuning file at or under `--max-false`.

The features are the answer layer's own (answer/evidence.py, answer/refusal.py), computed on the hits
`policyqa ask` would see. Report the fitted models on a file they were not fitted on with
`policyqa eval eval/heldout.jsonl --answers` after pasting the printed values into settings/flat.py (or
setting them in policyqa.yaml).

Usage::

    python eval/fit_answer.py --index DIR [--questions eval/questions.jsonl ...] [--keep-sentence-weights]
        [--output eval/answer_model.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from policyqa.answer.answerer import Answerer
from policyqa.answer.evidence import FEATURES
from policyqa.answer.facts import analyse
from policyqa.answer.refusal import REFUSAL_FEATURES, answer_probability
from policyqa.answer.selection import choose, score
from policyqa.evaluate.metrics import normalise
from policyqa.evaluate.questions import load_questions
from policyqa.evaluate.run import machine
from policyqa.settings import Settings


def gather(answerer: Answerer, path: Path) -> list[dict]:
    """Each question's facts, hits and evidence pieces, with which pieces hold the gold evidence."""
    settings, retriever, assessor = answerer.settings, answerer.retriever, answerer.assessor
    items = []
    for q in load_questions(path):
        hits = retriever.search(q.question, k=settings.k, mode=settings.mode)
        facts = analyse(q.question)
        pieces = assessor.evidence.pieces(q.question, facts, hits, retriever.encode_query(q.question)) \
            if hits else []
        evidence = [normalise(e) for e in q.evidence]
        gold = np.array([_holds(normalise(p.text), evidence) for p in pieces], dtype=bool)
        items.append({"q": q, "hits": hits, "facts": facts, "pieces": pieces, "gold": gold})
    return items


def _holds(piece: str, evidence: list[str]) -> bool:
    """A piece holds the evidence when it contains it, or is a long part of evidence spanning pieces."""
    return any(e in piece or (len(piece) > 15 and piece in e) for e in evidence)


def fit_sentences(items: list[dict], c: float) -> dict[str, float]:
    diffs = []
    for item in items:
        gold = item["gold"]
        if item["q"].answerable and gold.any() and (~gold).any():
            x = np.stack([p.features for p in item["pieces"]])
            diffs += [g - x[~gold] for g in x[gold]]
    d = np.concatenate(diffs)
    model = LogisticRegression(C=c, max_iter=5000, fit_intercept=False)
    model.fit(np.concatenate([d, -d]), np.r_[np.ones(len(d)), np.zeros(len(d))])
    return {name: round(float(w), 4) for name, w in zip(FEATURES, model.coef_[0], strict=True)}


def refusal_matrix(answerer: Answerer, items: list[dict], weights: dict[str, float]) -> np.ndarray:
    s = answerer.settings.answer
    rows = []
    for item in items:
        if not item["hits"]:
            rows.append([0.0] * len(REFUSAL_FEATURES))
            continue
        score(item["pieces"], weights)
        chosen = choose(item["facts"], item["pieces"], s.max_sentences, s.margin)
        item["chosen"] = chosen
        f = answerer.assessor.features(item["q"].question, item["facts"], item["hits"], item["pieces"],
                                       chosen[0] if chosen else None)
        rows.append([f[name] for name in REFUSAL_FEATURES])
    return np.array(rows)


def fit_refusal(x: np.ndarray, answerable: np.ndarray, max_false: float, c: float):
    model = LogisticRegression(C=c, max_iter=5000)
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    probability = cross_val_predict(model, x, answerable, cv=folds, method="predict_proba")[:, 1]
    ranked = np.sort(probability[answerable])
    threshold = float(ranked[int(np.floor(max_false * len(ranked)))])
    model.fit(x, answerable)
    weights = {name: round(float(w), 4) for name, w in zip(REFUSAL_FEATURES, model.coef_[0], strict=True)}
    weights["intercept"] = round(float(model.intercept_[0]), 4)
    return weights, round(threshold, 4), probability


def lead_accuracy(items: list[dict]) -> float:
    """Share of answerable questions whose evidence is among the pieces with the lead holding it."""
    judged = [bool(i["gold"][i["pieces"].index(i["chosen"][0])]) for i in items
              if i["q"].answerable and i["gold"].any() and i.get("chosen")]
    return round(float(np.mean(judged)), 4) if judged else 0.0


def answer_by_margin(items: list[dict], weights: dict[str, float], max_sentences: int) -> dict[str, float]:
    """Share of answerable questions (evidence among the pieces) whose chosen pieces hold the evidence, for
    each margin the supporting sentences may score below the lead: how `answer_margin` was chosen."""
    found = [i for i in items if i["q"].answerable and i["gold"].any()]
    shares = {}
    for margin in MARGINS:
        held = []
        for item in found:
            score(item["pieces"], weights)
            chosen = choose(item["facts"], item["pieces"], max_sentences, margin)
            held.append(any(item["gold"][item["pieces"].index(p)] for p in chosen))
        shares[str(margin)] = round(float(np.mean(held)), 4) if held else 0.0
    return shares


MARGINS = (0.5, 1.0, 2.0, 3.0, 4.0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--questions", type=Path, nargs="+", default=[Path("eval/questions.jsonl")],
                        help="question files to fit on (together)")
    parser.add_argument("--max-false", type=float, default=0.05,
                        help="cross-validated false refusals allowed")
    parser.add_argument("--c", type=float, default=1.0, help="inverse regularisation of both models")
    parser.add_argument("--keep-sentence-weights", action="store_true",
                        help="fit only the decline model, over the configured sentence ranking")
    parser.add_argument("--output", type=Path, help="write the fitted models and their CV numbers here")
    args = parser.parse_args(argv)
    settings = Settings.load(index_dir=args.index)
    answerer = Answerer.open(settings)
    items = [item for path in args.questions for item in gather(answerer, path)]
    keep = args.keep_sentence_weights
    sentence = settings.answer.sentence_weights if keep else fit_sentences(items, args.c)
    x = refusal_matrix(answerer, items, sentence)
    answerable = np.array([i["q"].answerable for i in items])
    refusal, threshold, probability = fit_refusal(x, answerable, args.max_false, args.c)
    declined = probability < threshold
    report = {
        "questions": [str(path) for path in args.questions], "n": len(items), "machine": machine(),
        "sentence_weights": sentence, "refusal_weights": refusal, "refusal_threshold": threshold,
        "cv": {"lead_holds_evidence": lead_accuracy(items),
               "unanswerable_declined": round(float(declined[~answerable].mean()), 4),
               "false_refusals": round(float(declined[answerable].mean()), 4)},
        "answer_holds_evidence_by_margin": answer_by_margin(items, sentence, settings.answer.max_sentences),
        "check": round(answer_probability(dict(zip(REFUSAL_FEATURES, x[0], strict=True)), refusal), 4),
    }
    print(json.dumps(report, indent=1, ensure_ascii=False))
    if args.output:
        args.output.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
