"""Rerankers: a second look at the first candidates of any mode."""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

from ..embedding import resolve_model_path
from ..index.reader import Index
from ..settings import RerankSettings
from ..text.figures import ASKS_FIGURE, FIGURE
from ..text.sentences import split_sentences
from .candidates import Candidate

#: defaults for rerankers made without settings (tests, scripts)
_DEFAULTS = RerankSettings()


class Reranker(ABC):
    """A second look at the first `depth` candidates of any mode: it reorders them, never adds or drops.

    The candidates keep the scores of the places they move to, so scores stay on the mode's scale and
    in order (the refusal rule and the UI read them).
    """

    def __init__(self, depth: int = _DEFAULTS.depth) -> None:
        self.depth = depth

    def rerank(self, question: str, query: np.ndarray, scored: list[Candidate],
               index: Index) -> list[Candidate]:
        head, tail = scored[: self.depth], scored[self.depth :]
        if len(head) < 2:
            return scored
        rows = np.array([row for row, _, _ in head], dtype=np.int64)
        fused = np.array([score for _, score, _ in head])
        order = np.argsort(-self.scores(question, query, rows, fused, index), kind="stable")
        moved = [Candidate(head[i].row, place, head[i].cosine) for i, place in zip(order, fused, strict=True)]
        return moved + tail

    @abstractmethod
    def scores(self, question: str, query: np.ndarray, rows: np.ndarray, fused: np.ndarray,
               index: Index) -> np.ndarray:
        """New scores for the candidate rows (higher first); `fused` are the mode's own scores."""

    def config(self) -> dict:
        """What this reranker is, for the eval report."""
        return {"name": type(self).__name__, "depth": self.depth}


class AnswerTypeReranker(Reranker):
    """Moves up, for a question that asks for a figure, the passages whose best sentence states one.

    The embedder maps every number to one placeholder (so "10 parks" is near "how many parks"), which
    leaves it blind to whether a passage states a figure at all; the best sentence is found with the
    sentence vectors built at ingest.
    """

    def __init__(self, weight: float = _DEFAULTS.answer_type_weight, depth: int = _DEFAULTS.depth) -> None:
        super().__init__(depth)
        self.weight = weight

    def config(self) -> dict:
        return {**super().config(), "weight": self.weight}

    def scores(self, question, query, rows, fused, index) -> np.ndarray:
        if not ASKS_FIGURE.search(question):
            return fused
        states = np.array([bool(FIGURE.search(_best_sentence(index, row, query))) for row in rows])
        return fused + self.weight * states


class CrossEncoderReranker(Reranker):
    """A sentence-transformers cross-encoder from a local folder reads question and passage together.

    No packaged multilingual cross-encoder exists, so none is bundled; point `reranker` at a folder
    (`cross-encoder:/models/bge-reranker-v2-m3`). Nothing is downloaded.
    """

    def __init__(self, folder: str, batch_size: int = 16, depth: int = _DEFAULTS.depth) -> None:
        from sentence_transformers import CrossEncoder

        super().__init__(depth)
        self.folder = folder
        self.model = CrossEncoder(resolve_model_path(folder), device="cpu")
        self.batch_size = batch_size

    def config(self) -> dict:
        return {**super().config(), "model": self.folder}

    def scores(self, question, query, rows, fused, index) -> np.ndarray:
        pairs = [(question, index.chunks[row].text) for row in rows]
        return np.asarray(self.model.predict(pairs, batch_size=self.batch_size), dtype=np.float64).reshape(-1)


def make_reranker(spec: str, settings: RerankSettings = _DEFAULTS) -> Reranker | None:
    """'' or 'none', 'answer-type' or 'cross-encoder:<local folder or model package>'."""
    if spec in ("", "none"):
        return None
    if spec == "answer-type":
        return AnswerTypeReranker(settings.answer_type_weight, settings.depth)
    if spec.startswith("cross-encoder:"):
        return CrossEncoderReranker(spec.split(":", 1)[1], depth=settings.depth)
    raise ValueError(f"unknown reranker {spec!r}: use answer-type, none or cross-encoder:<model folder>")


def _best_sentence(index: Index, row: int, query: np.ndarray) -> str:
    """The sentence of a passage closest to the query (the passage itself when it is one sentence)."""
    text = index.chunks[row].text
    spans = split_sentences(text)
    if index.sentence_offsets is None or len(spans) < 2:
        return text
    start, end = index.sentence_offsets[row], index.sentence_offsets[row + 1]
    best = int(np.argmax(np.asarray(index.sentence_vectors[start:end], dtype=np.float32) @ query))
    return text[slice(*spans[best])]
