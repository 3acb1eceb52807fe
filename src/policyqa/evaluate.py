"""`policyqa eval`: retrieval accuracy on a question set with gold evidence, per language direction.

A retrieved passage is relevant when it contains one evidence string after removing whitespace and
lower-casing (the same rule for every system). Metrics are computed here in numpy (ranx compiles with
numba for minutes on a small machine); tests check them against ranx on the same runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import statistics
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from .answer import refusal
from .questions import Question, load_questions
from .records import Hit
from .retrieve import Retriever
from .settings import Settings

CUTOFFS = (1, 3, 5, 10)
DIRECTIONS = ("en->en", "zh->zh", "en->zh", "zh->en")


def normalise(text: str) -> str:
    return "".join(text.split()).lower()


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


def machine() -> dict[str, object]:
    """What the numbers were measured on."""
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            cpu = next(
                (line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")), cpu
            )
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def corpus_fingerprint(documents: dict[str, str]) -> str:
    return hashlib.sha1(json.dumps(documents, sort_keys=True).encode()).hexdigest()[:12]


def run_eval(
    questions: list[Question],
    retriever: Retriever,
    settings: Settings,
    k: int = 10,
    mode: str = "hybrid",
    progress: Callable[[int, int], None] | None = None,
) -> dict:
    """Search every question, score answerable ones, count refusals; return the report dictionary."""
    chunks = retriever.index.chunks
    retriever.search("warm-up 预热", k=1, mode=mode)  # the first call of each language pays one-off costs
    rows, latencies = [], []
    for done, question in enumerate(questions, start=1):
        started = time.perf_counter()
        hits = retriever.search(question.question, k=k, mode=mode)
        latencies.append((time.perf_counter() - started) * 1000)
        reason = refusal(question.question, hits[: settings.k], settings.min_score, retriever.index)
        rows.append(_question_row(question, hits, chunks, reason, latencies[-1], k))
        if progress:
            progress(done, len(questions))
    manifest = retriever.index.manifest
    return {
        "metrics": summarise(rows, latencies),
        "settings": {
            "embedder": manifest.embedder,
            "chunker": manifest.chunker,
            "index_type": manifest.index_type,
            "mode": mode,
            "k": k,
            "min_score": settings.min_score,
            "n_documents": len(manifest.documents),
            "n_chunks": manifest.n_chunks,
            "corpus_fingerprint": corpus_fingerprint(manifest.documents),
            "machine": machine(),
        },
        "questions": rows,
    }


def _question_row(question: Question, hits: list[Hit], chunks, reason: str, latency: float, k: int) -> dict:
    """One question's outcome; `reason` is why the answer layer would decline ('' = it answers)."""
    relevance = [int(relevant(h.text, question.evidence)) for h in hits] if question.answerable else []
    n_relevant = sum(relevant(c.text, question.evidence) for c in chunks) if question.answerable else 0
    return {
        "id": question.id,
        "question": question.question,
        "lang": question.lang,
        "evidence_lang": question.evidence_lang,
        "answerable": question.answerable,
        "evidence": question.evidence,
        "n_relevant_passages": n_relevant,
        "hit_rank": next((i + 1 for i, rel in enumerate(relevance) if rel), None),
        "metrics": question_metrics(relevance, n_relevant, k) if question.answerable else {},
        "declined": bool(reason),
        "refusal_reason": reason,
        "latency_ms": round(latency, 3),
        "hits": [
            {
                "rank": h.rank,
                "doc_id": h.doc_id,
                "chunk_id": h.chunk_id,
                "text": h.text,
                "score": h.score,
                "dense_score": h.dense_score,
                "citation": h.citation.model_dump(),
            }
            for h in hits
        ],
    }


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


# --------------------------------------------------------------------------- presentation

COLUMNS = ("n", "hit@1", "hit@3", "hit@5", "hit@10", "mrr@10", "ndcg@10")


def table(report: dict) -> str:
    """The metrics as a Markdown table (also readable in a terminal)."""
    metrics = report["metrics"]
    lines = ["| questions | " + " | ".join(COLUMNS) + " |", "|---" * (len(COLUMNS) + 1) + "|"]
    for name, values in [("answerable", metrics["answerable"]), *metrics["by_direction"].items()]:
        cells = [_cell(values.get(col)) for col in COLUMNS]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    un = metrics["unanswerable"]
    s = report["settings"]
    lines += [
        "",
        f"unanswerable: {un['declined']}/{un['n']} declined (refusal rate {_cell(un['refusal_rate'])}); "
        f"false refusals on answerable: {_cell(metrics['false_refusal_rate'])} (as `policyqa ask` declines: "
        f"best passage below min_score {s['min_score']}, or a place no passage names)",
        f"latency per question: p50 {metrics['latency_ms_p50']} ms, p95 {metrics['latency_ms_p95']} ms",
        f"mode {s['mode']}, k {s['k']}, embedder {s['embedder']}, chunker {s['chunker']}, "
        f"{s['n_documents']} documents / {s['n_chunks']} chunks (corpus {s['corpus_fingerprint']}), "
        f"machine: {s['machine']['cpu']} x{s['machine']['cores']}",
    ]
    return "\n".join(lines)


def markdown(report: dict) -> str:
    """A report to paste into the README: the table, then every miss with what came first instead."""
    parts = [
        "## Retrieval evaluation",
        "",
        table(report),
        "",
        "### Misses (answerable, not in the top k)",
        "",
    ]
    misses = [r for r in report["questions"] if r["answerable"] and r["hit_rank"] is None]
    for row in misses:
        first = row["hits"][0] if row["hits"] else None
        got = f"{first['doc_id']}: {first['text'][:120]!r}" if first else "(nothing)"
        parts.append(f"- **{row['id']}** ({row['lang']}->{row['evidence_lang']}) {row['question']}  ")
        parts.append(f"  expected: {row['evidence']}  ")
        parts.append(f"  first instead: {got}")
    if not misses:
        parts.append("none")
    return "\n".join(parts) + "\n"


def _cell(value) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def evaluate_file(
    path: Path, retriever: Retriever, settings: Settings, k: int, mode: str, progress=None
) -> dict:
    return run_eval(load_questions(path), retriever, settings, k=k, mode=mode, progress=progress)
