"""The server's log stays readable: libraries' chatter is held back to warnings, whenever imported."""

from __future__ import annotations

import logging
import subprocess
import sys


def test_bm25s_stays_quiet_though_its_import_sets_its_logger_to_debug() -> None:
    """bm25s sets its own logger to DEBUG when imported, so a level set before its import was undone and
    every upload printed "Building index from tokens"; its one import site (index/lexical.py) sets it
    back. Checked in a fresh interpreter, where bm25s is imported for the first time."""
    code = ("import logging; from policyqa.app.server import quiet_logs; quiet_logs(); "
            "from policyqa.index.lexical import _bm25s; _bm25s(); "
            "print(logging.getLogger('bm25s').getEffectiveLevel())")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert int(done.stdout.split()[-1]) >= logging.WARNING
