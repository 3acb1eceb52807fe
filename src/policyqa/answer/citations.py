"""Citation markers: neutralising a source's own, validating and renumbering a model's."""

from __future__ import annotations

import re
from dataclasses import dataclass

_SOURCE_MARKER = re.compile(r"\[(\d{1,4})\]")


def neutralise_markers(text: str) -> str:
    """Bracketed numbers that a source itself contains ("... yuan [3].") must not read as our citations."""
    return _SOURCE_MARKER.sub("［\\1］", text)


_CITATION_MARKER = re.compile(r"[\[【]\s*(\d{1,4}(?:\s*[,，、;；]\s*\d{1,4})*)\s*[\]】]")

_OPEN_TAIL = re.compile(r"[\[【][\d\s,，、;；]{0,12}$")


@dataclass
class CheckedText:
    """Generated text with its markers renumbered to the citations it really has."""

    text: str
    passages: list[int]  # 0-based hit index of citation n = position + 1
    claims: dict[int, list[str]]  # hit index -> the answer's text that cites it
    dropped: list[int]


def check_citations(raw: str, n_passages: int, final: bool = True) -> CheckedText:
    """Keep [n] only when passage n was given; renumber in order of first use; drop the rest.

    "[2, 5]" becomes "[1][2]" when 2 and 5 are the first passages cited. In a partial text an unfinished
    marker at the end ("... [1") is held back until it is complete.
    """
    if not final:
        tail = _OPEN_TAIL.search(raw)
        if tail:
            raw = raw[: tail.start()]
    passages: list[int] = []
    claims: dict[int, list[str]] = {}
    dropped: list[int] = []
    out: list[str] = []
    last = 0
    for match in _CITATION_MARKER.finditer(raw):
        before = raw[last : match.start()]
        out.append(before)
        claim = _last_clause("".join(out))
        markers = []
        for number in (int(x) for x in re.findall(r"\d+", match.group(1))):
            if not 1 <= number <= n_passages:
                if number not in dropped:
                    dropped.append(number)
                continue
            hit = number - 1
            if hit not in passages:
                passages.append(hit)
            if claim:
                claims.setdefault(hit, []).append(claim)
            marker = f"[{passages.index(hit) + 1}]"
            if marker not in markers:
                markers.append(marker)
        if markers:
            out.append("".join(markers))
        elif out:
            out[-1] = out[-1].rstrip(" ")
        last = match.end()
    out.append(raw[last:])
    return CheckedText("".join(out), passages, claims, dropped)


def _last_clause(text: str) -> str:
    """The claim a marker closes: the text since the previous marker or sentence end."""
    text = re.sub(r"\[\d+\]\s*$", "", text.rstrip())
    pieces = re.split(r"\[\d+\]|(?<=[。！？!?])|(?<=\.)\s|\n", text)
    return pieces[-1].strip() if pieces else ""


def cited_numbers(text: str) -> list[int]:
    """The passage numbers a text's citation markers name, as written ("[2, 5]" gives 2 and 5)."""
    return [int(x) for m in _CITATION_MARKER.finditer(text) for x in re.findall(r"\d+", m.group(1))]


def without_markers(text: str) -> str:
    """The text with its citation markers taken out: the claim itself."""
    return _CITATION_MARKER.sub("", text).strip()
