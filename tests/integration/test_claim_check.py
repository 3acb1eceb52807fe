"""The LLM backend's claim check on real passages of the bundled corpus, with the real USE embedder.

Claims are crafted: faithful ones (same-language paraphrases and translations, figures written the other
language's way) and unsupported ones (a wrong figure, a fact of another passage or none). The thresholds
in Settings (openai_claim_overlap, openai_claim_cosine) were set on these claims.
"""

from __future__ import annotations

import pytest

from policyqa.answer.answerer import Answerer
from policyqa.answer.base import BackendFailed
from policyqa.answer.llm.claims import ClaimCheck, claim_spans, figures, passage_figures
from policyqa.records import Hit

#: a phrase that finds each passage in the index, whatever the chunk ids
PASSAGES = {
    "parks": "we will build 10 comprehensive industrial parks",  # Guangdong plan, English
    "hainan": "offering financial incentives ranging from 400,000",  # Hainan rewards, English news digest
    "catalogue": "增设商业健康保险创新药品目录",  # national measures, Chinese
    "pilot": "deepen the pilot review and approval of clinical trials",  # Beijing measures, English
}

SUPPORTED = [
    ("parks", "Guangdong plans to build 10 comprehensive industrial parks."),
    ("parks", "广东将建设10个综合性产业园区。"),
    ("hainan", "Hainan offers rewards from 400,000 to 10 million yuan depending on the development stage."),
    ("hainan", "海南根据产品研发阶段给予40万元至1000万元的资金奖励。"),
    ("catalogue", "国家增设商业健康保险创新药品目录，重点纳入创新程度高、临床价值大的创新药。"),
    ("catalogue", "A commercial health insurance innovative drug catalogue is added, covering highly "
                  "innovative drugs with great clinical value."),
    ("catalogue", "Drugs in the commercial insurance catalogue do not count toward the basic medical "
                  "insurance self-pay rate indicator."),
    ("catalogue", "Settlement prices of drugs in the catalogue are set through negotiation, with stricter "
                  "price confidentiality."),
    ("pilot", "Beijing will deepen the pilot review and approval of clinical trials for innovative drugs."),
    ("pilot", "北京将深化创新药临床试验审评审批试点，并把试点范围扩大到医疗器械。"),
]

UNSUPPORTED = [
    ("parks", "Guangdong plans to build 20 comprehensive industrial parks."),  # wrong figure, same words
    ("hainan", "海南给予最高5000万元的奖励。"),  # a figure the passage does not give
    ("parks", "The national insurance catalogue excludes all imported drugs."),
    ("catalogue", "北京市将为创新药临床试验开辟绿色通道。"),
    ("pilot", "Hainan offers tax exemptions to foreign pharmaceutical companies."),
    ("hainan", "Guangdong will build industrial parks around Guangzhou International Bio Island."),
    ("catalogue", "北京将深化创新药临床试验审评审批试点。"),  # true, but of another passage
    ("parks", "Hospitals must report adverse reactions of imported drugs to the bureau within one month."),
    ("pilot", "医保部门将对创新药给予价格补贴。"),
    ("catalogue", "The catalogue is updated every month by provincial governments."),
]


@pytest.fixture(scope="module")
def passages(retriever) -> dict[str, Hit]:
    """The four passages as hits, each the first passage holding its phrase."""
    found = {}
    for name, phrase in PASSAGES.items():
        chunk = next(c for c in retriever.index.chunks if phrase in c.text)
        found[name] = Hit(rank=1, chunk_id=chunk.chunk_id, doc_id=chunk.doc_id, score=1.0, text=chunk.text,
                          lang=chunk.lang, citation=retriever.citation(chunk))
    return found


@pytest.fixture(scope="module")
def check(built, retriever) -> ClaimCheck:
    llm = built[0].llm
    return ClaimCheck(llm.claim_overlap, llm.claim_cosine, retriever.embedder.encode)


@pytest.fixture(scope="module")
def backend(built, retriever):
    """The OpenAI backend as the Answerer builds it (its quoter embeds the claims)."""
    return Answerer(built[0], retriever).backend("openai")


