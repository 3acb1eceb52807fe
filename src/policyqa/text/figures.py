"""A question that asks for a figure, and a text that states one (reranker and answer layer)."""

from __future__ import annotations

import re

#: a question that asks for a figure (how many, when, 多少 …), and a text that states one; shared with the
#: extractive answer layer, which prefers such sentences too
ASKS_FIGURE = re.compile(
    r"多少|几[个家项种天年月倍批所部]?|哪一?[天年]|何时|什么时[候间]|日期|比例|幅度|上限|金额|规模|"
    r"\bhow (?:many|much|long|soon|quickly|fast|often|frequently)\b|\bwhat (?:share|percentage|proportion|"
    r"range|size|revenue|amount|date)\b|\bby how much\b|\bwhen\b",
    re.I,
)

FIGURE = re.compile(r"\d|[零一二三四五六七八九十百千万亿两]+(?:个|家|项|种|条|倍|年|天|批|个月|亿元|万元|%)")

#: a figure written out in words ("nine departments", "around five companies", 九部门): the answer layer's
#: test of a count, which the reranker's FIGURE leaves out to keep retrieval as tuned
NUMBER_WORDS = re.compile(
    r"\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|"
    r"hundreds?|thousands?|millions?|billions?|trillions?|dozens?|half|double|twice|triple)\b|"
    r"[一二三四五六七八九十两][部类批轮次所名位款件]",
    re.I,
)
