"""Run policyqa's retrieval on XQuAD: 4 directions x retrieval modes, one table.

Converts XQuAD with ``xquad.py``, ingests the English and the Chinese corpus (one chunk per paragraph,
so a hit means the gold paragraph, as in the reference numbers), evaluates en->en, zh->zh, en->zh and
zh->en with every mode through the same ``run_eval`` that ``policyqa eval`` uses, and prints hit@1,
hit@5, MRR@10 and latency with the machine, corpus size and model. Ingest is incremental, so a rerun
only re-evaluates.

With ``--answers`` it also runs the answer layer (``Answerer.ask``, the configured retrieval mode) on each
question of every direction and scores it against XQuAD's gold answer string in the evidence language:
``lead acc`` (gold in the lead, the answer up to its first [n] marker), ``answer acc`` (gold anywhere in
the answer) and the decline rate (every XQuAD question is answerable, so a decline is a false refusal).
``--answer-limit N`` answers only N questions per direction, spread evenly over the set.

Usage::

    python eval/benchmarks/run_xquad.py --data ../shared/benchmarks/xquad --work .cache/xquad \\
        [--modes dense,bm25,hybrid] [--limit N] [--join N] [--answers [--answer-limit N]]
        [--results eval/benchmarks/results/xquad.json] [--markdown eval/benchmarks/results/xquad.md]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import xquad

from policyqa.answer.answerer import Answerer
from policyqa.evaluate.answers import lead_of, without_markers
from policyqa.evaluate.metrics import relevant
from policyqa.evaluate.questions import Question, load_questions
from policyqa.evaluate.run import evaluate_file, machine
from policyqa.index.build import ingest
from policyqa.progress import bar
from policyqa.records import Answer
from policyqa.retrieve.retriever import Retriever
from policyqa.settings import Settings

#: targets from the retrieval-quality issue, met by one configuration in every direction
TARGETS = {"same-language hit@1": 0.93, "cross-lingual hit@5": 0.92}
#: issue 17's targets (keywords that cross languages beyond the glossary), default configuration
ISSUE17_TARGETS = {"same-language hit@1": 0.95, "cross-lingual hit@1": 0.80, "cross-lingual hit@5": 0.95}
#: reference points measured on this machine before policyqa (paragraph = chunk)
REFERENCE = "BM25+jieba same-language hit@1 0.92 / hit@5 0.99; USE dense cross-lingual hit@5 0.89"


def build_indexes(work: Path, settings: Settings) -> dict[str, Settings]:
    """Ingest corpus-en and corpus-zh into their own indexes; returns the settings that load each."""
    per_lang = {}
    for lang in xquad.LANGS:
        lang_settings = settings.model_copy(
            update={"corpus_dir": work / f"corpus-{lang}", "index_dir": work / f"index-{lang}"}
        )
        result = ingest(lang_settings)
        print(f"index-{lang}: {result.n_documents} documents, {result.n_chunks} chunks "
              f"({result.seconds:.1f} s)", file=sys.stderr)
        per_lang[lang] = lang_settings
    return per_lang


def evaluate_all(
    work: Path, per_lang: dict[str, Settings], retrievers: dict[str, Retriever], modes: list[str], k: int
) -> list[dict]:
    """One result row per (direction, mode) with the overall metrics of that run."""
    rows = []
    for q, e in xquad.DIRECTIONS:
        settings = per_lang[e]
        for mode in modes:
            path = work / f"questions-{q}-{e}.jsonl"
            with bar(desc=f"{q}->{e} {mode}", unit="q", leave=False) as shown:
                def progress(done: int, total: int) -> None:
                    shown.total = total
                    shown.update(done - shown.n)

                report = evaluate_file(path, retrievers[e], settings, k=k, mode=mode, progress=progress)
            metrics = report["metrics"]
            rows.append({
                "direction": f"{q}->{e}",
                "mode": mode,
                **metrics["answerable"],
                "latency_ms_p50": metrics["latency_ms_p50"],
                "latency_ms_p95": metrics["latency_ms_p95"],
                "n_chunks": report["settings"]["n_chunks"],
                "embedder": report["settings"]["embedder"],
            })
    return rows


def answer_sample(questions: list[Question], limit: int | None) -> list[Question]:
    """All questions, or `limit` of them spread evenly over the set, so a quick run covers every article."""
    if limit is None or limit >= len(questions):
        return questions
    return [questions[i * len(questions) // limit] for i in range(limit)]


def judge(answer: Answer, gold: list[str]) -> dict[str, bool]:
    """Whether a gold answer string is in the lead / anywhere in the answer; a declined answer holds none.

    Matching is the evaluator's: whitespace removed, lower case, substring.
    """
    if answer.declined:
        return {"declined": True, "in_lead": False, "in_answer": False}
    return {"declined": False, "in_lead": relevant(lead_of(answer.answer), gold),
            "in_answer": relevant(without_markers(answer.answer), gold)}


def answer_direction(
    answerer: Answerer, questions: list[Question], gold: dict[str, list[str]], direction: str, out: Path
) -> dict:
    """Answer each question, score it against the evidence language's gold answers, and summarise.

    Each question's answer, lead and verdict is written to `out` (JSONL), to read the misses.
    """
    verdicts, latencies = [], []
    with out.open("w", encoding="utf-8") as handle:
        for question in bar(iterable=questions, desc=f"{direction} answers", unit="q", leave=False):
            answer = answerer.ask(question.question)
            verdicts.append(judge(answer, gold[question.id]))
            latencies.append(answer.timings_ms.get("answer", 0.0))
            record = {"id": question.id, "question": question.question, "gold": gold[question.id],
                      **verdicts[-1], "lead": lead_of(answer.answer), "answer": answer.answer}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    n = len(verdicts)
    return {
        "answers_n": n,
        "lead_accuracy": round(sum(v["in_lead"] for v in verdicts) / n, 4),
        "answer_accuracy": round(sum(v["in_answer"] for v in verdicts) / n, 4),
        "decline_rate": round(sum(v["declined"] for v in verdicts) / n, 4),
        "answer_ms_p50": round(statistics.median(latencies), 1),
    }


def answer_all(
    work: Path, data: Path, limit: int | None, answer_limit: int | None,
    per_lang: dict[str, Settings], retrievers: dict[str, Retriever],
) -> dict[str, dict]:
    """Answer-layer scores per direction; gold answers come from the evidence language's XQuAD file."""
    scores = {}
    for q, e in xquad.DIRECTIONS:
        gold = xquad.gold_answers(data, e, limit)
        questions = answer_sample(load_questions(work / f"questions-{q}-{e}.jsonl"), answer_limit)
        answerer = Answerer(per_lang[e], retrievers[e])
        scores[f"{q}->{e}"] = answer_direction(
            answerer, questions, gold, f"{q}->{e}", work / f"answers-{q}-{e}.jsonl")
    return scores


