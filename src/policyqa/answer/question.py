"""The question as the answer layer takes it: stripped, bounded, its language detected."""

from __future__ import annotations

from dataclasses import dataclass

from ..text.language import detect_language
from .messages import EMPTY_QUESTION, NO_WORDS, TEXT


@dataclass
class Question:
    text: str
    lang: str
    notice: str = ""
    problem: str = ""  # a reply instead of an answer (empty question, no words)


def prepare_question(question: str, max_chars: int) -> Question:
    """Strip, refuse empty or wordless input politely, cap the length; detect the answer language."""
    text = (question or "").strip()
    if not text:
        return Question("", "en", problem=EMPTY_QUESTION)
    if not any(ch.isalnum() for ch in text):
        return Question(text[:max_chars], "en", problem=NO_WORDS)
    notice = ""
    if len(text) > max_chars:
        text = text[:max_chars].rstrip()
        notice = TEXT[detect_language(text)]["truncated"].format(limit=max_chars)
    return Question(text, detect_language(text), notice=notice)
