"""Retrieval on the real index with the real embedder: across languages, with citations and filters."""

from __future__ import annotations

import pytest

from conftest import load_questions, normalise
from policyqa.records import Filters
from policyqa.retrieve.retriever import Retriever
from policyqa.settings import FusionSettings

QUESTIONS = {q["id"]: q for q in load_questions()}
# English questions answered only in the Chinese national measures, and Chinese questions answered only
# in English documents (ids from eval/questions.jsonl, so the gold evidence is shared with the eval).
CROSS_LINGUAL = [
    "q027",
    "q063",
    "q085",
    "q035",
    "q097",
    "q106",
    "q084",
    "q013",
    "q033",
    "q068",
    "q073",
    "q081",
]


def test_most_cross_lingual_answers_are_in_the_top_five(retriever) -> None:
    found = [qid for qid in CROSS_LINGUAL
             if _found(retriever.search(QUESTIONS[qid]["question"], k=5), QUESTIONS[qid]["evidence"])]
    assert len(found) >= 11, sorted(set(CROSS_LINGUAL) - set(found))


def _found(hits, evidence: list[str]) -> bool:
    return any(normalise(e) in normalise(h.text) for h in hits for e in evidence)


@pytest.mark.parametrize("qid", CROSS_LINGUAL)
def test_question_finds_the_passage_in_the_other_language(retriever, qid: str) -> None:
    question = QUESTIONS[qid]
    assert question["lang"] != question["evidence_lang"]
    hits = retriever.search(question["question"], k=10)
    assert _found(hits, question["evidence"]), [h.text[:40] for h in hits]
    answer_lang = {h.lang for h in hits if _found([h], question["evidence"])}
    assert answer_lang == {question["evidence_lang"]}


def test_design_card_questions(retriever) -> None:
    zh = retriever.search("广东计划建设多少个综合性生物医药产业园区？", k=5)
    assert _found(zh, ["build 10 comprehensive industrial parks"])
    question = (
        "What does the national policy say about the commercial health insurance innovative drug catalogue?"
    )
    en = retriever.search(question, k=5)
    # the national measure that creates the catalogue, although the question is English: first with the
    # glossary alone, second with the CC-CEDICT dictionary (default), whose 'policy' -> 政策 lifts the
    # measure on catalogue admission policy (加强药品目录准入政策指导) above it (measured regression)
    assert _found(en[:2], ["增设商业健康保险创新药品目录"])
    glossary_only = Retriever(retriever.index, retriever.embedder, FusionSettings(dictionary=False))
    assert _found(glossary_only.search(question, k=1), ["增设商业健康保险创新药品目录"])
    national = retriever.search(question, k=3, filters=Filters(regions=["national"]))
    assert _found(national, ["增设商业健康保险创新药品目录"])


@pytest.mark.parametrize("qid", ["q023", "q063", "q068", "q097"])
def test_glossary_lets_keywords_cross_languages(retriever, qid: str) -> None:
    """BM25 alone finds these only through the glossary's translations of the question's terms."""
    question = QUESTIONS[qid]
    assert question["lang"] != question["evidence_lang"]
    expanded = retriever.search(question["question"], k=5, mode="bm25")
    assert _found(expanded[:2], question["evidence"]), [h.text[:40] for h in expanded]
    plain = Retriever(retriever.index, retriever.embedder, FusionSettings(glossary=False, dictionary=False))
    assert not _found(plain.search(question["question"], k=10, mode="bm25"), question["evidence"])


def test_bm25_scores_are_query_coverage(retriever) -> None:
    """A passage's BM25 score is the share of the question it matches: within (0, 1]."""
    for question in ("双通道管理机制", "How is the dual-channel mechanism managed?", "zzzz qqqq 双通道"):
        hits = retriever.search(question, k=10, mode="bm25")
        assert hits and all(0 < h.score <= 1 for h in hits)
    words = retriever.search("双通道", k=1, mode="bm25")[0].score
    diluted = retriever.search("双通道 zzzz qqqq", k=1, mode="bm25")[0].score
    assert diluted < words  # terms no passage has still count in the question


