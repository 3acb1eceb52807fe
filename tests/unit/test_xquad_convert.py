"""Tests for eval/benchmarks/xquad.py, the XQuAD -> policyqa benchmark converter.

The conversion runs on the real XQuAD files (first three articles) because the
point is that every evidence string is an exact substring of its gold
paragraph as written to the corpus; a synthetic fixture would not catch data
quirks.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from conftest import missing

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "eval" / "benchmarks" / "xquad.py"
DATA = Path(__file__).resolve().parents[3] / "shared" / "benchmarks" / "xquad"
LIMIT = 3
DIRECTIONS = ("en-en", "zh-zh", "en-zh", "zh-en")
CJK = re.compile(r"[\u4e00-\u9fff]")


def load_converter() -> ModuleType:
    """Import the script by path: eval/benchmarks is not a package.

    The module is registered in sys.modules first because dataclasses look
    their module up there while the class is being created.
    """
    spec = importlib.util.spec_from_file_location("xquad_convert", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


xquad = load_converter()


def split(text: str, lang: str = "en") -> list[str]:
    """Return the sentences of text as strings, for readable assertions."""
    return [text[start:end] for start, end in xquad.sentence_spans(text, lang)]


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Run the converter once as a script; return the output folder and stdout."""
    if not DATA.is_dir():
        missing(f"XQuAD data not found at {DATA} (required when CI=true)")
    out = tmp_path_factory.mktemp("xquad")
    command = [sys.executable, str(SCRIPT), "--data", str(DATA), "--out", str(out), "--limit", str(LIMIT)]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return out, result.stdout


