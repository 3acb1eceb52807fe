#!/usr/bin/env python3
"""Validate eval/questions.jsonl against the seed documents.

Usage: python3 eval/check_questions.py [--seeds DIR] [--questions FILE] [--compare FILE]

Checks:
  * every line parses as a JSON object with exactly the expected fields/types
  * lang in {en, zh}; evidence_lang in {en, zh, none}; ids unique (qNNN)
  * answerable questions have 1-3 non-empty evidence strings and
    evidence_lang en/zh; unanswerable ones have evidence [] and "none"
  * optional fields: "answer_type" (quantity/date/place/list/yesno/other) on any question,
    "kind" (place/topic/hard: why the corpus cannot answer) on unanswerable ones only
  * ids: qNNN / uNNN (question set), hNN / huNN (held-out), fNN / fuNN (fresh held-out
    split for the answer layer, eval/fresh.jsonl), gNN / guNN (second fresh held-out split,
    eval/fresh2.jsonl), kNN / kuNN (third, eval/fresh3.jsonl),
    mNN / muNN (fourth, eval/fresh4.jsonl), nNN / nuNN (fifth, eval/fresh5.jsonl),
    pNN / puNN (sixth, eval/fresh6.jsonl), rNN / ruNN (seventh, eval/fresh7.jsonl),
    sNN / suNN (eighth, eval/fresh8.jsonl), tNN / tuNN (ninth, eval/fresh9.jsonl),
    vNN / vuNN (tenth, eval/fresh10.jsonl)
    wNN / wuNN (eleventh, eval/fresh11.jsonl)
    xNN / xuNN (twelfth, eval/fresh12.jsonl)
    yNN / yuNN (thirteenth, eval/fresh13.jsonl)
    zNN / zuNN (fourteenth, eval/fresh14.jsonl)
    bNN / buNN (fifteenth, eval/fresh15.jsonl)
    dNN / duNN (sixteenth, eval/fresh16.jsonl)
    eNN / euNN (seventeenth, eval/fresh17.jsonl)
    iNN / iuNN (eighteenth, eval/fresh18.jsonl)
    jNN / juNN (nineteenth, eval/fresh19.jsonl)
    lNN / luNN (twentieth, eval/fresh20.jsonl)
    aNN / auNN (twenty-first, eval/fresh21.jsonl)
    oNN / ouNN (twenty-second, eval/fresh22.jsonl)
  * evidence strings contain no line break and are of reasonable length
  * every evidence string occurs exactly once in the seed files (exact match)
    and exactly once after removing whitespace, lower-casing and NFKC (the hit test
    used by the retrieval benchmark)
  * evidence script matches evidence_lang (CJK for zh, none for en)
  * evidence is not taken from known boilerplate (widgets, related-news list,
    navigation, footers)
Prints counts per lang->evidence_lang bucket. Exit status 1 on any problem.
--compare FILE checks a comparison set instead (eval/compare.jsonl): fields, regions, splits, and
every per-region evidence string occurring in the seeds outside boilerplate.
Standard library only.
"""
import argparse
import json
import os
import re
import sys
import unicodedata
from collections import Counter

FIELDS = {"id": str, "question": str, "lang": str, "evidence_lang": str,
          "evidence": list, "answerable": bool}
OPTIONAL = {"kind": {"place", "topic", "hard"},
            "answer_type": {"quantity", "date", "place", "list", "yesno", "other"}}
ID = re.compile(r"(q|u)\d{3,}|(h|hu)\d{2,}|(f|fu)\d{2,}|(g|gu)\d{2,}|(k|ku)\d{2,}|(m|mu)\d{2,}|(n|nu)\d{2,}|"
                r"(p|pu)\d{2,}|(r|ru)\d{2,}|(s|su)\d{2,}|(t|tu)\d{2,}|(v|vu)\d{2,}|(w|wu)\d{2,}|(x|xu)\d{2,}|"
                r"(y|yu)\d{2,}|(z|zu)\d{2,}|(b|bu)\d{2,}|(d|du)\d{2,}|(e|eu)\d{2,}|(i|iu)\d{2,}|(j|ju)\d{2,}|(l|lu)\d{2,}|(a|au)\d{2,}|(o|ou)\d{2,}")
