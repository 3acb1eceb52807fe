"""A source card's passage (app.render.card_passage): the cited sentence in sight when the card shows, the
text far above it folded into a "…" that opens in place, everything escaped."""

from __future__ import annotations

import re

from policyqa.app.render import CARD_CONTEXT, CARD_FOLD_AT, card_passage, highlight


def _visible(html: str) -> str:
    """The card's text as shown before the fold is opened: the <details> body left out, tags removed."""
    html = re.sub(r"<details[^>]*><summary>(.*?)</summary>.*?</details>", r"\1 ", html, flags=re.S)
    return re.sub(r"<[^>]+>", "", html)


def test_a_sentence_near_the_top_leaves_the_passage_whole() -> None:
    text = "第一句。支持创新药。第三句。"
    assert card_passage(text, "支持创新药。") == highlight(text, "支持创新药。")
    assert card_passage("no match here", "absent") == "no match here"
    assert "details" not in card_passage("x" * 1000, "")  # closest passages have no sentence


def test_a_deep_sentence_opens_the_card_a_sentence_before_it() -> None:
    before = "".join(f"Sentence number {i} says nothing much. " for i in range(20))
    text = before + "The prior one. The province completes listing reviews within 15 working days. After."
    html = card_passage(text, "The province completes listing reviews within 15 working days.")
    shown = _visible(html)
    assert shown.startswith("… earlier in the passage")
    assert "The prior one. The province" in shown and "Sentence number 0" not in shown
    assert shown.index("15 working days") < CARD_FOLD_AT
    folded = re.search(r"</summary>(.*?)</details>", html, re.S).group(1)
    assert folded + " " + html.split("</details>", 1)[1].split("<mark", 1)[0] == before + "The prior one. "


def test_line_breaks_count_towards_the_fold_and_the_fold_is_escaped() -> None:
    lines = "\n".join(f"<b>{i}</b>" for i in range(8))  # short lines, each a line of the box
    html = card_passage(lines + "\n支持<创新药>。", "支持<创新药>。")
    assert '<details class="pq-before">' in html and "<b>" not in html and "&lt;b&gt;" in html
    assert '<mark class="pq-sentence">支持&lt;创新药&gt;。</mark>' in html
    # one run without a stop: the card opens at most CARD_CONTEXT characters before the sentence
    shown = _visible(card_passage("无标点的长句" * 60 + "支持创新药。", "支持创新药。"))
    assert 0 <= shown.split("段落前文 ", 1)[1].index("支持创新药。") <= CARD_CONTEXT
