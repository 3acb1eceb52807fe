"""Every metric eval/reproduce.yaml reads for the bundled corpus is in a real `policyqa eval --answers`
report, so `make reproduce` cannot silently read a key the report no longer writes."""

from __future__ import annotations

import importlib.util

from conftest import ROOT
from policyqa.evaluate.questions import load_questions
from policyqa.evaluate.run import run_eval


def test_policy_tables_read_keys_a_real_report_has(built, retriever) -> None:
    spec = importlib.util.spec_from_file_location("reproduce", ROOT / "eval" / "reproduce.py")
    runner = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(runner)
    _, reproduce = runner.load()
    report = run_eval(load_questions(ROOT / "eval" / "heldout.jsonl"), retriever, built[0], answers=True)
    paths = [f"{table.get('root', 'metrics')}.{key}"
             for name, table in reproduce["tables"].items() if table["group"] == "policy"
             for col in runner.columns(reproduce, name).values() for key in col["keys"]]
    assert len(paths) > 40
    for path in paths:
        value = runner.lookup(report, path)
        assert value is None or isinstance(value, int | float), path
