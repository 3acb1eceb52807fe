"""The bilingual glossary that expands keyword queries into the other language."""

from __future__ import annotations

import pytest

from policyqa.retrieve import Glossary


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    return Glossary.load()


def test_chinese_terms_become_their_first_english_form(glossary) -> None:
    found = glossary.translate("如何完善双通道管理机制，推动创新药挂网？")
    assert {"dual-channel", "online procurement listing", "innovative drug"} <= set(found)


def test_english_forms_become_the_chinese_term(glossary) -> None:
    found = glossary.translate("Which drugs use the Dual-Channel scheme and online procurement listings?")
    assert {"双通道", "挂网"} <= set(found)  # case-insensitive, plural -s allowed


def test_english_forms_match_whole_words_only(glossary) -> None:
    assert "医保" not in glossary.translate("Insurers paid out")  # not 'insurance'
    assert glossary.translate("") == []


def test_each_translation_is_listed_once(glossary) -> None:
    found = glossary.translate("医保 医保 medical insurance")
    assert len(found) == len(set(found))


def test_a_corpus_glossary_extends_the_packaged_one(tmp_path) -> None:
    (tmp_path / "glossary.tsv").write_text("# local terms\n琼药通\tqiongyaotong\n", encoding="utf-8")
    extended = Glossary.load(tmp_path)
    assert Glossary.load().translate("Who runs Qiongyaotong?") == []
    assert extended.translate("Who runs Qiongyaotong?") == ["琼药通"]
    assert len(extended.entries) == len(Glossary.load().entries) + 1


@pytest.mark.parametrize("line", ["只有中文", "\tonly english", "中文\t | "])
def test_a_malformed_line_is_named_by_file_and_number(tmp_path, line: str) -> None:
    (tmp_path / "glossary.tsv").write_text(f"双通道\tdual-channel\n{line}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"glossary.tsv:2: expected"):
        Glossary.load(tmp_path)
