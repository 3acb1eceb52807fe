"""The LLM backend's claim check on real passages of the bundled corpus, with the real USE embedder.

Claims are crafted: faithful ones (same-language paraphrases and translations, figures written the other
language's way) and unsupported ones (a wrong figure, a fact of another passage or none). The thresholds
in Settings (openai_claim_overlap, openai_claim_cosine) were set on these claims. NAMED and MISNAMED add
the claims of a user audit and their kind: a translation of half a long sentence, and a passage's figure
moved to a place, body, country or drug the passage never names.
"""

from __future__ import annotations

import pytest

from policyqa.answer.answerer import Answerer
from policyqa.answer.base import BackendFailed
from policyqa.answer.llm.claims import ClaimCheck, claim_spans, figures, passage_figures, unmentioned_names
from policyqa.records import Hit

#: a phrase that finds each passage in the index, whatever the chunk ids
PASSAGES = {
    "parks": "we will build 10 comprehensive industrial parks",  # Guangdong plan, English
    "hainan": "offering financial incentives ranging from 400,000",  # Hainan rewards, English news digest
    "catalogue": "增设商业健康保险创新药品目录",  # national measures, Chinese
    "pilot": "deepen the pilot review and approval of clinical trials",  # Beijing measures, English
    "biobank": "35 tertiary hospitals in Beijing have established",  # Beijing measures, English
    "review": "compress the review time limit from 200 working days",  # Beijing measures, English
    "insured": "17.91 million people in the province were insured",  # Guangzhou conference: "the province"
    "ecosystem": "Group 3: Industry Ecosystem and Infrastructure",  # the digest's Hainan story, unnamed
    "bay": "Greater Bay Area Branch Center",  # Guangzhou conference: the Bay Area, not Hong Kong by name
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


#: faithful claims that name places and figures (the first is the audit's: cut when it was compared with
#: the whole of "At present, 35 tertiary hospitals in Beijing have established biological sample banks,
#: but due to low standardization …" at cosine 0.35; its clause window reaches 0.62)
NAMED = [
    ("biobank", "北京已有35家三级医院建立了生物样本库。"),
    ("biobank", "但由于标准化和数字化程度较低，样本和数据的共享利用仍有提升空间。"),
    ("biobank", "There are 35 tertiary hospitals with biobanks in Beijing."),
    ("insured", "2024年广东省共有1791万人参保，赔付金额达9.76亿元。"),  # Guangdong: the document's province
    ("ecosystem", "Hainan's policy aims to strengthen the biopharmaceutical industry's ecosystem."),
    ("bay", "A regular service mechanism has been established with the Guangdong-Hong Kong-Macao Greater Bay "
            "Area Branch Center of the National Medical Products Administration."),
]

#: unsupported claims that keep the passage's figures and words and change what they are about
MISNAMED = [
    ("biobank", "Shanghai also has 35 such hospitals.", {"上海"}),  # the audit's
    ("biobank", "上海已有35家三级医院建立了生物样本库。", {"上海"}),
    ("insured", "2024年上海共有1791万人参保，赔付金额达9.76亿元。", {"上海"}),
    ("pilot", "大连将深化创新药临床试验审评审批试点。", {"大连"}),  # a city beyond text/places.PLACES
    # the digest's title lists Hubei, but this passage tells the Hainan story
    ("ecosystem", "Hubei's policy aims to strengthen the biopharmaceutical industry's ecosystem.", {"湖北"}),
    ("review", "The Ministry of Finance will compress the review time limit for supplementary drug "
               "applications from 200 working days to 60.", {"财政部"}),
    ("pilot", "The FDA will deepen the pilot review and approval of clinical trials for innovative drugs.",
     {"美国"}),
    ("catalogue", "阿达木单抗纳入商保创新药目录，不计入基本医保自费率指标。", {"阿达木单抗"}),
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


@pytest.mark.parametrize(("passage", "claim"), NAMED)
def test_a_faithful_claim_naming_its_passages_places_is_kept(check, passages, passage, claim) -> None:
    assert unmentioned_names(claim, [passages[passage]]) == set()
    verdict = check.verify(f"{claim} [1]", [passages[passage]])
    assert verdict.dropped == 0 and verdict.text == f"{claim} [1]"


@pytest.mark.parametrize(("passage", "claim", "missing"), MISNAMED)
def test_a_claim_naming_what_its_passage_never_mentions_is_cut(check, passages, passage, claim, missing):
    assert unmentioned_names(claim, [passages[passage]]) == missing
    verdict = check.verify(f"{claim} [1]", [passages[passage]])
    assert verdict.dropped == 1 and verdict.text == ""


def test_the_audited_answers_keep_their_faithful_claims_only(check, passages) -> None:
    """The user audit's two answers on the biobank passage: a translation (the first sentence had been cut
    for its cosine to the whole long sentence) and a figure moved to Shanghai (had been kept)."""
    hits = [passages["biobank"]]
    translated = ("北京已有35家三级医院建立了生物样本库[1]。"
                  "但由于标准化和数字化程度较低，样本和数据的共享利用仍有提升空间[1]。")
    assert check.verify(translated, hits).text == translated
    kept = "There are 35 tertiary hospitals with biobanks in Beijing [1]."
    moved = check.verify(f"{kept} Shanghai also has 35 such hospitals [1].", hits)
    assert moved.dropped == 1 and moved.text == kept


def test_a_place_in_an_uncited_claim_must_be_in_some_passage(check, passages) -> None:
    hits = [passages["biobank"], passages["hainan"]]
    text = "Beijing has 35 tertiary hospitals with biological sample banks. Shanghai also has 35 of them."
    verdict = check.verify(text, hits)
    assert verdict.dropped == 1 and verdict.text.startswith("Beijing has 35")


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
