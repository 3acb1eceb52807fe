"""Convert XQuAD (English + Chinese) into policyqa retrieval benchmarks.

XQuAD (Artetxe, Ruder and Yogatama, 2020; CC BY-SA 4.0) is the SQuAD v1.1
development subset (48 articles, 240 paragraphs, 1190 questions) translated
professionally into other languages. The English and Chinese files share
question ids and the order of articles and paragraphs, so each question has a
known gold paragraph in both languages.

Output in ``--out DIR``:

* ``corpus-en/`` and ``corpus-zh/``: one UTF-8 ``.txt`` file per article, named
  ``<index>_<slug>.txt`` with the zero-based article index and a slug of the
  English title (the Chinese file has the same stem, so files align). Line 1 is
  the title, then a blank line, then the paragraphs separated by blank lines.
  Paragraphs are written unchanged except that surrounding whitespace is
  stripped and each newline becomes a space.
* ``questions-<q>-<e>.jsonl`` for the four directions, one JSON object a line:
  ``{"id", "question", "lang", "evidence_lang", "evidence", "answerable"}``.

Which corpus each direction is evaluated against (the question language
``q`` and the evidence language ``e``):

* en->en: English questions, ``corpus-en``
* zh->zh: Chinese questions, ``corpus-zh``
* en->zh: English questions, ``corpus-zh`` (cross-lingual)
* zh->en: Chinese questions, ``corpus-en`` (cross-lingual)

The evidence is the sentence of the gold paragraph (in the evidence language)
that contains the answer, found from ``answer_start``; if the answer crosses a
sentence boundary, all sentences it touches are kept together. It is an exact
substring of the paragraph as written, because the evaluator counts a passage
as a hit when it contains the evidence after removing whitespace and
lower-casing.

Usage::

    python eval/benchmarks/xquad.py --data /path/to/xquad --out DIR [--limit N] [--join N]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

LANGS = ("en", "zh")
DIRECTIONS = (("en", "en"), ("zh", "zh"), ("en", "zh"), ("zh", "en"))

# Words that end in "." without ending the sentence: titles before names
# ("Dr. Constantine", "St. Johns"), and reference words when a number follows
# ("No. 81", "Vol. 2", "et al. 1998"; but "yes and no. Then" does end).
TITLES = frozenset({"mr", "mrs", "ms", "dr", "prof", "rev", "st", "mt", "ft", "sr", "jr", "gen", "col", "lt"})
REFERENCES = frozenset({"no", "nos", "vol", "vols", "pp", "fig", "al", "approx", "ca", "cf", "vs"})
# A run of single letters with dots: initials and "U.S", "i.e", "E.I".
INITIALS = re.compile(r"(?:[A-Za-z]\.)*[A-Za-z]")
CLOSERS = "\"'”’)]»"
# Group 1 is the whole word before the terminator run (group 2), so
# abbreviations can be recognised without scanning back through the text.
EN_END = re.compile(rf"(?<!\S)(\S*?)([.!?]+[{re.escape(CLOSERS)}]*)(?=\s|$)")
ZH_END = re.compile(r"[。！？]+[”’」』）》)\"']*")
OPENERS = "(\"'“‘["
WHITESPACE = re.compile(r"\s+")
# A sentence without surrounding whitespace or the stray byte-order marks that
# start six Chinese paragraphs, so evidence matches whether or not the
# indexer keeps them.
CONTENT = re.compile(r"[^\s\ufeff](?:.*[^\s\ufeff])?", re.DOTALL)


@dataclass
class Question:
    """One question with its gold evidence sentence in its own language."""

    qid: str
    text: str
    evidence: str


@dataclass
class Article:
    """One article of one language, with cleaned paragraphs."""

    title: str
    paragraphs: list[str]


@dataclass
class Stats:
    """Counters reported at the end, to make data problems visible."""

    offset_fallback: Counter[str] = field(default_factory=Counter)
    paragraph_fallback: Counter[str] = field(default_factory=Counter)
    multi_sentence: Counter[str] = field(default_factory=Counter)
    long_evidence: Counter[str] = field(default_factory=Counter)
    duplicates: Counter[str] = field(default_factory=Counter)


def clean_paragraph(text: str) -> str:
    """Strip the ends and turn newlines into spaces, keeping everything else.

    Each newline character maps to exactly one space, so answer offsets only
    shift by the leading whitespace that was stripped.
    """
    return text.strip().replace("\r", " ").replace("\n", " ")


def slug(title: str) -> str:
    """Make a file-name-safe stem from a SQuAD title ("Fresno,_California")."""
    return re.sub(r"[^0-9A-Za-z]+", "_", title).strip("_") or "article"


def _is_en_boundary(text: str, match: re.Match[str]) -> bool:
    """Decide whether an English ". ! ?" run really ends a sentence.

    Decimals ("3.5") never match because a boundary needs whitespace after
    it; abbreviations and initials ("U.S.", "John F. Kennedy", "Dr.") and any
    terminator followed by a lower-case word ("e.g. the") are not boundaries.
    """
    rest = text[match.end() :].lstrip()
    if rest[:1].islower():
        return False
    if match.group(2) != ".":
        return True
    token = match.group(1).lstrip(OPENERS)
    if token.lower() in REFERENCES:
        return not rest[:1].isdigit()
    return not (token.lower() in TITLES or INITIALS.fullmatch(token))


def sentence_spans(text: str, lang: str) -> list[tuple[int, int]]:
    """Split text into (start, end) sentence spans without surrounding space.

    Spans index into ``text`` so evidence stays an exact substring. Chinese
    sentences end at 。！？ (plus closing quotes/brackets); English ones at
    . ! ? followed by whitespace or the end, minus abbreviations.
    """
    if lang == "zh":
        ends = [m.end() for m in ZH_END.finditer(text)]
    else:
        ends = [m.end() for m in EN_END.finditer(text) if _is_en_boundary(text, m)]
    spans = []
    start = 0
    for end in [*ends, len(text)]:
        content = CONTENT.search(text, start, end)
        if content:
            spans.append(content.span())
        start = end
    return spans


def locate_answer(paragraph: str, answer: str, start: int) -> int | None:
    """Find the answer's offset: trust answer_start, else the first match."""
    if start >= 0 and paragraph[start : start + len(answer)] == answer:
        return start
    found = paragraph.find(answer)
    return None if found < 0 else found


