"""The chat's pure parts: follow-up rewriting, escaping of untrusted text, upload names, auth, warnings."""

from __future__ import annotations

import csv
import dataclasses
import io
from pathlib import Path

import pytest

from policyqa.app.compare_view import comparison_csv, comparison_file_markdown, comparison_markdown
from policyqa.app.followup import resolve_followup
from policyqa.app.render import (
    UI_TEXT,
    Source,
    answer_markdown,
    copy_text,
    counted,
    highlight,
    md_escape,
    source_card,
    ui_lang,
)
from policyqa.app.server import exposure_problem, is_loopback, read_auth
from policyqa.app.service import make_filters, option_problem
from policyqa.app.uploads import UploadRefused, safe_upload_name, save_upload
from policyqa.records import Answer, CitedPassage, CompareGroup, Comparison

# --------------------------------------------------------------------------- follow-ups


@pytest.mark.parametrize(
    ("previous", "follow_up", "expected"),
    [
        ("广东计划建设多少个综合性生物医药产业园区？", "那北京呢？",
         "北京计划建设多少个综合性生物医药产业园区？"),
        ("广东省对创新药有哪些支持？", "那么上海呢", "上海对创新药有哪些支持？"),
        ("北京对创新药首发上市有哪些支持措施？", "海南的情况呢？", "海南对创新药首发上市有哪些支持措施？"),
        ("What does the national policy say about the commercial health insurance innovative drug catalogue?",
         "and what about Beijing?",
         "What does the Beijing policy say about the commercial health insurance innovative drug catalogue?"),
        ("How many parks does Guangdong plan to build?", "What about Hainan?",
         "How many parks does Hainan plan to build?"),
        ("How many parks does Guangdong plan to build?", "how about in Beijing",
         "How many parks does Beijing plan to build?"),
        # the follow-up's place is written in the previous question's language
        ("How many parks does Guangdong plan to build?", "那北京呢？",
         "How many parks does Beijing plan to build?"),
        ("广东计划建设多少个园区？", "and what about Beijing?", "北京计划建设多少个园区？"),
        # no place to replace: the new subject is appended
        ("What support is there for innovative drugs?", "and what about rare diseases?",
         "What support is there for innovative drugs regarding rare diseases?"),
        ("创新药有哪些支持措施？", "那罕见病呢？", "创新药有哪些支持措施（罕见病）？"),
    ],
)
def test_follow_up_is_rewritten_against_the_previous_question(previous, follow_up, expected):
    assert resolve_followup(follow_up, previous) == expected


@pytest.mark.parametrize(
    "question",
    [
        "What does Beijing's policy say about clinical trials?",  # a full question
        "And the deadline for applications to the Hainan voucher scheme is when exactly?",  # too long
        "北京对创新药首发上市有哪些支持措施？",
        "Beijing",  # no follow-up cue
    ],
)
def test_standalone_questions_are_left_alone(question):
    assert resolve_followup(question, "广东计划建设多少个综合性生物医药产业园区？") == question


@pytest.mark.parametrize(
    ("previous", "follow_up", "expected"),
    [
        # the user audit's: Hainan replaces Zhejiang, "the deadline" is no place
        ("浙江对挂网审核的时限是多少个工作日？", "那海南呢？", "海南对挂网审核的时限是多少个工作日？"),
        ("浙江对挂网审核的时限是多少个工作日？", "那海南省呢？", "海南对挂网审核的时限是多少个工作日？"),
        ("What is the maximum R&D reward in Zhejiang?", "what about Hainan province?",
         "What is the maximum R&D reward in Hainan?"),
        # a city beyond text.places (cities.tsv), in either language and in the previous question too
        ("浙江对挂网审核的时限是多少个工作日？", "那大连市呢？", "大连对挂网审核的时限是多少个工作日？"),
        ("What is the maximum R&D reward in Zhejiang?", "and what about Dalian?",
         "What is the maximum R&D reward in Dalian?"),
        ("大连对创新药有哪些支持？", "那沈阳呢？", "沈阳对创新药有哪些支持？"),
        ("What support does Dalian give innovative drugs?", "what about Lhasa?",
         "What support does Lhasa give innovative drugs?"),
        # a national body replaces the body the previous question names, before its place
        ("财政部对创新药有哪些支持？", "那商务部呢？", "商务部对创新药有哪些支持？"),
        ("What does the Ministry of Finance do for innovative drugs in Beijing?", "and what about MOFCOM?",
         "What does the Ministry of Commerce do for innovative drugs in Beijing?"),
        ("What does the Ministry of Finance do for innovative drugs in Beijing?", "and what about Shanghai?",
         "What does the Ministry of Finance do for innovative drugs in Shanghai?"),
    ],
)
def test_only_a_known_place_city_or_body_replaces_the_previous_one(previous, follow_up, expected):
    assert resolve_followup(follow_up, previous) == expected


