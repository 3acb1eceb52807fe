"""eval/reproduce.yaml and the README tables made from it (eval/reproduce.py, `make reproduce`).

The YAML must parse, every command must be one the CLI (or a script in the repo) accepts and write the
report its conditions read, every cell must have an expected value, and the README's tables must be
exactly what the runner makes from the YAML, so a number edited by hand in the README fails here.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from policyqa.cli import build_parser
from policyqa.settings import Settings

REPO = Path(__file__).resolve().parents[2]


def load_runner():
    spec = importlib.util.spec_from_file_location("reproduce", REPO / "eval" / "reproduce.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


runner = load_runner()
_, SPEC = runner.load()
SETUP = sorted({c for group in SPEC["groups"].values() for c in group.get("setup", [])})
REPORTS = sorted({(c["command"], c["report"]) for c in SPEC["conditions"]})


def valid(command: str, work: Path, report: Path | None = None) -> list[str]:
    """The argv of a spec command, after checking the CLI accepts it and its environment names settings."""
    env, argv = runner.command_argv(command, work, report)
    assert {name.removeprefix("POLICYQA_").lower() for name in env} <= set(Settings.model_fields)
    if Path(argv[0]).name == "policyqa":
        build_parser().parse_args(argv[1:])  # exits 2 on an invalid invocation
    else:
        assert argv[0] == sys.executable and (REPO / argv[1]).is_file()
    return argv


@pytest.mark.parametrize("command", SETUP)
def test_setup_commands_are_valid(command: str, tmp_path: Path) -> None:
    valid(command, tmp_path)


@pytest.mark.parametrize(("command", "report"), REPORTS)
def test_condition_commands_are_valid_and_write_their_report(command: str, report: str, tmp_path) -> None:
    argv = valid(command, tmp_path, tmp_path / report)
    assert argv[argv.index(str(tmp_path / report)) - 1] in {"--output", "--results"}


def test_one_command_per_report() -> None:
    """Conditions that read the same report share its one run, so they must name the same command."""
    assert len({report for _, report in REPORTS}) == len(REPORTS)


@pytest.mark.parametrize("cond", SPEC["conditions"], ids=lambda c: f"{c['table']}: {' '.join(c['row'])}")
def test_every_cell_has_an_expected_value(cond: dict) -> None:
    table = SPEC["tables"][cond["table"]]
    assert table["group"] in SPEC["groups"]
    assert len(cond["row"]) == len(table["head"])
    keys = [k for col in runner.columns(SPEC, cond["table"]).values() for k in col["keys"]]
    assert set(keys) == set(cond["expected"])


def test_readme_tables_are_the_ones_the_yaml_makes() -> None:
    text = runner.README.read_text(encoding="utf-8")
    assert {m["name"] for m in runner.BLOCK.finditer(text)} == set(SPEC["tables"])
    assert runner.with_tables(SPEC, text) == text, "README tables edited by hand: python eval/reproduce.py " \
        "--write-readme (or --update after a change that moves the numbers)"


def test_list_segments_pick_the_row_with_those_items() -> None:
    report = {"rows": [{"direction": "en->zh", "mode": "bm25", "hit@1": 0.2},
                       {"direction": "en->zh", "mode": "hybrid", "hit@1": 0.8}]}
    assert runner.lookup(report, "rows.direction=en->zh&mode=hybrid.hit@1") == 0.8
