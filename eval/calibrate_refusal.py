#!/usr/bin/env python3
"""Calibrate `min_score`, the dense-score floor below which `policyqa ask` declines to answer.

For every question in eval/questions.jsonl the retriever runs as `ask` runs it (same k, mode, embedder);
the best passage's dense cosine is compared with candidate floors. For each floor it prints the refusal
rate on unanswerable questions (higher is better) and the false-refusal rate on answerable ones (lower is
better), then picks the highest floor whose false-refusal rate stays within --max-false-refusal.

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
    parser.add_argument("--mode", choices=["dense", "bm25", "hybrid"], help="retrieval mode (default: settings)")
    parser.add_argument("--max-false-refusal", type=float, default=0.05,
                        help="highest acceptable false-refusal rate on answerable questions (default 0.05)")
    parser.add_argument("--lo", type=float, default=0.15)
    parser.add_argument("--hi", type=float, default=0.60)
    parser.add_argument("--step", type=float, default=0.01)
    args = parser.parse_args(argv)

    from policyqa.embedding import get_embedder
    from policyqa.indexer import ingest, load_index
    from policyqa.retrieve import Retriever
    from policyqa.settings import Settings
    from policyqa.store import Index

    settings = Settings.load(index_dir=args.index_dir, corpus_dir=args.corpus_dir, k=args.k, mode=args.mode)
    if Index.read_manifest(settings.index_dir) is None:
        print(f"no index in {settings.index_dir}: building it from {settings.corpus_dir}", file=sys.stderr)
        ingest(settings)
    retriever = Retriever(load_index(settings),
                          get_embedder(settings.embedder, settings.embed_threads, settings.embed_batch_size))

    questions = [json.loads(line) for line in args.questions.read_text(encoding="utf-8").splitlines() if line.strip()]
    best: list[tuple[float, bool, dict]] = []
    for q in questions:
        hits = retriever.search(q["question"], k=settings.k, mode=settings.mode)
        score = max((h.dense_score for h in hits if h.dense_score is not None), default=-1.0)
        best.append((score, bool(q["answerable"]), q))
    answerable = [s for s, a, _ in best if a]
    unanswerable = [s for s, a, _ in best if not a]

    print(f"{len(answerable)} answerable, {len(unanswerable)} unanswerable questions; "
          f"embedder {settings.embedder}, mode {settings.mode}, k {settings.k}")
    print("best dense score of each unanswerable question:")
    for score, ok, q in sorted(best, key=lambda item: item[0]):
        if not ok:
            print(f"  {score:.3f}  {q['id']}  {q['question'][:70]}")
    print("lowest best dense scores of answerable questions:")
    for score, ok, q in sorted(best, key=lambda item: item[0])[:60]:
        if ok and score < args.hi:
            print(f"  {score:.3f}  {q['id']}  {q['question'][:70]}")
    print()
    print("min_score  refusal(unanswerable)  false refusal(answerable)")
    chosen = None
    steps = round((args.hi - args.lo) / args.step)
    for i in range(steps + 1):
        floor = round(args.lo + i * args.step, 4)
        refusal = sum(s < floor for s in unanswerable) / max(1, len(unanswerable))
        false_refusal = sum(s < floor for s in answerable) / max(1, len(answerable))
        print(f"  {floor:.2f}      {refusal:6.1%}                {false_refusal:6.1%}")
        if false_refusal <= args.max_false_refusal:
            chosen = (floor, refusal, false_refusal)
    if chosen is None:
        print("no floor keeps the false-refusal rate within the limit")
        return 1
    floor, refusal, false_refusal = chosen
    print(f"\nchosen min_score = {floor:.2f}: declines {refusal:.1%} of unanswerable questions "
          f"({round(refusal * len(unanswerable))}/{len(unanswerable)}) and {false_refusal:.1%} of answerable ones "
          f"({round(false_refusal * len(answerable))}/{len(answerable)}); "
          f"limit on false refusals {args.max_false_refusal:.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
