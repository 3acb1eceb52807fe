"""Region tags of passages (issue 19): from the document's metadata, or from the text of a digest."""

from __future__ import annotations

import pytest

from policyqa.records import CitedPassage, CompareGroup, Comparison, Filters
from policyqa.text.places import (
    document_regions,
    passage_places,
    places_about,
    places_named,
    region_name,
    region_of,
)

DIGEST = document_regions("multiple (Guangdong, Sichuan/Chengdu, Hubei, Hainan, national)")


def test_document_regions_from_metadata():
    assert DIGEST == ["Guangdong", "Sichuan", "Hubei", "Hainan", "National"]
    assert document_regions("national") == ["National"]
    assert document_regions("Guangzhou") == ["Guangdong"]  # a city's document speaks for its province
    assert document_regions("") == []


def test_single_region_document_tags_every_passage_with_its_region():
    assert passage_places("支持香港、澳门企业……", ["National"], []) == ["National"]
    assert passage_places("Hong Kong and Macao Drug and Device Access", ["Guangdong"], []) == ["Guangdong"]


@pytest.mark.parametrize(("text", "previous", "expected"), [
    ("成都高新区与四川发展(控股)公司签署合作协议", [], ["Sichuan"]),
    ("Hai Nan Ri Bao· 2025-08-18 我省出台政策措施", ["Hubei"], ["Hainan"]),  # pinyin by syllable
    ("国家药监局:2025年已批准上市18款生物制品", [], ["National"]),
    ("The biopharmaceutical industry in China is growing", [], ["National"]),
    ("The Hainan provincial government ... national-level platforms", [], ["Hainan"]),  # not national
    ("要强化企业科技创新主体地位", ["Guangdong"], ["Guangdong"]),  # the story goes on
])
def test_digest_passage_is_about_the_places_it_names(text, previous, expected):
    assert passage_places(text, DIGEST, previous) == expected


def test_region_names_in_both_languages():
    assert region_of("广州") == "Guangdong" and region_of("hainan") == "Hainan"
    assert region_of("全国") == "National"
    assert region_name("Guangdong", "zh") == "广东" and region_name("National", "zh") == "全国"
    assert region_name("Beijing", "en") == "Beijing"


def test_place_filter_is_a_real_filter():
    assert not Filters(places=["Hainan"]).is_empty()


def test_comparison_json_has_exactly_the_documented_keys():
    """The documented keys, and each citation's place in its document and file (as `ask --json` gives)."""
    cited = CitedPassage(n=3, chunk_id="d#0001", doc_id="d", title="T", text="passage", start=0, end=7,
                         lang="en", source_file="d.txt", source_start=40, source_end=47, section="一、",
                         date="2025-01-02")
    result = Comparison(question="q", by="region", groups=[
        CompareGroup(key="Hainan", group="Hainan", answer="x [3]", citations=[cited]),
        CompareGroup(key="Beijing", group="Beijing", answer="Not addressed in these documents.",
                     declined=True),
    ])
    assert result.public() == {"question": "q", "by": "region", "groups": [
        {"key": "Hainan", "answer": "x [3]", "declined": False,
         "citations": [{"n": 3, "doc_id": "d", "text": "passage", "title": "T", "section": "一、",
                        "date": "2025-01-02", "start": 0, "end": 7, "page": None, "source_file": "d.txt",
                        "source_start": 40, "source_end": 47}]},
        {"key": "Beijing", "answer": "Not addressed in these documents.", "declined": True, "citations": []},
    ], "notice": ""}


@pytest.mark.parametrize(("question", "asked"), [
    ("What incentives does Dalian offer biomedicine companies?", {"dalian": "大连"}),
    ("宁波市对生物医药企业新建车间给予多少补助？", {"ningbo": "宁波"}),
    ("What does Huai'an offer, and Huaian?", {"huaian": "淮安"}),  # with or without the apostrophe
    ("广东营商环境有哪些改善？", {}),  # 东营 only as jieba does not cut it
    ("大理石与中山大学", {}),  # marble, and a university, not the cities 大理 and 中山
    ("Which cities count as the nine mainland cities of the Greater Bay Area?", {}),
    ("广州有哪些措施？", {}),  # PLACES' own cities are text/places.py's
])
def test_a_question_names_a_city_by_its_english_name_or_as_a_chinese_word(question, asked):
    from policyqa.text.cities import cities_asked

    assert cities_asked(question) == asked


def test_a_city_is_unmentioned_unless_a_passage_names_it_in_either_language():
    from policyqa.text.cities import cities_unmentioned

    assert cities_unmentioned("中山市做什么？", "Encourage Foshan and Zhongshan to serve as bases") == set()
    assert cities_unmentioned("What does Zhongshan do?", "佛山、中山") == set()
    assert cities_unmentioned("What does Dalian offer?", "Hainan offers 400,000 yuan") == {"大连"}
    assert cities_unmentioned("What does Taizhou offer?", "台州") == set()  # 台州 and 泰州 read alike


NOTICE_OPENING = ("国家医保局国家卫生健康委关于印发《支持创新药高质量发展的若干措施》的通知\n"
                  "各省、自治区、直辖市及新疆生产建设兵团医保局、卫生健康委:\n"
                  "为贯彻落实党中央、国务院决策部署,全链条支持创新药发展,我们研究制定了《若干措施》。")


def test_a_national_notice_addressed_to_the_xinjiang_corps_is_not_about_xinjiang():
    """Every national notice is addressed to "…及新疆生产建设兵团": its sentences naming no place were about
    Xinjiang (the only place the passage named), and so off the question for any province asked."""
    assert places_named(NOTICE_OPENING) == set()
    assert places_named("新疆维吾尔自治区印发了方案") == {"新疆"}
    sentence = NOTICE_OPENING.splitlines()[-1]
    assert places_about(sentence, NOTICE_OPENING, "", ["National"]) == frozenset()


def test_a_policy_named_after_hong_kong_and_macao_is_not_about_them():
    """Guangdong's "Hong Kong and Macao Drug and Device Access" policy: a question on it asks about
    Guangdong, and had been told "The documents give nothing on this for Macao, Hong Kong"."""
    question = ("How does Guangdong handle drugs introduced through the Hong Kong and Macao Drug and Device "
                "Access policy?")
    assert places_named(question) == {"广东"}
    assert places_named("doctors from Hong Kong and Macao") == {"香港", "澳门"}


def test_every_mainland_greater_bay_area_city_is_a_place_of_guangdong():
    from policyqa.text.places import PROVINCE_OF, with_provinces
    cities = "广州、深圳、珠海、佛山、惠州、东莞、中山、江门、肇庆"
    assert with_provinces(places_named(cities)) == {*cities.split("、"), "广东"}
    assert places_named("Jiangmen and Zhaoqing") == {"江门", "肇庆"} and PROVINCE_OF["肇庆"] == "广东"

