"""Bad input files: every file gets a per-file verdict and the rest of the corpus is still indexed.

Real files on disk (empty, binary, GB18030, UTF-16, scanned-style PDF, truncated PDF/DOCX, duplicates,
names with spaces and Chinese, a hand-written two-page text PDF), a real ingest with the real embedder,
and a 50 MB text file measured in a subprocess to show it is streamed.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CORPUS
from policyqa.index.build import ingest
from policyqa.index.reader import open_index
from policyqa.ingest import loaders as ingest_module
from policyqa.ingest.clean import clean
from policyqa.ingest.corpus import load_document
from policyqa.ingest.decode import UnreadableFile, decode_bytes
from policyqa.ingest.loaders import load_pdf
from policyqa.ingest.metadata import doc_id_for
from policyqa.records import Filters
from policyqa.retrieve.retriever import Retriever

SEED = CORPUS / "004_eee20c87307ce18c.txt"
CHINESE_NAME = "北京 创新药 措施 (copy).txt"
PAGE_TEXTS = ["Drug pricing rules for hospitals are on page one.",
              "Commercial insurance catalogue is on page two."]


def text_pdf(pages: list[str]) -> bytes:
    """A minimal valid PDF written by hand: one Helvetica text object per page, correct xref table."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", ""]
    kids = []
    for text in pages:
        page_no, content_no = len(objects) + 1, len(objects) + 2
        kids.append(f"{page_no} 0 R")
        stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET"
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {content_no} 0 R "
                       f"/Resources << /Font << /F1 {len(pages) * 2 + 3} 0 R >> >> >>")
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(pages)} >>"
    objects.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def blank_pdf() -> bytes:
    from io import BytesIO

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    writer.add_blank_page(width=612, height=792)
    buffer = BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def docx_bytes(tmp: Path) -> bytes:
    import docx

    document = docx.Document()
    document.add_heading("一、总体要求", level=1)
    document.add_paragraph("支持创新药高质量发展，完善多元支付机制。" * 5)
    document.save(str(tmp / "whole.docx"))
    return (tmp / "whole.docx").read_bytes()


@pytest.fixture(scope="module")
def messy(tmp_path_factory, settings_factory):
    """A corpus of one good seed plus every kind of bad or awkward file, ingested once for real."""
    corpus = tmp_path_factory.mktemp("messy") / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    shutil.copy(SEED, corpus / "a copy of the seed.txt")  # same content twice
    gbk_text = "关于完善药品价格形成机制的通知\n一、总体要求\n完善“双通道”管理机制。\n" * 3
    (corpus / CHINESE_NAME).write_bytes(gbk_text.encode("gb18030"))
    utf16_text = "医保目录调整工作方案\n支持商业健康保险创新药品目录建设。\n" * 3
    (corpus / "utf16 notice.txt").write_bytes(utf16_text.encode("utf-16"))
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "whitespace.md").write_bytes(b" \n\t\n")
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 64)
    (corpus / "scanned.pdf").write_bytes(blank_pdf())
    (corpus / "truncated.pdf").write_bytes(text_pdf(PAGE_TEXTS)[:300])
    (corpus / "truncated.docx").write_bytes(docx_bytes(tmp_path_factory.mktemp("docx"))[:2000])
    (corpus / "two pages.pdf").write_bytes(text_pdf(PAGE_TEXTS))
    (corpus / "random.bin").write_bytes(bytes(range(256)))
    settings = settings_factory(corpus)
    return settings, ingest(settings)


