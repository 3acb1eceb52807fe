"""What the chat's outputs show for one `Turn`: the message, the sources panel, the downloads, the viewer.

Kept apart from the layout (app/ui.py): the layout says where each output is, this module what goes in
it as a question streams in. Gradio is imported inside the functions (it is slow to import).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from .compare_view import comparison_csv, comparison_file_markdown, comparison_markdown
from .render import (
    UI_TEXT,
    Source,
    answer_markdown,
    copy_text,
    md_escape,
    source_card,
)
from .service import Turn

#: source slots: a comparison cites up to a few passages per region, more than one answer's MAX_K
SLOTS = 20

#: outputs of a chat turn besides the chatbot and the question box: turns, sources, title, copy text,
#: the two downloads, the viewer, then each slot's column and card
EXTRA = 7 + 2 * SLOTS

#: the document viewer before any source is opened, and again once new sources replace the old ones
EMPTY_VIEWER = ('<div class="pq-viewer-empty">Click “Open in document” on a source. '
                "点击来源下的“查看原文”。</div>")


def slot_updates(sources: list[Source]) -> list:
    import gradio as gr

    shown = [gr.Column(visible=i < len(sources)) for i in range(SLOTS)]
    html_values = [source_card(sources[i]) if i < len(sources) else "" for i in range(SLOTS)]
    return shown + html_values


def chat_update(turn: Turn, history: list[dict], turns_value: list[dict]) -> tuple:
    """What the chat outputs show for one Turn: the assistant's message so far, and on the final turn
    the sources, their cards and the copy text. The viewer is emptied with the sources it was opened
    from, so it never shows the last question's document beside a new answer."""
    import gradio as gr

    same = (gr.skip(),) * EXTRA
    if turn.problem and not turn.resolved:  # refused as typed: empty or too long
        history.append({"role": "assistant", "content": md_escape(turn.problem)})
        return history, "", *same
    if turn.problem:  # an impossible filter, or a failure while answering
        history[-1]["content"] = md_escape(turn.problem)
        return history, gr.skip() if turn.failed else "", *same
    if turn.comparison is not None:
        return comparison_update(turn, history, turns_value)
    if turn.answer is None:  # resolved, not answered yet
        history.append({"role": "assistant",
                        "content": answer_markdown(None, turn.lang, turn.interpreted, final=False)})
        return history, "", *same
    if not turn.final:
        history[-1]["content"] = answer_markdown(turn.answer, turn.lang, turn.interpreted, final=False)
        return history, gr.skip(), *same
    answer, sources, lang = turn.answer, turn.sources, turn.lang
    history[-1]["content"] = answer_markdown(answer, lang, turn.interpreted, turn.notice, final=True)
    if not sources and not turn.filters.is_empty() and not answer.hits:
        history[-1]["content"] += "\n\n" + md_escape(UI_TEXT[lang]["no_match"])
    turns_value.append({
        "question": turn.question.strip(), "resolved": turn.resolved, "answer": answer.answer,
        "declined": answer.declined, "backend": answer.backend, "mode": turn.mode,
        "sources": _logged(sources),
    })
    title = UI_TEXT[lang]["closest" if answer.declined else "sources"]
    return (history, gr.skip(), turns_value, [s.__dict__ for s in sources],
            f"### {title}", copy_text(turn.resolved, answer, sources, lang), *downloads(None), EMPTY_VIEWER,
            *slot_updates(sources))


def comparison_update(turn: Turn, history: list[dict], turns_value: list[dict]) -> tuple:
    """A comparison as a table in the chat; its cited passages fill the sources panel, numbered as in the
    table, and the table can be downloaded. The table sits in a div naming the grouping, so the page's
    CSS can size a region's short name and a document's long title differently."""
    comparison, sources, lang = turn.comparison, turn.sources, turn.lang
    table = comparison_markdown(comparison, lang)
    message = f'<div class="pq-compare pq-by-{comparison.by}">\n\n{table}\n\n</div>'
    if comparison.notice:
        message = f"<small>{md_escape(comparison.notice)}</small>\n\n{message}"
    if sources:
        message += f"\n\n<small>{UI_TEXT[lang]['sources_hint']}</small>"
    if history and history[-1]["role"] == "assistant":
        history[-1]["content"] = message
    else:
        history.append({"role": "assistant", "content": message})
    turns_value.append({
        "question": turn.question.strip(), "resolved": turn.resolved, "compare": comparison.by,
        "answer": comparison_markdown(comparison, lang, escape=False), "mode": turn.mode,
        "sources": _logged(sources),
    })
    return (history, "", turns_value, [s.__dict__ for s in sources], f"### {UI_TEXT[lang]['sources']}",
            comparison_file_markdown(comparison, lang), *downloads(turn), EMPTY_VIEWER,
            *slot_updates(sources))


def _logged(sources: list[Source]) -> list[dict]:
    """What the feedback log keeps of each source: enough to find the passage again."""
    return [{"n": s.n, "doc_id": s.doc_id, "title": s.title, "section": s.section,
             "start": s.start, "end": s.end} for s in sources]


def downloads(turn: Turn | None) -> list:
    """The Markdown and CSV download buttons: shown with a comparison's files, hidden otherwise."""
    import gradio as gr

    if turn is None or turn.comparison is None:
        return [gr.DownloadButton(visible=False), gr.DownloadButton(visible=False)]
    folder = Path(tempfile.mkdtemp(prefix="policyqa-compare-"))
    md, csv = folder / "comparison.md", folder / "comparison.csv"
    md.write_text(f"{turn.resolved}\n\n{comparison_file_markdown(turn.comparison, turn.lang)}\n",
                  encoding="utf-8")
    csv.write_text(comparison_csv(turn.comparison, turn.lang), encoding="utf-8-sig")
    return [gr.DownloadButton(value=str(md), visible=True), gr.DownloadButton(value=str(csv), visible=True)]
