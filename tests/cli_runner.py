"""The `policyqa` command run inside the test process, as a subprocess would run it but without paying
Python start-up, the imports and the model load on every call (an xdist worker keeps its models loaded).

`policyqa.cli.main` is the whole command: argument parsing, settings from the environment and the
working directory's `policyqa.yaml`, the one-line errors and the exit codes. Here it runs with the
environment and working directory it is given (both restored after), its stdout and stderr captured, and
its exit code returned the way the interpreter would return it: SystemExit's code, or 1 with the
traceback on stderr for an uncaught exception. `test_cli_smoke.py` still runs `python -m policyqa.cli`
in a real subprocess, so the entry point itself stays covered.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import traceback
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

#: variables a test's command must not inherit from the developer's shell
UNSET = ("POLICYQA_CONFIG",)


def policyqa(*args: str, cwd: Path | str | None = None, env: dict[str, str] | None = None
             ) -> subprocess.CompletedProcess:
    """Run `policyqa ARGS` in this process; stdout, stderr and the exit code as a CompletedProcess."""
    from policyqa.cli import main

    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    out, err = io.StringIO(), io.StringIO()
    try:
        for name in UNSET:
            os.environ.pop(name, None)
        os.environ.update(env or {})
        if cwd is not None:
            os.chdir(cwd)
        with redirect_stdout(out), redirect_stderr(err):
            code = _exit_code(main, list(args))
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
    return subprocess.CompletedProcess(["policyqa", *args], code, out.getvalue(), err.getvalue())


def _exit_code(main, argv: list[str]) -> int:
    """What the interpreter would exit with after `sys.exit(main(argv))`."""
    try:
        return main(argv)
    except SystemExit as exc:  # argparse refusing an argument exits with 2
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or 0
        print(exc.code, file=sys.stderr)
        return 1
    except Exception:  # uncaught: a traceback and exit code 1, as in a process
        traceback.print_exc()
        return 1
