"""A question that names a region sees that region's best passage (settings `place_slot`, `place_slot_share`),
on the real index with the real embedder."""

from __future__ import annotations

import re

import pytest

from conftest import ROOT, load_questions, normalise
from policyqa.answer.answerer import Answerer
from policyqa.answer.evidence import strip_footnotes
from policyqa.evaluate.questions import load_questions as load_question_file
from policyqa.records import Filters
from policyqa.retrieve.retriever import Retriever

QUESTIONS = {q["id"]: q for q in load_questions()}
HELDOUT = {q.id: q for q in load_question_file(ROOT / "eval" / "heldout.jsonl")}
QUOTED = re.compile(r"“([^”]+)”")
MARKER = re.compile(r"\s*\[\d+\]")
#: issue 16's example, whose words match Beijing's approval passages better than any Hainan passage
HAINAN = "What does Hainan offer to companies whose innovative drugs are approved?"


@pytest.fixture(scope="module")
def without_slot(retriever) -> Retriever:
    return Retriever(retriever.index, retriever.embedder,
                     retriever.fusion.model_copy(update={"place_slot": False}), retriever.glossary,
                     retriever.reranker)


def _holds(text: str, evidence: list[str]) -> bool:
    return any(normalise(e) in normalise(text) for e in evidence)


def _about(hits, region: str) -> list[int]:
    return [hit.rank for hit in hits if region in hit.citation.places]


@pytest.mark.parametrize(("question", "region"),
                         [(HAINAN, "Hainan"), ("广东省对创新药临床试验有什么支持？", "Guangdong")])
def test_the_named_region_takes_the_last_places(retriever, without_slot, question: str, region: str) -> None:
    """The region's best passages (place_slot_passages, 2) end the list, best first, in place of the last
    hits; the hits before them are the plain search's."""
    assert retriever.fusion.place_slot_passages == 2
    plain = without_slot.search(question, k=5)
    assert _about(plain, region) == []  # what the slot is for: the words alone find no passage about it
    hits = retriever.search(question, k=5)
    assert _about(hits, region) == [4, 5]
    assert [h.chunk_id for h in hits[:3]] == [h.chunk_id for h in plain[:3]]
    assert [h.rank for h in hits] == [1, 2, 3, 4, 5]
    best_about = retriever.search(question, k=2, filters=Filters(places=[region]))
    assert [h.chunk_id for h in hits[3:]] == [h.chunk_id for h in best_about]


def test_the_regions_second_passage_can_hold_the_answer(retriever, without_slot) -> None:
    """h13 (广东支持利用南海的什么资源开发创新药？): Guangdong's best passage is a forum report, its
    second the plan's marine-drug project that answers; with one slot the answer layer saw only the forum."""
    text, evidence = HELDOUT["h13"].question, HELDOUT["h13"].evidence
    one_slot = Retriever(retriever.index, retriever.embedder,
                         retriever.fusion.model_copy(update={"place_slot_passages": 1}), retriever.glossary,
                         retriever.reranker)
    for fewer in (without_slot, one_slot):
        assert not any(_holds(h.text, evidence) for h in fewer.search(text, k=5))
    assert any(_holds(h.text, evidence) for h in retriever.search(text, k=5))


def test_a_region_already_found_adds_nothing(retriever, without_slot) -> None:
    question = QUESTIONS["q034"]["question"]  # Hainan's R&D voucher rewards
    assert [h.chunk_id for h in retriever.search(question, k=5)] == \
        [h.chunk_id for h in without_slot.search(question, k=5)]


def test_a_passage_naming_the_region_in_passing_does_not_displace_a_hit(retriever, without_slot) -> None:
    """u002 asks for Jiangsu's rewards on reimbursement listing; the only passages tagged Jiangsu are a
    digest's mentions of the "China (Jiangsu) Free Trade Zone", far below the national passages."""
    question = QUESTIONS["u002"]["question"]
    assert retriever.search(question, k=1, filters=Filters(places=["Jiangsu"]))
    hits = retriever.search(question, k=5)
    assert _about(hits, "Jiangsu") == []
    assert [h.chunk_id for h in hits] == [h.chunk_id for h in without_slot.search(question, k=5)]


def test_filters_still_bound_the_slot(retriever) -> None:
    doc = "beijing-innovative-medicine-measures-2025"
    hits = retriever.search(HAINAN, k=5, filters=Filters(doc_ids=[doc]))
    assert hits and {h.doc_id for h in hits} == {doc}


def test_the_answer_reads_the_regions_passage_instead_of_saying_none_mentions_it(built, retriever) -> None:
    """Declined or not, the answer speaks from the Hainan passage: it quotes it, and it no longer claims
    that no passage mentions Hainan."""
    answer = Answerer(built[0], retriever).ask(HAINAN)
    assert "mentions Hainan" not in answer.answer
    hainan = [normalise(strip_footnotes(hit.text)) for hit in answer.hits if "Hainan" in hit.citation.places]
    quoted = QUOTED.findall(answer.answer) or [MARKER.sub("", answer.answer.split("\n")[0])]
    assert hainan and any(normalise(q.strip()) in text for q in quoted for text in hainan), answer.answer


def test_the_slot_searches_in_the_asked_mode(retriever) -> None:
    hits = retriever.search(HAINAN, k=5, mode="dense")
    best_about = retriever.search(HAINAN, k=1, filters=Filters(places=["Hainan"]), mode="dense")[0]
    assert best_about.chunk_id in [h.chunk_id for h in hits]


def test_several_named_regions_give_distinct_passages(retriever) -> None:
    question = "How do Beijing, Hainan, Sichuan and Hubei support clinical trials of innovative drugs?"
    hits = retriever.search(question, k=5)
    assert len({h.chunk_id for h in hits}) == len(hits) == 5
    assert [h.rank for h in hits] == [1, 2, 3, 4, 5]
