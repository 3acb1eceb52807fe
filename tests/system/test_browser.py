"""The real page in headless Chromium (Debian's package, driven by Playwright's Python API; no download).

Types a question, waits for the streamed answer, checks the Sources panel, opens a source in the document
viewer, votes, and saves a screenshot to artifacts/chat.png. Without Chromium the test is skipped with
the install command, except under CI=true where a missing browser fails.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from conftest import missing

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = os.environ.get("POLICYQA_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
QUESTION = "医保部门对符合条件的商业健康保险提供哪些方面的合作支持？"


@pytest.fixture(scope="module")
def chromium() -> str:
    if not Path(CHROMIUM).exists():
        missing("Chromium is not installed: apt-get install chromium (Debian's package; no download)")
    pytest.importorskip("playwright.sync_api")
    return CHROMIUM


@pytest.fixture(scope="module")
def server(open_server):
    return open_server  # conftest: one server per worker for the tests that only ask


def test_chat_in_a_real_browser(chromium, server):
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    off_machine: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1000})

            def only_loopback(route):
                url = route.request.url
                if url.startswith((server.url.rstrip("/"), "data:", "blob:")):
                    route.continue_()
                else:
                    off_machine.append(url)
                    route.abort()

            page.route("**/*", only_loopback)
            page.goto(server.url)
            page.wait_for_selector("#pq-question textarea", timeout=60_000)
            # the empty screen offers example questions in both languages
            assert page.get_by_text("广东计划建设多少个综合性生物医药产业园区？").count() >= 1
            page.fill("#pq-question textarea", QUESTION)
            page.click("#pq-ask")
            card = page.wait_for_selector("#pq-source-1 .pq-source", timeout=120_000)
            assert "[1]" in card.inner_text()
            assert card.query_selector("mark.pq-sentence") is not None  # the supporting sentence
            # the answer and the framing arrive with the card, but may be painted a frame later
            answer = page.locator("#pq-chat .message.bot, #pq-chat [data-testid='bot']").last
            expect(answer).to_contain_text("[1]", timeout=30_000)
            # Chinese framing for a Chinese question
            expect(page.get_by_text("来源", exact=True).first).to_be_visible(timeout=30_000)
            page.click("#pq-open-1")
            target = page.wait_for_selector("#pq-viewer mark.pq-target", timeout=30_000)
            assert target.inner_text().strip()
            page.wait_for_timeout(800)
            page.screenshot(path=str(ARTIFACTS / "chat.png"), full_page=True)
            page.click("#pq-up")
            votes = wait_for_vote(server.feedback, page)
        finally:
            browser.close()
    assert not off_machine, f"the page tried to reach beyond the server: {off_machine[:5]}"
    assert votes[-1]["vote"] == "up" and votes[-1]["question"] == QUESTION and votes[-1]["sources"]


def wait_for_vote(feedback: Path, page, seconds: float = 30) -> list[dict]:
    """The feedback log once the vote has reached it (the click returns before the server writes)."""
    for _ in range(int(seconds * 10)):
        if feedback.exists():
            votes = [json.loads(line) for line in feedback.read_text(encoding="utf-8").splitlines()]
            if votes and votes[-1]["question"] == QUESTION:
                return votes
        page.wait_for_timeout(100)
    pytest.fail(f"no vote for the question reached {feedback} in {seconds} s")
