"""`policyqa eval --answers --markdown` on a real five-question run: the Markdown lists exactly the questions
the JSON's answer metrics count as misses, and the JSON report keeps its keys."""

from __future__ import annotations

import json
from pathlib import Path

from cli_runner import policyqa
from conftest import ROOT

QUESTIONS = [
    {"id": "m1", "question": "Guangdong's industrial revenue target for biomedicine by 2025?", "lang": "en",
     "evidence_lang": "en", "evidence": ["1 trillion yuan in industrial revenue"], "answerable": True},
    {"id": "m2", "question": "国家《若干措施》一共提出了多少条措施？", "lang": "zh", "evidence_lang": "en",
     "evidence": ["proposing 16 initiatives across five areas"], "answerable": True},
    {"id": "m3", "question": "How many departments jointly issued Beijing's Several Measures 2025?",
     "lang": "en", "evidence_lang": "en", "evidence": ["nine departments including Beijing Medical Security "
                                                         "Bureau"], "answerable": True},
    {"id": "m4", "question": "医保部门多久组织专家对特例单议病例进行评议？", "lang": "zh",
     "evidence_lang": "zh", "evidence": ["按季度或月组织专家对特例单议病例进行评议"], "answerable": True},
    {"id": "m5", "question": "What is the deadline for provinces to implement the national innovative drug "
     "measures?", "lang": "en", "evidence_lang": "none", "evidence": [], "answerable": False, "kind": "hard"},
]


def test_answer_misses_in_the_markdown_are_those_the_json_counts(built, tmp_path: Path) -> None:
    settings, _ = built
    questions, out, md = tmp_path / "q.jsonl", tmp_path / "report.json", tmp_path / "report.md"
    lines = (json.dumps(q, ensure_ascii=False) + "\n" for q in QUESTIONS)
    questions.write_text("".join(lines), encoding="utf-8")
    done = policyqa("eval", str(questions), "--index", str(settings.index_dir), "--answers",
                    "--output", str(out), "--markdown", str(md), cwd=ROOT)
    assert done.returncode == 0, done.stderr
    report, text = json.loads(out.read_text(encoding="utf-8")), md.read_text(encoding="utf-8")
    assert list(report) == ["metrics", "settings", "questions", "unreachable"]
    assert report["unreachable"] == []  # every evidence string is in some passage
    assert "## Answer evaluation" in text and "| evidence in lead |" in text and "### Answer misses" in text
    listed = _listed(text)
    rows = report["questions"]
    refused = {r["id"] for r in rows if r["answerable"] and r["answer"]["declined"]}
    answered = {r["id"] for r in rows if not r["answerable"] and not r["answer"]["declined"]}
    assert {i for i, kind in listed.items() if kind == "false refusal"} == refused
    assert {i for i, kind in listed.items() if kind == "unanswerable, answered"} == answered
    # the answerable questions with evidence in the top 5 whose lead misses it: 1 - evidence_in_lead of them
    answers = report["metrics"]["answers"]
    found = [r for r in rows if r["answerable"] and r["hit_rank"] is not None and r["hit_rank"] <= 5]
    lead_misses = [i for i, kind in listed.items() if kind.startswith("evidence ")]
    assert len(lead_misses) + sum(r["answer"]["declined"] for r in found) == round(
        (1 - answers["evidence_in_lead"]) * answers["n_evidence_in_top5"])


def _listed(text: str) -> dict[str, str]:
    """id -> kind of miss, from the answer misses table."""
    table = text.split("### Answer misses", 1)[1]
    cells = [line.split(" | ") for line in table.splitlines() if line.startswith("| ")]
    return {row[0].removeprefix("| "): row[2] for row in cells[1:]}  # after the header