def answer_note(settings: Settings, answered: int, total: int) -> str:
    """What the answer columns measure, printed under the table."""
    sample = f"all {total}" if answered == total else f"{answered} of {total}, spread evenly"
    return (f"{settings.backend} backend, {settings.mode} retrieval, {sample} questions per direction; "
            "gold = XQuAD answer string of the evidence language (whitespace and case ignored); lead = the "
            "answer up to its first [n] marker; every XQuAD question is answerable, so declines are false "
            "refusals")


def target_check(rows: list[dict], mode: str) -> dict[str, float]:
    """The worst same-language hit@1 and worst cross-lingual hit@1 and hit@5 of one mode."""
    mine = {r["direction"]: r for r in rows if r["mode"] == mode}

    def worst(directions: tuple[str, str], metric: str) -> float:
        return min((mine[d][metric] for d in directions if d in mine), default=0.0)

    same, cross = ("en->en", "zh->zh"), ("en->zh", "zh->en")
    return {"same-language hit@1": worst(same, "hit@1"), "cross-lingual hit@1": worst(cross, "hit@1"),
            "cross-lingual hit@5": worst(cross, "hit@5")}


def verdict(check: dict[str, float], targets: dict[str, float]) -> str:
    """Each target's worst value and whether it meets it."""
    return ", ".join(f"{name} {check[name]:.3f} ({'meets' if check[name] >= target else 'below'} {target})"
                     for name, target in targets.items())


def answer_cells(row: dict) -> str:
    """The answer columns of one table row; blank for the modes the answer layer did not use."""
    if "lead_accuracy" not in row:
        return " | | | | |"
    return (f" {row['answers_n']} | {row['lead_accuracy']:.3f} | {row['answer_accuracy']:.3f} | "
            f"{row['decline_rate']:.3f} | {row['answer_ms_p50']:.1f} |")


