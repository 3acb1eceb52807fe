"""Fit the answer layer's two models on question files; print them as settings.

1. Sentence ranking: pairwise logistic regression (a piece holding the gold evidence against every other
   piece of the same question), so the weights order pieces within a question.
2. Declining: logistic regression over the decline features, standardised, and their pairwise products
   (answer/decline.py), fitted on the questions the model decides: those no other rule declines and whose
   lead does not answer whatever the model says (Assessor.speaks_to), with the features the answer layer
   computes, its rules included. The threshold keeps the cross-validated false refusals at or under
   `--max-false` of all answerable questions; held out one question file at a time when there are three
   files or more, else 5-fold.

The features are the answer layer's own (answer/evidence.py, answer/refusal.py), computed on the hits
`policyqa ask` would see. `--write-model` writes the decline model where the settings load it from
(src/policyqa/settings/refusal_model.json); the sentence weights are printed to be pasted into
settings/flat.py. Report the fitted models on files they were not fitted on with
`policyqa eval F --answers`.

Usage::

    python eval/fit_answer.py --index DIR [--questions eval/questions.jsonl ...] [--keep-sentence-weights]
        [--max-false 0.025] [--c 0.03] [--output eval/answer_model.json]
        [--write-model src/policyqa/settings/refusal_model.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import LeaveOneGroupOut, StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures, StandardScaler

from policyqa.answer.answerer import Answerer
from policyqa.answer.decline import answer_probability
from policyqa.answer.evidence import FEATURES
from policyqa.answer.facts import analyse
from policyqa.answer.refusal import REFUSAL_FEATURES
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
        items.append({"q": q, "hits": hits, "facts": facts, "pieces": pieces, "gold": gold,
                      "file": path.name})
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


def decided(answerer: Answerer, items: list[dict], sentence: dict[str, float]) -> list[dict]:
    """The questions the decline model decides, with its features as the answer layer computes them under
    the `sentence` ranking: at threshold 0 no question is declined for its evidence, so a question still
    answered is one that no other rule declines; those whose lead answers whatever the model says (a
    definition, a count of the asked thing …) are left out. Records each question's chosen sentences."""
    settings = answerer.settings.model_copy(update={"sentence_weights": sentence, "refusal_threshold": 0.0})
    assessor = Answerer(settings, answerer.retriever).assessor
    s = settings.answer
    rows = []
    for item in items:
        score(item["pieces"], sentence)
        item["chosen"] = choose(item["facts"], item["pieces"], s.max_sentences, s.margin)
        if not item["hits"]:
            continue
        found = assessor.assess(item["q"].question, item["hits"])
        if found.reason or assessor.speaks_to(found.facts, found.chosen[0], item["hits"]):
            continue
        rows.append({"features": found.features, "answerable": item["q"].answerable, "file": item["file"]})
    return rows


def fit_refusal(rows: list[dict], n_answerable: int, max_false: float, c: float):
    """The decline model, its threshold and the cross-validated probabilities of `rows`."""
    x = np.array([[row["features"][name] for name in REFUSAL_FEATURES] for row in rows])
    answerable = np.array([row["answerable"] for row in rows])
    if answerable.all() or not answerable.any():
        raise SystemExit("fit_answer: the decline model needs answerable and unanswerable questions that no "
                         "other rule declines; add topic or hard unanswerable questions")
    files = [row["file"] for row in rows]
    model = make_pipeline(StandardScaler(), PolynomialFeatures(2, interaction_only=True, include_bias=False),
                          LogisticRegression(C=c, max_iter=5000))
    folds = LeaveOneGroupOut() if len(set(files)) >= 3 else StratifiedKFold(5, shuffle=True, random_state=0)
    probability = cross_val_predict(model, x, answerable, cv=folds, groups=files,
                                    method="predict_proba")[:, 1]
    ranked = np.sort(probability[answerable])
    threshold = float(ranked[min(int(np.floor(max_false * n_answerable)), len(ranked) - 1)])
    model.fit(x, answerable)
    scaler, products, logistic = (step for _, step in model.steps)
    names = [name.replace(" ", "*") for name in products.get_feature_names_out(REFUSAL_FEATURES)]
    weights = {name: round(float(w), 5) for name, w in zip(names, logistic.coef_[0], strict=True)}
    weights["intercept"] = round(float(logistic.intercept_[0]), 5)
    scaling = {name: [round(float(m), 6), round(float(d), 6)]
               for name, m, d in zip(REFUSAL_FEATURES, scaler.mean_, scaler.scale_, strict=True)}
    check = (answer_probability(rows[0]["features"], weights, scaling),
             float(model.predict_proba(x[:1])[0, 1]))
    return weights, scaling, round(threshold, 4), probability, [round(p, 4) for p in check]


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
    parser.add_argument("--max-false", type=float, default=0.025,
                        help="cross-validated false refusals of the decline model, a share of the answerable")
    parser.add_argument("--c", type=float, default=0.03, help="inverse regularisation of the decline model")
    parser.add_argument("--c-sentences", type=float, default=1.0,
                        help="inverse regularisation of the sentence ranking")
    parser.add_argument("--keep-sentence-weights", action="store_true",
                        help="fit only the decline model, over the configured sentence ranking")
    parser.add_argument("--output", type=Path, help="write the fitted models and their CV numbers here")
    parser.add_argument("--write-model", type=Path, help="write the decline model where the settings read "
                        "it (src/policyqa/settings/refusal_model.json)")
    args = parser.parse_args(argv)
    settings = Settings.load(index_dir=args.index)
    answerer = Answerer.open(settings)
    items = [item for path in args.questions for item in gather(answerer, path)]
    keep = args.keep_sentence_weights
    sentence = settings.answer.sentence_weights if keep else fit_sentences(items, args.c_sentences)
    rows = decided(answerer, items, sentence)
    n_answerable = sum(item["q"].answerable for item in items)
    refusal, scaling, threshold, probability, check = fit_refusal(rows, n_answerable, args.max_false, args.c)
    answerable = np.array([row["answerable"] for row in rows])
    declined = probability < threshold
    report = {
        "questions": [str(path) for path in args.questions], "n": len(items), "decided": len(rows),
        "machine": machine(), "c": args.c, "max_false": args.max_false,
        "sentence_weights": sentence, "refusal_weights": refusal, "refusal_scaling": scaling,
        "refusal_threshold": threshold,
        "cv": {"lead_holds_evidence": lead_accuracy(items),
               "decided_unanswerable_declined":
                   f"{int(declined[~answerable].sum())}/{int((~answerable).sum())}",
               "unanswerable_declined": round(float(declined[~answerable].mean()), 4),
               "false_refusals": round(float(declined[answerable].sum() / n_answerable), 4)},
        "answer_holds_evidence_by_margin": answer_by_margin(items, sentence, settings.answer.max_sentences),
        "check": check,
    }
    print(json.dumps(report, indent=1, ensure_ascii=False))
    if args.output:
        args.output.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    if args.write_model:
        fitted = {k: report[k] for k in ("questions", "n", "decided", "machine", "c", "max_false", "cv")}
        model = {"weights": refusal, "scaling": scaling, "threshold": threshold, "fitted": fitted}
        args.write_model.write_text(json.dumps(model, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