def evidence_sentence(paragraph: str, answer: str, start: int, lang: str, stats: Stats) -> str:
    """Return the sentence(s) of the paragraph containing the answer.

    Falls back to str.find when answer_start does not match and to the whole
    paragraph when the answer is not in it, counting both in ``stats``.
    """
    offset = locate_answer(paragraph, answer, start)
    if offset is None:
        stats.paragraph_fallback[lang] += 1
        return paragraph
    if offset != start:
        stats.offset_fallback[lang] += 1
    answer_end = offset + max(len(answer), 1)
    touched = [(s, e) for s, e in sentence_spans(paragraph, lang) if s < answer_end and e > offset]
    if len(touched) > 1:
        stats.multi_sentence[lang] += 1
    return paragraph[touched[0][0] : touched[-1][1]]


def convert_article(raw: dict, lang: str, stats: Stats) -> tuple[Article, list[list[Question]]]:
    """Clean one SQuAD article and build its questions, grouped by paragraph."""
    paragraphs: list[str] = []
    questions: list[list[Question]] = []
    for raw_paragraph in raw["paragraphs"]:
        context = raw_paragraph["context"]
        shift = len(context) - len(context.lstrip())
        paragraph = clean_paragraph(context)
        paragraphs.append(paragraph)
        group = []
        for qa in raw_paragraph["qas"]:
            answer = qa["answers"][0]
            text = answer["text"].replace("\r", " ").replace("\n", " ")
            start = answer["answer_start"] - shift
            evidence = evidence_sentence(paragraph, text, start, lang, stats)
            if len(evidence) > 200:
                stats.long_evidence[lang] += 1
            group.append(Question(qa["id"], qa["question"].strip(), evidence))
        questions.append(group)
    return Article(raw["title"], paragraphs), questions


def join_paragraphs(article: Article, join: int) -> Article:
    """Join every `join` consecutive paragraphs into one (a space between), for long-paragraph runs.

    XQuAD's paragraphs are all under 240 model tokens, so none is ever split by the chunker; joined two or
    three at a time most run 300-700 tokens, which measures how chunking treats long paragraphs. Evidence
    strings stay exact substrings, and the gold paragraph is the joined one.
    """
    groups = [article.paragraphs[i : i + join] for i in range(0, len(article.paragraphs), join)]
    return Article(article.title, [" ".join(group) for group in groups])


def check_alignment(en: list[dict], zh: list[dict]) -> None:
    """Fail loudly if the two files do not pair by position and question id.

    File stems and cross-lingual gold paragraphs rely on this alignment.
    """
    if len(en) != len(zh):
        raise ValueError(f"article count differs: en {len(en)}, zh {len(zh)}")
    for index, (a_en, a_zh) in enumerate(zip(en, zh, strict=True)):
        ids_en = [[q["id"] for q in p["qas"]] for p in a_en["paragraphs"]]
        ids_zh = [[q["id"] for q in p["qas"]] for p in a_zh["paragraphs"]]
        if ids_en != ids_zh:
            raise ValueError(f"article {index} ({a_en['title']}): paragraphs or question ids differ")


def write_corpus(directory: Path, stems: list[str], articles: list[Article]) -> None:
    """Write one title + paragraphs file per article, replacing older .txt files."""
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("*.txt"):
        old.unlink()
    for stem, article in zip(stems, articles, strict=True):
        body = "\n\n".join([article.title, *article.paragraphs]) + "\n"
        (directory / f"{stem}.txt").write_text(body, encoding="utf-8")