def render(rows: list[dict], modes: list[str], info: dict) -> str:
    """The Markdown table (also what the terminal shows) and the target lines."""
    answers = "answers" in info
    header = "| direction | mode | n | hit@1 | hit@5 | hit@10 | MRR@10 | p50 ms |"
    if answers:
        header += " answered | lead acc | answer acc | declined | answer p50 ms |"
    lines = [header, "|" + "---|" * header.count(" |")]
    for r in rows:
        lines.append(
            f"| {r['direction']} | {r['mode']} | {r['n']} | {r['hit@1']:.3f} | {r['hit@5']:.3f} | "
            f"{r['hit@10']:.3f} | {r['mrr@10']:.3f} | {r['latency_ms_p50']:.1f} |"
            + (answer_cells(r) if answers else "")
        )
    lines.append("")
    for mode in modes:
        check = target_check(rows, mode)
        lines.append(f"- {mode}: worst {verdict(check, TARGETS)}; "
                     f"issue 17: {verdict(check, ISSUE17_TARGETS)}")
    lines += [
        f"- reference before policyqa: {REFERENCE}",
        f"- {info['corpus']}; embedder {info['embedder']}; chunks: one per paragraph; "
        f"machine: {info['machine']['cpu']} x{info['machine']['cores']}; run took {info['seconds']:.0f} s",
    ]
    if answers:
        lines.append(f"- answers: {info['answers']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="folder with xquad.en.json, xquad.zh.json")
    parser.add_argument("--work", type=Path, default=Path(".cache/xquad"), help="corpora, indexes, questions")
    parser.add_argument("--modes", default="dense,bm25,hybrid", help="comma-separated retrieval modes")
    parser.add_argument("--limit", type=int, help="only the first N articles (quick runs)")
    parser.add_argument("--join", type=int, default=1,
                        help="join every N paragraphs of an article into one (long-paragraph runs)")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--paragraph-cap", type=int,
                        help="model tokens: longer paragraphs are split (default: the paragraph_cap setting, "
                             "above every XQuAD paragraph)")
    parser.add_argument("--answers", action="store_true",
                        help="also run the answer layer and score it against the gold answer strings")
    parser.add_argument("--answer-limit", type=int,
                        help="with --answers: answer only N questions per direction, spread evenly")
    parser.add_argument("--results", type=Path, help="write the rows and settings as JSON here")
    parser.add_argument("--markdown", type=Path, help="write the table as Markdown here")
    args = parser.parse_args(argv)
    if not (args.data / "xquad.en.json").exists():
        parser.error(f"{args.data} has no xquad.en.json (get XQuAD from github.com/google-deepmind/xquad)")
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    settings = Settings.load(chunk_paragraphs=True, paragraph_cap=args.paragraph_cap)
    if args.answers and settings.mode not in modes:
        parser.error(f"--answers uses the {settings.mode} mode: add it to --modes")
    started = time.perf_counter()
    summary = xquad.convert(args.data, args.work, args.limit, args.join)
    per_lang = build_indexes(args.work, settings)
    retrievers = {lang: Retriever.open(lang_settings) for lang, lang_settings in per_lang.items()}
    rows = evaluate_all(args.work, per_lang, retrievers, modes, args.k)
    info = {
        "corpus": f"XQuAD {summary['articles']} articles / {summary['paragraphs']} paragraphs per language, "
                  f"{rows[0]['n']} questions per direction",
        "embedder": rows[0]["embedder"],
        "machine": machine(),
    }
    if args.answers:
        scores = answer_all(args.work, args.data, args.limit, args.answer_limit, per_lang, retrievers)
        for row in rows:
            if row["mode"] == settings.mode:
                row.update(scores[row["direction"]])
        info["answers"] = answer_note(settings, next(iter(scores.values()))["answers_n"], rows[0]["n"])
    info["seconds"] = time.perf_counter() - started
    text = render(rows, modes, info)
    print(text)
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(text + "\n", encoding="utf-8")
    if args.results:
        args.results.parent.mkdir(parents=True, exist_ok=True)
        payload = {"info": info, "settings": settings.model_dump(mode="json", exclude={"openai_api_key"}),
                   "rows": rows}
        args.results.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
