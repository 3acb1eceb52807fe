"""Every metric eval/reproduce.yaml reads for the bundled corpus is in a real report of the command that
measures it (`policyqa eval --answers`, or `policyqa eval eval/compare.jsonl`), so `make reproduce` cannot
silently read a key the report no longer writes."""

from __future__ import annotations

import importlib.util

from conftest import ROOT
from policyqa.answer.answerer import Answerer
from policyqa.evaluate.compare import evaluate_compare
from policyqa.evaluate.questions import load_questions
from policyqa.evaluate.run import run_eval


def test_policy_tables_read_keys_a_real_report_has(built, retriever) -> None:
    spec = importlib.util.spec_from_file_location("reproduce", ROOT / "eval" / "reproduce.py")
    runner = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(runner)
    _, reproduce = runner.load()
    heldout = load_questions(ROOT / "eval" / "heldout.jsonl")
    reports = {"answers": run_eval(heldout, retriever, built[0], answers=True),
               "compare": evaluate_compare(ROOT / "eval" / "compare.jsonl", Answerer(built[0], retriever))}
    paths = {(kind, f"{cond.get('root', table.get('root', 'metrics'))}.{key}")
             for cond in reproduce["conditions"]
             if (table := reproduce["tables"][cond["table"]])["group"] == "policy"
             for kind in ["compare" if "compare.jsonl" in cond["command"] else "answers"]
             for col in runner.columns(reproduce, cond["table"]).values() for key in col["keys"]}
    assert len(paths) > 40 and {kind for kind, _path in paths} == {"answers", "compare"}
    for kind, path in sorted(paths):
        value = runner.lookup(reports[kind], path)
        assert value is None or isinstance(value, int | float), path