def write_questions(
    path: Path, asked: list[Question], evidence: dict[str, str], q_lang: str, e_lang: str
) -> int:
    """Write one direction's JSONL, pairing questions and evidence by id."""
    with path.open("w", encoding="utf-8") as out:
        for question in asked:
            record = {
                "id": question.qid,
                "question": question.text,
                "lang": q_lang,
                "evidence_lang": e_lang,
                "evidence": [evidence[question.qid]],
                "answerable": True,
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return len(asked)


def normalise(text: str) -> str:
    """Apply the evaluator's matching normalisation: no whitespace, lower case."""
    return WHITESPACE.sub("", text).lower()


def count_duplicates(articles: list[Article], questions: list[Question]) -> int:
    """Count questions whose evidence matches more than one corpus paragraph.

    Such questions can be hit by a non-gold paragraph; they are kept, only
    reported.
    """
    paragraphs = [normalise(p) for article in articles for p in article.paragraphs]
    evidence = [normalise(q.evidence) for q in questions]
    return sum(1 for e in evidence if sum(e in p for p in paragraphs) > 1)


def load(data: Path, lang: str, limit: int | None) -> list[dict]:
    """Read one XQuAD language file, keeping the first ``limit`` articles."""
    with (data / f"xquad.{lang}.json").open(encoding="utf-8") as handle:
        return json.load(handle)["data"][:limit]


def gold_answers(data: Path, lang: str, limit: int | None) -> dict[str, list[str]]:
    """Question id -> gold answer strings of one language (answer benchmark: is the gold in the answer?).

    Newlines become spaces as in the corpus; matching ignores whitespace and case anyway.
    """
    return {
        qa["id"]: [a["text"].replace("\r", " ").replace("\n", " ") for a in qa["answers"]]
        for article in load(data, lang, limit)
        for paragraph in article["paragraphs"]
        for qa in paragraph["qas"]
    }


def per_lang(counter: Counter[str]) -> dict[str, int]:
    """List every language, so zero counts are printed rather than omitted."""
    return {lang: counter[lang] for lang in LANGS}


def convert(data: Path, out: Path, limit: int | None, join: int = 1) -> dict:
    """Run the whole conversion and return the summary numbers; `join` > 1 joins paragraphs (see
    `join_paragraphs`)."""
    raw = {lang: load(data, lang, limit) for lang in LANGS}
    check_alignment(raw["en"], raw["zh"])
    stems = [f"{i:02d}_{slug(a['title'])}" for i, a in enumerate(raw["en"])]
    stats = Stats()
    articles: dict[str, list[Article]] = {}
    questions: dict[str, list[Question]] = {}
    for lang in LANGS:
        converted = [convert_article(a, lang, stats) for a in raw[lang]]
        articles[lang] = [join_paragraphs(article, join) for article, _ in converted]
        questions[lang] = [q for _, groups in converted for group in groups for q in group]
        write_corpus(out / f"corpus-{lang}", stems, articles[lang])
        stats.duplicates[lang] = count_duplicates(articles[lang], questions[lang])
    evidence = {lang: {q.qid: q.evidence for q in questions[lang]} for lang in LANGS}
    per_direction = {
        f"{q}->{e}": write_questions(out / f"questions-{q}-{e}.jsonl", questions[q], evidence[e], q, e)
        for q, e in DIRECTIONS
    }
    return {
        "articles": len(raw["en"]),
        "paragraphs": sum(len(a.paragraphs) for a in articles["en"]),
        "questions": per_direction,
        "answer_start_mismatch_fallback_to_find": per_lang(stats.offset_fallback),
        "answer_not_found_fallback_to_paragraph": per_lang(stats.paragraph_fallback),
        "answers_spanning_sentences": per_lang(stats.multi_sentence),
        "evidence_over_200_chars": per_lang(stats.long_evidence),
        "evidence_in_several_paragraphs": per_lang(stats.duplicates),
    }


def print_summary(summary: dict) -> None:
    """Print one 'key: value' line per number, per-language counts inline."""
    for key, value in summary.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k} {v}" for k, v in value.items())
        print(f"{key}: {value}")


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, convert, print the summary."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data", type=Path, required=True, help="folder with xquad.en.json and xquad.zh.json"
    )
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--limit", type=int, help="convert only the first N articles")
    parser.add_argument("--join", type=int, default=1,
                        help="join every N consecutive paragraphs of an article into one (long paragraphs)")
    args = parser.parse_args(argv)
    if args.limit is not None and args.limit < 1:
        parser.error("--limit must be at least 1")
    if args.join < 1:
        parser.error("--join must be at least 1")
    print_summary(convert(args.data, args.out, args.limit, args.join))
    return 0


if __name__ == "__main__":
    sys.exit(main())