def test_every_file_gets_a_verdict_and_the_good_ones_are_indexed(messy) -> None:
    settings, result = messy
    report = {f.path: f for f in result.files}
    assert set(report) == {p.name for p in Path(settings.corpus_dir).iterdir()}
    expected = {
        SEED.name: "added", CHINESE_NAME: "added", "utf16 notice.txt": "added", "two pages.pdf": "added",
        "a copy of the seed.txt": "duplicate", "empty.txt": "skipped", "whitespace.md": "skipped",
        "binary.txt": "skipped", "scanned.pdf": "skipped", "truncated.pdf": "skipped",
        "truncated.docx": "skipped", "random.bin": "skipped",
    }
    assert {path: r.status for path, r in report.items()} == expected
    assert "empty" in report["empty.txt"].message
    assert "binary" in report["binary.txt"].message or "not text" in report["binary.txt"].message
    assert "OCR" in report["scanned.pdf"].message
    assert report["truncated.pdf"].message.startswith("corrupt PDF")
    assert "(pypdf: EOF marker not found)" in report["truncated.pdf"].message
    assert report["random.bin"].message.startswith("unsupported type .bin; supported: .docx, .htm, .html")
    assert report["truncated.docx"].message
    assert SEED.name in report["a copy of the seed.txt"].message
    index = open_index(settings)
    assert len(index.documents) == 4 and result.n_documents == 4
    assert {c.doc_id for c in index.chunks} == set(index.documents)


def test_duplicate_text_is_indexed_once(messy) -> None:
    index = open_index(messy[0])
    seed_text = load_document(SEED, CORPUS).text
    assert sum(1 for d in index.documents.values() if d.text == seed_text) == 1


def test_chinese_file_names_get_stable_ids_usable_in_filters(messy, embedder) -> None:
    settings, _ = messy
    index = open_index(settings)
    doc = next(d for d in index.documents.values() if d.path == CHINESE_NAME)
    assert doc.meta.doc_id == doc_id_for(Path(CHINESE_NAME)) == "北京-创新药-措施-copy"
    assert "双通道" in doc.text  # GB18030 decoded, not mojibake
    only = Filters(doc_ids=[doc.meta.doc_id])
    hits = Retriever(index, embedder).search("双通道 管理机制", k=5, filters=only)
    assert hits and {h.doc_id for h in hits} == {doc.meta.doc_id}
    again = ingest(settings)  # ids survive a re-ingest unchanged
    assert {f.path: f.status for f in again.files}[CHINESE_NAME] == "unchanged"


def test_text_pdf_pages_are_cited(messy) -> None:
    index = open_index(messy[0])
    doc = next(d for d in index.documents.values() if d.path == "two pages.pdf")
    assert [number for _, number in doc.pages] == [1, 2]
    for page, text in enumerate(PAGE_TEXTS, start=1):
        start = doc.text.index(text)
        assert doc.page_at(start) == page
        assert doc.page_at(start + len(text) - 1) == page
    chunks = [c for c in index.chunks if c.doc_id == doc.meta.doc_id]
    for chunk in chunks:
        assert chunk.page == doc.page_at(chunk.start) and chunk.page in (1, 2)
    assert chunks[0].page == 1


def test_hand_written_pdf_reads_back_page_by_page(tmp_path: Path) -> None:
    path = tmp_path / "p.pdf"
    path.write_bytes(text_pdf(PAGE_TEXTS))
    raw = load_pdf(path)
    assert [number for _, number in raw.pages] == [1, 2]
    assert raw.text[raw.pages[1][0]:].startswith(PAGE_TEXTS[1])
    path.write_bytes(blank_pdf())
    with pytest.raises(UnreadableFile, match="OCR"):
        load_pdf(path)


def test_what_pypdf_logs_goes_to_the_files_report_not_the_root_logger(tmp_path: Path) -> None:
    """Inside a read, pypdf's records join the refusal and never reach the root logger (whose last resort
    prints to stderr); outside one they reach it as before. The CLI's stderr: test_reliability_files."""
    path = tmp_path / "truncated.pdf"
    path.write_bytes(text_pdf(PAGE_TEXTS)[:300])
    seen: list[str] = []
    spy = logging.Handler()
    spy.emit = lambda record: seen.append(record.getMessage())
    logging.getLogger().addHandler(spy)
    try:
        with pytest.raises(UnreadableFile, match=r"corrupt PDF: .*\(pypdf: EOF marker not found\)"):
            load_pdf(path)
        assert not seen
        logging.getLogger("pypdf._reader").warning("logged outside a read")
        assert seen == ["logged outside a read"]
    finally:
        logging.getLogger().removeHandler(spy)


