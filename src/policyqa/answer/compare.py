"""One question answered side by side: a cited answer per region (or per document), and the silent ones.

A comparative question ("which regions fund clinical trials, and how much?") gets a few sentences from
whichever passages score highest when asked once. Here the question is searched once over the whole
corpus to find which regions (or documents) have evidence: one of their passages ranks in the top
`compare_depth` and scores within `compare_gap` of the best. Each of those is then asked again through
the `Answerer`, restricted to its own passages, so its answer quotes only itself; every other region the
corpus covers gets an explicit "not addressed in these documents" row. Asking only the regions with
evidence keeps a comparison to a handful of filtered searches.

A region's own answer has its own settings: `compare_margin`, wider than `answer_margin`, and
`compare_max_sentences`, more than `answer_max_sentences` (a comparative question, "how do the regions
support X?", is answered by more than the single best measure, so each of its sentences comes from
another passage). Its answer is not declined for weak evidence; whether the row stands is decided by the
compare decline model (`compare_refusal_weights` over `compare_refusal_threshold`, fitted on comparison
questions by eval/fit_compare.py), which reads the row answer's refusal features together with the
region's order among those with evidence and how far its lead falls below the best region's (see
`candidates`): within one region's passages the match features tell little. In a region's row "which
regions" is the row itself (`compare_one_region`): the question asks what else it asks, and its
sentences are not ranked by whether they name a place. A region's filter also scopes its sentences
(text/places.speaks_for): a digest passage tagged Hubei and National gives National's row no Hubei
sentence. A row whose lead sentence is about other regions only is silent.

Two alternatives measured worse on eval/compare.jsonl split=tune. Asking every covered region whose best
passage scores within a gap of the corpus's best, however high it ranks (per-region retrieval): at most
0.645 evidence recall with >= 0.90 silent regions marked (gap 0.2), against 0.710 at 0.979 with the
top-5 pick. Naming the region in the question it is asked for ("How does Guangdong support ..."):
recall 0.645 -> 0.581 (answer margin 3, no lead check).
"""

from __future__ import annotations

import re
import threading
import time
import weakref

from ..records import Answer, CitedPassage, CompareGroup, Comparison, Filters, Hit
from ..text.places import (
    NATIONAL,
    NATIONAL_BODIES,
    document_regions,
    passage_places,
    places_named,
    region_name,
    region_of,
    scope_of,
)
from .answerer import Answerer
from .question import prepare_question
from .refusal import answer_probability

BY = ("region", "document")

SILENT = {"en": "Not addressed in these documents.", "zh": "这些文件未涉及此问题。"}
#: a group whose own passages speak of the question but do not give what it asks: its row says so instead
#: of "not addressed" ("各地…产值目标分别是多少？": Guangdong's plan gives a revenue target, no 产值 one)
UNANSWERED = {
    "figure": {"en": "These documents speak of this but give no figure for what is asked.",
               "zh": "这些文件涉及此问题，但没有给出所问的数字。"},
    "year": {"en": "These documents give this only for other years than the one asked.",
             "zh": "这些文件只给出了其他年份的情况。"},
}

_MARKER = re.compile(r"\[(\d+)\]")


def compare(answerer: Answerer, question: str, by: str = "region", filters: Filters | None = None,
            k: int | None = None, mode: str | None = None, backend: str | None = None) -> Comparison:
    """Groups with evidence first (best evidence first), then the silent groups in corpus order."""
    if by not in BY:
        raise ValueError(f"unknown grouping {by!r}: use region or document")
    started = time.perf_counter()
    settings = answerer.settings
    q = prepare_question(question, settings.max_question_chars)
    if q.problem:
        raise ValueError(q.problem)
    typed, q = q.text, answerer.spelled(q)
    groups, numbered, unanswered = [], 0, {}
    for key, answer, features in candidates(answerer, q.text, by, filters, k, mode, backend,
                                            unanswered=unanswered):
        probability = answer_probability(features, settings.compare_refusal_weights)
        if probability < settings.compare_refusal_threshold:
            continue
        groups.append(_group(answerer, key, q.lang, answer, numbered))
        numbered += len(answer.citations)
    answered = {g.group for g in groups}
    groups += [CompareGroup(key=_display(answerer, key, q.lang), group=key, declined=True,
                            answer=UNANSWERED.get(unanswered.get(key, ""), SILENT)[q.lang])
               for key in _keys(answerer, by) if key not in answered]
    return Comparison(question=typed, by=by, lang=q.lang, groups=groups, notice=q.notice,
                      timings_ms={"total": round((time.perf_counter() - started) * 1000, 1)})


def candidates(answerer: Answerer, question: str, by: str = "region", filters: Filters | None = None,
               k: int | None = None, mode: str | None = None, backend: str | None = None,
               depth: int | None = None, unanswered: dict[str, str] | None = None,
               ) -> list[tuple[str, Answer, dict[str, float]]]:
    """The groups with evidence (`_with_evidence` over the top `depth`, default compare_depth), best first,
    that their own answer does not decline: each with that answer and what the compare decline model reads
    (eval/fit_compare.py): the answer's refusal features; `order`, the group's place among those with
    evidence (0 for the best); and how far its lead's score and match fall below the best group's
    (`lead_score_gap`, `lead_match_gap`). A digest passage tagged with several regions gives each the same
    passage scores, and only the lead tells them apart: the fourth region to show up, or one whose lead
    matches far less than another's, has seldom more than a word in common with the question. The groups
    whose own answer is declined for its figure or its years are put in `unanswered` with that reason."""
    settings = answerer.settings
    base = filters or Filters()
    hits = answerer.retriever.search(question, k=depth or settings.compare_depth, filters=base,
                                     mode=mode or settings.mode)
    one = _one_group(answerer, by)
    found = []
    for order, key in enumerate(_with_evidence(hits, _keys(answerer, by), by, settings.compare_gap)):
        scoped = base.model_copy(update={"places": [key]} if by == "region" else {"doc_ids": [key]})
        answer = one.ask(question, k=k, filters=scoped, mode=mode, backend=backend)
        # the assessment the answer was made from (the assessor keeps it: same question, hits and scope)
        assessment = one.assessor.assess(answer.question, answer.hits, scope_of(scoped.places))
        if answer.declined and unanswered is not None and assessment.reason in UNANSWERED:
            unanswered[key] = assessment.reason
        if answer.declined or (by == "region" and not _speaks_for(answer, key)):
            continue
        found.append((key, answer, {**assessment.features, "order": float(order)}))
    for name in ("lead_score", "lead_match"):
        best = max((features[name] for _key, _answer, features in found), default=0.0)
        for _key, _answer, features in found:
            features[f"{name}_gap"] = features[name] - best
    return found


