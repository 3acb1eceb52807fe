"""Every question file in eval/ passes eval/check_questions.py against the bundled corpus: each gold evidence
string occurs exactly once in the seeds, outside boilerplate, in the language the file says. A question
file with a typo in its evidence would silently lower every number measured on it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import ROOT

CHECKER = ROOT / "eval" / "check_questions.py"


def _check(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(CHECKER), "--seeds", str(ROOT / "corpus"), *args],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)


QUESTION_FILES = sorted(p.name for p in (ROOT / "eval").glob("*.jsonl") if p.name != "compare.jsonl")


def test_every_question_file_is_checked() -> None:
    """A new split is checked from the day it lands (fresh6 once went unchecked when the list was typed)."""
    assert {"questions.jsonl", "heldout.jsonl", "fresh6.jsonl", "fresh7.jsonl",
            "fresh8.jsonl", "fresh9.jsonl", "fresh10.jsonl", "fresh11.jsonl",
            "fresh12.jsonl", "fresh13.jsonl", "fresh14.jsonl", "fresh15.jsonl",
            "fresh16.jsonl", "fresh17.jsonl", "fresh18.jsonl"} <= set(QUESTION_FILES)


@pytest.mark.parametrize("args", [*(("--questions", f"eval/{name}") for name in QUESTION_FILES),
                                   ("--compare", "eval/compare.jsonl")], ids=lambda a: a[1])
def test_eval_file_passes_the_checker(args: tuple[str, str]) -> None:
    done = _check(args[0], str(ROOT / args[1]))
    assert done.returncode == 0 and "OK: 0 problems" in done.stdout, done.stdout[-2000:] + done.stderr


def test_the_checker_rejects_evidence_the_seeds_do_not_hold(tmp_path) -> None:
    """The check can fail: an evidence string changed by one character is reported."""
    line = (ROOT / "eval" / "fresh2.jsonl").read_text(encoding="utf-8").splitlines()[0]
    broken = line.replace('"evidence": ["', '"evidence": ["Xq', 1)
    assert broken != line
    path = tmp_path / "broken.jsonl"
    path.write_text(broken + "\n", encoding="utf-8")
    done = _check("--questions", str(path))
    assert done.returncode == 1 and "OK: 0 problems" not in done.stdout, done.stdout
