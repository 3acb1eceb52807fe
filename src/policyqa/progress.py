"""Progress bars that stay readable where nobody watches a terminal.

On a terminal, tqdm's bar redraws in place. Written to a log (CI, `policyqa ingest … 2> ingest.log`),
every redraw was one more copy of the bar, run together by carriage returns and escape codes: there a bar
prints a plain line at most every `LOG_SECONDS`, and its last state when it closes.
"""

from __future__ import annotations

import re
import sys
from typing import TextIO

from tqdm import tqdm

#: seconds between two lines of a bar written to a log
LOG_SECONDS = 30.0
#: the cursor moves tqdm writes to redraw several bars at once
_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class _Lines:
    """A stream for tqdm that turns each redraw into a line of its own."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> None:
        if line := _ESCAPE.sub("", text).replace("\r", "").strip():
            self.stream.write(line + "\n")

    def flush(self) -> None:
        self.stream.flush()


def bar(stream: TextIO | None = None, **options) -> tqdm:
    """A tqdm bar on `stream` (default stderr): redrawn in place on a terminal, as lines in a log."""
    stream = stream or sys.stderr
    if stream.isatty():
        return tqdm(file=stream, **options)
    return tqdm(file=_Lines(stream), mininterval=LOG_SECONDS, ncols=100, ascii=True, **options)


class StageBars:
    """The index build's progress callback `(stage, done, total)`: one bar per stage, named by `labels`
    (index.build.STAGES); `close()` when the build ends, also on an error."""

    def __init__(self, labels: dict[str, str]) -> None:
        self.labels = labels
        self.bars: dict[str, tqdm] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        current = self.bars.get(stage) or self.bars.setdefault(
            stage, bar(total=total, desc=self.labels.get(stage, stage), unit=""))
        current.total = total
        current.update(done - current.n)

    def close(self) -> None:
        for shown in self.bars.values():
            shown.close()
