"""Source cards in headless Chromium: each card's cited sentence is in sight when the card shows, inside
the box its passage scrolls in, without scrolling it. A sentence deep in its passage had been below the
box's fold (the audit's 07_card3_crop.png); the text above it now folds into a "…" that opens in place.

Shares test_browser's Chromium fixture (skipped without it, failed under CI=true) and the per-worker
server of conftest.
"""

from __future__ import annotations

import pytest
from test_browser import chromium  # noqa: F401 - the fixture is shared
from test_browser_layout import ask, box
from test_compare import chat_page

pytestmark = [pytest.mark.slow, pytest.mark.browser]

#: cites the Guangzhou conference report's sentence on listing reviews, 573 characters into its passage
DEEP = "How fast does Guangdong complete listing reviews for innovative drugs?"


@pytest.fixture(scope="module")
def server(open_server):
    return open_server  # conftest: one server per worker for the tests that only ask


def test_every_cited_sentence_lies_in_its_cards_visible_box(chromium, server):  # noqa: F811
    with chat_page(chromium, server.url) as page:
        ask(page, DEEP, 1)
        page.wait_for_selector("#pq-source-1 mark.pq-sentence", timeout=30_000)
        cards = [f"#pq-source-{i} .pq-text" for i in range(1, 11)
                 if page.locator(f"#pq-source-{i} .pq-text mark.pq-sentence").count()]
        folded = [c for c in cards if page.locator(f"{c} details.pq-before").count()]
        assert folded, "no cited sentence lies deep in its passage any more: ask another question"
        for card in cards:
            assert page.eval_on_selector(card, "e => e.scrollTop") == 0
            text, mark = box(page, card), box(page, f"{card} mark.pq-sentence")
            assert mark["height"] > 0 and text["y"] <= mark["y"] and mark["bottom"] <= text["bottom"], \
                (card, text, mark)
        # the fold opens in place, and then the card holds the passage from its start
        card = folded[0]
        hidden = page.inner_text(f"{card} details.pq-before")
        page.click(f"{card} details.pq-before > summary")
        assert page.eval_on_selector(f"{card} details.pq-before", "e => e.open")
        assert len(page.inner_text(f"{card} details.pq-before")) > len(hidden)