def _keys(answerer: Answerer, by: str) -> list[str]:
    return _regions(answerer) if by == "region" else list(answerer.documents)


_ONE_GROUP: weakref.WeakKeyDictionary[Answerer, dict[str, Answerer]] = weakref.WeakKeyDictionary()
_ONE_GROUP_LOCK = threading.Lock()  # the app compares on several threads


def _one_group(answerer: Answerer, by: str = "region") -> Answerer:
    """The answerer for one group's own passages: the same retriever and settings but the compare decline
    threshold and answer margin, and for a region's row `compare_one_region` ("which regions" is the row
    itself); made once per answerer and grouping, so its assessor's cache lives on."""
    with _ONE_GROUP_LOCK:
        made = _ONE_GROUP.setdefault(answerer, {})
        if by not in made:
            s = answerer.settings
            # its answers are never declined for weak evidence (threshold 0): `compare` decides that with
            # the compare decline model, which also reads the group's order
            tuned = s.model_copy(update={"answer_margin": s.compare_margin,
                                         "answer_max_sentences": s.compare_max_sentences,
                                         "answer_one_per_passage": True,
                                         "refusal_threshold": 0.0,
                                         "compare_one_region": by == "region"})
            made[by] = Answerer(tuned, answerer.retriever)
        return made[by]


def _regions(answerer: Answerer) -> list[str]:
    """The regions the corpus covers, in corpus order: each document's declared region (documents.yaml), and
    for a document that declares none (one added without an entry, or uploaded) the regions its passages
    are tagged with, so that a Zhejiang plan a user adds gets Zhejiang's row."""
    found: dict[str, None] = {}
    tagged = answerer.retriever.index.places_by_doc
    for doc_id, document in answerer.documents.items():
        found.update(dict.fromkeys(document_regions(document.meta.region)
                                   or sorted(tagged.get(doc_id, ()))))
    return list(found)


def _with_evidence(hits: list[Hit], keys: list[str], by: str, gap: float) -> list[str]:
    """Groups owning a passage among the corpus-wide hits that scores within `gap` of the best one."""
    if not hits:
        return []
    floor = hits[0].score - gap
    ranked: dict[str, None] = {}
    for hit in hits:
        if hit.score < floor:
            break
        owners = hit.citation.places if by == "region" else [hit.doc_id]
        ranked.update(dict.fromkeys(o for o in owners if o in keys))
    return list(ranked)


def _speaks_for(answer: Answer, region: str) -> bool:
    """Whether the answer's lead is about the region. A passage of a multi-region digest is tagged with
    every region it names, so a National row could lead with "Local policies, such as those from Hubei
    Province, set..."; its lead sentence is about the regions it names (else the nation when it names a
    national body or speaks of China), and when it is about others only, the region has no answer. A
    sentence naming a national body and not the region is the nation's even in the region's own document:
    Guangzhou's report quotes "the NHSA and the National Health Commission jointly issued … 16
    initiatives", which had led Guangdong's row on R&D rewards (audit, helper h68)."""
    lead = min(answer.citations, key=lambda c: c.n, default=None)
    if lead is None or not lead.sentences:
        return True
    sentence = lead.sentences[0]
    if region != NATIONAL[0] and NATIONAL_BODIES.search(sentence) and region not in {
            region_of(zh) for zh in places_named(sentence)}:
        return False
    about = passage_places(sentence, regions=lead.places, previous=[])
    return not about or region in about


def _group(answerer: Answerer, key: str, lang: str, answer: Answer, offset: int) -> CompareGroup:
    """A group's answer with its [n] markers shifted past the groups before it, so numbers stay unique."""
    text = _MARKER.sub(lambda m: f"[{int(m.group(1)) + offset}]", answer.answer)
    if answer.notice:
        text = f"{text}\n\n{answer.notice}"
    citations = [_shifted(c, offset) for c in answer.citations]
    return CompareGroup(key=_display(answerer, key, lang), group=key, answer=text, citations=citations)


def _shifted(cited: CitedPassage, offset: int) -> CitedPassage:
    return cited.model_copy(update={"n": cited.n + offset})


def _display(answerer: Answerer, key: str, lang: str) -> str:
    """A region's name in the question's language, or a document's title in it when it has one."""
    document = answerer.documents.get(key)
    if document is None:
        return region_name(key, lang)
    meta = document.meta
    titles = [t for t in (meta.title, meta.title_alt) if t]
    chinese = [t for t in titles if re.search(r"[\u4e00-\u9fff]{4}", t)]
    english = [t for t in titles if t not in chinese]
    preferred = chinese if lang == "zh" else english
    return (preferred or titles or [key])[0]
