"""Short follow-up questions rewritten into full ones, deterministically."""

from __future__ import annotations

import re
from typing import NamedTuple

from ..answer.kinds import CLASSIFIERS
from ..text.bodies import BODIES
from ..text.cities import cities_asked, city_names, city_of_english
from ..text.places import PLACES as KNOWN_PLACES
from ..text.places import forms_pattern
from .render import ui_lang


class Subject(NamedTuple):
    """What a follow-up may switch to, by its names in each language; the first English and the last Chinese
    name replace a name in the previous question."""

    en: tuple[str, ...]
    zh: tuple[str, ...]


#: the places a follow-up may switch to: the whole country, then every place the refusal rule knows
#: (text.places.PLACES). A Chinese name also matches with 省/市.
FOLLOWUP_PLACES: list[Subject] = [
    Subject(("national", "nationwide", "China"), ("国家", "全国")),
    *(Subject((en,), (zh,)) for en, zh in KNOWN_PLACES),
]

#: the national bodies of text.bodies, each with its English and its Chinese forms (its Chinese name last)
FOLLOWUP_BODIES: list[Subject] = [
    Subject(tuple(f for f in forms if f.isascii()),
            (*(f for f in forms if not f.isascii() and f != name), name))
    for name, forms in BODIES.items()
]
#: each body's forms as one pattern, an acronym in capitals only (text.places.forms_pattern): MOST, not "most"
_BODY_NAMES = [(forms_pattern((*body.en, *body.zh), 6), body) for body in FOLLOWUP_BODIES]

_ZH_ADMIN = "(?:省|市)?"

_EN_CUES = ("and what about", "and how about", "what about", "how about", "and for", "and in", "same for",
            "and")

_ZH_PREFIX = ("那么", "那", "还有", "而", "再看看", "换成")

_ZH_SUFFIX = ("怎么样呢", "的情况呢", "方面呢", "的呢", "呢", "怎么样", "的情况", "如何")

_EN_FILLER = re.compile(r"^(?:in|for|at|the|with|about)\s+", re.I)

_EN_ADMIN = re.compile(r"\s+(?:province|city|municipality)$", re.I)

_ZH_FILLER = ("在", "对于", "关于", "对")


def _subject_of(entity: str) -> Subject | None:
    """The follow-up's entity as a place, city or national body the project knows, else None: "the
    deadline" in "and what about the deadline?" is no place to put in the previous question."""
    folded = _EN_ADMIN.sub("", entity.strip()).lower()
    bare = entity.strip().removesuffix("市").removesuffix("省")
    for subject in FOLLOWUP_PLACES:
        if folded in (e.lower() for e in subject.en) or bare in subject.zh:
            return subject
    zh = bare if bare in city_names() else city_of_english(folded)
    if zh is not None:
        return Subject((city_names()[zh],), (zh,))
    return next((body for pattern, body in _BODY_NAMES if pattern.fullmatch(entity.strip())), None)



def _followup_entity(question: str) -> str | None:
    """The new subject of a short follow-up ('and what about Beijing?' -> 'Beijing'), else None."""
    q = question.strip().rstrip("?？.。!！ ").strip()
    if not q:
        return None
    if ui_lang(q) == "zh" or re.search(r"[\u3400-\u9fff]", q):
        return _zh_entity(q)
    lower = q.lower()
    for cue in _EN_CUES:
        if lower == cue or lower.startswith(cue + " "):
            rest = q[len(cue):].strip(" ,")
            while _EN_FILLER.match(rest):
                rest = _EN_FILLER.sub("", rest, count=1)
            words = rest.split()
            return rest if rest and len(words) <= 5 else None
    return None


def _zh_entity(q: str) -> str | None:
    """The new subject of a Chinese follow-up ('那海南呢' -> '海南'): it needs a cue before or after it."""
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


def _named_in(previous: str, bodies_first: bool) -> tuple[re.Pattern[str], bool] | None:
    """The pattern of the first place, city or national body the previous question names (bodies first
    for a body to replace), and whether that name is written in Chinese. A city beyond text.places is
    found as text.cities finds a question's (a whole word), so 广东营商环境 names no 东营."""
    cities = [Subject((city_names()[zh],), (zh,)) for zh in cities_asked(previous).values()]
    places = [*_PLACE_PATTERNS, *(p for city in cities for p in _place_patterns(city))]
    for pattern, chinese in (*_BODY_PATTERNS, *places) if bodies_first else (*places, *_BODY_PATTERNS):
        if pattern.search(previous):
            return pattern, chinese
    return None


