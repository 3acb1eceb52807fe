"""Compare across regions (issue 19) on the real index: the CLI, the /ask API and the chat in Chromium.

One question answered once per region: regions with evidence get their own cited answer, every other
region the corpus covers an explicit "not addressed" row; citation numbers run across the table.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
from pathlib import Path

import pytest
from test_browser import ARGS, ARTIFACTS, chromium  # noqa: F401 - the fixture is shared

from cli_runner import policyqa
from policyqa.records import Filters

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]

REGIONS = {"National", "Beijing", "Guangdong", "Hainan", "Sichuan", "Hubei"}
EN = "Which regions have set revenue targets for their biopharmaceutical industry, and what are the targets?"
ZH = "各地对药品审评审批或挂网审核规定了多少个工作日的办理时限？"


def compare_json(index, *args: str) -> dict:
    result = policyqa("compare", *args, "--json", "--index", str(index))
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


def check_groups(reply: dict, index) -> None:
    """Documented keys only; numbers unique across groups; every cited text is its document's own, and
    its file span holds it (the cleaner keeps every word of a passage's ends)."""
    numbers = []
    for group in reply["groups"]:
        assert set(group) == {"key", "answer", "declined", "citations"}
        if group["declined"]:
            assert not group["citations"]
            continue
        for c in group["citations"]:
            assert set(c) == {"n", "doc_id", "text", "title", "section", "date", "start", "end", "page",
                              "source_file", "source_start", "source_end"}
            assert f"[{c['n']}]" in group["answer"]
            document = index.documents[c["doc_id"]]
            assert c["text"] == document.text[c["start"]:c["end"]] and c["source_file"] == document.path
            numbers.append(c["n"])
    assert len(numbers) == len(set(numbers))


def test_cli_compare_by_region_in_english(built, index):
    reply = compare_json(built[0].index_dir, EN)
    assert set(reply) == {"question", "by", "groups", "notice"} and reply["by"] == "region"
    assert reply["notice"] == ""  # spelt right: nothing to say about what was searched
    check_groups(reply, index)
    rows = {g["key"]: g for g in reply["groups"]}
    assert set(rows) == REGIONS  # every region the corpus covers has a row
    assert not rows["Hubei"]["declined"] and "250 billion" in json.dumps(rows["Hubei"])
    assert rows["Beijing"]["declined"] and rows["Beijing"]["answer"] == "Not addressed in these documents."


def test_cli_compare_in_chinese_names_regions_in_chinese(built, index):
    reply = compare_json(built[0].index_dir, ZH)
    check_groups(reply, index)
    rows = {g["key"]: g for g in reply["groups"]}
    assert set(rows) == {"全国", "北京", "广东", "海南", "四川", "湖北"}
    assert not rows["北京"]["declined"] and rows["海南"]["declined"]


def test_cli_compare_prints_a_rows_notes_on_lines_of_their_own(built):
    """A row quoting the other language's sources ends with a note; printed as text it is a line of its own,
    not an escaped "\\n" (file names are escaped so, an answer's line breaks are not)."""
    question = "How do the regions speed up getting innovative drugs into hospitals?"
    result = policyqa("compare", question, "--index", str(built[0].index_dir))
    assert result.returncode == 0, result.stderr[-2000:]
    assert "\\n" not in result.stdout
    assert any(line.startswith("(Note:") for line in result.stdout.splitlines())
    # each cited passage says where it sits: rows often cite one document several times
    cited = [line for line in result.stdout.splitlines() if re.match(r"   \[\d+\] ", line)]
    assert cited and all(re.search(r"\(\S+: \S+ chars \d+-\d+", line) for line in cited), cited
    assert len(set(cited)) == len(cited)


def test_cli_compare_by_document(built, index):
    reply = compare_json(built[0].index_dir, EN, "--by", "document")
    check_groups(reply, index)
    titles = {t for d in index.documents.values() for t in (d.meta.title, d.meta.title_alt)}
    assert reply["by"] == "document" and len(reply["groups"]) == len(index.documents)
    assert {g["key"] for g in reply["groups"]} <= titles


def compared(settings, retriever, question: str, **update):
    """The comparison in process, with some settings changed, as {canonical group: CompareGroup}."""
    from policyqa.answer.answerer import Answerer
    from policyqa.answer.compare import compare

    answerer = Answerer(settings.model_copy(update=update), retriever)
    return {g.group: g for g in compare(answerer, question).groups}


def test_a_region_answer_quotes_measures_within_the_compare_margin(built, retriever):
    """Hainan's row leads with its R&D reward range (eval/compare.jsonl c03) and quotes the measures that
    score within compare_margin (4) of it; at a margin of 0 the lead stands alone."""
    assert built[0].compare_margin == 4.0
    question = ("How much money do the regions give companies as rewards for reaching R&D milestones such as "
                "preclinical research, clinical trials or market approval?")
    reward = "ranging from 400,000 to 10 million yuan"
    wide = compared(built[0], retriever, question)["Hainan"]
    assert not wide.declined and reward in wide.answer.split("[1]")[0] and len(wide.citations) >= 2
    narrow = compared(built[0], retriever, question, compare_margin=0.0)["Hainan"]
    assert reward in narrow.answer and re.findall(r"\[\d+\]", narrow.answer) == ["[1]"]


def test_a_region_row_of_a_which_regions_question_ranks_sentences_by_the_rest_of_it(built, retriever):
    """"Which regions have set revenue targets…, and what are the targets?" asks for a place, but a region's
    row is the place itself (compare_one_region): Guangdong's row is no longer ranked by which sentences
    name a place, and leads with the province's revenue goal (eval/compare.jsonl c01); with the question's
    place kind kept, a sentence that names Guangdong leads."""
    from policyqa.answer.answerer import Answerer
    from policyqa.answer.compare import _one_group
    from policyqa.records import Filters

    goal = "1 trillion yuan in industrial revenue"
    row = compared(built[0], retriever, EN)["Guangdong"]
    assert not row.declined and goal in re.split(r"\[\d+\]", row.answer)[0]
    one = _one_group(Answerer(built[0], retriever))
    assert one.settings.compare_one_region and not built[0].compare_one_region
    kept = Answerer(one.settings.model_copy(update={"compare_one_region": False}), retriever)
    assert goal not in kept.ask(EN, filters=Filters(places=["Guangdong"])).answer.split("[1]")[0]
    assert not _one_group(Answerer(built[0], retriever), "document").settings.compare_one_region


def test_a_region_row_quotes_each_sentence_from_another_passage(built, retriever):
    """A row sums up its region's passages (answer_one_per_passage, set for rows only): the National row of
    "How do the regions speed up medical insurance settlement and payment for innovative drugs?" (eval/
    compare.jsonl c24) cites the measure on prepayment and instant settlement, which sentences of the
    passage the row leads with crowd out when one passage may give several."""
    from policyqa.answer.answerer import Answerer
    from policyqa.answer.compare import _one_group
    from policyqa.records import Filters

    question = "How do the regions speed up medical insurance settlement and payment for innovative drugs?"
    gold, national = "统筹实施医保基金预付政策和即时结算政策", Filters(places=["National"])
    one = _one_group(Answerer(built[0], retriever))
    assert one.settings.answer.one_per_passage and not built[0].answer.one_per_passage
    row = one.ask(question, filters=national)
    quoted = [(c.doc_id, c.start) for c in row.citations]
    assert not row.declined and len(quoted) == len(set(quoted)) >= 3
    assert any(gold in c.text for c in row.citations)
    kept = Answerer(one.settings.model_copy(update={"answer_one_per_passage": False}), retriever)
    assert not any(gold in c.text for c in kept.ask(question, filters=national).citations)


def test_a_numbered_heading_does_not_support_a_row(built, retriever):
    """The National row of 各地对创新药进入医院有什么支持？ had quoted two headings after its lead ("二、支持
    创新药进入…目录", "(十)推动创新药加快进入定点医药机构。"): they name a topic and say nothing of it. A
    measure of the notice supports the lead instead."""
    import re

    national = compared(built[0], retriever, "各地对创新药进入医院有什么支持？")["National"]
    quoted = [sentence for sentence in re.split(r"\[\d+\]", national.answer) if sentence.strip()]
    assert not national.declined and len(quoted) >= 2, national.answer
    heading = re.compile(r"\s*(?:[(（][一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+、)")
    assert not any(heading.match(sentence) for sentence in quoted[1:]), national.answer


def test_the_compare_refusal_threshold_decides_a_picked_region(built, retriever):
    """A picked region's row declines under compare_refusal_threshold: at 0 every region the corpus-wide
    search picked answers, at 1 none does, and the default declines some of them."""
    question = ("What special payment arrangements do the regions make for innovative drugs that do not "
                "fit standard per-disease payment?")

    def answered(threshold: float) -> set[str]:
        rows = compared(built[0], retriever, question, compare_refusal_threshold=threshold)
        assert all(g.citations for g in rows.values() if not g.declined)
        return {key for key, g in rows.items() if not g.declined}

    default = answered(built[0].compare_refusal_threshold)
    assert answered(1.0) == set()
    assert default and default < answered(0.0)


ZHEJIANG = ("浙江省支持创新药发展若干措施\n\n一、优化审评审批。浙江省将药品补充申请审评时限压缩至40个工作日，"
            "对临床急需的创新药开通绿色通道。\n")


def test_a_document_added_without_metadata_gets_its_region_s_row(built, tmp_path):
    """A plan a user adds without a documents.yaml entry declares no region, but its passages are tagged
    with the places they name: Zhejiang gets its own row, answered from its own passage, beside the
    bundled regions (indexed incrementally from a copy of the session index)."""
    from policyqa.index.build import ingest

    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(built[0].corpus_dir, corpus)
    shutil.copytree(built[0].index_dir, index_dir, ignore=shutil.ignore_patterns(".lock"))
    (corpus / "zhejiang_measures.txt").write_text(ZHEJIANG, encoding="utf-8")
    settings = built[0].model_copy(update={"corpus_dir": corpus, "index_dir": index_dir})
    assert ingest(settings).count("added") == 1
    reply = compare_json(index_dir, "各地对药品补充申请审评时限有什么规定？")
    rows = {g["key"]: g for g in reply["groups"]}
    assert {"浙江", "北京", "广东", "海南", "四川", "湖北", "全国"} <= set(rows)
    assert not rows["浙江"]["declined"] and "40个工作日" in rows["浙江"]["answer"]
    assert {c["doc_id"] for c in rows["浙江"]["citations"]} == {"zhejiang_measures"}


def test_a_money_question_leaves_regions_that_state_no_sum_silent(built):
    """Issue 19's own example, asked as the CLI asks it (with the answer-type reranker): Hainan's stage
    rewards answer it; Beijing's approval-time sentences are about clinical trials too but state no sum of
    money, so Beijing's row is 'not addressed'."""
    from policyqa.answer.answerer import Answerer
    from policyqa.answer.compare import compare

    question = "Which regions give money to companies for innovative drug clinical trials, and how much?"
    rows = {g.group: g for g in compare(Answerer.open(built[0]), question).groups}
    assert not rows["Hainan"].declined and "400,000 to 10 million yuan" in rows["Hainan"].answer
    assert rows["Beijing"].declined
    assert {key for key, g in rows.items() if not g.declined} == {"Hainan"}


def test_a_region_whose_passages_give_no_asked_figure_says_so_instead_of_not_addressed(built):
    """"各地生物医药产业的产值目标分别是多少？": Guangdong's plan and Hubei's digest passage give revenue
    targets, no 产值 (output value) target, so their rows are declined for the figure; they had read "这些文件
    未涉及此问题" like Sichuan's, whose passages say nothing on it (audit, helper h68)."""
    from policyqa.answer.answerer import Answerer
    from policyqa.answer.compare import SILENT, UNANSWERED, compare

    question = "各地生物医药产业的产值目标分别是多少？"
    rows = {g.group: g for g in compare(Answerer.open(built[0]), question).groups}
    assert all(row.declined and not row.citations for row in rows.values())
    assert rows["Guangdong"].answer == rows["Hubei"].answer == UNANSWERED["figure"]["zh"]
    assert rows["Sichuan"].answer == SILENT["zh"]


def test_a_national_body_s_measure_quoted_in_a_regional_report_is_no_row_of_that_region(built):
    """Guangzhou's conference report speaks for Guangdong, but its "In June 2025, the NHSA and the National
    Health Commission jointly issued … 16 initiatives" is the nation's measure: it had led Guangdong's row
    on R&D rewards (audit, helper h68). The National row answers from the national measures."""
    from policyqa.answer.answerer import Answerer
    from policyqa.answer.compare import compare

    question = "How do the regions compare on rewards for innovative drug R&D?"
    rows = {g.group: g for g in compare(Answerer.open(built[0]), question).groups}
    assert "NHSA and the National Health Commission jointly issued" not in rows["Guangdong"].answer
    assert not rows["National"].declined and not rows["Hainan"].declined


def test_a_question_across_regions_points_to_compare(built, retriever):
    """One answer quotes the best passages whichever regions they are about; a question for which regions,
    or about two provinces, says where each region's own answer is. A question about one region, and a
    comparison's rows (asked with a region filter), do not."""
    from policyqa.answer.answerer import Answerer
    from policyqa.answer.messages import MESSAGES

    answerer = Answerer(built[0], retriever)
    english, chinese = MESSAGES["en"]["across_regions"], MESSAGES["zh"]["across_regions"]
    which = "Which regions give money to companies for innovative drug clinical trials, and how much?"
    assert english in answerer.ask(which).notice
    assert english in answerer.ask(which, filters=Filters(languages=["en"])).notice  # no region picked
    assert chinese in answerer.ask("北京和广州对创新药临床试验分别有哪些支持？").notice
    hainan = "What does Hainan offer to companies whose innovative drugs are approved?"
    assert english not in answerer.ask(hainan).notice
    assert english not in answerer.ask(which, filters=Filters(places=["Hainan"])).notice


def test_a_region_filter_quotes_no_sentence_about_other_regions(built, retriever):
    """The digest passage on Hubei's revenue target names a national body too, so it is tagged National as
    well. Unscoped, its Hubei sentence is the best of the National passages; asked for National alone, no
    sentence about Hubei is quoted, and the comparison marks National silent while Hubei keeps the answer."""
    from policyqa.answer.answerer import Answerer
    from policyqa.records import Filters

    answerer = Answerer(built[0], retriever)
    national = Filters(places=["National"])
    hits = retriever.search(EN, k=built[0].k, filters=national)
    assert "Hubei" in answerer.assessor.assess(EN, hits).chosen[0].text
    alone = answerer.ask(EN, filters=national)
    assert not any("Hubei" in s for c in alone.citations for s in c.sentences)
    rows = compared(built[0], retriever, EN)
    assert rows["National"].declined and rows["National"].answer == "Not addressed in these documents."
    assert not rows["Hubei"].declined and "250 billion" in rows["Hubei"].answer


def test_compare_rows_decline_with_their_own_model(built, retriever):
    """A row's decline model is compare_refusal_weights (eval/fit_compare.py), which reads the region's
    order among those with evidence: Beijing, the fourth region the merger question finds, has no measure
    on mergers (eval/compare.jsonl c05) and is declined; weighed like the first region, it would answer
    with an unrelated sentence. The National row of the revenue-target question stays silent."""
    question = "How do the regions support mergers and acquisitions of pharmaceutical companies?"
    weights = built[0].compare_refusal_weights
    assert weights["order"] < 0 and weights != built[0].refusal_weights
    rows = compared(built[0], retriever, question)
    assert rows["Beijing"].declined
    assert not rows["Hainan"].declined and "5 million yuan" in rows["Hainan"].answer
    unordered = compared(built[0], retriever, question, compare_refusal_weights={**weights, "order": 0.0})
    assert not unordered["Beijing"].declined
    assert compared(built[0], retriever, EN)["National"].declined


def test_cli_ask_with_a_place_filter_quotes_only_that_place(built):
    """`policyqa ask --place National`: the digest passage tagged Hubei and National is searched, but its
    Hubei sentence is neither quoted nor offered as the closest statement."""
    result = policyqa("ask", EN, "--place", "National", "--json", "--index", str(built[0].index_dir))
    assert result.returncode == 0, result.stderr[-2000:]
    reply = json.loads(result.stdout)
    assert any("National" in h["citation"]["places"] for h in reply["hits"])
    assert "Hubei" not in reply["answer"]
    assert not any("Hubei" in s for c in reply["citations"] for s in c["sentences"])


@pytest.mark.parametrize(("region", "quoted"), [("Guangdong", False), ("Hainan", True)])
def test_cli_ask_with_a_region_filter_quotes_only_that_region(built, region: str, quoted: bool):
    """`policyqa ask --region Guangdong`: the digest is a Guangdong document too, but its Hainan reward for
    international certification is Hainan's (the fourth user audit had it quoted as Guangdong's)."""
    question = "How much is the one-time reward for enterprises that achieve international certification?"
    result = policyqa("ask", question, "--region", region, "--json", "--index", str(built[0].index_dir))
    assert result.returncode == 0, result.stderr[-2000:]
    reply = json.loads(result.stdout)
    assert any(h["citation"]["doc_id"] == "biomedicine-hq-development-news-2025" for h in reply["hits"])
    assert ("2 million yuan" in reply["answer"] and not reply["declined"]) is quoted


def test_passages_carry_region_tags_and_filter_on_them(built, index):
    digest = [c for c in index.chunks if c.doc_id == "biomedicine-hq-development-news-2025"]
    assert {"Hainan", "Sichuan", "Hubei", "Guangdong", "National"} <= {p for c in digest for p in c.places}
    assert all(c.places == ["Beijing"] for c in index.chunks if c.doc_id.startswith("beijing"))
    result = policyqa("search", "funding rewards for clinical trials", "--place", "海南", "--json",
                     "--index", str(built[0].index_dir))
    assert result.returncode == 0, result.stderr[-2000:]
    hits = json.loads(result.stdout)
    hits = hits["hits"] if isinstance(hits, dict) else hits
    assert hits and all("Hainan" in h["citation"]["places"] for h in hits)


def test_eval_reports_compare_metrics_per_split(built):
    result = policyqa("eval", "eval/compare.jsonl", "--index", str(built[0].index_dir),
                     cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    for split in ("tune", "heldout", "all"):
        row = rf"^\| {split} \| \d+ \| \d+ \| [01]\.\d{{3}} \| \d+ \| [01]\.\d{{3}} \|"
        assert re.search(row, result.stdout, re.M), result.stdout


def test_an_index_of_the_previous_format_refuses_with_the_rebuild_command(built, tmp_path):
    old = tmp_path / "index"
    shutil.copytree(built[0].index_dir, old, ignore=shutil.ignore_patterns(".lock"))
    (manifest,) = old.glob("builds/*/manifest.json")
    data = json.loads(manifest.read_text(encoding="utf-8"))
    manifest.write_text(json.dumps({**data, "format_version": 2}), encoding="utf-8")
    result = policyqa("compare", EN, "--index", str(old))
    assert result.returncode != 0
    assert "index format 2" in result.stderr and "policyqa ingest" in result.stderr


# --------------------------------------------------------------------------- the server


@pytest.fixture(scope="module")
def server(open_server):
    return open_server  # conftest: one server per worker for the tests that only ask


def test_ask_api_takes_a_compare_option(server, index):
    from gradio_client import Client

    reply = Client(server.url, verbose=False).predict(ZH, compare="region", api_name="/ask")
    assert not reply["error"]
    check_groups(reply["comparison"], index)
    cited = {c["n"] for g in reply["comparison"]["groups"] for c in g["citations"]}
    assert cited and {c["n"] for c in reply["citations"]} == cited
    for c in reply["citations"]:
        start, end = c["span"]
        assert c["text"] == index.documents[c["document"]].text[start:end] and c["places"]


@contextlib.contextmanager
def chat_page(executable: str, url: str):
    """The chat page in headless Chromium, loaded and ready for a question."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            page.goto(url)
            page.wait_for_selector("#pq-question textarea", timeout=60_000)
            yield page
        finally:
            browser.close()


def test_compare_table_in_a_real_browser(chromium, server):  # noqa: F811
    from playwright.sync_api import expect

    with chat_page(chromium, server.url) as page:
        page.get_by_text("Compare regions · 按地区比较").click()
        page.fill("#pq-question textarea", EN)
        page.click("#pq-ask")
        table = page.wait_for_selector("#pq-chat table", timeout=120_000)
        text = table.inner_text()
        for region in REGIONS:
            assert region in text
        assert "Not addressed in these documents." in text and "[1]" in text
        # the buttons come in the same update as the table, but the browser may paint them a frame later
        for download in ("#pq-download-md", "#pq-download-csv"):
            expect(page.locator(download)).to_be_visible(timeout=30_000)
        # the last cited cell's source opens in the viewer
        cards = page.locator(".pq-source")
        expect(cards.nth(1)).to_be_attached(timeout=30_000)
        last = cards.count()
        page.click(f"#pq-open-{last}")
        target = page.wait_for_selector("#pq-viewer mark.pq-target", timeout=30_000)
        assert target.inner_text().strip()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "compare.png"), full_page=True)


def test_compare_table_shows_adjacent_citation_numbers_without_asterisks(chromium, server):  # noqa: F811
    """A Chinese row's note cites two English sources side by side ("[2][3] 的来源为英文文件"): the
    numbers are bold, and no literal ** is left in the table."""
    with chat_page(chromium, server.url) as page:
        page.get_by_text("Compare regions · 按地区比较").click()
        page.fill("#pq-question textarea", "各地如何支持创新药临床试验？")
        page.click("#pq-ask")
        table = page.wait_for_selector("#pq-chat table", timeout=120_000)
        text = table.inner_text()
        assert re.search(r"(\[\d+\]){2,} 的来源为英文文件", text), text
        assert "*" not in text, text
        bold = table.query_selector_all("strong")
        assert bold and all(re.fullmatch(r"\[\d+\]", b.inner_text()) for b in bold)


def test_ask_api_filters_on_place_tags(server):
    from gradio_client import Client

    reply = Client(server.url, verbose=False).predict("How much are the rewards for clinical trials?",
                                                      places="海南", api_name="/ask")
    passages = reply["citations"] + reply["closest"]
    assert passages and all("Hainan" in c["places"] for c in passages)


def test_chat_region_filter_keeps_passages_tagged_with_the_region(chromium, server):  # noqa: F811
    """The chat's Region control filters on the passages' region tags: with Hainan chosen, a question about
    Hubei's targets shows only passages about Hainan, though the digest that holds both is a Hainan
    document too by its metadata ("multiple (Guangdong, Sichuan/Chengdu, Hubei, Hainan, national)")."""
    with chat_page(chromium, server.url) as page:
        page.get_by_text("Search settings · 检索设置").click()
        page.click("#pq-regions input")
        page.get_by_role("option", name="Hainan").click()
        page.keyboard.press("Escape")
        page.fill("#pq-question textarea", "What revenue targets has Hubei set for biopharmaceuticals?")
        page.click("#pq-ask")
        page.wait_for_selector(".pq-source .pq-places", timeout=120_000)
        places = page.locator(".pq-source .pq-places").all_inner_texts()
        assert places and all("Hainan" in p for p in places), places


def test_fit_script_fits_the_compare_model_with_cross_validation(built, tmp_path):
    """eval/fit_compare.py fits the row decline model on comparison questions and reports its
    cross-validated recall and silence at the threshold it picks; the order of a region weighs against it
    (the further down, the less evidence), as in the shipped settings."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("fit_compare", ROOT / "eval" / "fit_compare.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    output = tmp_path / "compare_model.json"
    questions = ROOT / "eval" / "compare.jsonl"
    assert module.main(["--index", str(built[0].index_dir), "--questions", str(questions),
                        "--splits", "tune", "heldout", "--output", str(output)]) == 0
    model = json.loads(output.read_text(encoding="utf-8"))
    assert model["n_questions"] == 20 and model["n_candidates"] >= 30
    weights = model["compare_refusal_weights"]
    assert set(weights) == {*module.FEATURES, "intercept"} == {*built[0].compare_refusal_weights}
    assert weights["order"] < 0 and 0.05 <= model["compare_refusal_threshold"] <= 0.95
    assert 0 < model["cv"]["evidence_recall"] <= 1 and model["cv"]["silent_groups"] > 0
