"""The chat page's layout in headless Chromium, measured off the real page (getBoundingClientRect): the
chat's label beside the answer, not over it; the document viewer following the answer it was opened
from; the compare controls and the table's columns keeping their room.

Shares test_browser's Chromium fixture (skipped without it, failed under CI=true) and the per-worker
server of conftest.
"""

from __future__ import annotations

import pytest
from test_browser import QUESTION, chromium  # noqa: F401 - the fixture is shared
from test_compare import chat_page

pytestmark = [pytest.mark.slow, pytest.mark.browser]

#: an answer long enough to scroll the chat (quotes of several Beijing measures)
LONG = "北京对创新药临床试验审批有哪些加快措施？"
#: a comparison whose rows cite documents (test_compare asks it too)
COMPARE = "各地如何支持创新药临床试验？"


@pytest.fixture(scope="module")
def server(open_server):
    return open_server  # conftest: one server per worker for the tests that only ask


def box(page, selector: str) -> dict:
    """The element's box in the viewport (x, y, width, height, right, bottom)."""
    return page.eval_on_selector(selector, "e => e.getBoundingClientRect().toJSON()")


def overlap(a: dict, b: dict) -> bool:
    return a["x"] < b["right"] and b["x"] < a["right"] and a["y"] < b["bottom"] and b["y"] < a["bottom"]


def ask(page, question: str, answers: int) -> None:
    """Type and send a question; return once the chat holds `answers` answers and the last has sources."""
    from playwright.sync_api import expect

    page.fill("#pq-question textarea", question)
    page.click("#pq-ask")
    bots = page.locator("#pq-chat [data-testid='bot']")
    expect(bots).to_have_count(answers, timeout=120_000)
    expect(bots.last).to_contain_text("[1]", timeout=120_000)


def test_the_chat_label_sits_beside_a_scrolled_answer_not_over_it(chromium, server):  # noqa: F811
    """The floating "Chat" label covered the first line of an answer scrolled to its end (the audit's
    ask_zh.png): the label now has a line of its own, outside the box the messages scroll in."""
    with chat_page(chromium, server.url) as page:
        ask(page, LONG, 1)
        page.wait_for_timeout(500)  # the chat scrolls to the answer's end after painting it
        scroller = "#pq-chat .bubble-wrap"
        scrolled = page.eval_on_selector(scroller, "e => e.scrollHeight > e.clientHeight && e.scrollTop > 0")
        assert scrolled, "the answer no longer scrolls the chat: ask a longer question"
        label = box(page, "#pq-chat [data-testid='block-label']")
        assert label["height"] > 0 and "Chat" in page.inner_text("#pq-chat [data-testid='block-label']")
        assert not overlap(label, box(page, scroller)), (label, box(page, scroller))


def test_a_new_question_empties_the_viewer_and_its_sources_open_afresh(chromium, server):  # noqa: F811
    """The viewer kept the last question's document beside a new answer; it is emptied with the sources
    it was opened from, and opening a new source shows that source's document."""
    from playwright.sync_api import expect

    with chat_page(chromium, server.url) as page:
        ask(page, QUESTION, 1)
        page.click("#pq-open-1")
        expect(page.locator("#pq-viewer mark.pq-target")).to_have_count(1, timeout=30_000)
        ask(page, LONG, 2)
        expect(page.locator("#pq-viewer .pq-doc")).to_have_count(0, timeout=30_000)
        expect(page.locator("#pq-viewer .pq-viewer-empty")).to_contain_text("Open in document")
        page.click("#pq-open-1")
        expect(page.locator("#pq-viewer mark.pq-target")).to_have_count(1, timeout=30_000)
        opened = page.get_attribute("#pq-viewer .pq-doc", "data-doc")
        assert opened == page.get_attribute("#pq-source-1 .pq-source", "data-doc")


def column_shares(page) -> list[float]:
    """Each column's share of the last table's width in the chat, and the table's overflow past its
    message (0 when it fits)."""
    return page.evaluate("""() => {
        const tables = document.querySelectorAll('#pq-chat table'); const table = tables[tables.length - 1];
        const width = table.getBoundingClientRect().width;
        const shares = [...table.querySelectorAll('th')].map(th => th.getBoundingClientRect().width / width);
        const message = table.closest('.message-content').getBoundingClientRect();
        return [...shares, Math.max(0, table.getBoundingClientRect().right - message.right)];
    }""")


def test_a_comparison_leaves_room_to_the_mode_choice_and_to_every_column(chromium, server):  # noqa: F811
    """With the download buttons shown, the mode choice had been squeezed into a third of the row and the
    Documents column of a region table into a sliver beside the long answers; grouped by document, the
    title column took the whole table and left the answers a few characters a line."""
    from playwright.sync_api import expect

    with chat_page(chromium, server.url) as page:
        page.get_by_text("Compare regions · 按地区比较").click()
        ask(page, COMPARE, 1)
        expect(page.locator("#pq-download-csv")).to_be_visible(timeout=30_000)
        assert box(page, "#pq-compare")["width"] >= 0.8 * box(page, "#pq-chat")["width"]
        region, answer, documents, spill = column_shares(page)
        assert documents >= 0.3 and answer >= 0.4 and region >= 0.1 and spill < 1, (region, answer, documents)
        page.get_by_text("Compare documents · 按文件比较").click()
        ask(page, COMPARE, 2)
        expect(page.locator("#pq-chat table")).to_have_count(2, timeout=30_000)
        document, answer, date, spill = column_shares(page)
        assert document >= 0.2 and answer >= 0.4 and date >= 0.1 and spill < 1, (document, answer, date)