@pytest.mark.parametrize(
    ("previous", "follow_up"),
    [
        ("What is the maximum R&D reward in Zhejiang?", "and what about the deadline?"),  # the user audit's
        ("What is the maximum R&D reward in Zhejiang?", "what about eligibility?"),
        ("What is the most generous reward in Beijing?", "and what about most?"),  # MOST only in capitals
        ("浙江对挂网审核的时限是多少个工作日？", "那截止时间呢？"),
        ("浙江对挂网审核的时限是多少个工作日？", "那海南的研发奖励呢？"),  # a place and more: no name
        ("财政部对创新药有哪些支持？", "那申报条件呢？"),
    ],
)
def test_a_follow_up_that_names_no_known_place_is_left_as_typed(previous, follow_up):
    """Put in the previous question's place, any trailing noun made a question about nowhere: "What is the
    maximum R&D reward in deadline?" (and the chat showed it as "Interpreted as")."""
    assert resolve_followup(follow_up, previous) == follow_up


@pytest.mark.parametrize(
    ("previous", "follow_up", "expected"),
    [
        # the fourth user audit's: "哪些？" had been asked as typed, and declined
        ("广东计划建设多少个综合性生物医药产业园区？", "哪些？", "广东计划建设哪些综合性生物医药产业园区？"),
        ("广东计划建设多少个综合性生物医药产业园区？", "具体是哪些",
         "广东计划建设哪些综合性生物医药产业园区？"),
        ("北京有哪些部门联合印发了若干措施？", "一共多少个？", "北京有多少部门联合印发了若干措施？"),
        ("How many parks does Guangdong plan to build?", "Which ones?",
         "Which parks does Guangdong plan to build?"),
        ("Which regions give money for clinical trials?", "How many?",
         "How many regions give money for clinical trials?"),
    ],
)
def test_a_bare_which_or_how_many_asks_the_previous_question_again(previous, follow_up, expected):
    assert resolve_followup(follow_up, previous) == expected


@pytest.mark.parametrize(("previous", "follow_up"), [
    # a question of its own
    ("How many parks does Guangdong plan to build?", "Which parks are in Guangzhou?"),
    ("Who chaired the forum?", "Which ones?"),  # nothing counted or listed to ask again
    ("广东计划建设多少个综合性生物医药产业园区？", "哪些园区在广州？"),
    ("How many parks does Guangdong plan to build?", "How many?"),  # already the count
])
def test_which_or_how_many_is_left_as_typed_when_it_asks_nothing_again(previous, follow_up):
    assert resolve_followup(follow_up, previous) == follow_up


def test_no_previous_question_means_no_rewrite():
    assert resolve_followup("那北京呢？", "") == "那北京呢？"
    assert resolve_followup("and what about Beijing?", "   ") == "and what about Beijing?"


def test_rewrite_is_deterministic_and_chains():
    first = "广东计划建设多少个综合性生物医药产业园区？"
    second = resolve_followup("那北京呢？", first)
    third = resolve_followup("那海南呢？", second)
    assert third == "海南计划建设多少个综合性生物医药产业园区？"
    assert resolve_followup("那海南呢？", second) == third


# --------------------------------------------------------------------------- untrusted text is escaped

HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)> [evil](javascript:alert(3)) ![i](http://x/y.png)'


def _source(text: str = HOSTILE, sentence: str = "<script>alert(1)</script>") -> Source:
    return Source(n=1, doc_id="d<1>", chunk_id="d#0", title="<b>T</b>", title_alt="标题<i>", issuer="I&co",
                  region="R", date="2025-01-01", section="S<s>", start=0, end=len(text), page=None, lang="en",
                  text=text, sentence=sentence)


def test_source_card_escapes_every_document_field():
    card = source_card(_source())
    assert "<script>" not in card and "<img" not in card and "<b>T" not in card and "<i>" not in card
    assert "&lt;script&gt;" in card and "&lt;b&gt;T&lt;/b&gt;" in card and "I&amp;co" in card
    assert '<mark class="pq-sentence">&lt;script&gt;alert(1)&lt;/script&gt;</mark>' in card


def test_highlight_marks_the_supporting_sentence():
    out = highlight("第一句。支持创新药。第三句。", "支持创新药。")
    assert out == '第一句。<mark class="pq-sentence">支持创新药。</mark>第三句。'
    assert highlight("no match here", "absent") == "no match here"


def test_answer_markdown_cannot_carry_links_images_or_html():
    answer = Answer(question="q", answer=HOSTILE + " [1]", backend="extractive",
                    citations=[CitedPassage(n=1, chunk_id="c", doc_id="d", title="t", text="x", start=0,
                                            end=1, lang="en")])
    md = answer_markdown(answer, "en")
    assert "<script>" not in md and "<img" not in md
    assert "](" not in md.replace("\\](", "")  # every link bracket is escaped
    assert "<strong>[1]</strong>" in md
    assert md_escape("a [2] b") == "a <strong>[2]</strong> b"
    assert md_escape("<strong>[2]</strong>") == "&lt;strong&gt;<strong>[2]</strong>&lt;/strong&gt;"


def _rendered(markdown: str) -> str:
    """HTML as a CommonMark renderer makes it (the chat's marked follows the same emphasis rules)."""
    markdown_it = pytest.importorskip("markdown_it")
    return markdown_it.MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)


def test_adjacent_and_inline_citation_markers_render_bold_without_asterisks():
    """`**[2]****[3]**` showed as literal asterisks in the compare table, and `**` between a Chinese
    character and a bracket opens no bold at all."""
    def cited(n: int) -> CitedPassage:
        return CitedPassage(n=n, chunk_id=f"c{n}", doc_id="d", title="t", text="x", start=0, end=1, lang="en")

    note = "（注：[2][3] 的来源为英文文件，以上为原文摘录。）"
    comparison = Comparison(question="q", by="region", lang="zh", groups=[
        CompareGroup(key="全国", group="national", answer=f"Target one [2] Target two [3]\n{note}",
                     citations=[cited(2), cited(3)])])
    table = _rendered(comparison_markdown(comparison, "zh"))
    assert "<td>" in table and "*" not in table
    assert "（注：<strong>[2]</strong><strong>[3]</strong> 的来源" in table
    answer = Answer(question="q", answer="营业收入达到1000亿元[1]，力争[2][3]突破。", backend="extractive",
                    citations=[cited(1), cited(2), cited(3)])
    html = _rendered(answer_markdown(answer, "zh"))
    assert "*" not in html
    assert "亿元<strong>[1]</strong>，力争<strong>[2]</strong><strong>[3]</strong>突破" in html


def test_declined_answer_says_so_in_the_question_language():
    declined = Answer(question="q", answer="", backend="extractive", declined=True)
    assert "do not answer" in answer_markdown(declined, "en")
    assert "没有找到" in answer_markdown(declined, "zh")
    assert ui_lang("广东计划建设多少个园区？") == "zh" and ui_lang("How many parks?") == "en"
    assert UI_TEXT["zh"].keys() == UI_TEXT["en"].keys()


def test_a_declined_answers_closest_statement_is_a_plain_quote_under_the_bold_verdict():
    text = "Sorry, not clearly answered.\n\nThe closest statement (passage 2, not an answer): “Up *to* 5”"
    md = answer_markdown(Answer(question="q", answer=text, backend="extractive", declined=True), "en")
    verdict, closest = md.split("\n\n")
    assert verdict == "**Sorry, not clearly answered.**"
    assert closest.startswith("The closest statement") and "\\*to\\*" in closest and "**" not in closest


def test_copy_text_lists_numbered_sources():
    answer = Answer(question="q", answer="Answer [1].", backend="extractive")
    text = copy_text("Q?", answer, [_source("passage", "")], "en")
    assert text.splitlines()[0] == "Q?" and "Answer [1]." in text
    assert "[1] <b>T</b> — S<s> (I&co, 2025-01-01) [d<1>: chars 0-7]" in text
    # with the file's span (an index built since citations carried it): where a reader opens the file
    in_file = dataclasses.replace(_source("passage", ""), source_file="d.txt", source_span=(40, 47))
    assert "[d<1>: d.txt, chars 40-47]" in copy_text("Q?", answer, [in_file], "en")


