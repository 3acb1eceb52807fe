"""Counts of an event's attendees and the year a dated document speaks for, on the real index."""

from __future__ import annotations

import pytest

from policyqa.answer.answerer import Answerer

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def answerer(built, retriever):
    return Answerer(built[0], retriever)


@pytest.mark.parametrize("question", [
    "Roughly how many participants attended the innovative drug conference held in Guangzhou in Dec 2025?",
    "How many people took part in the December 2025 innovative drug development conference in Guangzhou?",
])
def test_an_attendance_is_answered_by_the_attendees(answerer, question):
    """The conference report's "totaling over 1,200 attendees" leads: not the roster of twelve speakers,
    nor "17.91 million people in the province were insured", which counts people too."""
    answer = answerer.ask(question)
    assert not answer.declined, answer.answer
    assert "1,200 attendees" in answer.answer.split("[1]")[0], answer.answer


def test_an_attendance_at_another_event_is_not_the_conferences(answerer):
    """The governor's 座谈会 is not the conference: its 1,200 attendees count nobody at the 座谈会, so the
    count does not override the decline model there."""
    answer = answerer.ask("粤商·省长面对面协商座谈会总共有多少人参加?")
    assert answer.declined, answer.answer


def test_an_undated_sentence_speaks_for_its_documents_year(answerer):
    """The report on the 2025 conference gives its attendance with no year of its own: it is 2025's, and
    no answer for the 2024 edition; the notice says which year the passages give."""
    answer = answerer.ask("How many people attended the 2024 edition of the innovative drug development "
                          "conference in Guangzhou?")
    assert answer.declined and "2025" in answer.notice and "2024" in answer.notice, answer.notice


def test_a_sentence_announcing_a_list_is_quoted_with_the_whole_list(answerer):
    """"… 16 initiatives across five areas: A, B, C, D, and E." is longer than a lead quotes whole
    (evidence.WHOLE_CHARS); cut after its first area, the answer named one of the five. A sentence that
    announces a list is quoted to its end (up to LIST_CHARS)."""
    answer = answerer.ask("What are the five areas covered by the national innovative drug measures?")
    lead = answer.answer.split("[1]")[0]
    assert "five areas: strengthening support" in lead and "strengthening organizational safeguards" in lead


def test_a_date_quoted_alone_gets_no_source_language_note(answerer):
    """The English plan's dateline "2020-10-23" is in no language: it had been noted as quoted from a
    Chinese source."""
    answer = answerer.ask("When was the Guangdong action plan for biomedicine and health published?")
    assert answer.answer.startswith("2020-10-23") and "Chinese" not in answer.answer, answer.answer


def test_a_question_quoting_a_documents_title_is_about_that_documents_region(answerer):
    """《支持创新药高质量发展的若干措施》 is the national notice's title: its count of measures is not
    Beijing's "32 new measures" (the national notice numbers its own and states no total)."""
    answer = answerer.ask("《支持创新药高质量发展的若干措施》共有多少条措施？")
    assert "32" not in answer.answer and not any(c.doc_id.startswith("beijing") for c in answer.citations)
    beijing = answerer.ask("《北京市支持创新医药高质量发展若干措施》共有多少条措施？")
    assert not beijing.declined and "32 new measures" in beijing.answer.split("[1]")[0], beijing.answer


def test_a_figure_for_another_procedure_does_not_support_the_asked_ones(answerer):
    """Beijing's clinical-trial approval time (60 -> 30 working days) is answered alone: not followed by the
    supplementary applications' 200 -> 60 days or one company's 19, figures a reader skimming past the
    lead would take for the asked one (audit)."""
    answer = answerer.ask("北京将临床试验审批时限压缩到多少个工作日？")
    assert "60 working days to 30" in answer.answer.split("[1]")[0]
    assert "200 working days" not in answer.answer and "19 working days" not in answer.answer, answer.answer


@pytest.mark.parametrize("question", [
    "国家医保局那份支持创新药的通知是发给哪些单位的?",
    "To whom was the NHSA and NHC notice on supporting innovative drugs addressed?",
])
def test_a_notice_is_sent_to_the_bodies_of_its_addressee_line(answerer, question):
    """Three writers asked whom the national notice was sent to; its addressee line answers ("各省、自治区、
    直辖市及新疆生产建设兵团医保局、卫生健康委："), not its title or "现印发给你们"."""
    answer = answerer.ask(question)
    assert answer.answer.startswith("各省、自治区、直辖市及新疆生产建设兵团医保局、卫生健康委"), answer.answer


def test_a_limit_set_by_another_rule_answers_a_question_for_the_limit(answerer):
    """Four writers asked how deep a renegotiated cut may go; the measure sets it by another rule ("可不高于
    简易续约规定的降幅"), with no number of its own, and had been declined as giving no figure."""
    answer = answerer.ask("目录内创新药因销量超预期触发降价时，调整支付标准的降幅有什么上限？")
    assert not answer.declined, answer.answer
    assert "可不高于简易续约规定的降幅" in answer.answer.split("[1]")[0], answer.answer


def test_a_figure_right_after_the_sentence_naming_its_subject_answers(answerer):
    """"Not long ago, China Resources Shuanghe … submitted a supplementary application … In just 19 working
    days, the Beijing Municipal Drug Administration … completed …": the figure's sentence names neither
    the company nor the drug, which the best sentence right before it does. It leads and answers (three
    writers asked it; the decline model had doubted the lead alone)."""
    answer = answerer.ask("How long did Beijing take to process China Resources Shuanghe's request to change "
                          "the registration standard of its children's amino acid injection?")
    assert not answer.declined and answer.answer.startswith("In just 19 working days"), answer.answer
