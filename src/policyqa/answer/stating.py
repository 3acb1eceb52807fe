"""Whether a sentence states the answer a question asks for: a figure in the asked unit, a date, a place,
a name, or a number of the counted thing.

What decides it is the question's kind, unit, given numbers and counted words (`Asked`), not its places
or years, so the answer is cached per (what is asked, sentence): the same passages' sentences are asked
again by each question of a kind, and a place's, a date's or a count's patterns took up to 0.15 ms a
sentence. `facts.QuestionFacts` asks through `states` and `counts`.
"""

from __future__ import annotations

import functools
import itertools
import re
from typing import NamedTuple

from ..text.cities import names_city
from ..text.language import detect_language
from ..text.organisations import names_organisation
from ..text.people import names_person
from ..text.places import any_place_named
from .counting import names_any
from .kinds import CLASSIFIERS, DAY, LABEL, LEADS, STATES, TITLE, UNITS, VENUE

_ONE = re.compile(r"\bone\b", re.I)

#: a number as a question gives it (35, 1,200, 2.5, 3000万, "30 million"), with its scale if it has one;
#: matched in a sentence only as a whole number
GIVEN = re.compile(r"(?<![\d.,])\d+(?:[.,]\d+)*"
                   r"(?:\s*(?:万亿|亿|万|千|(?:thousand|million|billion|trillion)\b))?", re.I)

_SCALES = {"万亿": 1e12, "亿": 1e8, "万": 1e4, "千": 1e3, "thousand": 1e3, "million": 1e6, "billion": 1e9,
           "trillion": 1e12}
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def _plain(number: str) -> str:
    """A given number's digits without thousands separators or scale (3900多家's 3900, "3,900")."""
    return _NUMBER.match(number).group(0).replace(",", "")


def _sum(number: str) -> float | None:
    """A scaled number's value (3000万 and "30 million" are both 3e7), None for a bare number: a sum given
    in one language's units is the same sum in the other's."""
    digits = _NUMBER.match(number).group(0)
    scale = number[len(digits):].strip().lower()
    if not scale:
        return None
    try:
        return round(float(digits.replace(",", "")) * _SCALES[scale], 3)
    except ValueError:  # 1.200.5: no number
        return None


def _without(given: tuple[str, ...], sentence: str) -> str:
    """The sentence with the given numbers blanked, as whole numbers (35 but not 135 or 3.5) and whatever
    their thousands separators (the question's 3900多家 is the passage's "over 3,900 companies"), or as
    the same sum in other units (the question's 3000万元 is the passage's "30 million yuan")."""
    if not given:
        return sentence
    values = {_plain(g) for g in given}
    sums = {value for g in given if (value := _sum(g)) is not None}

    def blank(match: re.Match) -> str:
        number = match.group(0)
        return " … " if _plain(number) in values or (sums and _sum(number) in sums) else number

    return GIVEN.sub(blank, sentence)


_UNIT_FIGURE = {unit: figure for unit, _cue, figure in UNITS}


def _no_money(sentence: str) -> str:
    """The sentence with its sums of money blanked out ("500 billion yuan", 9.76亿元, "$3 million"), for
    a count: a sum is no number of things, nor is its "billion" a count of the words after it."""
    return _UNIT_FIGURE["money"].sub(lambda m: " " * len(m.group()), sentence)


class Asked(NamedTuple):
    """What decides whether a sentence states the answer (QuestionFacts.states): not the question's places,
    years or term, so questions of one kind share it."""

    kind: str
    unit: str
    given: tuple[str, ...]
    counted: tuple[str, ...]
    part: bool
    leads: bool
    venue: bool
    city: bool
    day: bool
    organisation: str


@functools.lru_cache(maxsize=65536)
def states(asked: Asked, sentence: str) -> bool:
    """QuestionFacts.states, cached per (what is asked, sentence): see the module's docstring."""
    if asked.kind == "quantity" and asked.given:
        sentence = _without(asked.given, sentence)
    if asked.unit == "count":  # a sum counts nothing: "500 billion yuan" is no number of companies
        sentence = _no_money(sentence)
    named = _names(asked, sentence)
    return named if named is not None else _figure_or_date(asked, sentence)


def _names(asked: Asked, sentence: str) -> bool | None:
    """For a question answered by a name (who leads, a place, a venue, a person, an organisation): whether
    the sentence gives one; None for the other kinds."""
    if asked.leads:
        return bool(LEADS.search(sentence))
    if asked.kind == "place":
        if asked.venue:
            return bool(VENUE.search(sentence))
        return names_city(sentence) if asked.city else any_place_named(sentence)
    if asked.kind == "person":
        return names_person(sentence)
    if asked.kind == "organisation":
        return names_organisation(sentence, asked.organisation)
    return None