def _table(by: str = "region") -> Comparison:
    """A two-row comparison citing [1] (with a section) and [2] [3] (one passage quoting two sentences)."""
    def cited(n: int, **kw) -> CitedPassage:
        fields = {"chunk_id": f"c{n}", "doc_id": "gd", "title": "Guangdong Plan", "text": "whole passage",
                  "start": 0, "end": 1, "lang": "en", "date": "2020-10-23", **kw}
        return CitedPassage(n=n, **fields)

    return Comparison(question="q", by=by, lang="en", groups=[
        CompareGroup(key="Guangdong", group="Guangdong", answer="Revenue of 1 trillion yuan. [1]", citations=[
            cited(1, section="II. Objectives", sentences=["Revenue of 1 trillion yuan."])]),
        CompareGroup(key="Hubei", group="Hubei", answer="250 billion [2] by 2027 [3]", citations=[
            cited(2, doc_id="digest", title="News digest", date="", sentences=["250 billion", "by 2027"]),
            cited(3, doc_id="digest", title="News digest", date="", sentence="by | 2027")]),
        CompareGroup(key="Beijing", group="Beijing", answer="Not addressed in these documents.",
                     declined=True),
    ])


def test_the_comparison_csv_lists_what_its_numbers_cite_in_rows_of_the_tables_width():
    """The CSV download had [n] markers and nothing they point to: the cited passages follow the table as
    rows of the same three columns (number, quoted text, document and section), under one header row."""
    rows = list(csv.reader(io.StringIO(comparison_csv(_table(), "en"))))
    assert rows[0] == ["Region", "Answer", "Documents"] and {len(r) for r in rows} == {3}
    assert [r[0] for r in rows[1:4]] == ["Guangdong", "Hubei", "Beijing"]
    assert rows[4] == list(UI_TEXT["en"]["cited_columns"])
    assert rows[5] == ["[1]", "Revenue of 1 trillion yuan.", "Guangdong Plan (2020-10-23) § II. Objectives"]
    assert rows[6] == ["[2]", "250 billion … by 2027", "News digest"]
    assert rows[7] == ["[3]", "by | 2027", "News digest"] and len(rows) == 8


def test_the_comparison_markdown_file_lists_each_cited_passage_under_the_table():
    text = comparison_file_markdown(_table(), "zh")
    table, _, cited = text.partition("\n## 引用的段落\n")
    assert table.startswith("| 地区 | 回答 | 文件 |") and "[1]" in table and "> " not in table
    assert "[1] Guangdong Plan (2020-10-23) § II. Objectives\n\n> Revenue of 1 trillion yuan." in cited
    assert "[2] News digest\n\n> 250 billion … by 2027" in cited and "[3] News digest\n\n> by | 2027" in cited
    assert "## " not in comparison_file_markdown(_table().model_copy(update={"groups": []}), "en")


def test_a_document_comparison_dates_its_rows_instead_of_repeating_the_title():
    """Grouped by document the last column is headed Date: it holds the date and the numbers; the title
    is the row's own first cell."""
    rows = list(csv.reader(io.StringIO(comparison_csv(_table("document"), "en"))))
    assert rows[0] == ["Document", "Answer", "Date"]
    assert rows[1][2] == "2020-10-23 [1]" and rows[2][2] == "[2] [3]" and rows[3][2] == ""


def test_counts_agree_with_their_noun():
    assert counted(1, "passage") == "1 passage" and counted(0, "passage") == "0 passages"
    assert counted(94, "passage") == "94 passages" and counted(1, "document") == "1 document"


# --------------------------------------------------------------------------- uploads


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\windows\\evil.md", "evil.md"),
        ("/abs/path/政策 文件.PDF", "政策 文件.pdf"),
        (".bashrc.txt", "bashrc.txt"),
        ("a;rm -rf ~.txt", "a_rm -rf _.txt"),
        ("....txt", "upload.txt"),
        ("x\x00y.docx", "x_y.docx"),
        ("", "upload"),
    ],
)
def test_upload_names_are_sanitised(name, expected):
    assert safe_upload_name(name) == expected


@pytest.mark.parametrize("name", ["../../outside.txt", "/tmp/outside.md", "..\\..\\outside.html",
                                  "uploads/../../outside.txt", "%2e%2e/outside.txt"])
