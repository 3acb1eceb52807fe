#!/usr/bin/env python3
"""Calibrate `min_score`, the dense-score floor below which `policyqa ask` declines to answer.

For every question in eval/questions.jsonl the retriever runs as `ask` runs it (same k, mode, embedder);
the best passage's dense cosine is compared with candidate floors. For each floor it prints the refusal
rate on unanswerable questions (higher is better) and the false-refusal rate on answerable ones (lower is
better), for the floor alone and for the rule `ask` applies (the floor, or a place named in the question
that no retrieved passage mentions), then picks the highest floor whose false-refusal rate under the
full rule stays within --max-false-refusal and which best separates the two (refusal rate minus
false-refusal rate); of equally good floors it takes the middle one, the one least sensitive to drift.

Usage: python eval/calibrate_refusal.py [--index DIR] [--corpus DIR] [--k N] [--mode hybrid]
       [--max-false-refusal 0.05] [--questions eval/questions.jsonl]
A missing index is built from --corpus first.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=ROOT / "eval" / "questions.jsonl")
    parser.add_argument("--index", dest="index_dir", type=Path, help="index folder (default: settings)")
    parser.add_argument("--corpus", dest="corpus_dir", type=Path, help="corpus folder (default: settings)")
    parser.add_argument("--k", type=int, help="passages retrieved (default: settings.k)")
    parser.add_argument("--mode", choices=["dense", "bm25", "hybrid"], help="retrieval mode")
    parser.add_argument("--max-false-refusal", type=float, default=0.05,
                        help="highest acceptable false-refusal rate on answerable questions (default 0.05)")
    parser.add_argument("--lo", type=float, default=0.15)
    parser.add_argument("--hi", type=float, default=0.60)
    parser.add_argument("--step", type=float, default=0.01)
    args = parser.parse_args(argv)

    from policyqa.answer.refusal import uncovered_places
    from policyqa.index.build import ingest
    from policyqa.index.reader import Index
    from policyqa.retrieve.retriever import Retriever
    from policyqa.settings import Settings

    settings = Settings.load(index_dir=args.index_dir, corpus_dir=args.corpus_dir, k=args.k, mode=args.mode)
    if Index.current_build(settings.index_dir) is None:
        print(f"no index in {settings.index_dir}: building it from {settings.corpus_dir}", file=sys.stderr)
        ingest(settings)
    retriever = Retriever.open(settings)

    lines = args.questions.read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line) for line in lines if line.strip()]
    best: list[tuple[float, bool, dict]] = []
    place: dict[str, list[str]] = {}
    for q in questions:
        hits = retriever.search(q["question"], k=settings.k, mode=settings.mode)
        score = max((h.dense_score for h in hits if h.dense_score is not None), default=-1.0)
        best.append((score, bool(q["answerable"]), q))
        place[q["id"]] = uncovered_places(q["question"], hits, retriever.index)
    answerable = [(s, place[q["id"]]) for s, a, q in best if a]
    unanswerable = [(s, place[q["id"]]) for s, a, q in best if not a]

    print(f"{len(answerable)} answerable, {len(unanswerable)} unanswerable questions; "
          f"embedder {settings.embedder}, mode {settings.mode}, k {settings.k}")
    print("best dense score of each unanswerable question:")
    for score, ok, q in sorted(best, key=lambda item: item[0]):
        if not ok:
            missing = f"  [no passage mentions {', '.join(place[q['id']])}]" if place[q["id"]] else ""
            print(f"  {score:.3f}  {q['id']}  {q['question'][:70]}{missing}")
    print("lowest best dense scores of answerable questions:")
    for score, ok, q in sorted(best, key=lambda item: item[0])[:60]:
        if ok and score < args.hi:
            missing = f"  [no passage mentions {', '.join(place[q['id']])}]" if place[q["id"]] else ""
            print(f"  {score:.3f}  {q['id']}  {q['question'][:70]}{missing}")
    print()
    print("           floor alone                     floor or uncovered place (what `ask` does)")
    print("min_score  refusal(unans.)  false refusal  refusal(unans.)  false refusal")
    candidates = []
    steps = round((args.hi - args.lo) / args.step)
    for i in range(steps + 1):
        floor = round(args.lo + i * args.step, 4)
        alone = [_rate(group, floor, False) for group in (unanswerable, answerable)]
        full = [_rate(group, floor, True) for group in (unanswerable, answerable)]
        print(f"  {floor:.2f}     {alone[0]:6.1%}          {alone[1]:6.1%}  "
              f"       {full[0]:6.1%}          {full[1]:6.1%}")
        if full[1] <= args.max_false_refusal:
            candidates.append((round(full[0] - full[1], 6), floor, *full))
    if not candidates:
        print("no floor keeps the false-refusal rate within the limit")
        return 1
    best_gap = max(c[0] for c in candidates)
    ties = [c for c in candidates if c[0] == best_gap]
    _, floor, refusal, false_refusal = ties[(len(ties) - 1) // 2]
    n_un, n_an = len(unanswerable), len(answerable)
    print(f"\nchosen min_score = {floor:.2f} "
          f"(best separation with false refusals <= {args.max_false_refusal:.0%}; "
          f"equally good: {ties[0][1]:.2f}-{ties[-1][1]:.2f}): "
          f"declines {refusal:.1%} of unanswerable questions ({round(refusal * n_un)}/{n_un}) and "
          f"{false_refusal:.1%} of answerable ones ({round(false_refusal * n_an)}/{n_an})")
    return 0


def _rate(group: list[tuple[float, list[str]]], floor: float, with_places: bool) -> float:
    declined = sum(score < floor or (with_places and bool(missing)) for score, missing in group)
    return declined / max(1, len(group))


if __name__ == "__main__":
    sys.exit(main())
