"""What a count question counts, and whether a sentence names it.

"How many [new measures] …?", "多少个[部门]联合印发": the counted noun's words, English ones stemmed, so a
sentence's number counts the asked thing only when it stands right before them (QuestionFacts.counts).
"""

from __future__ import annotations

import functools
import re

import jieba

from ..text.tokenizer import english_stem
from .kinds import CLASSIFIERS

#: the thing a count question counts: "how many [new measures] are ...", "多少个[部门]联合印发"
_COUNTED_EN = re.compile(r"\b(?:how many|number of)\s+(?:of\s+(?:the\s+)?(?:[A-Za-z-]+['’]s\s+)?)?"
                         r"((?:[A-Za-z0-9-]+\s+){0,3}?[A-Za-z0-9-]+)"  # "P3 labs", "Class 1 innovative drugs"
                         r"(?=\s+(?:are|is|do|does|did|will|have|has|had|were|was|can|should|in|of|for|to|"
                         r"at|on|by|from|that|which|already|currently|still|now)\b|\s*[?,]|$)", re.I)
#: a class's label may open the counted noun: 多少个[1类新药], 几个[Ⅲ类医疗器械]
_COUNTED_ZH = re.compile(rf"(?:多少|几)[{CLASSIFIERS}]?((?:[\dA-Za-zⅠ-Ⅻ]+类)?[\u4e00-\u9fff]{{2,}})")
_COUNTED_ZH_BEFORE = re.compile(
    rf"([\u4e00-\u9fff]{{2,}}?)[\d\s《》“”]*(?:一?共|总共)?有(?:多少|几)[{CLASSIFIERS}]?[？?]?$")
_THRESHOLD = re.compile(r"超|达到|以上|突破")
#: where a counted noun phrase ends: a conjunction or preposition (世界知名医药企业[和]医疗机构[在]粤设立…)
_NOUN_END = re.compile(r"[和与及、在或并的]")
_EN_WORD = re.compile(r"[a-z0-9]+")
#: no counted thing: "How many times…?" asks how often ("won the cup twice")
_EN_STOP = frozenset({"new", "other", "the", "of", "and", "more", "total", "such", "time"})


#: the words for a part of a whole a policy is divided into, in both languages: "In how many areas …?" is
#: answered by "… an important role in three dimensions", 几个方面 by "three respects"
_ASPECTS = ("area", "aspect", "dimens", "field", "respect", "direct", "domain", "section",
            "方面", "领域", "维度", "层面", "方向", "部分")


#: a question for how many took part in an event ("How many people attended …?", 多少人参会): its people
#: are counted only as attendees, not as the insured or the speakers of the same report
_ATTENDING_CUE = re.compile(r"\b(?:attend(?:ed|ing|s)?|took part|take part|taking part|turned up|"
                            r"turn(?:ed)? out)\b|出席|参会|与会|到会|参加", re.I)
_ATTENDING = ("attende", "particip", "attend", "出席", "参会", "与会", "到会", "参加")
#: the events people attend, in both languages: an attendance is counted for the event the question names
_EVENTS = (("conference", "大会", "会议"), ("forum", "论坛", "座谈会"), ("symposium", "研讨会", "座谈会"),
           ("summit", "峰会"), ("expo", "博览会"), ("meeting", "会议", "座谈会"), ("seminar", "研讨会"))
#: a count of people as such ("how many people", "how many participants", 多少人): with an attendance cue
#: it counts attendees ("how many guests attended the dinner" counts guests)
_ANYONE = re.compile(r"\bhow many (?:people|persons|participants|attendees)\b|"
                     r"(?:多少|几)(?:位|名)?(?:人|参会者|与会者)", re.I)