def test_uploads_cannot_be_written_outside_the_upload_folder(tmp_path, name):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    source = tmp_path / "incoming.bin"
    source.write_text("一份政策文件。", encoding="utf-8")
    target = save_upload(source, name, corpus, 10_000)
    assert target.parent == (corpus / "uploads").resolve()
    assert not (tmp_path / "outside.txt").exists() and not (tmp_path / "outside.md").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus", "incoming.bin"]


def test_upload_type_size_and_empty_limits(tmp_path):
    corpus = tmp_path / "corpus"
    source = tmp_path / "f"
    source.write_bytes(b"MZ\x90\x00")
    with pytest.raises(UploadRefused, match="not accepted"):
        save_upload(source, "tool.exe", corpus, 10_000)
    with pytest.raises(UploadRefused, match="not accepted"):
        save_upload(source, "script.sh", corpus, 10_000)
    source.write_bytes(b"x" * 2000)
    with pytest.raises(UploadRefused, match="over the"):
        save_upload(source, "big.txt", corpus, 1000)
    source.write_bytes(b"")
    with pytest.raises(UploadRefused, match="empty"):
        save_upload(source, "empty.txt", corpus, 1000)
    assert not (corpus / "uploads").exists() or not any((corpus / "uploads").iterdir())


def test_same_name_different_content_does_not_overwrite(tmp_path):
    corpus = tmp_path / "corpus"
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_text("first", encoding="utf-8")
    b.write_text("second", encoding="utf-8")
    first = save_upload(a, "doc.txt", corpus, 1000)
    second = save_upload(b, "doc.txt", corpus, 1000)
    assert first != second and first.read_text() == "first" and second.read_text() == "second"
    assert save_upload(a, "doc.txt", corpus, 1000) == first


# --------------------------------------------------------------------------- serving


def test_auth_from_flag_and_file(tmp_path: Path):
    creds = tmp_path / "users.txt"
    creds.write_text("# staff\nalice:s3cret:with:colons\n\nbob:pw\n", encoding="utf-8")
    assert read_auth("carol:pw", creds) == [("carol", "pw"), ("alice", "s3cret:with:colons"), ("bob", "pw")]
    assert read_auth(None, None) is None
    for bad in ("nopassword", ":pw", "user:"):
        with pytest.raises(ValueError, match="user:password"):
            read_auth(bad, None)


def test_exposed_bind_without_auth_is_a_problem():
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")
    assert exposure_problem("127.0.0.1", share=False, has_auth=False) == ""
    assert exposure_problem("0.0.0.0", share=False, has_auth=True) == ""
    problem = exposure_problem("0.0.0.0", share=False, has_auth=False)
    assert "refusing" in problem and "--auth" in problem and "0.0.0.0" in problem and "\n" not in problem
    assert "--share" in exposure_problem("127.0.0.1", share=True, has_auth=False)


def test_filters_from_controls():
    f = make_filters(["doc-a"], ["Beijing"], ["zh"], "2025", "2025-12-31")
    assert f.doc_ids == ["doc-a"] and f.regions == ["Beijing"] and f.languages == ["zh"]
    assert f.date_from == "2025" and f.date_to == "2025-12-31"
    assert make_filters().is_empty()
    with pytest.raises(ValueError):
        make_filters(date_from="last year")


@pytest.mark.parametrize(("name", "value", "message"), [
    ("k", -1, "k = -1: must be an integer from 1 to 1000"),
    ("mode", "foo", "mode = 'foo': must be dense, bm25 or hybrid"),
    ("backend", "llm", "backend = 'llm': must be extractive or openai"),
    ("compare", "bogus", "compare = 'bogus': must be region or document (empty: one answer)"),
    # JSON booleans had been taken as numbers: {"k": true} as k 1, {"k": false} as the default
    ("k", True, "k = True: must be an integer from 1 to 1000"),
    ("k", False, "k = False: must be an integer from 1 to 1000"),
])
def test_request_options_are_refused_naming_their_values(name, value, message):
    assert option_problem(name, value) == message


@pytest.mark.parametrize(("name", "value"), [("k", None), ("k", 0), ("k", 3), ("mode", ""), ("mode", "bm25"),
                                             ("backend", "openai"), ("compare", ""), ("compare", "document")])
def test_request_options_the_server_takes(name, value):
    assert option_problem(name, value) == ""
