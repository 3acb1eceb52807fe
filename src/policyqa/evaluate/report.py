"""An eval report as a Markdown table, and a report with every miss."""

from __future__ import annotations

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
