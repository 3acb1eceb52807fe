"""The bilingual glossary that expands keyword queries into the other language."""

from __future__ import annotations

import pytest

from policyqa.retrieve.glossary import Glossary


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    return Glossary.load()


def _forms(found: list[tuple[str, list[str]]]) -> set[str]:
    return {form for _, forms in found for form in forms}


def test_a_chinese_term_stands_for_all_its_english_forms(glossary) -> None:
    found = glossary.translate("如何完善双通道管理机制，推动创新药挂网？")
    assert [term for term, _ in found] == ["双通道", "创新药", "挂网"]  # in question order
    assert {"dual-channel", "dual channel", "online procurement listing", "online listing"} <= _forms(found)


def test_english_forms_become_the_chinese_term(glossary) -> None:
    found = glossary.translate("Which drugs use the Dual-Channel scheme and online procurement listings?")
    assert dict(found) == {"dual-channel": ["双通道"], "online procurement listings": ["挂网"]}


def test_english_forms_match_whole_words_only(glossary) -> None:
    assert "医保" not in _forms(glossary.translate("Insurers paid out"))  # not 'insurance'
    assert glossary.translate("") == []


def test_a_phrase_given_in_the_plural_is_found_in_the_singular_but_a_single_word_is_not(glossary) -> None:
    found = glossary.translate("What support is there for rare disease drugs?")
    assert dict(found) == {"rare disease": ["罕见病"]}
    assert dict(glossary.translate("a clinical trial of a medical device")) == {
        "clinical trial": ["临床试验"], "medical device": ["医疗器械"]}
    # "measures" (若干措施) and "claims" (理赔) are the glossary's; "measure" and "claim" are everyday words
    assert glossary.translate("How do they measure the claim?") == []


def test_a_form_ending_in_y_is_found_in_the_plural(glossary) -> None:
    # "What support does the national policy give for real-world studies?" had found nothing on 真实世界研究
    found = dict(glossary.translate("What support is there for real-world studies?"))
    assert found == {"real-world studies": ["真实世界研究"]}
    assert dict(glossary.translate("a real-world study")) == {"real-world study": ["真实世界研究"]}


def test_a_hyphen_between_words_is_a_space(glossary) -> None:
    found = glossary.translate("What is the one-product-two-specifications rule exemption?")
    assert dict(found) == {"one-product-two-specifications": ["一品两规"]}  # the question's own spelling
    assert dict(glossary.translate("dual channel drugs")) == {"dual channel": ["双通道"]}
    # 医美 is "medical beauty" in Hainan's English passage (the question had led with the R&D voucher)
    assert "medical beauty" in dict(glossary.translate("海南对医美企业有哪些奖励？"))["医美"]
    # 中医药 is Guangdong's "traditional Chinese medicine" (the question had led with a forum's opener)
    tcm = dict(glossary.translate("广东对中医药产业有什么规划？"))
    assert "traditional chinese medicine" in tcm["中医药"]
    # "one drug, two specifications" is how an analyst wrote 一品两规: the question had found nothing on it
    assert [t for _, ts in glossary.translate('May they bypass the "one drug, two specifications" limit?')
            for t in ts] == ["一品两规"]


def test_the_longest_term_wins_and_each_is_listed_once(glossary) -> None:
    found = dict(glossary.translate("进入医保目录的创新药 医保目录"))
    assert set(found) == {"医保目录", "创新药"}  # not also 医保 (medical insurance) inside 医保目录
    assert "national reimbursement drug list" in found["医保目录"]
    assert "medical insurance" not in found["医保目录"]
    english = dict(glossary.translate("What does basic medical insurance cover?"))
    assert list(english) == ["basic medical insurance"]


def test_a_phrase_shared_by_two_terms_stands_for_both(glossary) -> None:
    assert set(dict(glossary.translate("medical insurance"))["medical insurance"]) >= {"医保", "医疗保障"}


def test_a_corpus_glossary_extends_the_packaged_one(tmp_path) -> None:
    (tmp_path / "glossary.tsv").write_text("# local terms\n琼药通\tqiongyaotong\n", encoding="utf-8")
    extended = Glossary.load(tmp_path)
    assert Glossary.load().translate("Who runs Qiongyaotong?") == []
    assert extended.translate("Who runs Qiongyaotong?") == [("qiongyaotong", ["琼药通"])]
    assert len(extended.entries) == len(Glossary.load().entries) + 1


@pytest.mark.parametrize("line", ["只有中文", "\tonly english", "中文\t | "])
def test_a_malformed_line_is_named_by_file_and_number(tmp_path, line: str) -> None:
    (tmp_path / "glossary.tsv").write_text(f"双通道\tdual-channel\n{line}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"glossary.tsv:2: expected"):
        Glossary.load(tmp_path)