REGIONS = {"National", "Beijing", "Guangdong", "Hainan", "Sichuan", "Hubei"}
COMPARE_FIELDS = {"id", "question", "lang", "by", "split", "groups", "silent"}
SPLITS = ("tune", "heldout", "heldout2", "heldout3", "heldout4", "heldout5", "heldout6", "heldout7",
          "heldout8", "heldout9", "heldout10", "heldout11", "heldout12", "heldout13", "heldout14",
          "heldout15")
WS = re.compile(r"\s+")
CJK = re.compile(r"[\u3400-\u9fff]")

# Lines the ingester strips; evidence must never come from them.
BOILERPLATE_LINE = re.compile(
    r"^(分享好友|举报|收藏|打赏|评论|Workflow|icon|Search documents|资讯首页|"
    r"Special statement|Recommended Reading|Links|Edit:|Author:|Source:|来源:)"
    r"|^0评论")
# In 004, everything after the "举报" widget line is a related-news list.
TAIL_MARKER = "举报"


def norm(s):
    """The eval's hit rule (policyqa.evaluate.metrics.normalise): NFKC, whitespace removed, lower-cased."""
    return WS.sub("", unicodedata.normalize("NFKC", s)).lower()


def default_seeds():
    here = os.path.dirname(os.path.abspath(__file__))
    for cand in (os.path.join(here, "..", "corpus"), "/work/shared/seeds"):
        if os.path.isdir(cand) and any(n.endswith(".txt") for n in os.listdir(cand)):
            return os.path.normpath(cand)
    return "/work/shared/seeds"


def load_seeds(d):
    docs = {}
    for name in sorted(os.listdir(d)):
        if name.endswith(".txt"):
            with open(os.path.join(d, name), encoding="utf-8") as f:
                docs[name] = f.read()
    return docs