# --------------------------------------------------------------------------- streaming large files


@pytest.mark.parametrize("codec", ["utf-8", "utf-8-sig", "gb18030", "utf-16", "utf-16-le"])
def test_streamed_decoding_matches_whole_file_decoding(tmp_path: Path, monkeypatch, codec: str) -> None:
    """Tiny blocks cut multi-byte characters and lines at every place; the result must not change."""
    text = SEED.read_text(encoding="utf-8").encode("gbk", errors="ignore").decode("gbk")
    text = "  leading spaces\r\n" + text + "\n\n\n 尾行 with trailing space \n"
    path = tmp_path / "doc.txt"
    path.write_bytes(text.encode(codec))
    whole = load_document(path, tmp_path)
    monkeypatch.setattr(ingest_module, "STREAM_BYTES", 0)
    monkeypatch.setattr(ingest_module, "BLOCK_BYTES", 997)
    raw = ingest_module.load_text(path)
    assert raw.lines is not None, "the file was not streamed"
    streamed = load_document(path, tmp_path)
    assert streamed.text == whole.text == clean(decode_bytes(path.read_bytes()))[0]
    assert streamed.segments == whole.segments and streamed.meta == whole.meta
    assert streamed.content_hash == whole.content_hash


def test_streamed_file_with_an_encoding_change_is_refused(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "mixed.txt"
    path.write_bytes(b"plain ascii line\n" * 200 + "后半部分是GBK编码".encode("gbk"))
    monkeypatch.setattr(ingest_module, "STREAM_BYTES", 0)
    monkeypatch.setattr(ingest_module, "BLOCK_BYTES", 1024)
    with pytest.raises(UnreadableFile, match="convert the file to UTF-8"):
        load_document(path, tmp_path)


MEASURE = r"""
import json, re, sys, time
from pathlib import Path
from policyqa.ingest.corpus import load_document

def peak_rss():  # VmHWM belongs to this process's address space (ru_maxrss is inherited from the parent)
    return int(re.search(r"VmHWM:\s+(\d+) kB", Path("/proc/self/status").read_text()).group(1)) * 1024

path = Path(sys.argv[1])
before = peak_rss()
started = time.perf_counter()
doc = load_document(path, path.parent)
print(json.dumps({"seconds": time.perf_counter() - started, "chars": len(doc.text),
                  "text_bytes": sys.getsizeof(doc.text), "runs": len(doc.segments),
                  "rss_before": before, "rss_after": peak_rss()}))
"""


@pytest.mark.slow
def test_a_50_mb_text_file_is_streamed(tmp_path: Path) -> None:
    """Peak memory = the cleaned text once + one transient copy when its blocks are joined; never the raw
    file, its decoded copy or a list of its lines on top of that."""
    paragraphs = [clean(p.read_text(encoding="utf-8"))[0] for p in sorted(CORPUS.glob("*.txt"))]
    path = tmp_path / "big.txt"
    with path.open("w", encoding="utf-8") as handle:
        part = 0
        while handle.tell() < 50 * 2**20:
            handle.write(f"第{part}部分\n{paragraphs[part % len(paragraphs)]}\n\n")
            part += 1
    size = path.stat().st_size
    out = subprocess.run([sys.executable, "-c", MEASURE, str(path)], capture_output=True, text=True,
                         timeout=120, check=True)
    stats = json.loads(out.stdout)
    grew = stats["rss_after"] - stats["rss_before"]
    print(f"\n50 MB file ({size / 2**20:.1f} MB): cleaned text {stats['text_bytes'] / 2**20:.1f} MB as str, "
          f"peak RSS grew {grew / 2**20:.1f} MB ({grew / stats['text_bytes']:.2f}x the cleaned text), "
          f"{stats['runs']} offset runs, {stats['seconds']:.1f}s")
    assert stats["chars"] > 40_000_000
    assert grew < 2.3 * stats["text_bytes"] + 40 * 2**20
    assert stats["runs"] < 1000, "offset runs are merged, not one per line"
