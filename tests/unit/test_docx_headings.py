"""A .docx's headings reach the chunker without Markdown marks when their own numbers mark them: no
"# 二、研发奖励" in the passages, their quotes, the cards or the viewer, and the section paths they had.

The chunker runs for real on the loaded document (its length function counts characters instead of USE
tokens, which only moves where the size limit falls); the .docx files are written by python-docx.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from policyqa.app.render import Source, source_card
from policyqa.chunking import Chunker, heading_level
from policyqa.ingest.corpus import load_document
from policyqa.ingest.loaders import docx_headings
from policyqa.records import Document, DocumentMeta
from policyqa.settings import ChunkingSettings
from policyqa.text.headings import is_numbered_heading

#: (Word heading level, text); level 0 is body text
ZHEJIANG = [(0, "浙江省医疗保障局等8部门于2025年9月15日联合印发本措施。"),
            (1, "一、加快创新药挂网"),
            (0, "对纳入国家医保目录的创新药，在收到挂网申请后10个工作日内完成挂网审核。"),
            (1, "二、研发奖励"), (2, "（一）奖励标准"),
            (0, "按研发投入的20%给予奖励，单个品种最高3000万元。"),
            (2, "（二）申报"), (3, "1. 申报时间"), (0, "企业须在2026年6月30日前提交奖励申请。")]


@pytest.mark.parametrize("line", [
    "第三章 总则", "第十二条 适用范围", "一、总体要求", "十二．保障措施", "I. Overall Situation",
    "（二）研发奖励", "(II) Measures", "(Four) Safeguards", "(ii) lower case", "1. 申报时间", "12、附则",
    "（1）材料", "(3) Items", "Background", "二〇二五年工作要点", "2025年工作要点", "1.5亿元",
    "iv. lower case", "第一批名单", "(一", "#"])
def test_the_numbered_heading_pattern_is_the_chunkers(line: str) -> None:
    """The loader drops a heading's marks only when the chunker still reads it as a heading by its number."""
    level = heading_level(line, [])
    assert is_numbered_heading(line) == (level is not None and not level.startswith("md")), line


def _docx(path: Path, paragraphs: list[tuple[int, str]]) -> Path:
    import docx

    document = docx.Document()
    document.add_paragraph("浙江省支持创新药高质量发展的若干措施（2025年）", style="Title")
    for level, text in paragraphs:
        document.add_heading(text, level=level) if level else document.add_paragraph(text)
    document.save(str(path))
    return path


def _sections(text: str) -> list[tuple[str, list[str]]]:
    doc = Document(meta=DocumentMeta(doc_id="d", title="t"), path="d.docx", text=text, content_hash="h")
    return [(c.text, c.section) for c in Chunker(ChunkingSettings(chunk_size=60), len).chunk(doc)]


def _marked(paragraphs: list[tuple[int, str]]) -> str:
    """The text as the loader wrote it before: every heading with '#' marks."""
    lines = ["浙江省支持创新药高质量发展的若干措施（2025年）"]
    lines += [("#" * level + " " if level else "") + text for level, text in paragraphs]
    return "\n\n".join(lines)


def test_numbered_docx_headings_show_as_they_read_and_keep_their_section_paths(tmp_path: Path) -> None:
    doc = load_document(_docx(tmp_path / "zj.docx", ZHEJIANG), tmp_path)
    chunks = _sections(doc.text)
    assert "#" not in doc.text and "\n\n二、研发奖励\n\n（一）奖励标准\n\n按研发投入" in doc.text
    reward = next((text, section) for text, section in chunks if "3000万元" in text)
    assert reward[1] == ["二、研发奖励", "（一）奖励标准"] and reward[0].startswith("二、研发奖励")
    assert [s for _, s in chunks] == [s for _, s in _sections(_marked(ZHEJIANG))]
    card = source_card(Source(n=1, doc_id="zj", chunk_id="zj#0002", title="t", title_alt="", issuer="",
                              region="", date="", section=" > ".join(reward[1]), start=0, end=1, page=None,
                              lang="zh", text=reward[0], sentence="单个品种最高3000万元。"))
    assert "#" not in card and "§ 二、研发奖励 &gt; （一）奖励标准" in card


def test_an_unnumbered_heading_above_the_numbered_ones_keeps_its_marks_alone() -> None:
    paragraphs = [(1, "Zhejiang measures"), *((level + 1 if level else 0, text) for level, text in ZHEJIANG)]
    lines = docx_headings(paragraphs)
    assert lines[0] == "# Zhejiang measures" and "二、研发奖励" in lines and "1. 申报时间" in lines
    text = "\n\n".join(["浙江省支持创新药高质量发展的若干措施（2025年）", *lines])
    assert [s for _, s in _sections(text)] == [s for _, s in _sections(_marked(paragraphs))]


@pytest.mark.parametrize("below", [
    [(1, "一、总体要求"), (2, "Background"), (0, "支持创新药。")],  # unnumbered under a numbered one
    [(1, "Overview"), (1, "一、总体要求"), (0, "支持创新药。")],   # at the same level
    [(4, "Annex"), (5, "一、附表"), (0, "支持创新药。")],           # '####' ranks below 一、 in the chunker
])
def test_otherwise_every_heading_keeps_its_marks_as_before(below: list[tuple[int, str]]) -> None:
    assert docx_headings(below) == [("#" * level + " " if level else "") + text for level, text in below]


def test_a_document_without_headings_is_unchanged() -> None:
    plain = [(0, "一、这是正文的一段。"), (0, "Background")]
    assert docx_headings(plain) == ["一、这是正文的一段。", "Background"]
