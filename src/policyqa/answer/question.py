"""The one place a question's limits live: empty, wordless or too long, and its language.

`prepare_question` is what the Answerer does with any text (strip, refuse empty or wordless input,
truncate with a notice); `question_problem` is what the chat and the API say instead of answering a
question typed empty or over the limit.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..text.language import detect_language
from .messages import EMPTY_QUESTION, MESSAGES, NO_WORDS


@dataclass
class PreparedQuestion:
    text: str
    lang: str
    notice: str = ""
    problem: str = ""  # a reply instead of an answer (empty question, no words)


def prepare_question(question: str, max_chars: int) -> PreparedQuestion:
    """Strip, refuse empty or wordless input politely, cap the length; detect the answer language."""
    text = (question or "").strip()
    if not text:
        return PreparedQuestion("", "en", problem=EMPTY_QUESTION)
    if not any(ch.isalnum() for ch in text):
        return PreparedQuestion(text[:max_chars], "en", problem=NO_WORDS)
    notice = ""
    if len(text) > max_chars:
        text = text[:max_chars].rstrip()
        notice = MESSAGES[detect_language(text)]["truncated"].format(limit=max_chars)
    return PreparedQuestion(text, detect_language(text), notice=notice)


def question_problem(question: str, max_chars: int, lang: str) -> str:
    """A message when the question cannot be asked as typed (empty, too long), else ''."""
    if not question or not question.strip():
        return MESSAGES[lang]["empty"]
    if len(question) > max_chars:
        return MESSAGES[lang]["too_long"].format(n=len(question), limit=max_chars)
    return ""
