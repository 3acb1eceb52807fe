"""`policyqa eval`: metrics checked against trec_eval, the JSON report contract, and the CI quality floor."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_runner import policyqa
from conftest import QUESTIONS, ROOT
from policyqa.evaluate.metrics import question_metrics, relevant
from policyqa.evaluate.questions import load_questions
from policyqa.evaluate.run import run_eval

FLOOR = json.loads((ROOT / "eval" / "floor.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def reports(built, retriever):
    settings, _ = built
    questions = load_questions(QUESTIONS)
    return {mode: run_eval(questions, retriever, settings, k=10, mode=mode, answers=mode == "hybrid")
            for mode in ("dense", "hybrid")}


@pytest.mark.parametrize("mode", ["dense", "hybrid"])
@pytest.mark.parametrize("metric", ["hit@1", "hit@5", "mrr@10"])
def test_answerable_metrics_stay_above_the_committed_floor(reports, mode: str, metric: str) -> None:
    assert reports[mode]["metrics"]["answerable"][metric] >= FLOOR[mode][metric]


@pytest.mark.parametrize("direction", ["en->zh", "zh->en"])
def test_cross_lingual_answers_stay_in_the_top_five(reports, direction: str) -> None:
    """The retrieval issue's target for each cross-lingual direction (hit@5 >= 0.90)."""
    by_direction = reports["hybrid"]["metrics"]["by_direction"][direction]
    assert by_direction["hit@5"] >= FLOOR["hybrid cross-lingual hit@5"]


@pytest.mark.parametrize("metric", ["hit@1", "hit@5", "mrr@10"])
def test_hybrid_beats_dense(reports, metric: str) -> None:
    hybrid, dense = (reports[mode]["metrics"]["answerable"][metric] for mode in ("hybrid", "dense"))
    assert hybrid > dense


def test_refusals_are_counted_as_the_answer_layer_declines(reports) -> None:
    """The eval declines like `policyqa ask` does: the decline model, and the uncovered-place rule."""
    metrics = reports["hybrid"]["metrics"]
    reasons = {q["refusal_reason"] for q in reports["hybrid"]["questions"] if q["declined"]}
    assert {"place", "evidence"} <= reasons
    answers = {q["id"]: q["answer"]["declined"] for q in reports["hybrid"]["questions"]}
    assert all(answers[q["id"]] == q["declined"] for q in reports["hybrid"]["questions"])
    assert metrics["unanswerable"]["declined"] == round(metrics["answers"]["refusal_rate"]
                                                        * metrics["unanswerable"]["n"])


@pytest.mark.parametrize("metric", ["evidence_in_answer", "evidence_in_lead", "refusal_rate"])
def test_answer_metrics_stay_above_the_committed_floor(reports, metric: str) -> None:
    assert reports["hybrid"]["metrics"]["answers"][metric] >= FLOOR["answers"][metric]


@pytest.mark.parametrize("metric", ["false_refusal_rate", "off_question"])
def test_answer_error_rates_stay_below_the_committed_ceiling(reports, metric: str) -> None:
    assert reports["hybrid"]["metrics"]["answers"][metric] <= FLOOR["answers"][metric]


def test_answer_report_has_the_contract_keys(reports) -> None:
    """questions[].answer.{text, declined, lead, citations[{n, doc_id, text}]}; the lead ends at [1]."""
    for row in reports["hybrid"]["questions"]:
        answer = row["answer"]
        assert {"text", "declined", "lead", "citations"} <= set(answer)
        if not answer["declined"]:
            assert answer["text"].startswith(answer["lead"]) and "[" not in answer["lead"]
            assert answer["citations"] and all({"n", "doc_id", "text"} <= set(c) for c in answer["citations"])
    answers = reports["hybrid"]["metrics"]["answers"]
    assert {"evidence_in_answer", "evidence_in_lead", "refusal_rate", "false_refusal_rate", "off_question",
            "sentences_per_answer", "latency_ms_p50", "latency_ms_p95"} <= set(answers)
    # the decline model's own false refusals: over the answerable questions whose evidence was retrieved
    found = [r for r in reports["hybrid"]["questions"]
             if r["answerable"] and r["hit_rank"] is not None and r["hit_rank"] <= 5]
    assert answers["false_refusal_rate_retrieved"] == round(
        sum(r["answer"]["declined"] for r in found) / len(found), 4)