def boilerplate_spans(text):
    """(start, end) character spans of boilerplate within one document."""
    spans = []
    pos = 0
    lines = text.split("\n")
    for line in lines:
        stripped = line.strip()
        if stripped == TAIL_MARKER:
            spans.append((pos, len(text)))
            break
        if stripped and BOILERPLATE_LINE.search(stripped):
            spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", default=default_seeds())
    ap.add_argument("--questions", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "questions.jsonl"))
    ap.add_argument("--compare", help="validate this comparison file instead")
    args = ap.parse_args()

    docs = load_seeds(args.seeds)
    if not docs:
        print(f"no .txt seed files in {args.seeds}")
        return 1
    ndocs = {k: norm(v) for k, v in docs.items()}
    bp = {k: boilerplate_spans(v) for k, v in docs.items()}
    if args.compare:
        return check_compare(args.compare, docs, bp)

    problems = []
    buckets = Counter()
    ids = set()
    n = unans = 0
    with open(args.questions, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            where = f"line {lineno}"
            if not line.strip():
                problems.append(f"{where}: blank line")
                continue
            try:
                q = json.loads(line)
            except json.JSONDecodeError as e:
                problems.append(f"{where}: bad JSON: {e}")
                continue
            if not isinstance(q, dict):
                problems.append(f"{where}: not an object")
                continue
            n += 1
            if not set(FIELDS) <= set(q) <= set(FIELDS) | set(OPTIONAL):
                want = f"{sorted(FIELDS)} + optional {sorted(OPTIONAL)}"
                problems.append(f"{where}: fields {sorted(q)} != {want}")
            for k, allowed in OPTIONAL.items():
                if k in q and q[k] not in allowed:
                    problems.append(f"{where}: bad {k} {q[k]!r}")
            if "kind" in q and q.get("answerable"):
                problems.append(f"{where}: kind is only for unanswerable questions")
            bad_type = [k for k, t in FIELDS.items() if k in q and not isinstance(q[k], t)]
            if bad_type:
                problems.append(f"{where}: wrong type for {bad_type}")
                continue
            if any(k not in q for k in FIELDS):
                continue
            qid = q["id"]
            where = f"line {lineno} ({qid})"
            if not ID.fullmatch(qid):
                problems.append(f"{where}: bad id format")
            if qid in ids:
                problems.append(f"{where}: duplicate id")
            ids.add(qid)
            if not q["question"].strip():
                problems.append(f"{where}: empty question")
            lang, el, ev = q["lang"], q["evidence_lang"], q["evidence"]
            if lang not in ("en", "zh"):
                problems.append(f"{where}: bad lang {lang!r}")
            elif lang == "zh" and not CJK.search(q["question"]):
                problems.append(f"{where}: lang zh but question has no CJK")
            elif lang == "en" and len(CJK.findall(q["question"])) > 6:
                problems.append(f"{where}: lang en but question is mostly CJK")
            if el not in ("en", "zh", "none"):
                problems.append(f"{where}: bad evidence_lang {el!r}")
            buckets[f"{lang}->{el}"] += 1
            if q["answerable"]:
                if el == "none":
                    problems.append(f"{where}: answerable but evidence_lang none")
                if not 1 <= len(ev) <= 4:
                    problems.append(f"{where}: answerable needs 1-4 evidence strings")
            else:
                unans += 1
                if el != "none" or ev:
                    problems.append(f"{where}: unanswerable needs evidence [] and evidence_lang none")
            for e in ev:
                if not isinstance(e, str) or not e.strip():
                    problems.append(f"{where}: empty/non-string evidence {e!r}")
                    continue
                if "\n" in e or "\r" in e:
                    problems.append(f"{where}: evidence crosses a line break: {e!r}")
                if not 6 <= len(e) <= 100:
                    problems.append(f"{where}: evidence length {len(e)} out of range: {e!r}")
                if el == "zh" and not CJK.search(e):
                    problems.append(f"{where}: evidence_lang zh but no CJK in {e!r}")
                if el == "en" and CJK.search(e):
                    problems.append(f"{where}: evidence_lang en but CJK in {e!r}")
                exact = sum(t.count(e) for t in docs.values())
                if exact != 1:
                    problems.append(f"{where}: evidence occurs {exact}x exactly (need 1): {e!r}")
                ne = norm(e)
                normed = sum(t.count(ne) for t in ndocs.values())
                if normed != 1:
                    problems.append(f"{where}: evidence occurs {normed}x normalised (need 1): {e!r}")
                for name, t in docs.items():
                    i = t.find(e)
                    while i != -1:
                        if any(s <= i < end for s, end in bp[name]):
                            problems.append(f"{where}: evidence inside boilerplate of {name}: {e!r}")
                        i = t.find(e, i + 1)

    print(f"questions: {n}  unanswerable: {unans}  seeds: {args.seeds} ({len(docs)} files)")
    for k in ("zh->zh", "en->en", "en->zh", "zh->en", "en->none", "zh->none"):
        print(f"  {k:9s} {buckets.get(k, 0)}")
    for k in sorted(set(buckets) - {"zh->zh", "en->en", "en->zh", "zh->en", "en->none", "zh->none"}):
        print(f"  {k:9s} {buckets[k]}")
    print(f"  cross-lingual {buckets['en->zh'] + buckets['zh->en']}")
    if problems:
        print(f"\n{len(problems)} problem(s):")
        for p in problems:
            print("  " + p)
        return 1
    print("OK: 0 problems")
    return 0


def check_compare(path, docs, bp):
    """Comparison questions: one evidence list per region; the other covered regions are silent."""
    problems, ids, splits = [], set(), Counter()
    with open(path, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    for q in rows:
        where = q.get("id", "?")
        if set(q) != COMPARE_FIELDS:
            problems.append(f"{where}: fields {sorted(q)} != {sorted(COMPARE_FIELDS)}")
            continue
        if not re.fullmatch(r"c\d{2,}", where) or where in ids:
            problems.append(f"{where}: bad or duplicate id")
        ids.add(where)
        if q["lang"] not in ("en", "zh") or q["by"] != "region" or q["split"] not in SPLITS:
            problems.append(f"{where}: bad lang/by/split")
        splits[q["split"], q["lang"]] += 1
        groups, silent = q["groups"], q["silent"]
        if not groups or set(groups) & set(silent) or set(groups) | set(silent) != REGIONS:
            problems.append(f"{where}: groups + silent must partition {sorted(REGIONS)}")
        for region, evidence in groups.items():
            for e in evidence or [""]:
                hits = [(n, m.start()) for n, t in docs.items()
                        for m in re.finditer(re.escape(e), t)] if e else []
                if not hits:
                    problems.append(f"{where}/{region}: evidence not in seeds: {e!r}")
                elif all(any(s <= i < end for s, end in bp[n]) for n, i in hits):
                    problems.append(f"{where}/{region}: evidence only in boilerplate: {e!r}")
    counts = "  ".join(f"{s}/{lang} {c}" for (s, lang), c in sorted(splits.items()))
    print(f"comparison questions: {len(rows)}  {counts}")
    for p in problems:
        print("  " + p)
    print(f"{len(problems)} problem(s)" if problems else "OK: 0 problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
