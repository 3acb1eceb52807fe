"""Fit the compare decline model on comparison questions; print it as settings.

A comparison asks every region (or document) whose passages rank near the top for its own answer, and
the decline model decides which of those answers stand (answer/compare.py). This fits that model as a
logistic regression over what `compare.candidates` yields for each group (the answer's refusal features
and the group's order among those with evidence), labelled by whether the group holds gold evidence, on
the chosen splits of eval/compare.jsonl. The threshold is the one that keeps the 5-fold (by question)
cross-validated share of silent regions marked at or above `--silent`, with the highest evidence recall
at that share; the CV numbers are printed next to it. Report the fitted model on splits it was not fitted
on with `policyqa eval eval/compare.jsonl` after pasting the printed values into settings/flat.py.

Usage::

    python eval/fit_compare.py --index DIR [--splits tune heldout ...] [--depth N] [--silent 0.93]
        [--output eval/compare_model.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, cross_val_predict

from policyqa.answer.answerer import Answerer
from policyqa.answer.compare import candidates
from policyqa.answer.refusal import REFUSAL_FEATURES
from policyqa.evaluate.compare import quotes
from policyqa.evaluate.run import machine
from policyqa.settings import Settings

FEATURES = (*REFUSAL_FEATURES, "order", "lead_score_gap", "lead_match_gap")


def gather(answerer: Answerer, path: Path, splits: set[str], depth: int) -> list[dict]:
    """One row per question and candidate group: its features, whether it holds gold evidence and whether
    its answer quotes it, with the question's gold and silent groups (to score recall and silence)."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        q = json.loads(line)
        if q["split"] not in splits:
            continue
        for key, answer, features in candidates(answerer, q["question"], q["by"], depth=depth):
            gold = q["groups"].get(key)
            quoted = bool(gold) and quotes(answer.answer, answer.citations, gold)
            rows.append({"id": q["id"], "key": key, "x": [features[n] for n in FEATURES],
                         "gold": gold is not None, "quoted": quoted})
    return rows


def shares(rows: list[dict], probability: np.ndarray, threshold: float, gold: int, silent: int):
    """(evidence recall, silent regions marked) if the groups under `threshold` are declined."""
    kept = probability >= threshold
    recalled = sum(r["quoted"] for r, k in zip(rows, kept, strict=True) if k)
    spoken = sum(not r["gold"] for r, k in zip(rows, kept, strict=True) if k)
    return recalled / gold, 1 - spoken / silent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--questions", type=Path, default=Path("eval/compare.jsonl"))
    parser.add_argument("--splits", nargs="+",
                        default=["tune", "heldout", "heldout2", "heldout3", "heldout4"])
    parser.add_argument("--depth", type=int, help="candidate depth (default: the compare_depth setting)")
    parser.add_argument("--silent", type=float, default=0.93, help="cross-validated silent regions marked")
    parser.add_argument("--c", type=float, default=1.0, help="inverse regularisation")
    parser.add_argument("--output", type=Path, help="write the fitted model and its CV numbers here")
    args = parser.parse_args(argv)
    settings = Settings.load(index_dir=args.index)
    answerer = Answerer.open(settings)
    depth = args.depth or settings.compare_depth
    splits = set(args.splits)
    rows = gather(answerer, args.questions, splits, depth)
    questions = [json.loads(line) for line in args.questions.read_text(encoding="utf-8").splitlines()]
    questions = [q for q in questions if q["split"] in splits]
    gold = sum(len(q["groups"]) for q in questions)
    silent = sum(len(q["silent"]) for q in questions)
    x = np.array([r["x"] for r in rows])
    y = np.array([r["gold"] for r in rows])
    model = LogisticRegression(C=args.c, max_iter=5000)
    folds = GroupKFold(5)
    probability = cross_val_predict(model, x, y, cv=folds, groups=[r["id"] for r in rows],
                                    method="predict_proba")[:, 1]
    grid = [(t, *shares(rows, probability, t, gold, silent))
            for t in np.round(np.arange(0.05, 0.96, 0.01), 2)]
    fitting = [g for g in grid if g[2] >= args.silent] or [max(grid, key=lambda g: g[2])]
    threshold, recall, marked = max(fitting, key=lambda g: (g[1], g[0]))
    model.fit(x, y)
    weights = {name: round(float(w), 4) for name, w in zip(FEATURES, model.coef_[0], strict=True)}
    weights["intercept"] = round(float(model.intercept_[0]), 4)
    report = {
        "questions": str(args.questions), "splits": sorted(splits), "depth": depth,
        "n_questions": len(questions),
        "n_candidates": len(rows), "machine": machine(), "compare_refusal_weights": weights,
        "compare_refusal_threshold": float(threshold),
        "cv": {"evidence_recall": round(recall, 4), "silent_marked": round(marked, 4),
               "gold_groups": gold, "silent_groups": silent},
    }
    print(json.dumps(report, indent=1, ensure_ascii=False))
    if args.output:
        args.output.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
