"""`policyqa eval`: retrieval accuracy on a question set with gold evidence, per language direction.

A retrieved passage is relevant when it contains one evidence string after removing whitespace and
lower-casing (the same rule for every system). Metrics are computed here in numpy; tests check them against
trec_eval (ir-measures over pytrec_eval) on the same runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path

from ..answer.answerer import Answerer
from ..records import Hit
from ..retrieve.retriever import Retriever
from ..settings import Settings
from .answers import answer_metrics, answer_row, off_question
from .metrics import question_metrics, relevant, summarise
from .questions import Question, load_questions


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
    answers: bool = False,
) -> dict:
    """Search every question, score answerable ones, count refusals; with `answers`, also run the answer
    layer on each question and score the answer; return the report dictionary."""
    chunks = retriever.index.chunks
    answerer = Answerer(settings, retriever)
    answerer.warm_up()  # as `policyqa serve` does: one-off loads are no question's latency
    rows, latencies, off = [], [], []
    documents = {doc_id: d.meta.about for doc_id, d in retriever.index.documents.items()}
    for done, question in enumerate(questions, start=1):
        # the answer first: the assessment is cached per question, and the answer step's timing must include
        # it (asked after the refusal below, the answer took 0.1 ms, its assessment already done)
        answer = answerer.ask(question.question, mode=mode) if answers else None
        started = time.perf_counter()
        hits = retriever.search(question.question, k=k, mode=mode)
        latencies.append((time.perf_counter() - started) * 1000)
        # the refusal reads the first `k` hits of the answer's own search, as `policyqa ask` does
        reason = answerer.assessor.assess(question.question, hits[: settings.k]).reason
        rows.append(_question_row(question, hits, chunks, reason, latencies[-1], k))
        if answer is not None:
            rows[-1]["answer"] = answer_row(answer)
            off.append(off_question(question.question, answer, documents))
        if progress:
            progress(done, len(questions))
    manifest = retriever.index.manifest
    metrics = summarise(rows, latencies)
    if answers:
        metrics["answers"] = answer_metrics(questions, rows, off)
    return {
        "metrics": metrics,
        "settings": {
            "embedder": manifest.embedder,
            "chunker": manifest.chunker,
            "index_type": manifest.index_type,
            "vector_store": manifest.vector_store,
            "mode": mode,
            "k": k,
            # the refusal rule reads the first `refusal_k` hits, as `policyqa ask` does
            "refusal_k": settings.k,
            # the answer layer's fitted models and limits (sentence ranking, decline threshold)
            "answer": settings.answer.model_dump(),
            # fusion weights, glossary, reranker, sentence vectors and tokenizer: every number above can
            # be rebuilt from this report
            **retriever.config(),
            "n_documents": len(manifest.documents),
            "n_chunks": manifest.n_chunks,
            "corpus_fingerprint": corpus_fingerprint(manifest.documents),
            "machine": machine(),
        },
        "questions": rows,
        # answerable questions whose evidence no passage of this index holds: a miss whatever the search
        # does (an evidence string mistyped, or from another corpus); `policyqa eval` names them
        "unreachable": [row["id"] for row in rows if row["answerable"] and not row["n_relevant_passages"]],
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


def evaluate_file(
    path: Path, retriever: Retriever, settings: Settings, k: int, mode: str, progress=None,
    answers: bool = False,
) -> dict:
    return run_eval(load_questions(path), retriever, settings, k=k, mode=mode, progress=progress,
                    answers=answers)