def test_a_passage_in_the_other_language_can_match_a_translated_question_fully(retriever) -> None:
    """Coverage takes the better of the question's own terms and their glossary translations."""
    for question in ("dual-channel", "双通道"):
        best = retriever.search(question, k=1, mode="bm25")[0]
        assert "双通道" in best.text and best.score == pytest.approx(1.0)


def test_a_partly_translated_question_is_matched_partly(retriever) -> None:
    """Only 广东 has a glossary translation here; 'guangdong' alone must not count as the whole question."""
    def best_english(question: str) -> float:
        return max(h.score for h in retriever.search(question, k=20, mode="bm25") if h.lang == "en")

    assert best_english("广东要吸引多少家世界知名企业") < 0.6 * best_english("广东")


def test_numbers_carry_over_to_the_other_language(retriever) -> None:
    """A Chinese question's figures are matched in English passages as they are; 万亿元 has no
    translation, so without the carried-over number the English passage would cover about 0.12."""
    best = retriever.search("2.14万亿元", k=1, mode="bm25")[0]
    assert "2.14 trillion" in best.text and best.score >= 0.3


def test_citations_point_at_the_exact_passage(retriever, index) -> None:
    hits = retriever.search("双通道管理机制", k=5)
    assert hits and [h.rank for h in hits] == list(range(1, len(hits) + 1))
    for hit in hits:
        c = hit.citation
        assert index.documents[c.doc_id].text[c.start : c.end] == hit.text
        assert c.title == index.documents[c.doc_id].meta.title
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize("mode", ["dense", "bm25", "hybrid"])
def test_filters_apply_inside_the_search_and_keep_top_k_full(retriever, index, mode: str) -> None:
    only = "beijing-innovative-medicine-measures-2025"
    hits = retriever.search("创新药 clinical trials", k=8, filters=Filters(doc_ids=[only]), mode=mode)
    assert hits and all(h.doc_id == only for h in hits)
    if mode != "bm25":  # BM25 returns only passages sharing a word with the question
        assert len(hits) == min(8, len(index.rows_by_doc[only]))


def test_region_language_and_date_filters(retriever) -> None:
    assert all(
        "national" in h.citation.region
        for h in retriever.search("innovative drugs", k=10, filters=Filters(regions=["national"]))
    )
    assert {
        h.lang for h in retriever.search("innovative drugs", k=10, filters=Filters(languages=["zh"]))
    } == {"zh"}
    dated = retriever.search(
        "innovative drugs", k=10, filters=Filters(date_from="2025-07-01", date_to="2025-12-31")
    )
    assert dated and all("2025-07-01" <= h.citation.date <= "2025-12-31" for h in dated)
    assert retriever.search("innovative drugs", k=5, filters=Filters(regions=["Atlantis"])) == []


BEIJING = "beijing-innovative-medicine-measures-2025"


@pytest.mark.parametrize(("filters", "named"), [
    (Filters(doc_ids=["nosuchdoc"]), ["'nosuchdoc'", BEIJING]),
    (Filters(regions=["Atlantis"]), ["'Atlantis'", "Beijing", "Guangdong", "national"]),
    (Filters(places=["亚特兰蒂斯"]), ["'亚特兰蒂斯'", "Hainan", "National"]),
    (Filters(doc_ids=[BEIJING], regions=["Guangdong"]), ["doc_ids, regions"]),
])
def test_filters_that_can_never_match_are_named_with_what_the_index_holds(retriever, filters, named) -> None:
    problem = retriever.filter_problem(filters)
    assert problem and "\n" not in problem and all(n in problem for n in named), problem
    assert retriever.search("innovative drugs", k=5, filters=filters) == []  # the search itself stays silent


