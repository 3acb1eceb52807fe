"""Misspelt English question words corrected towards an index's words (text/spelling.py), and only those:
a word English or the index knows, a name the index lacks and a Chinese question stay as typed."""

from __future__ import annotations

import pytest

from policyqa.text.spelling import Speller

PASSAGES = [
    "The national policy supports commercial health insurance for innovative drugs.",
    "Beijing shortens clinical trial approval to 30 working days; Guangzhou launched Suixinbao.",
    "Hospitals shall provide assistance to patients. The modern platform links hospitals.",
]


@pytest.fixture(scope="module")
def speller() -> Speller:
    return Speller.from_texts(PASSAGES, extra=["national reimbursement drug list"])


@pytest.mark.parametrize(("typed", "searched"), [
    ("Waht dose the nationl polcy say about comercial insurance for innovatve drugs?",
     "What dose the national policy say about commercial insurance for innovative drugs?"),
    ("How long is Beijng's clincal trial aproval?", "How long is Beijing's clinical trial approval?"),
    ("Does Zheiang offer subsidies?", "Does Zhejiang offer subsidies?"),  # a place the index lacks
    ("What did Suixnbao cover?", "What did Suixinbao cover?"),  # a name the index always capitalises
    ("antimicrobial rseistance", "antimicrobial resistance"),  # English one edit away beats the index's two
])
def test_typos_are_corrected(speller: Speller, typed: str, searched: str) -> None:
    spelling = speller.correct(typed)
    assert spelling.text == searched
    assert spelling.changes
    assert all(word in typed and better in searched for word, better in spelling.changes)


@pytest.mark.parametrize("question", [
    "What does Moderna say about modern trials?",  # a name the index lacks, one edit from its word 'modern'
    "What does the NHSA's catalogue hold?",  # an acronym and a possessive
    "Which pharma firms doesn't the plan list?",  # a word near nothing of the index stays as typed
    "How are biobanks and hemodialysis funded?",  # English words (and plurals of them) are no typos
    "Is there a drug for xyz?",  # short words are left alone
    "北京对创新药临床试验有哪些支持？",
])
def test_known_words_names_and_chinese_stay_as_typed(speller: Speller, question: str) -> None:
    assert speller.correct(question).text == question
    assert speller.correct(question).changes == ()


def test_a_capitalised_word_becomes_only_a_name(speller: Speller) -> None:
    """'Modrn' inside a sentence is a name the index lacks, not its common word 'modern'; first in the
    question it is any word."""
    assert speller.correct("Did Modrn apply?").changes == ()
    assert speller.correct("Modrn platforms?").text == "Modern platforms?"


def test_settings_limit_the_edits() -> None:
    """Words shorter than `min_letters` are never corrected; shorter than `long_word`, one edit only."""
    strict = Speller.from_texts(PASSAGES, min_letters=9, long_word=20)
    assert strict.correct("nationl polcy").text == "nationl polcy"
    assert strict.correct("innovatve").text == "innovative"
    assert strict.correct("innovtve").text == "innovtve"  # two edits
    assert Speller.from_texts(PASSAGES).correct("innovtve").text == "innovative"
