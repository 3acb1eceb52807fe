#!/usr/bin/env python3
"""Write question files with typos in their English questions, to measure the spelling correction.

Usage: python eval/typos.py FILE... --output OUT.jsonl [--words 2] [--seed 0]

Each English question gets one typo in each of up to `--words` of its words of five letters or more,
chosen at random (seeded): a letter dropped, two neighbours swapped, a letter doubled or a neighbouring
key typed instead, the slips people make. The gold evidence is kept, so `policyqa eval OUT.jsonl
--answers` scores the questions as typed, and `POLICYQA_SPELLING=false` scores them uncorrected. Chinese
questions are copied unchanged; the ids are prefixed with their file's name, so files can be pooled.
Standard library only.
"""

import argparse
import json
import random
import re
from pathlib import Path

WORD = re.compile(r"[A-Za-z]{5,}")
ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


def neighbour(letter: str, rng: random.Random) -> str:
    """A key next to `letter` on a QWERTY keyboard, in its case."""
    for row in ROWS:
        at = row.find(letter.lower())
        if at >= 0:
            near = [row[i] for i in (at - 1, at + 1) if 0 <= i < len(row)]
            key = rng.choice(near)
            return key.upper() if letter.isupper() else key
    return letter


def misspell(word: str, rng: random.Random) -> str:
    """One slip inside the word (the first letter stays: people rarely get it wrong)."""
    at = rng.randrange(1, len(word) - 1)
    slip = rng.choice(("drop", "swap", "double", "key"))
    if slip == "drop":
        return word[:at] + word[at + 1:]
    if slip == "swap":
        return word[:at] + word[at + 1] + word[at] + word[at + 2:]
    if slip == "double":
        return word[:at] + word[at] + word[at:]
    return word[:at] + neighbour(word[at], rng) + word[at + 1:]


def with_typos(question: str, words: int, rng: random.Random) -> str:
    """`question` with up to `words` of its long words misspelt."""
    found = list(WORD.finditer(question))
    chosen = sorted(rng.sample(found, min(words, len(found))), key=lambda m: m.start(), reverse=True)
    for match in chosen:
        question = question[:match.start()] + misspell(match.group(), rng) + question[match.end():]
    return question


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--output", required=True, type=Path)
    parser.add_argument("--words", type=int, default=2, help="misspelt words per English question")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    lines, changed = [], 0
    for path in args.files:
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            question = json.loads(line)
            question["id"] = f"{path.stem}-{question['id']}"
            if question["lang"] == "en":
                typed = with_typos(question["question"], args.words, rng)
                changed += typed != question["question"]
                question["question"] = typed
            lines.append(json.dumps(question, ensure_ascii=False))
    args.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{args.output}: {len(lines)} questions, {changed} with typos")


if __name__ == "__main__":
    main()
