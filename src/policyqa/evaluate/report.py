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
        f"answer probability below {s['answer']['refusal_threshold']}, or a place no passage is about)",
        f"latency per question: p50 {metrics['latency_ms_p50']} ms, p95 {metrics['latency_ms_p95']} ms",
        *_answer_lines(metrics.get("answers")),
        f"mode {s['mode']}, k {s['k']}, embedder {s['embedder']}, chunker {s['chunker']}, "
        f"{s['n_documents']} documents / {s['n_chunks']} chunks (corpus {s['corpus_fingerprint']}), "
        f"machine: {s['machine']['cpu']} x{s['machine']['cores']}",
    ]
    return "\n".join(lines)


def _answer_lines(answers: dict | None) -> list[str]:
    """The answers block in words (only with --answers)."""
    if not answers:
        return []
    a = {k: _cell(v) for k, v in answers.items()}
    return [
        f"answers: evidence in answer {a['evidence_in_answer']}, in lead {a['evidence_in_lead']} "
        f"(of {a['n_evidence_in_top5']} answerable with evidence in the top 5); unanswerable declined "
        f"{a['refusal_rate']}, false refusals {a['false_refusal_rate']} "
        f"({a['false_refusal_rate_retrieved']} where the evidence was retrieved); "
        f"off-question {a['off_question']} "
        f"(of {a['n_off_question_judged']} naming a place); {a['sentences_per_answer']} sentences per "
        f"answer; answer step p50 {a['latency_ms_p50']} ms, p95 {a['latency_ms_p95']} ms",
    ]


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
