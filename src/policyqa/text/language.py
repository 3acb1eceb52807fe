"""Which language a text is in: 'zh' or 'en' by the script that dominates its letters."""

from __future__ import annotations

import functools
import re

#: a Chinese character (CJK Extension A and the Unified Ideographs)
CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")


def detect_language(text: str) -> str:
    """'zh' or 'en' by which script dominates the letters of a passage (counted by regular expressions: the
    answer step asks it of every candidate sentence, and a loop over the characters took a millisecond).
    A sentence's answer is cached, as the same ones are asked about question after question; a longer
    text's is not kept (ingest asks it of every passage, and of a sample of up to 1 MiB)."""
    return _sentence_language(text) if len(text) <= _CACHED_CHARS else _language(text)


def _language(text: str) -> str:
    return "zh" if len(CJK.findall(text)) * 2 >= len(_LATIN.findall(text)) else "en"


#: the longest text whose language is cached: a candidate sentence, whole, is at most 480 characters
_CACHED_CHARS = 500
_sentence_language = functools.lru_cache(maxsize=65536)(_language)


def document_languages(text: str, sample: int = 2**20) -> list[str]:
    """All languages with a real share of a document (mixed pages list both).

    A document longer than `sample` characters is judged on 64 evenly spaced windows of it.
    """
    if len(text) > sample:
        step, width = len(text) // 64, sample // 64
        text = "".join(text[i : i + width] for i in range(0, len(text), step))
    cjk = sum(1 for c in text if "\u3400" <= c <= "\u9fff")
    latin = sum(1 for c in text if c.isascii() and c.isalpha())
    langs = [lang for lang, n in (("zh", cjk * 2), ("en", latin)) if n >= 0.1 * max(1, cjk * 2 + latin)]
    return langs or [detect_language(text)]
