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
    ("hospital", re.compile(r"哪[家所个]医院|\b(?:which|what) hospital\b", re.I)),
    ("insurer", re.compile(r"哪[家个]保险(?:公司|机构)|\b(?:which|what) (?:insurer|insurance company)\b",
                           re.I)),
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
