"""Which sort of organisation a question asks for, and whether a sentence names one of that sort.

哪家保险公司承保…？ and "Which hospital will pilot the biobank?" are answered by the name of an insurer or a
hospital. A sentence that names none does not answer, however close it is ("The "Suixinbao" commercial
insurance product has been launched…" names no insurer). The patterns are how such names are written in
both languages, not a list of organisations.
"""

from __future__ import annotations

import re

#: (sort, how a question asks for one); the first that matches is the sort asked. Only sorts whose names
#: nearly always say what they are: a company's often does not ("Virgin Media", "BSkyB", 华大智造), and asked
#: for a company or a body, XQuAD lost six right leads to sentences naming some "Company" or "Commission"
ASKED: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("hospital", re.compile(r"哪(?:[家所个些]|几家)医院|\b(?:which|what) hospitals?\b", re.I)),
    ("insurer", re.compile(r"哪(?:[家个些]|几家)保险(?:公司|机构)|"
                           r"\b(?:which|what) (?:insurers?|insurance compan(?:y|ies))\b", re.I)),
)

#: how a name of each sort is written
NAMES: dict[str, re.Pattern[str]] = {
    "hospital": re.compile(r"\bHospital\b|医院"),
    "insurer": re.compile(r"\bInsurance (?:Company|Co\b|Group)|\b(?:Life|Property|Casualty) Insurance\b|"
                          r"保险(?:股份|集团)?(?:有限)?公司|人寿|财险|人保|平安|太平洋保险"),
}


def asked_organisation(question: str) -> str:
    """The sort of organisation a question asks for ('hospital' or 'insurer'), or ''."""
    return next((sort for sort, pattern in ASKED if pattern.search(question)), "")


def names_organisation(sentence: str, sort: str) -> bool:
    """Whether a sentence names an organisation of the sort asked."""
    return bool(NAMES[sort].search(sentence))


#: a question for a company or a public body by name ("Which company commercialised…?", 由哪个单位主办,
#: 哪家机构牵头): such names often do not say what they are, so a sentence is not asked to name one of that
#: sort, only to name something (BODY_NAMED)
ASKS_BODY = re.compile(
    r"\b(?:which|what) (?:companies|company|firms?|enterprises?|organi[sz]ations?|institutions?|"
    r"agenc(?:y|ies)|bod(?:y|ies)(?! of)|universit(?:y|ies)|manufacturers?|makers?|developers?)\b|"
    r"哪[家个些所](?:公司|企业|机构|单位|部门|大学|高校|药企)", re.I)
#: what a name of a company or body looks like: in English a capitalised word after the first one, or an
#: acronym ("Hongming Bosi Pharmaceutical", "the NMPA"); in Chinese a word ending as such names do
#: (一品红集团, 瑞风生物, 国家医保局, 省政协, 卫生健康委), or a transliterated name (查尔斯·波特, which a firm
#: may bear)
BODY_NAMED = re.compile(r"(?<=[\s(“\"'])(?:[A-Z][\w&'.-]+|[A-Z]{2,})|"
                        r"[\u4e00-\u9fff](?:公司|集团|药业|制药|生物|医药|科技|医院|大学|学院|研究院|研究所|"
                        r"中心|协会|学会|商会|政协|人大|政府|局|委|厅|部|署|办|银行|基金)|"
                        r"[\u4e00-\u9fff][·•・][\u4e00-\u9fff]")


def asks_body(question: str) -> bool:
    """Whether a question asks which company or public body did something."""
    return bool(ASKS_BODY.search(question))


def names_body(sentence: str) -> bool:
    """Whether a sentence names anything a company or public body may be called (see BODY_NAMED): "The
    launch of a non-invasive test kit for endometrial cancer" names no maker, "推进“医保药品云平台”建设应用"
    no builder."""
    return bool(BODY_NAMED.search(sentence.strip()))