def _figure_or_date(asked: Asked, sentence: str) -> bool:
    """For a count, another quantity, a date or a kind with a pattern: whether the sentence gives it."""
    counting = asked.unit == "count" and bool(asked.counted)
    if counting and (counted := counts(asked.counted, asked.given, sentence)) is not None:
        return counted
    if counting and _names_counted_in(asked.counted, sentence):
        # the counted thing is not named, though it could be: "3,900 biopharmaceutical companies" is no
        # number of listed companies, "nine other departments" none of Class 1 drugs
        return False
    if counting and asked.part:
        # "56款创新药中有多少款是中药？": only a number of that part answers, not the 56 nor another one
        return False
    if asked.unit:
        return bool(_UNIT_FIGURE[asked.unit].search(sentence))
    if asked.kind == "date":  # "issued the "… Medicine in Beijing (2025)"" dates nothing: a title's year
        sentence = TITLE.sub(" ", sentence)
    if asked.day:
        return bool(DAY.search(sentence))
    pattern = STATES.get(asked.kind)
    return pattern is None or bool(pattern.search(sentence))


def _names_counted_in(counted: tuple[str, ...], sentence: str) -> bool:
    """Whether the counted thing has a form in the sentence's language (its own, or a translation), so
    that a sentence not naming it can be told to count something else."""
    english = detect_language(sentence) == "en"
    return any(word.isascii() == english for word in counted)


@functools.lru_cache(maxsize=65536)
def counts(counted: tuple[str, ...], given: tuple[str, ...], sentence: str) -> bool | None:
    """QuestionFacts.counts, cached: a count question asks it of each sentence for the sentence's features,
    the ranking, the lead and the decline."""
    if not names_any(sentence.lower(), counted):
        return None
    # "成都高新区3900多家…企业中有多少家是上市公司？" is not answered by "over 3,900 … companies"
    sentence = _without(given, sentence)
    # "surpassed 500 billion yuan, with the biopharmaceutical segment …" counts no biopharmaceutical
    # companies: the number and its "billion" belong to the sum
    sentence = _no_money(sentence)
    # "one" is no figure in general (one of, one-stop), but "cultivate one industry leader" counts
    # "Biosafety Level 4 (P4) laboratories" counts no laboratories, but "12 Class I new drugs" counts
    labels = [m.span() for m in LABEL.finditer(sentence)]
    for figure in itertools.chain(_UNIT_FIGURE["count"].finditer(sentence), _ONE.finditer(sentence)):
        if any(start <= figure.start() < end for start, end in labels):
            continue
        after = sentence[figure.end(): figure.end() + 40].lower()
        near = " ".join(after.split()[:4]) if re.match(r"\s", after) else after[:8]
        if (names_any(near, counted) and not _other_level(near, counted)) \
                or _counted_before(figure, sentence, counted):
            return True
    return False


#: the administrative levels a counted thing may carry, by their words in the question's counted phrase
#: (stemmed English, jieba's Chinese) and in a sentence's words after a figure
LEVELS = {"national": ("nation", "国家级", "国家"), "provincial": ("provinci", "省级"),
          "municipal": ("municip", "市级")}


def _other_level(near: str, counted: tuple[str, ...]) -> bool:
    """Whether the words after a figure give the counted thing another level than the question asks:
    "How many national clinical research centers …?" is not answered by "30 provincial-level clinical
    research centers" (the fourth user audit), though both name clinical research centers."""
    asked = {level for level, forms in LEVELS.items()
             if any(form in phrase for phrase in counted for form in forms)}
    named = {level for level, forms in LEVELS.items() if any(form in near for form in forms)}
    return bool(asked and named) and not asked & named


#: a Chinese count written after its noun ends in a measure word, not one of time: 新增上市创新药10个
_MEASURED = re.compile(rf"\s*(?:余|多)?\s*[{CLASSIFIERS}]")
#: what makes a number with its measure word a time or a share (10个工作日, 三个月, 两个季度), no count
_TIME_AFTER = re.compile(r"\s*(?:工作日|月|小时|季度|百分点)")


def _counted_before(figure: re.Match, sentence: str, counted: tuple[str, ...]) -> bool:
    """Whether a number counts the Chinese noun right before it (up to a verb such as 达到 between):
    "力争新增上市创新药10个" counts new drugs as "新增10个上市创新药" does."""
    text, end = figure.group(), figure.end()
    if text[-1] not in CLASSIFIERS:
        measured = _MEASURED.match(sentence, end)
        if not measured:
            return False
        end = measured.end()
    if _TIME_AFTER.match(sentence, end):  # 十个工作日 as 10个工作日: a time, whichever way it is written
        return False
    before = sentence[max(0, figure.start() - 8): figure.start()]
    return names_any(before, tuple(phrase for phrase in counted if not phrase.isascii()))
