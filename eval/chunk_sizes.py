"""Compare chunk sizes on a question set: ingest the corpus at each size, evaluate each mode, one table.

Usage::

    python eval/chunk_sizes.py [--corpus corpus] [--questions eval/questions.jsonl] \\
        [--sizes 120,160,240,320] [--modes dense,hybrid] [--work .cache/chunk-sizes]

Each size gets its own index under --work (incremental, so reruns only re-evaluate).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from policyqa.evaluate.metrics import DIRECTIONS
from policyqa.evaluate.run import evaluate_file, machine
from policyqa.index.build import ingest
from policyqa.retrieve.retriever import Retriever
from policyqa.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=Path("corpus"))
    parser.add_argument("--questions", type=Path, default=Path("eval/questions.jsonl"))
    parser.add_argument("--sizes", default="120,160,240,320", help="chunk sizes in model tokens")
    parser.add_argument("--modes", default="dense,hybrid")
    parser.add_argument("--work", type=Path, default=Path(".cache/chunk-sizes"))
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    print("| chunk size | chunks | mode | hit@1 | hit@5 | MRR@10 | "
          "en→en @5 | zh→zh @5 | en→zh @5 | zh→en @5 |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for size in sizes:
        index = args.work / f"size-{size}"
        settings = Settings.load(corpus_dir=args.corpus, index_dir=index, chunk_size=size)
        ingest(settings)
        retriever = Retriever.open(settings)
        for mode in modes:
            m = evaluate_file(args.questions, retriever, settings, k=10, mode=mode)["metrics"]
            a, d = m["answerable"], m["by_direction"]
            buckets = " | ".join(f"{d[x]['hit@5']:.3f}" if "hit@5" in d[x] else "-" for x in DIRECTIONS)
            n = len(retriever.index.chunks)
            print(f"| {size} | {n} | {mode} | {a['hit@1']:.3f} | {a['hit@5']:.3f} | {a['mrr@10']:.3f} | "
                  f"{buckets} |", flush=True)
    info = machine()
    print(f"\nquestions {args.questions}, corpus {args.corpus}, embedder {settings.embedder}, "
          f"machine {info['cpu']} x{info['cores']}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
