"""A comparison as the chat, the files and the API show it: the Markdown table, its cited passages, CSV."""

from __future__ import annotations

import csv
import io

from ..records import CitedPassage, Comparison
from .render import UI_TEXT, md_escape


def comparison_rows(comparison: Comparison) -> list[tuple[str, str, str]]:
    """(group, answer with its [n] markers, the cited documents) per table row."""
    return [(g.key, " ".join(g.answer.split()), _cited_cell(g.citations, comparison.by))
            for g in comparison.groups]


def _cited_cell(citations: list[CitedPassage], by: str) -> str:
    """A region's row names each document it cites ('title (date) [n]…'); a document's row is that
    document, so its last column, headed Date, holds the date and the numbers, not the title again."""
    cited: dict[str, list[CitedPassage]] = {}
    for c in citations:
        cited.setdefault(c.doc_id, []).append(c)
    cells = []
    for cs in cited.values():
        numbers = " ".join(f"[{c.n}]" for c in cs)
        date = cs[0].date
        if by == "document":
            cells.append(f"{date} {numbers}" if date else numbers)
        else:
            cells.append(f"{cs[0].title}{f' ({date})' if date else ''} {numbers}")
    return "; ".join(cells)


def comparison_head(comparison: Comparison, lang: str) -> tuple[str, str, str]:
    return UI_TEXT[lang]["compare_head" if comparison.by == "region" else "compare_head_document"]


def comparison_markdown(comparison: Comparison, lang: str, escape: bool = True) -> str:
    """The comparison as a Markdown table; `escape` makes document text literal (the chat), without it
    the table is for a file (only '|' is escaped)."""
    def cell(text: str, cited: set[int]) -> str:
        return md_escape(text, cited) if escape else text.replace("|", "\\|")

    numbers = {c.n for g in comparison.groups for c in g.citations}
    head = comparison_head(comparison, lang)
    lines = ["| " + " | ".join(head) + " |", "|---|---|---|"]
    for row in comparison_rows(comparison):
        lines.append("| " + " | ".join(cell(x, numbers) for x in row) + " |")
    return "\n".join(lines)


def comparison_cited(comparison: Comparison) -> list[tuple[str, str, str]]:
    """('[n]', the text it quotes, 'title (date) § section') per cited passage, by number: what the
    table's markers point to, for the files that leave the chat's Sources panel behind."""
    cited = sorted((c for g in comparison.groups for c in g.citations), key=lambda c: c.n)
    rows = []
    for c in cited:
        quote = " … ".join(c.sentences or [c.sentence or c.text])
        where = c.title + (f" ({c.date})" if c.date else "") + (f" § {c.section}" if c.section else "")
        rows.append((f"[{c.n}]", " ".join(quote.split()), where))
    return rows


def comparison_file_markdown(comparison: Comparison, lang: str) -> str:
    """The table for a file, and under it each [n] with its document, section and quoted text."""
    lines = [comparison_markdown(comparison, lang, escape=False)]
    cited = comparison_cited(comparison)
    if cited:
        lines.append(f"\n## {UI_TEXT[lang]['cited_head']}\n")
        lines += [f"{n} {where}\n\n> {quote}\n" for n, quote, where in cited]
    return "\n".join(lines).rstrip("\n")


def comparison_csv(comparison: Comparison, lang: str) -> str:
    """The table as CSV, then the cited passages as rows of the same three columns under a row that
    names them: one header, rows of equal width, so any CSV reader takes it whole."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(comparison_head(comparison, lang))
    writer.writerows(comparison_rows(comparison))
    cited = comparison_cited(comparison)
    if cited:
        writer.writerow(UI_TEXT[lang]["cited_columns"])
        writer.writerows(cited)
    return buffer.getvalue()
