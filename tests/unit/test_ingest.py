"""Loading, decoding, cleaning and metadata on the real seed documents."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from conftest import CORPUS, raw_offset
from policyqa.ingest import clean as clean_module
from policyqa.ingest.clean import clean, is_boilerplate, unify_ideographs
from policyqa.ingest.corpus import corpus_files, load_document
from policyqa.ingest.decode import UnreadableFile, decode_bytes
from policyqa.ingest.loaders import load_docx, load_html
from policyqa.ingest.metadata import infer_meta, load_metadata
from policyqa.text.language import detect_language

SEEDS = sorted(CORPUS.glob("*.txt"))
BOILERPLATE = [
    "分享好友 资讯首页 资讯分类 切换频道",
    "举报",
    "收藏 0",
    "0评论2025-11-0916",
    "《浙江省全面深化药品医疗器械监管改革",
    "Author:广州医博会 Time:2025-12-08 Reader:30",
    "Search documents",
    "Special statement: if the pictures",
    "Recommended Reading Change it",
    "Edit:Wang Minhui Responsible editor:Du Hui",
    "2025-07-07 20:281150huamei国家医保局",
]


def _body_paragraphs(raw: str) -> list[str]:
    """Paragraph lines of a seed up to its footer: what cleaning must keep."""
    lines = [line.strip() for line in raw.splitlines()]
    end = next(
        (i for i, line in enumerate(lines) if line in ("举报",) or line.startswith("Special statement")),
        len(lines),
    )
    return [line for line in lines[:end] if len(line) >= 30 and not is_boilerplate(line)]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name[:3])
def test_cleaning_keeps_every_policy_paragraph(path: Path) -> None:
    raw = path.read_text(encoding="utf-8")
    text, runs, _ = clean(raw)
    cleaned = _squash(text)
    for paragraph in _body_paragraphs(raw):
        assert _squash(paragraph) in cleaned, paragraph[:60]
    for clean_start, raw_start, length in runs:
        assert text[clean_start : clean_start + length] == raw[raw_start : raw_start + length]


def test_cleaning_removes_boilerplate_of_the_seeds() -> None:
    cleaned = "\n".join(clean(p.read_text(encoding="utf-8"))[0] for p in SEEDS)
    for line in BOILERPLATE:
        assert line not in cleaned, line
    assert not re.search(r"^\d+评论\d{4}-\d{2}-\d{2}", cleaned, re.M)
    assert "支持创新药高质量发展的若干措施" in cleaned
    assert "(十六)加强组织领导" in cleaned


def test_cleaning_joins_words_split_by_line_wrapping() -> None:
    text, runs, _ = clean("推动生物医药产业高质 量发展 and English words stay apart")
    assert text == "推动生物医药产业高质量发展 and English words stay apart"
    assert len(runs) == 2


def test_cleaned_offsets_map_back_to_the_raw_file(corpus_copy: Path) -> None:
    path = corpus_copy / SEEDS[4].name
    doc = load_document(path, corpus_copy)
    raw = path.read_text(encoding="utf-8")
    at = doc.text.index("(七)增设商业健康保险创新药品目录")
    assert raw[raw_offset(doc, at) :].startswith("(七)增设商业健康保险创新药品目录")


@pytest.mark.parametrize("codec", ["gb18030", "gbk", "utf-16", "utf-8-sig"])
def test_chinese_in_other_encodings_decodes_to_the_same_text(tmp_path: Path, codec: str) -> None:
    text = SEEDS[4].read_text(encoding="utf-8")
    text = text.encode("gbk", errors="ignore").decode("gbk")  # the seed has a few characters GBK lacks
    utf8, other = tmp_path / "utf8.txt", tmp_path / "other.txt"
    utf8.write_text(text, encoding="utf-8")
    other.write_bytes(text.encode(codec))
    assert load_document(other, tmp_path).text == load_document(utf8, tmp_path).text
    assert "支持创新药高质量发展的若干措施" in load_document(other, tmp_path).text


def test_short_gbk_text_is_not_mojibake() -> None:
    assert decode_bytes("双通道管理机制".encode("gbk")) == "双通道管理机制"
    assert decode_bytes("完善“双通道”管理机制，加强创新药供应保障。".encode("utf-16-le")).startswith("完善")


@pytest.mark.parametrize("data", [b"", b"   \n", b"\x00\x01\x02\x03binary\x00\xff" * 50])
def test_empty_and_binary_files_are_refused_with_a_reason(data: bytes) -> None:
    with pytest.raises(UnreadableFile):
        decode_bytes(data)


def test_metadata_file_describes_every_bundled_document() -> None:
    meta = load_metadata(CORPUS)
    assert set(meta) == {p.name for p in SEEDS}
    assert meta["004_eee20c87307ce18c.txt"].region == "national"
    assert all(m.title and m.date and m.languages for m in meta.values())


def test_metadata_is_inferred_for_undescribed_documents() -> None:
    raw = "关于印发某市创新药措施的通知\n2024年3月5日\n为支持创新药发展，现提出以下措施。"
    meta = infer_meta("x", clean(raw)[0], raw)
    assert meta.title == "关于印发某市创新药措施的通知"
    assert meta.date == "2024-03-05"
    assert meta.languages == ["zh"]
    assert meta.region == ""  # 某市 is no place
    assert detect_language("The NHSA supports innovative drugs") == "en"


@pytest.mark.parametrize(("title", "region"), [
    ("上海市支持创新药发展若干措施（2025年）", "Shanghai"), ("Guangzhou Biomedicine Plan", "Guangzhou"),
    ("国家医保局 国家卫生健康委关于印发《支持创新药高质量发展的若干措施》的通知", "national"),
    ("Hubei and Hunan joint plan", ""), ("Cheese market notes", ""),
])
def test_an_undescribed_document_s_region_is_the_one_its_title_names(title: str, region: str) -> None:
    """A user's Shanghai plan, added without a documents.yaml entry, had no region: `--region Shanghai`
    refused it while `--place Shanghai` and the comparison's 上海 row found it (audit, helper h68)."""
    raw = f"{title}\n2025年3月5日\n为支持创新药发展，现提出以下措施。"
    assert infer_meta("x", clean(raw)[0], raw).region == region


