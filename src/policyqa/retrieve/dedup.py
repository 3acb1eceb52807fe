"""Near-duplicate passages (the same text in two files) are shown once."""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

_NON_WORD = re.compile(r"\W+")


def collapse_near_duplicates(scored, shingles_of: Callable[[int], np.ndarray], threshold: float = 0.8):
    """Drop a passage whose character 4-grams mostly repeat a better-ranked one (same text in two files).

    A generator, so only the passages up to the k-th kept one are shingled (`shingles_of(row)`).
    """
    shingles: list[np.ndarray] = []
    for item in scored:
        grams = shingles_of(item[0])
        if any(_contained(grams, other) >= threshold for other in shingles):
            continue
        shingles.append(grams)
        yield item


_GRAM_BASE = np.uint64(1_000_003)


def shingles(text: str) -> np.ndarray:
    """Sorted hashes of the character 4-grams of the text without spaces or punctuation (numpy: ~20 us)."""
    flat = _NON_WORD.sub("", text.lower()) or text
    codes = np.frombuffer(flat.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(codes) < 4:
        return np.unique(codes)
    with np.errstate(over="ignore"):
        grams = ((codes[:-3] * _GRAM_BASE + codes[1:-2]) * _GRAM_BASE + codes[2:-1]) * _GRAM_BASE + codes[3:]
    return np.unique(grams)


def _contained(candidate: np.ndarray, kept: np.ndarray) -> float:
    """Share of a lower-ranked passage already shown by a better one (a longer passage that quotes a
    title shown above it adds text, so it stays)."""
    return np.intersect1d(candidate, kept, assume_unique=True).size / max(1, candidate.size)
