"""Comparison questions: does each region with evidence get it, and is each silent region marked silent?

Per-region evidence recall: over every (question, region with gold evidence), the share whose region row
is answered (not declined) and whose answer text or cited passages contain one of the region's gold
evidence strings (case and whitespace ignored). Silent regions marked: over every (question, region the
gold says is silent), the share whose row is declined ("not addressed in these documents"). Both are
reported per split, so the tuning split (`tune`) is never the only number.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path

from pydantic import BaseModel, ValidationError

from ..answer.answerer import Answerer
from ..answer.compare import compare
from ..records import CitedPassage, CompareGroup, Comparison
from .metrics import normalise
from .questions import describe


class CompareQuestion(BaseModel):
    """One comparison question with its gold evidence per region and the regions expected to be silent."""

    id: str
    question: str
    lang: str
    by: str = "region"
    split: str = "tune"
    groups: dict[str, list[str]]
    silent: list[str] = []


def is_compare_file(path: Path) -> bool:
    """A question file whose records carry per-region `groups` (eval/compare.jsonl). A first line that is
    no JSON object is left to the plain questions' loader, which names the file and the line (here it was
    json's bare 'Expecting ',' delimiter: line 2 column 1')."""
    with Path(path).open(encoding="utf-8") as handle:
        first = next((line for line in handle if line.strip()), "{}")
    try:
        record = json.loads(first)
    except json.JSONDecodeError:
        return False
    return isinstance(record, dict) and "groups" in record


def load(path: Path) -> list[CompareQuestion]:
    """Every comparison question; a line that is not one is a ValueError naming the file and the line."""
    questions = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                questions.append(CompareQuestion.model_validate_json(line))
            except ValidationError as exc:
                raise ValueError(f"{path}:{number}: {describe(exc)}") from None
    return questions


def found(group: CompareGroup | None, evidence: list[str]) -> bool:
    """The group answered, and its answer or a passage it cites contains one of the evidence strings."""
    return group is not None and not group.declined and quotes(group.answer, group.citations, evidence)


def quotes(answer: str, citations: list[CitedPassage], evidence: list[str]) -> bool:
    """The answer text or a passage it cites contains one of the evidence strings."""
    texts = [normalise(answer), *(normalise(c.text) for c in citations)]
    return any(normalise(e) in t for e in evidence for t in texts)


def score(question: CompareQuestion, result: Comparison) -> dict:
    """This question's region-by-region outcome."""
    rows = {g.group: g for g in result.groups}
    return {
        "id": question.id, "split": question.split, "lang": question.lang,
        "ms": result.timings_ms.get("total", 0.0),
        "recall": {region: found(rows.get(region), gold) for region, gold in question.groups.items()},
        "silent": {region: bool(rows.get(region) and rows[region].declined) for region in question.silent},
        "answered": [g.group for g in result.groups if not g.declined],
    }


def evaluate_compare(path: Path, answerer: Answerer) -> dict:
    """Every question compared by its `by`; totals per split."""
    results = [score(q, compare(answerer, q.question, by=q.by)) for q in load(path)]
    splits = sorted({r["split"] for r in results})
    by_split = {s: _totals([r for r in results if r["split"] == s]) for s in splits}
    return {"questions": results, "splits": by_split,
            "all": _totals(results),
            "settings": {name: getattr(answerer.settings, name) for name in (
                "compare_depth", "compare_gap", "compare_refusal_weights", "compare_refusal_threshold",
                "compare_margin", "compare_max_sentences", "mode")}}


def _totals(results: list[dict]) -> dict:
    recall = [ok for r in results for ok in r["recall"].values()]
    silent = [ok for r in results for ok in r["silent"].values()]
    ms = [r["ms"] for r in results]
    return {"questions": len(results), "regions": len(recall), "evidence_recall": _share(recall),
            "silent": len(silent), "silent_marked": _share(silent),
            "p50_ms": round(statistics.median(ms), 1) if ms else 0.0}


def _share(flags: list[bool]) -> float:
    return round(sum(flags) / len(flags), 3) if flags else 0.0


def table(report: dict) -> str:
    """Markdown: one row per split and overall, then each miss."""
    lines = ["| split | questions | regions with evidence | evidence recall | silent regions | silent marked "
             "| p50 ms |", "|---|---|---|---|---|---|---|"]
    for name, t in [*report["splits"].items(), ("all", report["all"])]:
        lines.append(f"| {name} | {t['questions']} | {t['regions']} | {t['evidence_recall']:.3f} "
                     f"| {t['silent']} | {t['silent_marked']:.3f} | {t['p50_ms']} |")
    misses = [f"{r['id']} ({r['split']}): evidence missed for {m}" for r in report["questions"]
              if (m := [k for k, ok in r["recall"].items() if not ok])]
    misses += [f"{r['id']} ({r['split']}): not marked silent: {m}" for r in report["questions"]
               if (m := [k for k, ok in r["silent"].items() if not ok])]
    return "\n".join(lines + (["", *misses] if misses else []))
