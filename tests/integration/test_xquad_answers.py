"""`run_xquad.py --answers`: the answer benchmark on XQuAD's gold answer strings (issue 16 part 2).

A tiny hand-made XQuAD-shaped pair of files (one article, three paragraphs, English and Chinese with the
same question ids and different gold strings per language) goes through the real runner: conversion, real
ingest with the real embedder, the real Answerer. The checks are that the gold comes from the evidence
language, that each verdict follows the matching rule, and that the table, JSON and per-question files
agree.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from policyqa.evaluate.answers import without_markers
from policyqa.evaluate.metrics import relevant
from policyqa.records import Answer

BENCH = Path(__file__).resolve().parents[2] / "eval" / "benchmarks"
sys.path.insert(0, str(BENCH))
import run_xquad  # noqa: E402  (eval/benchmarks is not a package)

# (question id, paragraph, English question, English gold, Chinese question, Chinese gold)
PARAGRAPHS = [
    ("The Brightwater lighthouse was built in 1874 on Gull Island. It stands 42 metres tall and its lamp "
     "can be seen 30 kilometres out at sea.",
     "明水灯塔于1874年建于海鸥岛。灯塔高42米，其灯光在30公里外的海上也能看到。",
     [("q1", "When was the Brightwater lighthouse built?", "1874", "明水灯塔是哪一年建成的？", "1874年"),
      ("q2", "How tall is the Brightwater lighthouse?", "42 metres", "明水灯塔有多高？", "42米")]),
    ("The town of Eastmoor is famous for its cheese market. Farmers sell goat cheese there every "
     "Saturday morning.",
     "东沼镇以奶酪市场闻名。农民每周六上午在那里出售山羊奶酪。",
     [("q3", "On which day do farmers sell goat cheese in Eastmoor?", "Saturday",
       "东沼镇的农民在哪一天出售山羊奶酪？", "周六")]),
    ("The river Lenn flows 210 kilometres from the Rook Mountains to the northern sea. Its largest "
     "tributary is the Ashbrook.",
     "伦河从鲁克山脉流出，全长210公里，注入北海。它最大的支流是灰溪。",
     [("q4", "What is the largest tributary of the river Lenn?", "the Ashbrook",
       "伦河最大的支流是什么？", "灰溪")]),
]
GOLD = {"en": {qa[0]: qa[2] for *_, qas in PARAGRAPHS for qa in qas},
        "zh": {qa[0]: qa[4] for *_, qas in PARAGRAPHS for qa in qas}}


def squad(lang: str) -> dict:
    """One language's file in SQuAD v1.1 shape, answer_start pointing at the gold string."""
    paragraphs = []
    for en, zh, qas in PARAGRAPHS:
        context = en if lang == "en" else zh
        rows = []
        for qid, q_en, a_en, q_zh, a_zh in qas:
            answer = a_en if lang == "en" else a_zh
            rows.append({"id": qid, "question": q_en if lang == "en" else q_zh,
                         "answers": [{"text": answer, "answer_start": context.index(answer)}]})
        paragraphs.append({"context": context, "qas": rows})
    return {"version": "1.0", "data": [{"title": "Places", "paragraphs": paragraphs}]}


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, str]:
    """Run the benchmark once with answers on 3 of the 4 questions; return work folder, JSON, stdout."""
    root = tmp_path_factory.mktemp("xquad_answers")
    data = root / "data"
    data.mkdir()
    for lang in ("en", "zh"):
        text = json.dumps(squad(lang), ensure_ascii=False)
        (data / f"xquad.{lang}.json").write_text(text, encoding="utf-8")
    results = root / "results.json"
    command = [sys.executable, str(BENCH / "run_xquad.py"), "--data", str(data), "--work", str(root / "work"),
               "--modes", "hybrid", "--answers", "--answer-limit", "3", "--results", str(results)]
    done = subprocess.run(command, capture_output=True, text=True, check=True,
                          env={**os.environ, "HF_HUB_OFFLINE": "1"})
    return root / "work", json.loads(results.read_text(encoding="utf-8")), done.stdout


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.slow
@pytest.mark.parametrize("direction", ["en->en", "zh->zh", "en->zh", "zh->en"])
def test_gold_from_evidence_language_and_scores_follow_the_rule(run, direction: str) -> None:
    work, payload, _ = run
    q_lang, e_lang = direction.split("->")
    records = read_jsonl(work / f"answers-{q_lang}-{e_lang}.jsonl")
    assert [r["id"] for r in records] == ["q1", "q2", "q3"]  # 3 of 4, spread evenly: 0, 4//3, 8//3
    for r in records:
        assert r["gold"] == [GOLD[e_lang][r["id"]]]
        assert r["in_lead"] == (not r["declined"] and relevant(r["lead"], r["gold"]))
        assert r["in_answer"] == (not r["declined"] and relevant(without_markers(r["answer"]), r["gold"]))
        assert r["in_answer"] or not r["in_lead"]
    [row] = [row for row in payload["rows"] if row["direction"] == direction]
    assert row["answers_n"] == 3
    assert row["lead_accuracy"] == round(sum(r["in_lead"] for r in records) / 3, 4)
    assert row["answer_accuracy"] == round(sum(r["in_answer"] for r in records) / 3, 4)
    assert row["decline_rate"] == round(sum(r["declined"] for r in records) / 3, 4)


