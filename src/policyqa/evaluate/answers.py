"""`policyqa eval --answers`: how good is the answer a person reads, not only the passages found.

Per question: the answer text, whether it was declined, its lead (the text up to the first citation
marker) and its citations. Over the set:
- `evidence_in_answer` / `evidence_in_lead`: the gold evidence in the answer / in its lead, over the
  answerable questions whose evidence is in the top 5 passages (a declined answer holds none);
- `refusal_rate` (unanswerable questions declined) and `false_refusal_rate` (answerable ones declined),
  and `false_refusal_rate_retrieved` over the answerable ones whose evidence is in the top 5: a question
  whose evidence was not retrieved is declined honestly, so this one is the decline model's own error;
- `off_question`: among answers to questions that name a place, the share quoting a sentence about a
  different place (text.places.places_about decides what a sentence is about);
- `sentences_per_answer` and the answer step's latency (retrieval excluded).
"""

from __future__ import annotations

import re
import statistics

import numpy as np

from ..records import Answer
from ..text.places import places_about, places_named, with_provinces
from .metrics import relevant
from .questions import Question

_MARKER = re.compile(r"\[\d+\]")


def lead_of(text: str) -> str:
    """The answer up to its first citation marker: what a reader takes in first."""
    match = _MARKER.search(text)
    return text[: match.start()] if match else text


def without_markers(text: str) -> str:
    """The answer text without its [n] citation markers, so a gold "2" does not match a "[2]"."""
    return _MARKER.sub("", text)


def answer_row(answer: Answer) -> dict:
    """The `answer` entry of a question in the report."""
    return {
        "text": answer.answer,
        "declined": answer.declined,
        "lead": "" if answer.declined else lead_of(answer.answer).strip(),
        "citations": [{"n": c.n, "doc_id": c.doc_id, "text": c.text, "sentences": c.sentences}
                      for c in answer.citations],
        "notice": answer.notice,
        "latency_ms": answer.timings_ms.get("answer"),
    }


def off_question(question: str, answer: Answer, documents: dict[str, str]) -> bool | None:
    """Whether an answer to a question naming places quotes a sentence about another place (None when
    the question names none or the answer was declined). `documents`: doc_id -> title and region."""
    asked = with_provinces(places_named(question))
    if not asked or answer.declined:
        return None
    return any(
        (about := places_about(sentence, c.text, documents.get(c.doc_id, ""), c.places)) and not about & asked
        for c in answer.citations for sentence in c.sentences
    )


def answer_metrics(questions: list[Question], rows: list[dict], off: list[bool | None]) -> dict:
    """The `answers` block of the report's metrics (see the module docstring)."""
    answerable = [(q, r) for q, r in zip(questions, rows, strict=True) if q.answerable]
    found = [(q, r) for q, r in answerable if r["hit_rank"] is not None and r["hit_rank"] <= 5]
    unanswerable = [r for q, r in zip(questions, rows, strict=True) if not q.answerable]
    answered = [r["answer"] for r in rows if not r["answer"]["declined"]]
    latencies = [r["answer"]["latency_ms"] for r in rows if r["answer"]["latency_ms"] is not None]
    judged = [o for o in off if o is not None]
    return {
        "n_evidence_in_top5": len(found),
        "evidence_in_answer": _share([_holds(r["answer"], q.evidence, "text") for q, r in found]),
        "evidence_in_lead": _share([_holds(r["answer"], q.evidence, "lead") for q, r in found]),
        "refusal_rate": _share([r["answer"]["declined"] for r in unanswerable]),
        "false_refusal_rate": _share([r["answer"]["declined"] for _, r in answerable]),
        "false_refusal_rate_retrieved": _share([r["answer"]["declined"] for _, r in found]),
        "n_off_question_judged": len(judged),
        "off_question": _share(judged),
        "sentences_per_answer": round(statistics.fmean(
            sum(len(c["sentences"]) for c in a["citations"]) for a in answered), 3) if answered else None,
        "latency_ms_p50": round(statistics.median(latencies), 3) if latencies else None,
        "latency_ms_p95": round(float(np.percentile(latencies, 95)), 3) if latencies else None,
    }


def _holds(answer: dict, evidence: list[str], field: str) -> bool:
    return not answer["declined"] and relevant(without_markers(answer[field]), evidence)


def _share(flags: list[bool]) -> float | None:
    return round(sum(flags) / len(flags), 4) if flags else None
