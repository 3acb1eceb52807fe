"""The Markdown eval report's answer section (`policyqa eval --answers --markdown`) on hand-made rows: which
questions it lists as answer misses, of what kind, and how a cell holds untrusted text."""

from __future__ import annotations

from policyqa.evaluate.report import ANSWER_GLOSSARY, LEAD_CHARS, answer_miss, markdown


def _row(qid: str, answerable: bool = True, rank: int | None = 1, declined: bool = False, lead: str = "",
         text: str = "", reason: str = "", notice: str = "") -> dict:
    answer = {"text": text or lead, "declined": declined, "lead": "" if declined else lead, "citations": [],
              "notice": notice, "latency_ms": 1.0}
    return {"id": qid, "question": f"question {qid} | with a pipe", "lang": "en", "evidence_lang": "en",
            "answerable": answerable, "evidence": ["16 initiatives"] if answerable else [],
            "hit_rank": rank if answerable else None, "declined": declined, "refusal_reason": reason,
            "hits": [], "answer": answer}


def _report(rows: list[dict]) -> dict:
    answers = {"n_evidence_in_top5": 3, "evidence_in_answer": 0.5, "evidence_in_lead": 0.25,
               "refusal_rate": 0.0, "false_refusal_rate": 0.25, "false_refusal_rate_retrieved": 0.3333,
               "n_off_question_judged": 2, "off_question": 0.5, "sentences_per_answer": 1.5,
               "latency_ms_p50": 3.0, "latency_ms_p95": 9.0}
    empty = {"n": 0}
    metrics = {"answerable": {"n": 4}, "by_direction": dict.fromkeys(("en->en", "zh->zh"), empty),
               "unanswerable": {"n": 1, "declined": 0, "refusal_rate": 0.0}, "false_refusal_rate": 0.25,
               "latency_ms_p50": 5.0, "latency_ms_p95": 8.0, "answers": answers}
    settings = {"answer": {"refusal_threshold": 0.37}, "mode": "hybrid", "k": 10, "embedder": "e",
                "chunker": {}, "n_documents": 1, "n_chunks": 2, "corpus_fingerprint": "f",
                "machine": {"cpu": "cpu", "cores": 2}}
    return {"metrics": metrics, "settings": settings, "questions": rows}


def test_each_kind_of_answer_miss_is_named_with_its_reason() -> None:
    """The rule of the answer metrics: a declined answerable question, an answered unanswerable one, and an
    answerable one whose evidence was retrieved (top 5) but is not in the lead; nothing else."""
    refused = _row("r", declined=True, rank=2, reason="year", notice="Only 2019 is given.",
                   text="Sorry.\n\nThe closest statement: “By 2019 …”")
    assert answer_miss(refused) == ("false refusal", "`year`: Only 2019 is given. (evidence at rank 2)")
    assert answer_miss(_row("u", answerable=False, lead="A deadline.")) == (
        "unanswerable, answered", "no decline rule fired")
    assert answer_miss(_row("u2", answerable=False, declined=True, reason="evidence")) is None
    after = answer_miss(_row("a", lead="Another sentence. ", text="Another sentence. [1] It has 16 "
                             "initiatives. [2]"))
    assert after is not None and after[0] == "evidence after the lead" and "rank 1" in after[1]
    assert answer_miss(_row("n", lead="Nothing here.", rank=4))[0] == "evidence not in the answer"
    assert answer_miss(_row("ok", lead="It has 16 initiatives.")) is None
    # evidence beyond the top 5 or not retrieved: retrieval's miss, not the answer's
    assert answer_miss(_row("far", lead="Nothing here.", rank=7)) is None
    assert answer_miss(_row("none", lead="Nothing here.", rank=None)) is None


def test_markdown_lists_answer_misses_and_says_what_each_metric_means() -> None:
    long_lead = "x" * 400
    rows = [_row("r", declined=True, reason="evidence", text="Sorry.\n\nThe closest statement: “y”"),
            _row("ok", lead="It has 16 initiatives."), _row("long", lead=long_lead)]
    md = markdown(_report(rows))
    assert "answers:" not in md  # the packed sentence is replaced by the table with what each means
    for name, _, meaning in ANSWER_GLOSSARY:
        assert f"| {name} | " in md and meaning in md
    assert "| evidence in lead | 0.250 of 3 |" in md and "| answer step latency | 3.000 / 9.000 ms |" in md
    table = md.split("### Answer misses", 1)[1]
    lines = [line for line in table.splitlines() if line.startswith("| ") and not line.startswith("| id")]
    assert [line.split(" | ")[0] for line in lines] == ["| r", "| long"]
    assert "question r \\| with a pipe" in lines[0] and "The closest statement: “y”" in lines[0]
    assert "x" * (LEAD_CHARS - 1) + "…" in lines[1] and "x" * LEAD_CHARS not in lines[1]


def test_markdown_without_answers_has_no_answer_section() -> None:
    row = _row("a")
    del row["answer"]
    report = _report([row])
    del report["metrics"]["answers"]
    md = markdown(report)
    assert "## Answer evaluation" not in md and "### Misses" in md
