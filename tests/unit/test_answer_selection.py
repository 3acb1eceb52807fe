"""Which sentences count as saying the same thing, and which sentences a region filter lets speak."""

from __future__ import annotations

import numpy as np
import pytest

from policyqa.answer.evidence import Piece
from policyqa.answer.facts import analyse
from policyqa.answer.selection import ANNOUNCES, _continued, _figure_first, similar
from policyqa.text.places import scope_of, speaks_for

LEAD = ("supporting the inclusion of innovative drugs in the national medical insurance catalog and "
        "commercial health insurance innovative drug catalogs,")
OTHER = ('A multi-level security framework for innovative drugs is being constructed by actively promoting '
         'critical illness supplementary medical insurance and achieving "full coverage" of city-customized '
         'commercial health insurance.')


@pytest.mark.parametrize(("a", "b", "same"), [
    # two English sentences share most letter pairs whatever they say: not duplicates
    (LEAD, OTHER, False),
    (LEAD, LEAD.rstrip(",") + " and strengthening organizational safeguards.", True),
    ("鼓励商业健康保险扩大创新药投资规模", "(二)鼓励商业健康保险扩大创新药投资规模。", True),
    ("鼓励商业健康保险扩大创新药投资规模", "支持医保数据用于创新药研发", False),
])
def test_near_duplicates_by_words_in_english_and_characters_in_chinese(a: str, b: str, same: bool) -> None:
    assert similar(a, b) is same


def test_a_region_filter_stands_for_its_province_or_the_nation() -> None:
    assert scope_of(["Guangzhou"]) == scope_of(["广东"]) == {"广东"}
    assert scope_of(["National"]) == scope_of(["全国"]) == {"全国"}


@pytest.mark.parametrize(("sentence", "tags", "scope", "speaks"), [
    ("Local policies, such as those from Hubei Province, set revenue targets", ["Hubei", "National"],
     "National", False),
    ("Local policies, such as those from Hubei Province, set revenue targets", ["Hubei", "National"],
     "Hubei", True),
    ("The NMPA aims to support the development of advanced therapeutic drugs", ["Hubei", "National"],
     "National", True),
    ("The NMPA aims to support the development of advanced therapeutic drugs", ["Hubei", "National"],
     "Hubei", False),
    # a sentence naming nobody in a one-region document speaks for that region
    ("The zone has approved 12 Class I new drugs", ["Sichuan"], "Sichuan", True),
    ("The zone has approved 12 Class I new drugs", ["Sichuan"], "National", False),
    ("广州将建设生物样本库", ["Guangdong"], "Guangdong", True),
])
def test_a_sentence_speaks_for_the_places_it_names_else_its_passage(sentence, tags, scope, speaks) -> None:
    assert speaks_for(sentence, tags, scope_of([scope])) is speaks


@pytest.mark.parametrize(("sentence", "announces"), [
    ("It is reported that after the application of relevant large models, they will play an important role "
     "in three dimensions.", True),
    ("The measures are as follows:", True),
    ("主要包括以下几个方面：", True),
    ("重点抓好三个方面的工作。", True),
    ("定期调整优化基本医保药品目录(以下称医保目录)。", False),  # names a term, announces nothing
    ("proposing 16 initiatives across five areas: strengthening support for innovative drug R&D", False),
    ("The zone has approved 12 Class I new drugs in three years.", False),
])
def test_a_sentence_that_announces_what_follows(sentence: str, announces: bool) -> None:
    assert bool(ANNOUNCES.search(sentence)) is announces


def _piece(hit: int, text: str, states: bool = True) -> Piece:
    return Piece(hit, text, text, frozenset(), states, False, np.zeros(14, dtype=np.float32))


def test_an_announcing_piece_is_followed_by_the_next_piece_of_its_passage() -> None:
    """"… play an important role in three dimensions." led "In what three dimensions will large AI models
    play a role?" alone; the dimensions are in the next sentence ("One is …; Secondly, …; The third …")."""
    announce = _piece(0, "they will play an important role in three dimensions.")
    follower = _piece(0, "One is to improve services; Secondly, empower health management; The third …")
    other = _piece(1, "The Several Measures 2025 specifies a model evaluation system.")
    pieces = [_piece(0, "Opening sentence of the passage."), announce, follower, other]
    assert _continued([announce, other], pieces, 3) == [announce, follower, other]
    assert _continued([other, announce], pieces, 2) == [other, announce]  # the cap still holds
    plain = _piece(1, "A sentence that announces nothing.")
    assert _continued([plain], [plain, other], 3) == [plain]


def test_a_figure_asked_for_is_led_by_the_next_sentence_that_states_it() -> None:
    """"How long did it take…?" had been declined: its lead says what was done ("Not long ago, … submitted
    a supplementary application"), the sentence after it how long it took."""
    facts = analyse("How long did it take to complete the supplementary application?")
    told = _piece(0, "Not long ago, the company submitted a supplementary application.", states=False)
    took = _piece(0, "In just 19 working days, the administration completed the review.")
    elsewhere = _piece(1, "The time limit falls from 200 working days to 60.")
    pieces = [told, took, elsewhere]
    assert _figure_first(facts, [told, elsewhere, took], pieces) == [took, told, elsewhere]
    # a figure from another passage does not lead in its place, nor does any figure for a question asking none
    assert _figure_first(facts, [told, elsewhere], [told, elsewhere]) == [told, elsewhere]
    what = analyse("What did the company submit?")
    assert _figure_first(what, [told, took], pieces) == [told, took]