def read_jsonl(path: Path) -> list[dict]:
    """Read one questions file."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def gold_locations() -> dict[str, tuple[int, int]]:
    """Map each question id to its (article, paragraph) index in the source data."""
    source = json.loads((DATA / "xquad.en.json").read_text(encoding="utf-8"))["data"][:LIMIT]
    return {
        qa["id"]: (a_index, p_index)
        for a_index, article in enumerate(source)
        for p_index, paragraph in enumerate(article["paragraphs"])
        for qa in paragraph["qas"]
    }


def corpus_paragraphs(corpus: Path) -> list[list[str]]:
    """Read a corpus folder back as paragraphs per article, in article order."""
    files = sorted(corpus.glob("*.txt"))
    return [path.read_text(encoding="utf-8").rstrip("\n").split("\n\n")[1:] for path in files]


def test_output_files_exist(converted: tuple[Path, str]) -> None:
    out, stdout = converted
    en_names = sorted(path.name for path in (out / "corpus-en").glob("*.txt"))
    zh_names = sorted(path.name for path in (out / "corpus-zh").glob("*.txt"))
    assert en_names == zh_names
    assert en_names == ["00_Super_Bowl_50.txt", "01_Warsaw.txt", "02_Normans.txt"]
    for direction in DIRECTIONS:
        assert (out / f"questions-{direction}.jsonl").is_file()
    assert not (out / "corpus-mixed").exists()
    assert "articles: 3" in stdout


def test_corpus_files_keep_title_and_paragraphs(converted: tuple[Path, str]) -> None:
    out, _ = converted
    for lang in ("en", "zh"):
        source = json.loads((DATA / f"xquad.{lang}.json").read_text(encoding="utf-8"))["data"][:LIMIT]
        for path, article in zip(sorted((out / f"corpus-{lang}").glob("*.txt")), source, strict=True):
            title, *paragraphs = path.read_text(encoding="utf-8").rstrip("\n").split("\n\n")
            assert title == article["title"]
            expected = [p["context"].strip().replace("\n", " ") for p in article["paragraphs"]]
            assert paragraphs == expected


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_evidence_is_in_gold_paragraph(converted: tuple[Path, str], direction: str) -> None:
    out, _ = converted
    q_lang, e_lang = direction.split("-")
    paragraphs = corpus_paragraphs(out / f"corpus-{e_lang}")
    gold = gold_locations()
    for record in read_jsonl(out / f"questions-{direction}.jsonl"):
        assert (record["lang"], record["evidence_lang"], record["answerable"]) == (q_lang, e_lang, True)
        article, paragraph = gold[record["id"]]
        [evidence] = record["evidence"]
        assert evidence and evidence in paragraphs[article][paragraph], record["id"]
        if e_lang == "zh":
            assert CJK.search(evidence), record["id"]


def test_joined_paragraphs_keep_each_evidence_in_its_gold_paragraph(tmp_path: Path) -> None:
    """`--join 3` (the long-paragraph runs of issue 17) joins paragraphs in threes; evidence still falls in
    the joined paragraph that holds its gold paragraph, and only there."""
    if not DATA.is_dir():
        missing(f"XQuAD data not found at {DATA} (required when CI=true)")
    summary = xquad.convert(DATA, tmp_path, LIMIT, join=3)
    source = json.loads((DATA / "xquad.zh.json").read_text(encoding="utf-8"))["data"][:LIMIT]
    joined = corpus_paragraphs(tmp_path / "corpus-zh")
    assert [len(a) for a in joined] == [-(-len(a["paragraphs"]) // 3) for a in source]
    assert summary["paragraphs"] == sum(map(len, joined))
    gold = gold_locations()
    for record in read_jsonl(tmp_path / "questions-en-zh.jsonl"):
        article, paragraph = gold[record["id"]]
        [evidence] = record["evidence"]
        assert [i for i, p in enumerate(joined[article]) if evidence in p] == [paragraph // 3], record["id"]


def test_directions_pair_by_question_id(converted: tuple[Path, str]) -> None:
    out, _ = converted
    records = {d: read_jsonl(out / f"questions-{d}.jsonl") for d in DIRECTIONS}
    ids = [r["id"] for r in records["en-en"]]
    assert len(ids) == len(set(ids)) == len(gold_locations())
    for direction in DIRECTIONS:
        assert [r["id"] for r in records[direction]] == ids
    # A cross-lingual file takes its questions from one language, evidence from the other.
    assert [r["question"] for r in records["en-zh"]] == [r["question"] for r in records["en-en"]]
    assert [r["evidence"] for r in records["en-zh"]] == [r["evidence"] for r in records["zh-zh"]]
    assert [r["question"] for r in records["zh-en"]] == [r["question"] for r in records["zh-zh"]]
    assert [r["evidence"] for r in records["zh-en"]] == [r["evidence"] for r in records["en-en"]]


def test_english_split_keeps_decimals_and_abbreviations() -> None:
    text = "The U.S. Army paid $3.5 million. Dr. Smith agreed, e.g. in No. 81 of Vol. 2. It rose!"
    assert split(text) == [
        "The U.S. Army paid $3.5 million.",
        "Dr. Smith agreed, e.g. in No. 81 of Vol. 2.",
        "It rose!",
    ]


def test_english_split_handles_initials_quotes_and_units() -> None:
    text = 'John F. Kennedy spoke. "Go now." It was 30 °C. After World War II. Then yes and no. Done'
    assert split(text) == [
        "John F. Kennedy spoke.",
        '"Go now."',
        "It was 30 °C.",
        "After World War II.",
        "Then yes and no.",
        "Done",
    ]


def test_chinese_split_on_full_stops_only() -> None:
    text = "\ufeff他说：“价格上涨了。”然后呢？会议结束；大家离开。版本 3.5 发布！ 尾句"
    assert split(text, "zh") == [
        "他说：“价格上涨了。”",
        "然后呢？",
        "会议结束；大家离开。",
        "版本 3.5 发布！",
        "尾句",
    ]


def test_runner_evaluates_every_direction_and_mode(tmp_path: Path) -> None:
    """`make bench-xquad` end to end on two articles: real ingest, real eval, the table and its JSON."""
    if not DATA.is_dir():
        missing(f"XQuAD data not found at {DATA} (required when CI=true)")
    results = tmp_path / "xquad.json"
    command = [sys.executable, str(SCRIPT.with_name("run_xquad.py")), "--data", str(DATA),
               "--work", str(tmp_path / "work"), "--limit", "2", "--results", str(results)]
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    run = subprocess.run(command, capture_output=True, text=True, check=True, env=env)
    rows = json.loads(results.read_text(encoding="utf-8"))["rows"]
    assert {(r["direction"], r["mode"]) for r in rows} == {
        (d.replace("-", "->"), m) for d in DIRECTIONS for m in ("dense", "bm25", "hybrid")
    }
    by = {(r["direction"], r["mode"]): r for r in rows}
    # one chunk per paragraph (2 articles of 5 paragraphs); BM25 crosses languages through the dictionary
    assert all(r["n_chunks"] == 10 for r in rows)
    assert by[("en->zh", "bm25")]["hit@5"] > 0.5
    # fusion keeps the cross-lingual hits of the better channel
    for direction in ("en->zh", "zh->en"):
        best = max(by[(direction, mode)]["hit@5"] for mode in ("dense", "bm25"))
        assert by[(direction, "hybrid")]["hit@5"] >= best - 0.05, direction
    assert "| zh->en | hybrid |" in run.stdout and "same-language hit@1" in run.stdout