def _place_patterns(subject: Subject) -> list[tuple[re.Pattern[str], bool]]:
    """A place's names as (pattern, written in Chinese): a Chinese one with its 省/市, an English one as
    whole words."""
    return [*((re.compile(re.escape(name) + _ZH_ADMIN), True) for name in subject.zh),
            *((re.compile(rf"\b{re.escape(name)}\b", re.I), False) for name in subject.en)]


_PLACE_PATTERNS = [p for subject in FOLLOWUP_PLACES for p in _place_patterns(subject)]
_BODY_PATTERNS = [(forms_pattern(names, 6), chinese) for s in FOLLOWUP_BODIES
                  for names, chinese in ((s.zh, True), (s.en, False))]


def resolve_followup(question: str, previous: str) -> str:
    """Rewrite a short follow-up into a full question using the previous one (deterministic, no LLM).

    'What does the national policy say about X?' + 'and what about Beijing?' ->
    'What does the Beijing policy say about X?'; '广东计划建设多少个园区？' + '那北京呢？' ->
    '北京计划建设多少个园区？'. Only a place, city or national body the project knows replaces the one the
    previous question names (in the previous question's language); anything else would replace a place
    with a word that is none ("What is the maximum R&D reward in deadline?"), so such a follow-up is left
    as typed. A previous question that names none gets the new subject appended. A bare "which?" after
    "how many?" (or the other way round) asks the previous question again for the list or the count
    (`_asked_again`). Other questions are returned unchanged.
    """
    if not previous or not previous.strip():
        return question
    asked_again = _asked_again(question, previous)
    if asked_again:
        return asked_again
    entity = _followup_entity(question)
    if entity is None:
        return question
    subject = _subject_of(entity)
    named = _named_in(previous, bodies_first=subject in FOLLOWUP_BODIES)
    if named is not None:
        if subject is None:
            return question
        pattern, chinese = named
        replacement = subject.zh[-1] if chinese else subject.en[0]
        return pattern.sub(lambda _m: replacement, previous)
    base = previous.strip().rstrip("?？.。!！ ")
    if ui_lang(previous) == "zh":
        return f"{base}（{entity}）？"
    joiner = "regarding" if subject is None or subject in FOLLOWUP_BODIES else "in"
    return f"{base} {joiner} {entity}?"


#: the question words of a count and of a list, in the previous question: "how many" / 多少个 asks the count
#: of what "which" / 哪些 asks the list of (a Chinese count's measure word goes with it: 多少个园区, 哪些园区)
_EN_COUNT, _EN_LIST = re.compile(r"\bhow many\b", re.I), re.compile(r"\b(?:which|what)\b(?= \w+s\b)", re.I)
_ZH_COUNT = re.compile(rf"多少[{CLASSIFIERS}]?|几[{CLASSIFIERS}]")
_ZH_LIST = re.compile(r"哪些|哪几[个家项所条]?")
#: a follow-up that is only a list or a count question word ("哪些？", "Which ones?", "How many?")
_ASKS_LIST = re.compile(r"^(?:(?:and|so)\s+)?(?:which ones|which are they|what are they|name them|list them"
                        r"|which)$|^(?:那|那么)?(?:具体|分别)?(?:是|有)?(?:哪些|哪几个|哪几家)(?:呢)?$", re.I)
_ASKS_COUNT = re.compile(r"^(?:(?:and|so)\s+)?how many(?: are there| of them)?$"
                         r"|^(?:那|那么)?(?:一共|总共)?(?:有)?(?:多少|多少个|几个|几家)(?:呢)?$", re.I)


def _asked_again(question: str, previous: str) -> str:
    """The previous question asked for its list instead of its count, or its count instead of its list,
    when the follow-up is only that question word: "哪些？" after 广东计划建设多少个…园区？ is
    广东计划建设哪些…园区？ (the fourth user audit's, declined as typed), "Which ones?" after "How many parks
    does Guangdong plan to build?" is "Which parks does Guangdong plan to build?". '' for any other."""
    asked = question.strip().rstrip("?？.。!！ ").strip()
    chinese = ui_lang(previous) == "zh"
    if _ASKS_LIST.match(asked):
        pattern, word = (_ZH_COUNT, "哪些") if chinese else (_EN_COUNT, "Which")
    elif _ASKS_COUNT.match(asked):
        pattern, word = (_ZH_LIST, "多少") if chinese else (_EN_LIST, "How many")
    else:
        return ""
    found = pattern.search(previous)
    if found is None:
        return ""
    if not chinese and found.start() > 0:
        word = word.lower()
    return previous[: found.start()] + word + previous[found.end():]
