"""Evaluation questions (`eval/questions.jsonl`): one JSON object per line, validated line by line.

Every problem is reported as a ValueError naming the file and the 1-based line number, so a broken
question file is fixed in one look instead of failing somewhere inside the evaluation.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

#: the question files `policyqa eval --help` describes
FILE_FORMAT = """Score retrieval (and with --answers the answers) on a question file with gold evidence.

A question file is JSONL, one question a line:
  {"id": "q001", "question": "...", "lang": "zh", "evidence_lang": "zh",
   "evidence": ["a string copied verbatim from a corpus file"], "answerable": true,
   "answer_type": "quantity"}
  - evidence: 1-3 exact substrings of a corpus file; a passage holding one is relevant
  - an unanswerable question has "answerable": false, "evidence": [], "evidence_lang": "none"
    and optionally "kind": place | topic | hard
  - answer_type (optional): quantity, date, place, list, yesno or other
A comparison file (lines with "groups") is scored per region instead:
  {"id": "c01", "question": "...", "lang": "en", "by": "region", "split": "tune",
   "groups": {"Guangdong": ["verbatim evidence"]}, "silent": ["Hainan"]}
python eval/check_questions.py --questions FILE checks a file against the seed documents."""


class Question(BaseModel):
    """One evaluation question and the evidence strings that a correct passage must contain."""

    model_config = ConfigDict(extra="forbid", strict=True)

    id: str
    question: str
    lang: Literal["en", "zh"]
    evidence_lang: Literal["en", "zh", "none"]
    evidence: list[str]
    answerable: bool
    #: what an unanswerable question is missing: a place/body the corpus does not cover, a topic it does
    #: not cover, or ("hard") a fact it does not state on a topic it covers
    kind: Literal["place", "topic", "hard"] | None = None
    #: what a correct answer states (held-out questions carry it; the answer layer infers its own)
    answer_type: Literal["quantity", "date", "place", "list", "yesno", "other"] | None = None

    @field_validator("id", "question")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value

    @model_validator(mode="after")
    def _evidence_matches_answerable(self) -> Question:
        if self.answerable and (not self.evidence or self.evidence_lang == "none"):
            raise ValueError("an answerable question needs evidence and an evidence_lang of en or zh")
        if not self.answerable and (self.evidence or self.evidence_lang != "none"):
            raise ValueError('an unanswerable question has evidence [] and evidence_lang "none"')
        return self


def load_questions(path: Path | str) -> list[Question]:
    """All questions of a JSONL file; blank lines are skipped, anything else wrong is a ValueError."""
    path = Path(path)
    questions: list[Question] = []
    first_line: dict[str, int] = {}
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                record = json.loads(line.rstrip("\r\n"))  # the column on this line, not on the next
            except json.JSONDecodeError as exc:
                raise ValueError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno})") from None
            if not isinstance(record, dict):
                raise ValueError(f"{where}: expected a JSON object, got {type(record).__name__}")
            try:
                question = Question.model_validate(record)
            except ValidationError as exc:
                raise ValueError(f"{where}: {describe(exc)}") from None
            if question.id in first_line:
                first = first_line[question.id]
                raise ValueError(f"{where}: duplicate id {question.id!r} (first used on line {first})")
            first_line[question.id] = number
            questions.append(question)
    if not questions:  # scored, an empty file printed a table of dashes and exited 0
        raise ValueError(f"{path}: no questions (one JSON object a line: policyqa eval --help)")
    return questions


def describe(error: ValidationError) -> str:
    """Pydantic's errors as one line: 'lang: Input should be 'en' or 'zh' (got 'fr'); ...'."""
    parts = []
    for item in error.errors():
        field = ".".join(str(p) for p in item["loc"]) or "question"
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "missing":
            parts.append(f"missing field {field!r}")
        elif item["type"] == "extra_forbidden":
            parts.append(f"unknown field {field!r}")
        else:
            parts.append(f"{field}: {message} (got {item.get('input')!r})" if item["loc"] else message)
    return "; ".join(parts)
