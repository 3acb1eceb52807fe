"""A PDF printed by Chromium in a common CJK font (Noto Sans CJK) is indexed with ordinary ideographs.

pypdf reads such a PDF's text layer with Kangxi radicals for some characters (⽅ U+2F45 for 方, ⼒ for 力,
⼀ for 一), which showed in titles and citations and missed keyword matches; cleaning maps them back. The
PDF is printed here, in the test, as a user's browser would save a page; without Chromium or the font
the test is skipped, except under CI=true.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import missing
from policyqa.embedding import embedder_for
from policyqa.index.build import ingest
from policyqa.index.reader import open_index
from policyqa.ingest.loaders import load_pdf
from policyqa.retrieve.retriever import Retriever

CHROMIUM = os.environ.get("POLICYQA_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
FONT = "Noto Sans CJK SC"
TITLE = "四川省促进创新药发展实施方案"
BODY = "力争到2027年，全省生物医药产业营业收入达到一千亿元。"
PAGE = f"""<!doctype html><html><head><meta charset="utf-8">
<style>body {{ font-family: "{FONT}"; font-size: 12pt }}</style></head>
<body><h1>{TITLE}</h1><p>{BODY}</p></body></html>"""
LOOKALIKE = re.compile("[\u2e80-\u2eff\u2f00-\u2fdf\uf900-\ufaff]")


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> Path:
    """The page printed to PDF by headless Chromium, alone in a corpus folder."""
    if not Path(CHROMIUM).exists():
        missing("Chromium is not installed: apt-get install chromium (Debian's package; no download)")
    fonts = subprocess.run(["fc-list", FONT], capture_output=True, text=True).stdout if shutil.which(
        "fc-list") else ""
    if FONT not in fonts:
        missing(f"the {FONT} font is not installed: apt-get install fonts-noto-cjk")
    work = tmp_path_factory.mktemp("pdf")
    (work / "page.html").write_text(PAGE, encoding="utf-8")
    corpus = work / "corpus"
    corpus.mkdir()
    pdf = corpus / "sichuan.pdf"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    f"--user-data-dir={work / 'profile'}", "--no-pdf-header-footer",
                    f"--print-to-pdf={pdf}", (work / "page.html").as_uri()],
                   capture_output=True, timeout=120, check=True)
    return pdf


def test_pypdf_reads_the_printed_pdf_with_radicals(printed: Path) -> None:
    """The fault this guards against is real: the raw text layer holds the look-alikes."""
    raw = load_pdf(printed).text
    assert LOOKALIKE.search(raw), raw
    assert "⽅" in raw and "⼒" in raw


def test_the_printed_pdf_is_indexed_with_unified_ideographs(printed: Path, settings_factory) -> None:
    settings = settings_factory(printed.parent)
    result = ingest(settings)
    assert [(f.path, f.status) for f in result.files] == [("sichuan.pdf", "added")]
    index = open_index(settings)
    (doc,) = index.documents.values()
    passages = "\n".join(c.text for c in index.chunks)
    assert doc.meta.title == TITLE
    assert TITLE in passages and BODY in passages
    assert not LOOKALIKE.search(doc.text + doc.meta.title + passages)
    # keywords: with the radicals left in, BM25 finds no passage for these two words
    hits = Retriever(index, embedder_for(settings)).search("力争 方案", k=1, mode="bm25")
    assert [h.doc_id for h in hits] == [doc.meta.doc_id]
