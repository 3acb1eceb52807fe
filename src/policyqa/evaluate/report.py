"""An eval report as a Markdown table, and a report with every miss."""

from __future__ import annotations

from .answers import without_markers
from .metrics import relevant

COLUMNS = ("n", "hit@1", "hit@3", "hit@5", "hit@10", "mrr@10", "ndcg@10")

#: (name, key in metrics.answers, what it means): one line each, since the terminal's `answers:` sentence
#: packs them all without saying over which questions each is counted
ANSWER_GLOSSARY = (
    ("evidence in answer", "evidence_in_answer", "share of the answerable questions whose evidence is in the "
     "top 5 passages whose answer quotes a gold evidence string (a refusal quotes none)"),
    ("evidence in lead", "evidence_in_lead", "the same, in the lead only: the answer up to its first [n] "
     "marker, what a reader takes in first"),
    ("refusal rate", "refusal_rate", "share of the unanswerable questions the answer layer declined"),
    ("false refusals", "false_refusal_rate", "share of the answerable questions it declined"),
    ("false refusals, evidence retrieved", "false_refusal_rate_retrieved", "the same over the answerable "
     "questions whose evidence is in the top 5: the decline model's own error, not retrieval's"),
    ("off-question", "off_question", "share of the answers to questions naming a place that quote a "
     "sentence about another place"),
    ("sentences per answer", "sentences_per_answer", "quoted sentences per answer not declined"),
    ("answer step latency", "latency_ms_p50", "p50 / p95 of the answer step alone (retrieval excluded)"),
)

#: what the decline rules' reasons in the answer misses mean (answer/refusal.py names them)
REASONS = ("reason: the decline rule that fired, then the answer's own note: `evidence` (the decline "
           "model's answer probability below the threshold), `figure` / `organisation` / `where` / `date` "
           "(the lead does not state the figure, body, place or date asked), `year` (the passages give it "
           "for other years only), `place` / `city` / `drug` / `body` (named in the question, in no passage "
           "found), `no_hits`")

LEAD_CHARS = 150


def table(report: dict, answers: bool = True) -> str:
    """The metrics as a Markdown table (also readable in a terminal); `answers=False` leaves out the
    answers sentence, which the Markdown report gives as a table of its own."""
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
        *(_answer_lines(metrics.get("answers")) if answers else []),
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
    """A report to paste into the README: the table, then every miss with what came first instead; with
    `--answers`, what each answer metric means and every question the answer layer got wrong."""
    return _retrieval_markdown(report) + _answers_markdown(report)


def _retrieval_markdown(report: dict) -> str:
    parts = [
        "## Retrieval evaluation",
        "",
        table(report, answers=False),
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


def _answers_markdown(report: dict) -> str:
    """The answer metrics with what each means, then the answer misses ('' without `--answers`)."""
    answers = report["metrics"].get("answers")
    if not answers:
        return ""
    parts = ["", "## Answer evaluation", "", "| metric | value | what it means |", "|---|---|---|"]
    for name, key, meaning in ANSWER_GLOSSARY:
        parts.append(f"| {name} | {_answer_value(report['metrics'], key)} | {meaning} |")
    misses = [(row, *miss) for row in report["questions"] if "answer" in row and (miss := answer_miss(row))]
    parts += ["", "### Answer misses", "",
              "False refusals (answerable, declined), unanswerable questions answered, and answerable "
              "questions whose evidence is in the top 5 but not in the lead.", "", REASONS, ""]
    if not misses:
        return "\n".join([*parts, "none"]) + "\n"
    parts += ["| id | question | miss | reason | lead (of a refusal: its closest statement) |",
              "|---|---|---|---|---|"]
    for row, kind, reason in misses:
        cells = (row["id"], row["question"], kind, reason, _shown_lead(row["answer"]))
        parts.append("| " + " | ".join(_md_cell(str(c)) for c in cells) + " |")
    return "\n".join(parts) + "\n"


def answer_miss(row: dict) -> tuple[str, str] | None:
    """(kind of miss, reason) for a question the answer layer got wrong, None when it did not: the rule of
    `evaluate.answers.answer_metrics`, so the rows here are the questions those shares count against."""
    answer, rank = row["answer"], row["hit_rank"]
    retrieved = f"evidence at rank {rank}" if rank else "evidence not retrieved"
    if row["answerable"] and answer["declined"]:
        because = f"`{row['refusal_reason']}`" if row["refusal_reason"] else "declined"
        note = answer.get("notice", "")
        return "false refusal", f"{because}{': ' + note if note else ''} ({retrieved})"
    if not row["answerable"]:
        return None if answer["declined"] else ("unanswerable, answered",
                                                answer.get("notice") or "no decline rule fired")
    if rank is None or rank > 5 or relevant(without_markers(answer["lead"]), row["evidence"]):
        return None
    expected = f"{retrieved}; expected {' / '.join(row['evidence'])!r}"
    if relevant(without_markers(answer["text"]), row["evidence"]):
        return "evidence after the lead", expected
    return "evidence not in the answer", expected


def _answer_value(metrics: dict, key: str) -> str:
    """A metric's cell with the number of questions it is a share of; the latency row holds p50 / p95."""
    answers = metrics["answers"]
    if key == "latency_ms_p50":
        return f"{_cell(answers['latency_ms_p50'])} / {_cell(answers['latency_ms_p95'])} ms"
    found = answers["n_evidence_in_top5"]
    of = {"evidence_in_answer": found, "evidence_in_lead": found, "false_refusal_rate_retrieved": found,
          "refusal_rate": metrics["unanswerable"]["n"], "false_refusal_rate": metrics["answerable"]["n"],
          "off_question": answers["n_off_question_judged"]}.get(key)
    return _cell(answers.get(key)) + (f" of {of}" if of is not None else "")


def _shown_lead(answer: dict) -> str:
    """The lead, or for a refusal the closest statement it quotes instead (after its first blank line)."""
    shown = answer["lead"] if not answer["declined"] else answer["text"].partition("\n\n")[2]
    shown = " ".join(shown.split()) or "-"
    return shown if len(shown) <= LEAD_CHARS else shown[: LEAD_CHARS - 1] + "…"


def _md_cell(text: str) -> str:
    """Text in one table cell: on one line, its pipes escaped."""
    return " ".join(text.split()).replace("|", "\\|")


def _cell(value) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if isinstance(value, float) else str(value)
