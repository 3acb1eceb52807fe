"""The `policyqa` entry point in a real subprocess, as a user runs it.

Every other command-line test runs `policyqa.cli.main` in the test process (tests/cli_runner.py); these
check what that cannot: the module runs as a program, prints to the real stdout and stderr, and exits
with the command's code.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from app_server import loopback_env, run_cli

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


def test_output_piped_into_a_reader_that_stops_early_is_no_error(built, tmp_path) -> None:
    """`policyqa ask … | head -1`: head exits after one line; the answer then goes to a closed pipe,
    which must end quietly with exit code 0, not with a BrokenPipeError traceback."""
    command = [sys.executable, "-m", "policyqa.cli", "ask", "北京临床试验审批时限", "--index",
               str(built[0].index_dir)]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path,
                            env=loopback_env())
    proc.stdout.close()  # the reader is gone before the answer is printed (loading takes seconds)
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=600) == 0 and "Traceback" not in stderr, stderr[-2000:]



def test_serve_prints_no_faiss_loader_lines(open_server) -> None:
    """faiss logs at INFO that it tried its AVX2 build, with a ModuleNotFoundError where the wheel has none,
    before it loads the generic build the project wants: harmless, but it alarmed users reading serve's
    start. Its loader logs from WARNING up only; serve's own lines still show."""
    started = open_server.output()
    assert "policyqa is ready:" in started and "documents" in started
    assert "faiss.loader" not in started and "ModuleNotFoundError" not in started, started[-3000:]