def test_html_main_text_without_navigation(tmp_path: Path) -> None:
    page = tmp_path / "p.html"
    page.write_text(
        "<html><head><script>var x=1;</script></head><body><nav>首页 | 登录</nav>"
        "<article><h1>支持创新药措施</h1><p>第一段政策内容。</p><p>Second paragraph.</p></article>"
        "<footer>版权所有</footer></body></html>",
        encoding="utf-8",
    )
    text = load_html(page).text
    assert "# 支持创新药措施" in text and "第一段政策内容。" in text and "Second paragraph." in text
    assert "登录" not in text and "版权所有" not in text and "var x" not in text


def test_docx_headings_become_section_headings(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("一、总体要求", level=1)
    document.add_paragraph("支持创新药高质量发展。")
    path = tmp_path / "d.docx"
    document.save(str(path))
    text = load_docx(path).text
    # numbered, it goes in as it reads: the chunker finds it by its number (tests/unit/test_docx_headings.py)
    assert text.startswith("一、总体要求\n\n") and "#" not in text and "支持创新药高质量发展。" in text


LOOKALIKE_BLOCKS = [(0x2E80, 0x2EFF), (0x2F00, 0x2FDF), (0xF900, 0xFAFF)]


def test_radical_lookalikes_become_the_ideographs_they_stand_for() -> None:
    """pypdf reads CJK fonts' glyphs as Kangxi radicals (⽅ U+2F45 for 方): those, the radicals supplement
    and the compatibility ideographs take their NFKC form; nothing else does."""
    assert unify_ideographs("实施⽅案，⼒争⼀千亿元") == "实施方案，力争一千亿元"
    assert unify_ideographs("⺟婴 豈 ⻳") == "母婴 豈 龟"
    for low, high in LOOKALIKE_BLOCKS:
        for code in range(low, high + 1):
            folded = unicodedata.normalize("NFKC", chr(code))
            assert unify_ideographs(chr(code)) == (folded if len(folded) == 1 else chr(code)), hex(code)
    as_written = "（一）２０２５年：１０％，“双通道”！？\u3000ＡＢＣ ﬁ ①"  # full-width forms NFKC would fold
    assert unify_ideographs(as_written) == as_written
    outside = "".join(chr(c) for c in range(0x2000, 0x10000) if not any(lo <= c <= hi for lo, hi in
                                                                     LOOKALIKE_BLOCKS))
    assert unify_ideographs(outside) == outside


def test_cleaning_unifies_lookalikes_and_still_maps_every_offset() -> None:
    raw = "  ⼀、总体要求\n实施⽅案 ⼒争到2027年\n"
    text, runs, _ = clean(raw)
    assert text == "一、总体要求\n实施方案力争到2027年"  # the wrap space between ideographs goes too
    for clean_start, raw_start, length in runs:
        kept = raw[raw_start : raw_start + length]
        assert text[clean_start : clean_start + length] == unify_ideographs(kept)


@pytest.mark.parametrize("name", ["notice.txt", "notice.md", "notice.html", "notice.docx"])
def test_every_format_is_unified_in_text_and_title(tmp_path: Path, name: str) -> None:
    title, body = "四川省促进创新药发展实施⽅案", "⼒争到2027年，营业收⼊达到⼀千亿元。"
    path = tmp_path / name
    if name.endswith(".docx"):
        import docx

        document = docx.Document()
        document.add_paragraph(title)
        document.add_paragraph(body)
        document.save(str(path))
    elif name.endswith(".html"):
        path.write_text(f"<html><body><p>{title}</p><p>{body}</p></body></html>", encoding="utf-8")
    else:
        path.write_text(f"{title}\n{body}\n", encoding="utf-8")
    doc = load_document(path, tmp_path)
    assert doc.meta.title == "四川省促进创新药发展实施方案"
    assert "力争到2027年，营业收入达到一千亿元。" in doc.text


def test_the_bundled_corpus_cleans_as_it_did_without_the_mapping(monkeypatch) -> None:
    docs = [load_document(path, CORPUS) for path in SEEDS]
    monkeypatch.setattr(clean_module, "_IDEOGRAPHS", {})
    before = [load_document(path, CORPUS) for path in SEEDS]
    assert [(d.text, d.segments, d.meta) for d in docs] == [(d.text, d.segments, d.meta) for d in before]


def test_files_of_other_types_are_listed_for_the_report(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    # the corpus's own settings (metadata, glossary terms) are no documents and no skipped files either
    for name in ("a.txt", "random.bin", "documents.yaml", "glossary.tsv", ".DS_Store", "sub/notes.csv",
                 "sub/README"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    readable, other = corpus_files(tmp_path)
    assert readable == [tmp_path / "a.txt"]
    assert other == [tmp_path / "random.bin", tmp_path / "sub/README", tmp_path / "sub/notes.csv"]
    with pytest.raises(UnreadableFile, match=r"unsupported type \.bin; supported: \.docx, \.htm, .*\.txt$"):
        load_document(tmp_path / "random.bin", tmp_path)
    with pytest.raises(UnreadableFile, match=r"unsupported type \(none\)"):
        load_document(tmp_path / "sub/README", tmp_path)