def counted(question: str) -> tuple[str, ...]:
    """The counted noun's words: English words stemmed ("measu" of "new measures"); up to three Chinese
    words of the noun phrase after the measure word (部门 of 多少个部门联合印发), as jieba cuts them. A part
    of a whole (an area, 方面) is any of its words (_ASPECTS); people who attended, an attendance
    (_ATTENDING)."""
    words = _counted_words(question)
    if _ATTENDING_CUE.search(question) and _ANYONE.search(question):
        return _ATTENDING
    # English counts the noun phrase ("research areas" are no aspects); Chinese the first word and the next
    aspect = words[:1] and words[0] in _ASPECTS and (len(words) == 1 or not words[0].isascii())
    return _ASPECTS if aspect else words


def attended_event(question: str) -> tuple[str, ...]:
    """The forms (both languages, lower case) of the event an attendance question names ("How many
    attended the conference?": conference, 大会, 会议); () for other questions."""
    if not _ATTENDING_CUE.search(question):
        return ()
    text = question.lower()
    return next((forms for forms in _EVENTS if any(form in text for form in forms)), ())


#: a gloss in brackets ("top-tier (tertiary) hospitals"): the counted noun reads on without it
_GLOSS = re.compile(r"\s*\([^()]{1,40}\)")


def _counted_words(question: str) -> tuple[str, ...]:
    if match := _COUNTED_EN.search(_GLOSS.sub("", question)):
        # a hyphenated word is its parts, as a sentence's words are read ("provincial-level")
        words = [stem(w.replace("-", " ")) for w in match.group(1).split()]
        return tuple(w for w in words if len(w) > 2 and w not in _EN_STOP and not w.isdigit())
    if match := _COUNTED_ZH.search(question):
        qualifier, _, head = match.group(1).rpartition("的")
        # 几家[销售收入超千亿元的]龙头企业 counts the companies; 多少个产品的产值 the products
        phrase = head if head and _THRESHOLD.search(qualifier) else match.group(1)
        phrase = _NOUN_END.split(phrase)[0] or phrase
        return tuple([w for w in jieba.lcut(phrase) if len(w) > 1][:3])
    if match := _COUNTED_ZH_BEFORE.search(question):  # "若干措施2025有多少条？": the noun comes first
        return tuple([w for w in jieba.lcut(match.group(1)) if len(w) > 1][-2:])
    return ()


def stem(phrase: str) -> str:
    """An English phrase as its words' Snowball stems, so plurals and inflections match ("companies" for
    "company") and a word's look-alikes do not ("medicine" is no "medical"); Chinese as it is."""
    return " ".join(english_stem(w) if w.isascii() else w for w in phrase.lower().split())


def names_any(text: str, counted: tuple[str, ...]) -> bool:
    """Whether lower-cased `text` names one of the counted phrases: a Chinese one anywhere in it, an
    English one (stems, _stem) as words, its last word also as the start or end of a longer one ("exam" of
    "examination boards", "ton" of "tonnes" and "gigatons") but not a look-alike ("medicaments" is no
    "medical", which their first five letters took it for)."""
    stems, joined = _stems(text) if any(phrase.isascii() for phrase in counted) else ((), "")
    return any(_in_words(phrase.split(), stems, joined) if phrase.isascii() else phrase in text
               for phrase in counted)


@functools.lru_cache(maxsize=65536)
def _stems(text: str) -> tuple[tuple[str, ...], str]:
    """The stems of a lower-cased text's English words, and the same joined by spaces: the same sentences
    are asked about for every count question. Read-only: it is cached."""
    stems = tuple(english_stem(w) for w in _EN_WORD.findall(text))
    return stems, " ".join(stems)


def _in_words(phrase: list[str], stems: tuple[str, ...], joined: str) -> bool:
    """Whether the phrase's stems stand in a row in `stems`, its last one at least inside a word. Each of
    them is then inside the joined stems, which one substring test per word rules out far faster."""
    if not all(word in joined for word in phrase):
        return False
    n, head = len(phrase), tuple(phrase[:-1])
    return any(stems[i : i + n - 1] == head and
               (stems[i + n - 1].startswith(phrase[-1]) or stems[i + n - 1].endswith(phrase[-1]))
               for i in range(len(stems) - n + 1))
