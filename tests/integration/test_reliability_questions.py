"""Hostile input: broken evaluation files and odd questions get a clear error or a list, never a crash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import QUESTIONS
from policyqa.evaluate.questions import Question, load_questions

GOOD = {"id": "q1", "question": "什么是双通道？", "lang": "zh", "evidence_lang": "zh",
        "evidence": ["双通道"], "answerable": True}


def write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "questions.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_bundled_question_file_loads() -> None:
    questions = load_questions(QUESTIONS)
    assert len(questions) > 100 and all(isinstance(q, Question) for q in questions)
    assert {q.lang for q in questions} == {"zh", "en"}
    assert {q.evidence_lang for q in questions} == {"zh", "en", "none"}


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ('{"id": "q2", "question": "x", ', "not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
        (json.dumps({k: v for k, v in GOOD.items() if k != "lang"} | {"id": "q2"}), "missing field 'lang'"),
        (json.dumps(GOOD | {"id": "q2", "lang": "fr"}), "lang"),
        (json.dumps(GOOD | {"id": "q2", "evidence_lang": "de"}), "evidence_lang"),
        (json.dumps(GOOD | {"id": "q2", "answerable": "yes"}), "answerable"),
        (json.dumps(GOOD | {"id": "q2", "evidence": "双通道"}), "evidence"),
        (json.dumps(GOOD | {"id": "q2", "question": "  "}), "question"),
        (json.dumps(GOOD | {"id": "q2", "colour": "blue"}), "unknown field 'colour'"),
        (json.dumps(GOOD | {"id": "q2", "answerable": False}), "unanswerable"),
        (json.dumps(GOOD), "duplicate id 'q1' (first used on line 1)"),
    ],
)
def test_a_bad_line_is_named_by_file_and_number(tmp_path: Path, bad_line: str, message: str) -> None:
    path = write(tmp_path, json.dumps(GOOD), "", bad_line)
    with pytest.raises(ValueError) as error:
        load_questions(path)
    assert str(error.value).startswith(f"{path}:3: ")
    assert message in str(error.value)


def test_blank_lines_are_skipped(tmp_path: Path) -> None:
    path = write(tmp_path, "", json.dumps(GOOD), "   ", json.dumps(GOOD | {"id": "q2"}))
    assert [q.id for q in load_questions(path)] == ["q1", "q2"]


# --------------------------------------------------------------------------- odd questions


ODD_QUESTIONS = {
    "100 KB": "创新药 drug pricing " * 6000,
    "punctuation": "？！。，、；：“”（）…—?!.,;:'\"()[]{}<>/\\|@#$%^&*~`",
    "emoji": "💊🏥😀👍🇨🇳",
    "mixed scripts": "医保 drug Преференции 医療 약품 دواء ยา 1.5%",
    "sql": "'; DROP TABLE chunks; -- SELECT * FROM documents WHERE 1=1",
    "html": "<script>alert('x')</script><img src=x onerror=alert(1)> 双通道",
    "control characters": "双通道\x00\x07\x1b[31m管理\u200b\ufeff机制",
    "one character": "药",
    "lone surrogate": "drug \ud800 pricing",
    "newlines": "\n\n双通道\n\n管理\n",
}


@pytest.mark.parametrize("mode", ["dense", "bm25", "hybrid"])
@pytest.mark.parametrize("name", list(ODD_QUESTIONS))
def test_odd_questions_return_a_list(retriever, name: str, mode: str) -> None:
    hits = retriever.search(ODD_QUESTIONS[name], k=5, mode=mode)
    assert isinstance(hits, list) and len(hits) <= 5


@pytest.mark.parametrize("question", ["", " ", "\n\t\u3000 "])
def test_empty_questions_raise_value_error(retriever, question: str) -> None:
    with pytest.raises(ValueError, match="empty question"):
        retriever.search(question)
