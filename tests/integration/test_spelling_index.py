"""Typos in a question on the real index: what is searched for, what the answer says, and that no eval
question spelt right is touched (settings `spelling*`, text/spelling.py)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from cli_runner import policyqa
from conftest import ROOT

#: the third user audit's question: declined as typed before, answered from the national measures spelt right
TYPED = "Waht dose the nationl polcy say about comercial insurance for innovatve drugs?"
SEARCHED = "What dose the national policy say about commercial insurance for innovative drugs?"
NATIONAL = "nhsa-nhc-innovative-drug-measures-2025"


def test_no_eval_question_spelt_right_is_changed(retriever) -> None:
    """Every question of every eval file (1,900 in both languages, names of places and bodies the corpus
    lacks among them) is searched for exactly as written."""
    changed = [(path.name, q["id"], retriever.spelled(q["question"]).changes)
               for path in sorted((ROOT / "eval").glob("*.jsonl"))
               for q in map(json.loads, path.read_text(encoding="utf-8").splitlines())
               if retriever.spelled(q["question"]).changes]
    assert changed == []


def test_the_audit_question_is_answered_as_spelt_right(built) -> None:
    index = str(built[0].index_dir)
    result = policyqa("ask", TYPED, "--json", "--index", index)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["question"] == TYPED  # what the user typed, with what was searched in the notice
    assert f"“{SEARCHED}”" in answer["notice"]
    assert not answer["declined"]
    assert {c["doc_id"] for c in answer["citations"]} == {NATIONAL}
    right = json.loads(policyqa("ask", SEARCHED, "--json", "--index", index).stdout)
    assert answer["answer"] == right["answer"]


def test_switched_off_the_typos_are_searched_as_typed(built) -> None:
    result = policyqa("ask", TYPED, "--json", "--index", str(built[0].index_dir),
                      env={"POLICYQA_SPELLING": "false"})
    answer = json.loads(result.stdout)
    assert answer["declined"]
    assert "Searched for" not in answer["notice"]


def test_search_and_compare_say_what_they_searched_for(built) -> None:
    index = str(built[0].index_dir)
    search = policyqa("search", "Beijng clincal trial aproval", "-k", "1", "--index", index)
    assert search.stdout.startswith("Searched for “Beijing clinical trial approval” (spelling corrected).")
    plain = policyqa("search", "Beijing clinical trial approval", "-k", "1", "--index", index)
    assert search.stdout.split("\n", 2)[2] == plain.stdout
    compare = json.loads(policyqa("compare", "Which regions rewrad comercial insurance?", "--json",
                                  "--index", index).stdout)
    assert compare["question"] == "Which regions rewrad comercial insurance?"
    assert "“Which regions reward commercial insurance?”" in compare["notice"]


@pytest.mark.parametrize("words", [0, 2])
def test_the_typo_benchmark_misspells_english_questions_only(tmp_path, words: int) -> None:
    """eval/typos.py keeps ids (prefixed by file), evidence and Chinese questions; `words` long English
    words per question get one slip each, the same for the same seed."""
    source = ROOT / "eval" / "heldout.jsonl"
    outputs = []
    for run in range(2):
        out = tmp_path / f"typos{run}.jsonl"
        subprocess.run([sys.executable, str(ROOT / "eval" / "typos.py"), str(source), "--output", str(out),
                        "--words", str(words)], check=True, capture_output=True)
        outputs.append(out.read_text(encoding="utf-8"))
    assert outputs[0] == outputs[1]
    original = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines()]
    typed = [json.loads(line) for line in outputs[0].splitlines()]
    assert [t["id"] for t in typed] == [f"heldout-{q['id']}" for q in original]
    for q, t in zip(original, typed, strict=True):
        assert {**t, "id": q["id"], "question": q["question"]} == q
        differ = sum(a != b for a, b in zip(q["question"].split(), t["question"].split(), strict=True))
        if words == 0 or q["lang"] == "zh":
            assert differ == 0
        else:
            assert 1 <= differ <= 2
