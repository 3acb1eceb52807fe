"""Retrieval metrics: the hit rule, hit@k, MRR@10, nDCG@10, and their summaries."""

from __future__ import annotations

import statistics
import unicodedata
from collections.abc import Iterable

import numpy as np

CUTOFFS = (1, 3, 5, 10)

DIRECTIONS = ("en->en", "zh->zh", "en->zh", "zh->en")


def normalise(text: str) -> str:
    """Whitespace removed, lower-cased, and full-width forms folded (NFKC): the answer layer writes a source's
    own footnote marker [2020] as ［2020］ so that it does not read as a citation, which is the same text."""
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()


def relevant(text: str, evidence: Iterable[str]) -> bool:
    """The hit rule shared by every system: an evidence string inside the passage."""
    flat = normalise(text)
    return any(normalise(e) in flat for e in evidence)


def dcg(gains: list[int]) -> float:
    return float(sum(g / np.log2(i + 2) for i, g in enumerate(gains)))


def question_metrics(ranked_relevance: list[int], n_relevant: int, k: int = 10) -> dict[str, float]:
    """hit@1/3/5/10, reciprocal rank and nDCG@10 for one question (binary relevance)."""
    first = next((i for i, rel in enumerate(ranked_relevance[:k]) if rel), None)
    metrics = {f"hit@{c}": float(first is not None and first < c) for c in CUTOFFS}
    metrics["mrr@10"] = 0.0 if first is None else 1.0 / (first + 1)
    ideal = dcg([1] * min(max(n_relevant, 1), k))
    metrics["ndcg@10"] = dcg(ranked_relevance[:k]) / ideal
    return metrics


def summarise(rows: list[dict], latencies: list[float]) -> dict:
    """Mean metrics overall and per direction, refusal rates, latency percentiles."""
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    metrics: dict[str, object] = {"answerable": _mean(answerable), "n_questions": len(rows)}
    metrics["by_direction"] = {
        d: _mean([r for r in answerable if f"{r['lang']}->{r['evidence_lang']}" == d]) for d in DIRECTIONS
    }
    metrics["unanswerable"] = {
        "n": len(unanswerable),
        "declined": sum(r["declined"] for r in unanswerable),
        "refusal_rate": _rate(sum(r["declined"] for r in unanswerable), len(unanswerable)),
    }
    metrics["false_refusal_rate"] = _rate(sum(r["declined"] for r in answerable), len(answerable))
    metrics["evidence_not_in_any_passage"] = [r["id"] for r in answerable if r["n_relevant_passages"] == 0]
    metrics["latency_ms_p50"] = round(statistics.median(latencies), 3) if latencies else None
    metrics["latency_ms_p95"] = round(float(np.percentile(latencies, 95)), 3) if latencies else None
    return metrics


def _mean(rows: list[dict]) -> dict[str, float]:
    if not rows:
        return {"n": 0}
    keys = rows[0]["metrics"].keys()
    return {
        "n": len(rows),
        **{key: round(statistics.fmean(r["metrics"][key] for r in rows), 4) for key in keys},
    }


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