def test_metrics_agree_with_trec_eval(reports) -> None:
    """hit@k and MRR@10 as trec_eval computes them (ir-measures over pytrec_eval: Success@k, RR@10)."""
    import ir_measures
    from ir_measures import RR, Success

    rows = [r for r in reports["hybrid"]["questions"] if r["answerable"] and r["n_relevant_passages"]]
    qrels, run = [], []
    for row in rows:
        relevant = {h["chunk_id"] for h in row["hits"] if row["hit_rank"] and h["rank"] == row["hit_rank"]}
        qrels += [ir_measures.Qrel(row["id"], cid, 1) for cid in relevant or {"__none__"}]
        run += [ir_measures.ScoredDoc(row["id"], h["chunk_id"], 100.0 - h["rank"]) for h in row["hits"]]
    measures = {"hit@1": Success @ 1, "hit@5": Success @ 5, "mrr@10": RR @ 10}
    theirs = ir_measures.calc_aggregate(list(measures.values()), qrels, run)
    for name, measure in measures.items():
        ours = sum(r["metrics"][name] for r in rows) / len(rows)
        assert ours == pytest.approx(theirs[measure], abs=1e-9), name


def test_ndcg_matches_the_textbook_definition() -> None:
    # relevant at ranks 2 and 4, three relevant passages exist
    m = question_metrics([0, 1, 0, 1, 0], n_relevant=3)
    dcg = 1 / 1.5849625007211563 + 1 / 2.321928094887362
    ideal = 1 + 1 / 1.5849625007211563 + 1 / 2.0
    assert m["ndcg@10"] == pytest.approx(dcg / ideal)
    assert m["hit@1"] == 0.0 and m["hit@3"] == 1.0 and m["mrr@10"] == 0.5


def test_hit_rule_folds_width_space_and_case() -> None:
    """The answer layer quotes a source's own [2020] as ［2020］ (so it does not read as our citation [n]):
    the same words, so the hit rule must find the gold "[2020]" in it; other words must still miss."""
    lead = "Strategic Emerging Industry Clusters\" (Guangdong Government Document No. 82 ［2020］)."
    assert relevant(lead, ["guangdong government document No. 82 [2020]"])
    assert relevant("全角ＡＢＣ１２３", ["abc123"])
    assert not relevant(lead, ["Document No. 82 [2021]"])


def test_eval_command_writes_the_report_contract(built, tmp_path: Path) -> None:
    settings, _ = built
    out, md = tmp_path / "report.json", tmp_path / "report.md"
    done = policyqa("eval", str(QUESTIONS), "--index", str(settings.index_dir), "--k", "5", "--mode", "dense",
                    "--output", str(out), "--markdown", str(md), cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert "en->zh" in done.stdout and "hit@5" in done.stdout
    report = json.loads(out.read_text(encoding="utf-8"))
    assert {"latency_ms_p50", "latency_ms_p95", "by_direction", "unanswerable"} <= set(report["metrics"])
    assert {"embedder", "chunker", "mode", "k", "corpus_fingerprint", "machine"} <= set(report["settings"])
    question = report["questions"][0]
    assert {"id", "hits", "declined"} <= set(question)
    assert {"rank", "doc_id", "text", "score", "citation"} <= set(question["hits"][0])
    assert "### Misses" in md.read_text(encoding="utf-8")


def test_bad_question_file_names_the_line(built, tmp_path: Path) -> None:
    settings, _ = built
    bad = tmp_path / "q.jsonl"
    bad.write_text(
        '{"id": "a", "question": "x", "lang": "en", "evidence_lang": "en", "evidence": ["x"], '
        '"answerable": true}\n{not json\n',
        encoding="utf-8",
    )
    done = policyqa("eval", str(bad), "--index", str(settings.index_dir), cwd=ROOT)
    assert done.returncode == 2 and f"{bad}:2:" in done.stderr
