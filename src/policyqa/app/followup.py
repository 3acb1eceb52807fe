"""Short follow-up questions rewritten into full ones, deterministically."""

from __future__ import annotations

import re

from ..text.places import PLACES as KNOWN_PLACES
from .render import ui_lang

#: (English, Chinese) names a follow-up may switch to: the whole country, then every place the refusal rule
#: knows (text.places.PLACES); the first name of each is the replacement. A Chinese name also matches
#: with 省/市.
FOLLOWUP_PLACES: list[tuple[tuple[str, ...], tuple[str, ...]]] = [
    (("national", "nationwide", "China"), ("国家", "全国")),
    *(((en,), (zh,)) for en, zh in KNOWN_PLACES),
]

_ZH_ADMIN = "(?:省|市)?"

_EN_CUES = ("and what about", "and how about", "what about", "how about", "and for", "and in", "same for",
            "and")

_ZH_PREFIX = ("那么", "那", "还有", "而", "再看看", "换成")

_ZH_SUFFIX = ("怎么样呢", "的情况呢", "方面呢", "的呢", "呢", "怎么样", "的情况", "如何")

_EN_FILLER = re.compile(r"^(?:in|for|at|the|with|about)\s+", re.I)

_ZH_FILLER = ("在", "对于", "关于", "对")


def _place_of(entity: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    folded = entity.strip().lower()
    bare = entity.strip().removesuffix("市").removesuffix("省")
    for en, zh in FOLLOWUP_PLACES:
        if folded in (e.lower() for e in en) or bare in zh:
            return en, zh
    return None


def _followup_entity(question: str) -> str | None:
    """The new subject of a short follow-up ('and what about Beijing?' -> 'Beijing'), else None."""
    q = question.strip().rstrip("?？.。!！ ").strip()
    if not q:
        return None
    if ui_lang(q) == "zh" or re.search(r"[\u3400-\u9fff]", q):
        had_cue = False
        for cue in _ZH_PREFIX:
            if q.startswith(cue):
                q, had_cue = q[len(cue):], True
                break
        for cue in _ZH_SUFFIX:
            if q.endswith(cue):
                q, had_cue = q[: -len(cue)], True
                break
        for filler in _ZH_FILLER:
            if q.startswith(filler) and len(q) > len(filler):
                q = q[len(filler):]
                break
        q = q.strip(" ，,、")
        return q if had_cue and q and len(q) <= 12 else None
    lower = q.lower()
    for cue in _EN_CUES:
        if lower == cue or lower.startswith(cue + " "):
            rest = q[len(cue):].strip(" ,")
            while _EN_FILLER.match(rest):
                rest = _EN_FILLER.sub("", rest, count=1)
            words = rest.split()
            return rest if rest and len(words) <= 5 else None
    return None


def resolve_followup(question: str, previous: str) -> str:
    """Rewrite a short follow-up into a full question using the previous one (deterministic, no LLM).

    'What does the national policy say about X?' + 'and what about Beijing?' ->
    'What does the Beijing policy say about X?'; '广东计划建设多少个园区？' + '那北京呢？' ->
    '北京计划建设多少个园区？'. A place in the previous question is replaced by the new one (in the previous
    question's language when the place is known); anything else is appended. Other questions are
    returned unchanged.
    """
    if not previous or not previous.strip():
        return question
    entity = _followup_entity(question)
    if entity is None:
        return question
    new_place = _place_of(entity)
    for en, zh in FOLLOWUP_PLACES:
        for name in (*zh, *en):
            pattern = re.escape(name) + _ZH_ADMIN if name in zh else rf"\b{re.escape(name)}\b"
            if re.search(pattern, previous, flags=0 if name in zh else re.I):
                if new_place is None:
                    replacement = entity
                else:
                    replacement = new_place[1][-1] if name in zh else new_place[0][0]
                return re.sub(pattern, lambda _m, r=replacement: r, previous, flags=0 if name in zh else re.I)
    base = previous.strip().rstrip("?？.。!！ ")
    if ui_lang(previous) == "zh":
        return f"{base}（{entity}）？"
    joiner = "in" if new_place else "regarding"
    return f"{base} {joiner} {entity}?"