@pytest.mark.slow
def test_same_language_answers_lead_with_the_gold(run) -> None:
    """On three unambiguous one-paragraph questions the answer layer leads with the gold in both languages."""
    _, payload, stdout = run
    by = {row["direction"]: row for row in payload["rows"]}
    assert by["en->en"]["lead_accuracy"] >= 2 / 3
    assert by["zh->zh"]["lead_accuracy"] >= 2 / 3
    assert "lead acc" in stdout and "3 of 4, spread evenly" in payload["info"]["answers"]


def answer(text: str, declined: bool = False) -> Answer:
    return Answer(question="q", answer=text, backend="extractive", declined=declined)


def test_judge_reads_the_lead_up_to_the_first_marker() -> None:
    verdict = run_xquad.judge(answer("It was built in 1874. [1] It is 42 metres tall. [2]"), ["42 Metres"])
    assert verdict == {"declined": False, "in_lead": False, "in_answer": True}
    assert run_xquad.judge(answer("Built in 1874 [1]."), ["1874"])["in_lead"]


def test_judge_ignores_markers_and_declines() -> None:
    # a citation marker [2] is not a gold "2"
    assert not run_xquad.judge(answer("No figure is given. [2]"), ["2"])["in_answer"]
    assert run_xquad.judge(answer("The documents do not say 1874.", declined=True), ["1874"]) == {
        "declined": True, "in_lead": False, "in_answer": False}


def test_answer_sample_spreads_over_the_set() -> None:
    questions = list(range(10))
    assert run_xquad.answer_sample(questions, None) == questions
    assert run_xquad.answer_sample(questions, 20) == questions
    assert run_xquad.answer_sample(questions, 4) == [0, 2, 5, 7]


def test_targets_read_the_worst_direction_of_each_mode() -> None:
    """Issue 17's targets are printed next to the older ones, each judged on its worst direction."""
    numbers = {"en->en": (0.950, 0.997), "zh->zh": (0.937, 0.996), "en->zh": (0.789, 0.952),
               "zh->en": (0.835, 0.967)}
    rows = [{"direction": d, "mode": "hybrid", "hit@1": h1, "hit@5": h5} for d, (h1, h5) in numbers.items()]
    check = run_xquad.target_check(rows, "hybrid")
    assert check == {"same-language hit@1": 0.937, "cross-lingual hit@1": 0.789, "cross-lingual hit@5": 0.952}
    assert run_xquad.verdict(check, run_xquad.TARGETS) == (
        "same-language hit@1 0.937 (meets 0.93), cross-lingual hit@5 0.952 (meets 0.92)")
    assert run_xquad.verdict(check, run_xquad.ISSUE17_TARGETS) == (
        "same-language hit@1 0.937 (below 0.95), cross-lingual hit@1 0.789 (below 0.8), "
        "cross-lingual hit@5 0.952 (meets 0.95)")
