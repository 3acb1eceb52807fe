"""Heading lines by their numbers (第三章, 一、, （二）, 1., (3), I.) or Markdown marks: where the chunker
cuts sections, and which Word headings the loader may write without marks (their number says it)."""

from __future__ import annotations

import re

CN_NUM = "一二三四五六七八九十百零"

EN_NUM_WORD = "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"

_PAREN = r"[（(]"

_CLOSE = r"[)）]"

# (level, pattern) in order of precedence; parenthesised markers share one level unless an Arabic
# "1." item is open, because translated plans mix (1), (II) and (Four) as siblings.
HEADING_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("md", re.compile(r"^(#{1,6})\s+\S")),
    ("chapter", re.compile(rf"^第[{CN_NUM}\d]+[章节部分篇条]")),
    ("l1", re.compile(rf"^[{CN_NUM}]+[、.．]")),
    ("l1", re.compile(r"^[IVX]{1,5}\.\s")),
    ("paren", re.compile(rf"^{_PAREN}(?:[{CN_NUM}]+|[IVX]{{1,5}}|{EN_NUM_WORD}){_CLOSE}", re.I)),
    ("num", re.compile(r"^\d{1,2}[.、．](?!\d)")),
    ("paren_num", re.compile(rf"^{_PAREN}\d{{1,2}}{_CLOSE}")),
]


def is_numbered_heading(line: str) -> bool:
    """Whether a line is a heading by its own number, without Markdown marks: the chunker reads it as one
    whatever the loader writes before it."""
    return any(pattern.match(line) for level, pattern in HEADING_PATTERNS if level != "md")
