"""The general lexicon behind the glossary: CC-CEDICT words for what the glossary does not know.

Real packaged files (glossary.tsv, lexicon.tsv.gz) and real jieba; expectations are dictionary facts.
"""

from __future__ import annotations

import pytest

from policyqa.retrieve.glossary import Glossary
from policyqa.retrieve.lexicon import Dictionary, Lexicon, Term, clean_sense, packaged_dictionary


@pytest.fixture(scope="module")
def dictionary() -> Dictionary:
    return packaged_dictionary()


@pytest.fixture(scope="module")
def lexicon(dictionary) -> Lexicon:
    return Lexicon(Glossary.load(), dictionary, weight=0.5)


def _terms(found: list[Term]) -> dict[str, list[str]]:
    return {term.source: term.forms for term in found}


@pytest.mark.parametrize(("sense", "clean"), [
    ("to discover", "discover"),
    ("Warsaw, capital of Poland", "warsaw"),
    ("Victoria (name)", "victoria"),
    ("surname Lu", None),
    ("CL:所[suo3]", None),
    ("variant of 只[zhi1]", None),
    ("to load sth onto a ship etc", "load onto a ship"),
])
def test_a_sense_becomes_a_short_form_or_is_dropped(sense, clean) -> None:
    assert clean_sense(sense) == clean


def test_the_packaged_dictionary_is_read_once_and_names_its_file(dictionary) -> None:
    assert packaged_dictionary() is dictionary
    described = dictionary.describe()
    assert described["zh_words"] > 90_000 and described["en_forms"] > 80_000
    assert len(described["sha1"]) == 12


def test_chinese_words_become_their_first_english_senses(lexicon) -> None:
    found = _terms(lexicon.terms("维多利亚女王访问了华沙的大学"))
    assert found["华沙"] == ["warsaw"]
    assert found["大学"][0] == "university"  # the common word's sense before the name's (the Great Learning)
    assert found["维多利亚女王"] == ["queen victoria"]  # jieba's 维多利亚 + 女王 joined: CC-CEDICT has both
    assert "的" not in found and "了" not in found


def test_english_phrases_match_longest_first(lexicon) -> None:
    found = _terms(lexicon.terms("Who discovered the steam engine at the Super Bowl?"))
    assert found["steam engine"] == ["蒸汽机"]  # one phrase, not steam + engine
    assert found["super bowl"][0] == "超级碗"
    assert "发现" in found["discovered"]  # inflected forms find their base word
    assert not {"who", "the", "at"} & set(found)


def test_glossary_terms_come_first_at_full_weight_and_are_not_translated_again(lexicon) -> None:
    found = lexicon.terms("医保目录里有哪些创新药在城市使用？")
    assert found[0] == Term("医保目录", found[0].forms, 1.0)
    assert "national reimbursement drug list" in found[0].forms
    sources = [t.source for t in found]
    assert "医保" not in sources and "目录" not in sources  # inside the glossary term
    city = next(t for t in found if t.source == "城市")
    assert city.weight == 0.5 and "city" in city.forms


def test_a_glossary_term_inside_a_longer_dictionary_phrase_gives_way_to_it(lexicon) -> None:
    # the glossary's "state" (国家) sits inside "united states" and "state council"
    found = _terms(lexicon.terms("When did the United States and the State Council sign it?"))
    assert "美国" in found["united states"] and "国务院" in found["state council"]
    assert not any("国家" in forms for forms in found.values())
    # alone, "state" is still the glossary's, at full weight
    alone = next(t for t in lexicon.terms("Which state agency approves drugs?") if t.source == "state")
    assert alone == Term("state", ["国家"], 1.0)


def test_each_source_can_be_switched_off(dictionary) -> None:
    glossary = Glossary.load()
    question = "如何完善双通道管理机制，推动创新药挂网？"
    assert Lexicon(glossary, None).terms(question) == [Term(t, f) for t, f in glossary.translate(question)]
    only_dictionary = Lexicon(None, dictionary, 0.3).terms("Which hospital?")
    assert only_dictionary[0].source == "hospital" and "医院" in only_dictionary[0].forms
    assert only_dictionary[0].weight == 0.3
    assert Lexicon(None, None).terms(question) == []


def test_unknown_words_and_numbers_are_left_to_the_keyword_side(lexicon) -> None:
    assert _terms(lexicon.terms("Zqxw 2019 42")) == {}
    assert lexicon.terms("") == []


def test_a_saved_dictionary_reads_back_the_same(tmp_path) -> None:
    small = Dictionary({"医院": "hospital"}, {"hospital": "医院|病院"})
    small.save(tmp_path / "lex.tsv.gz", header="CC BY-SA 4.0")
    again = Dictionary.read((tmp_path / "lex.tsv.gz").read_bytes())
    assert (again.zh_to_en, again.en_to_zh) == (small.zh_to_en, small.en_to_zh)
    assert again.english_forms("医院") == ["hospital"]
    assert again.chinese_forms(["hospitals"]) == ["医院", "病院"]