@pytest.mark.parametrize(("passage", "claim"), SUPPORTED)
def test_a_faithful_claim_is_kept_in_either_language(check, passages, passage, claim) -> None:
    verdict = check.verify(f"{claim} [1]", [passages[passage]])
    assert verdict.dropped == 0 and verdict.text == f"{claim} [1]"


@pytest.mark.parametrize(("passage", "claim"), UNSUPPORTED)
def test_an_unsupported_claim_is_cut(check, passages, passage, claim) -> None:
    verdict = check.verify(f"{claim} [1]", [passages[passage]])
    assert verdict.dropped == 1 and verdict.text == ""


def test_each_claim_is_checked_against_the_passage_it_cites(check, passages) -> None:
    hits = [passages["parks"], passages["hainan"]]
    good = "Guangdong plans to build 10 comprehensive industrial parks [1]."
    swapped = "Hainan offers rewards from 400,000 to 10 million yuan depending on the development stage [1]."
    translated = "海南根据产品研发阶段给予40万元至1000万元的资金奖励。[2]"
    verdict = check.verify(f"{good} {swapped} {translated}", hits)
    assert verdict.dropped == 1
    assert verdict.text == f"{good} {translated}"


def test_a_sentence_citing_nothing_must_be_supported_by_some_passage(check, passages) -> None:
    hits = [passages["parks"], passages["hainan"]]
    text = ("Guangdong plans to build 10 comprehensive industrial parks [1]. "
            "Hainan offers rewards of up to 10 million yuan depending on the stage of development. "
            "Shanghai exempts innovative drugs from all taxes until 2030.")
    verdict = check.verify(text, hits)
    assert verdict.dropped == 1 and "Shanghai" not in verdict.text and "Hainan offers" in verdict.text


def test_the_backend_cuts_unsupported_claims_with_a_notice_in_the_answer_language(backend, passages) -> None:
    hits = [passages["parks"], passages["catalogue"]]
    raw = ("Guangdong plans to build 10 comprehensive industrial parks [1]. "
           "Guangdong plans to build 25 comprehensive industrial parks [1]. "
           "Drugs in the commercial insurance catalogue do not count toward the basic medical insurance "
           "self-pay rate indicator [2].")
    draft = backend.final_draft(raw, hits, "en")
    assert "25" not in draft.text and draft.text.count("[") == 2
    assert [c.chunk_id for c in draft.citations] == [h.chunk_id for h in hits]
    assert draft.notice == "Removed 1 statement(s) that the cited passages do not support."
    kept, cut = "广东将建设10个综合性产业园区[1]。", "北京市将为创新药临床试验开辟绿色通道[2]。"
    zh = backend.final_draft(kept + cut, hits, "zh")
    assert zh.text == kept and len(zh.citations) == 1
    assert zh.notice == "已删除 1 句所引段落不能支持的陈述。"


def test_an_answer_without_one_supported_claim_is_rejected(backend, passages) -> None:
    hits = [passages["parks"]]
    with pytest.raises(BackendFailed, match="do not support"):
        backend.final_draft("Guangdong plans to build 20 comprehensive industrial parks [1].", hits, "en")


# --------------------------------------------------------------------------- the pieces


def test_figures_match_across_notations() -> None:
    assert figures("rewards of 400,000 to 10 million yuan") == {400_000.0, 10_000_000.0}
    stated = passage_figures("给予40万元至1000万元奖励，1.2亿元，四十万，一千万，二〇二五年，十五个工作日")
    assert {400_000.0, 10_000_000.0, 120_000_000.0, 2025.0, 15.0} <= stated
    assert figures("a reward of 3%") == {3.0}


def test_claim_spans_keep_markers_with_their_sentence_and_numbers_with_their_item() -> None:
    text = "审批时限为30个工作日。[1] 支持力度加大[2]。\n1. First item [3].\n2. Second item [1]."
    assert [text[s:e] for s, e in claim_spans(text)] == [
        "审批时限为30个工作日。[1]", "支持力度加大[2]。", "1. First item [3].", "2. Second item [1]."]
