"""What a question asks for: the kind of answer, and the places and years it is about.

The answer layer keeps only sentences that meet these constraints. The patterns are plain (both
languages, no model): a wrong guess costs little, because the kind only ranks sentences and decides
which ones may support the lead; it never empties an answer.
"""

from __future__ import annotations

import re

from pydantic import BaseModel

from ..text.figures import FIGURE
from ..text.language import detect_language
from ..text.places import places_named, with_provinces

#: question patterns of each answer kind, tried in this order (a "when" question is a date, not a list)
ASKS = {
    "date": re.compile(
        r"哪一?[天年月]|何时|什么时[候间]|日期|几月|\bwhen\b|\bwhat (?:date|year|month|day)\b|\bby when\b|"
        r"\bwhich (?:date|year|month|day)\b|\bon what (?:date|day)\b|\bin what year\b", re.I),
    "quantity": re.compile(
        r"多少|几[个家项种天年倍批所部条件名位]|比例|幅度|上限|下限|金额|规模|数量|最高|最低|"
        r"\bhow (?:many|much|long|soon|quickly|fast|often|large|big)\b|\bwhat (?:share|percentage|"
        r"proportion|range|size|revenue|amount|number|ratio|cap|limit|maximum|minimum)\b|\bby how much\b|"
        r"\bup to\b", re.I),
    "place": re.compile(r"哪[个些]?(?:地|省|市|城市|地区|国家|区域)|在哪|\bwhere\b|"
                        r"\bwhich (?:city|cities|province|provinces|region|regions|country|countries)\b",
                        re.I),
    "yesno": re.compile(r"^(?:is|are|does|do|did|can|could|will|was|were|has|have|should|may|must)\b|"
                        r"吗[？?]?$|是否|有没有|能否|可否|能不能", re.I),
    "list": re.compile(r"哪些|哪几|哪[类种]|\bwhich\b|\bwhat (?:are|were|kinds?|types?)\b|\blist\b", re.I),
}
_DATE = re.compile(r"(?:19|20)\d\d|\d{1,2}\s*月|\d{1,2}\s*日|年底|年初|年内|月底|上半年|下半年|"
                   r"\b(?:January|February|March|April|May|June|July|August|September|October|November|"
                   r"December|by the end of|within)\b", re.I)
#: what a sentence must contain to state each kind of answer (kinds without one: anything)
STATES = {"quantity": FIGURE, "date": _DATE}
YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")


class QuestionFacts(BaseModel):
    """The constraints a sentence must meet to answer the question."""

    lang: str
    kind: str = "other"  # quantity, date, place, yesno, list or other
    places: frozenset[str] = frozenset()  # Chinese names, a city together with its province
    years: frozenset[str] = frozenset()

    def states(self, sentence: str) -> bool:
        """Whether a sentence states the asked kind of answer."""
        if self.kind == "place":
            return bool(places_named(sentence))
        pattern = STATES.get(self.kind)
        return pattern is None or bool(pattern.search(sentence))

    @property
    def strict(self) -> bool:
        """Kinds a supporting sentence must state too: a figure or date question wants figures."""
        return self.kind in STATES


def analyse(question: str) -> QuestionFacts:
    kind = next((name for name, pattern in ASKS.items() if pattern.search(question)), "other")
    return QuestionFacts(lang=detect_language(question), kind=kind,
                         places=with_provinces(places_named(question)),
                         years=frozenset(YEAR.findall(question)))