@pytest.mark.parametrize(("chinese", "english"), [
    ("广东", "Guangdong"), ("北京", "Beijing"), ("全国", "national"), ("广州", "Guangzhou")])
def test_a_region_filter_takes_the_chinese_name_as_the_places_filter_does(retriever, chinese, english):
    """`--region 广东` had been refused ("no document's region matches '广东'") while `--place 海南` was
    taken and comparison rows are headed 广东."""
    assert retriever.filter_problem(Filters(regions=[chinese])) == ""
    found = {h.doc_id for h in retriever.search("创新药", k=10, filters=Filters(regions=[chinese]))}
    assert found and found == {h.doc_id for h in retriever.search("创新药", k=10,
                                                                  filters=Filters(regions=[english]))}


@pytest.mark.parametrize("filters", [
    None, Filters(), Filters(regions=["guangdong"]), Filters(places=["海南"]), Filters(doc_ids=[BEIJING]),
    Filters(date_from="2025-07-01", date_to="2025-12-31", languages=["en"]),
])
def test_filters_that_match_pass(retriever, filters) -> None:
    assert retriever.filter_problem(filters) == ""


def test_a_date_bound_counts_to_its_own_precision(retriever) -> None:
    """--date-to 2025 keeps a notice of 2025-07-08: compared whole, '2025-07-08' > '2025' dropped it."""
    year = retriever.search("innovative drugs", k=10, filters=Filters(date_from="2025", date_to="2025"))
    assert year and all(h.citation.date.startswith("2025") for h in year)
    july = Filters(doc_ids=[BEIJING], date_to="2025-07")
    assert retriever.filter_problem(july) == "" and retriever.search("innovative drugs", k=2, filters=july)
    assert "date_to" in retriever.filter_problem(Filters(doc_ids=[BEIJING], date_to="2025-06"))


def test_empty_question_is_an_error(retriever) -> None:
    with pytest.raises(ValueError, match="empty"):
        retriever.search("   ")


def test_a_citation_opens_at_its_passage_in_the_file(retriever, built) -> None:
    """A citation's path and source span point at the passage in the file as it lies in corpus/ (the
    cleaned-text span is shifted by every widget line, byline and space the cleaner dropped before it;
    in the national notice by about 60 characters). Lines the cleaner dropped inside the passage stay in
    the file's span, so its ends are compared."""
    shifted = 0
    questions = ("医保定点医疗机构在药品目录更新后多久内召开药事会？", "Hainan merger loan interest subsidy",
                 "粤商·省长面对面协商座谈会")
    for question in questions:
        for hit in retriever.search(question, k=5):
            c = hit.citation
            text = (built[0].corpus_dir / c.source_file).read_text(encoding="utf-8")
            found, passage = "".join(text[c.source_start:c.source_end].split()), "".join(hit.text.split())
            assert found[:8] == passage[:8] and found[-8:] == passage[-8:], (c, found[:40], passage[:40])
            shifted += c.source_start != c.start
    assert shifted  # the two spans differ where lines were dropped: the file's is not the cleaned one


def test_a_province_region_filter_keeps_its_cities_documents(retriever) -> None:
    """--region Guangdong keeps the Guangzhou conference's report (region: Guangzhou), which holds the
    province's 15-working-day listing review; --region Guangzhou keeps only that report, not the plan."""
    question = "How many working days does Guangdong take to complete listing reviews for innovative drugs?"
    province = retriever.search(question, k=10, filters=Filters(regions=["Guangdong"]))
    city = retriever.search(question, k=10, filters=Filters(regions=["guangzhou"]))
    assert {h.doc_id for h in city} == {"gz-innovative-drug-conference-2025"}
    assert {"gz-innovative-drug-conference-2025", "guangdong-biomedicine-cluster-plan-2021-2025"} <= {
        h.doc_id for h in province}
    assert "15 working days" in province[0].text
