"""A ranked candidate as it moves through the channels, the fusion, the reranker and dedup."""

from __future__ import annotations

from typing import NamedTuple


class Candidate(NamedTuple):
    """A chunk row with its score in the current mode and its dense cosine (the refusal rule reads it)."""

    row: int
    score: float
    cosine: float | None
