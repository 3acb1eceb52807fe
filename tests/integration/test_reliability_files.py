"""Smaller file-handling faults from issue 14, each reproduced with real files and the real command.

Short Big5 text, a stray NUL in UTF-8, a newline in a file name, the upload limit's unit, and the
dead "pid N" a killed ingest leaves in `.lock`.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from app_server import run_cli
from conftest import CORPUS, raw_offset
from policyqa.app.uploads import MIB, UploadRefused, save_upload
from policyqa.ingest.corpus import load_document

SEED = CORPUS / "004_eee20c87307ce18c.txt"


@pytest.mark.parametrize("text", ["臺灣醫藥產業發展規劃", "關於完善藥品價格形成機制的通知", "醫保"])
def test_short_big5_text_is_not_read_as_gb18030(tmp_path: Path, text: str) -> None:
    (tmp_path / "big5.txt").write_bytes(text.encode("big5"))
    assert load_document(tmp_path / "big5.txt", tmp_path).text == text


@pytest.mark.parametrize("text", ["台湾医药产业发展规划", "关于完善药品价格形成机制的通知", "医保目录"])
def test_short_gbk_text_still_reads_as_gbk(tmp_path: Path, text: str) -> None:
    (tmp_path / "gbk.txt").write_bytes(text.encode("gbk"))
    assert load_document(tmp_path / "gbk.txt", tmp_path).text == text


def test_one_stray_nul_does_not_drop_a_utf8_file(tmp_path: Path) -> None:
    raw = SEED.read_bytes()
    at = raw.index(b"\n", len(raw) // 2)
    damaged = raw[:at] + b"\x00" + raw[at:]
    (tmp_path / "nul.txt").write_bytes(damaged)
    doc = load_document(tmp_path / "nul.txt", tmp_path)
    assert doc.text == load_document(SEED, CORPUS).text and "\x00" not in doc.text
    (tmp_path / "inline.txt").write_bytes("政策文本\x00第二句。\n第三行".encode())
    doc = load_document(tmp_path / "inline.txt", tmp_path)
    raw_text = (tmp_path / "inline.txt").read_text(encoding="utf-8")
    assert "\x00" not in doc.text and raw_offset(doc, doc.text.index("第三")) == raw_text.index("第三")


def test_a_binary_file_is_still_refused(tmp_path: Path) -> None:
    from policyqa.ingest.decode import UnreadableFile

    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 64)
    with pytest.raises(UnreadableFile, match="binary"):
        load_document(tmp_path / "binary.txt", tmp_path)


def test_a_newline_in_a_file_name_stays_on_its_report_line(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / "two\nlines.txt")
    (corpus / "empty\nfile.txt").write_bytes(b"")
    done = run_cli("ingest", "--corpus", str(corpus), "--index", str(tmp_path / "ix"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert any(line.startswith("  added") and "two\\nlines.txt" in line for line in lines), done.stdout
    assert any(line.startswith("  skipped") and "empty\\nfile.txt" in line for line in lines), done.stdout
    assert all(line.startswith(("  ", "index ")) for line in lines), done.stdout


def test_unsupported_files_and_pypdf_warnings_are_in_the_report_not_stderr(tmp_path: Path) -> None:
    """A .bin gets its own "skipped" line even without -v (the index's own files, here inside the corpus
    folder, get none); pypdf's "EOF marker not found" for a truncated PDF is on that PDF's line instead of
    between the progress bars."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    (corpus / "random.bin").write_bytes(bytes(range(256)))
    pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids ["
    (corpus / "truncated.pdf").write_bytes(pdf)
    ingest = ("ingest", "--corpus", str(corpus), "--index", str(corpus / "ix"))
    assert run_cli(*ingest, cwd=tmp_path).returncode == 0
    done = run_cli(*ingest, cwd=tmp_path)  # with the index folder now in the corpus folder
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert "  skipped   random.bin  unsupported type .bin; supported: .docx, .htm, .html, .markdown, .md, " \
           ".pdf, .txt" in lines, done.stdout
    assert any(line.startswith("  skipped   truncated.pdf  corrupt PDF: ") and "EOF marker not found" in line
               for line in lines), done.stdout
    assert "EOF marker" not in done.stderr and "random.bin" not in done.stderr, done.stderr
    assert "2 skipped" in lines[-1]


def test_upload_limit_is_counted_in_mib(tmp_path: Path) -> None:
    """Gradio counts `max_file_size` in bytes we give it (limit x 2**20); our own check and message agree."""
    corpus = tmp_path / "corpus"
    under = tmp_path / "under.txt"
    under.write_bytes(b"a" * (MIB - 1))  # 1.05 MB: over a decimal megabyte, under one MiB
    assert save_upload(under, "under.txt", corpus, 1 * MIB).exists()
    over = tmp_path / "over.txt"
    over.write_bytes(b"a" * (MIB + 1))
    with pytest.raises(UploadRefused, match=r"1\.0 MiB is over the 1 MiB limit"):
        save_upload(over, "over.txt", corpus, 1 * MIB)


HOLD_LOCK = """
import sys, time
from pathlib import Path
from policyqa.index.writer import write_lock
with write_lock(Path(sys.argv[1])):
    print("locked", flush=True)
    time.sleep(600)
"""


def test_a_killed_writers_pid_is_cleared_by_the_next_reader(built, tmp_path: Path) -> None:
    index = tmp_path / "index"
    shutil.copytree(built[0].index_dir, index, ignore=shutil.ignore_patterns(".lock"))
    writer = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(index)], stdout=subprocess.PIPE,
                              text=True)
    assert writer.stdout.readline().strip() == "locked"
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    assert (index / ".lock").read_text().startswith(f"pid {writer.pid} ")
    found = run_cli("search", "药品目录", "--index", str(index), "--k", "1", cwd=tmp_path)
    assert found.returncode == 0, found.stderr[-2000:]
    assert (index / ".lock").read_text() == ""
