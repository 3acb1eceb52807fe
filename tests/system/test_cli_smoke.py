"""The `policyqa` entry point in a real subprocess, as a user runs it.

Every other command-line test runs `policyqa.cli.main` in the test process (tests/cli_runner.py); these
check what that cannot: the module runs as a program, prints to the real stdout and stderr, and exits
with the command's code.
"""

from __future__ import annotations

import json

import pytest

from app_server import run_cli

pytestmark = pytest.mark.slow


def test_search_runs_as_a_program_and_prints_json(built, tmp_path) -> None:
    index = str(built[0].index_dir)
    done = run_cli("search", "药品目录", "--index", index, "--k", "2", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    hits = json.loads(done.stdout)
    assert len(hits) == 2 and all(h["text"] for h in hits)


def test_an_expected_error_is_one_line_and_exit_code_2(tmp_path) -> None:
    done = run_cli("ask", "创新药", "--index", str(tmp_path / "none"), cwd=tmp_path)
    assert done.returncode == 2 and "no index" in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
