"""Chinese cities beyond text/places.PLACES (src/policyqa/cities.tsv): what a question asks about that the
documents may not cover. "What incentives does Dalian offer…?" names a city no passage mentions, so the
documents do not answer it, whatever a Hainan sentence on incentives says.

A question's cities are found strictly: an English name as a capitalised word, a Chinese one as a jieba
word (or two), so 广东营商环境 names no 东营 and 大理石 no 大理. A passage mentions a city leniently: any
occurrence of either name will do, as a mention there only keeps the question from being declined.
"""

from __future__ import annotations

import functools
import itertools
import re
from importlib.resources import files

from .places import PROVINCE_OF, places_named
from .tokenizer import load_jieba

_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")


@functools.cache
def city_names() -> dict[str, str]:
    """Chinese name -> English name of every city in cities.tsv."""
    text = files("policyqa").joinpath("cities.tsv").read_text(encoding="utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return {zh: en for zh, en in rows}


def _key(english: str) -> str:
    """Cities spelled alike (台州 and 泰州, Taizhou) are one key: an English text cannot tell them apart."""
    return english.replace("'", "").lower()


@functools.cache
def _chinese_of() -> dict[str, str]:
    """Key -> the Chinese name a question in English is taken to mean (the first in cities.tsv)."""
    return {_key(en): zh for zh, en in reversed(city_names().items())}


def city_of_english(name: str) -> str | None:
    """The Chinese name of a city named in English ("Foshan" -> 佛山; the first of cities spelt alike), or
    None for no city of cities.tsv."""
    return _chinese_of().get(_key(name))


@functools.cache
def _english() -> re.Pattern[str]:
    names = sorted(set(city_names().values()), key=len, reverse=True)
    return re.compile(r"(?<![A-Za-z])(" + "|".join(re.escape(n).replace("'", "'?") for n in names) +
                      r")(?![A-Za-z])")


def _chinese_words(text: str) -> list[str]:
    jieba = load_jieba()
    words = []
    for run in _CJK_RUN.findall(text):
        cut = list(jieba.cut(run))
        words += [w.removesuffix("市") for w in cut] + ["".join(pair) for pair in itertools.pairwise(cut)]
    return words


def cities_asked(question: str) -> dict[str, str]:
    """The cities a question names, key -> Chinese name."""
    names = city_names()
    asked = {_key(m.group(1)): _chinese_of()[_key(m.group(1))] for m in _english().finditer(question)}
    asked |= {_key(names[w]): w for w in _chinese_words(question) if w in names}
    return asked


def cities_mentioned(text: str) -> set[str]:
    """The keys of the cities a passage mentions in either language."""
    keys = {_key(m.group(1)) for m in _english().finditer(text)}
    return keys | {_key(en) for zh, en in city_names().items() if zh in text}


def cities_unmentioned(question: str, passages: str) -> set[str]:
    """Chinese names of the cities the question names and the passages do not mention."""
    asked = cities_asked(question)
    if not asked:
        return set()
    mentioned = cities_mentioned(passages)
    return {zh for key, zh in asked.items() if key not in mentioned}


#: the cities of text/places.PLACES, Beijing, Shanghai, Tianjin and Chongqing among them. Not Hong Kong and
#: Macao: the documents name them as regions ("the Guangdong-Hong Kong-Macao Greater Bay Area", "借助香港、
#: 澳门相关优势"), never as the city where something is sited
_PLACE_CITIES = frozenset(PROVINCE_OF) | {"北京", "上海", "天津", "重庆"}


def names_city(text: str) -> bool:
    """Whether a text names a city (text/places.PLACES or cities.tsv), in either language."""
    return bool(places_named(text) & _PLACE_CITIES or cities_mentioned(text))
