"""Issue 14, data loss and corruption: document ids, settings that poison the vector cache, a full disk and
a reader racing a commit. Real files, the real embedder, a real tmpfs, real processes."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from test_reliability_ingest import text_pdf

from cli_runner import policyqa as cli  # the command in this process: the model loads once
from conftest import CORPUS, missing
from policyqa.index.build import ingest
from policyqa.index.manifest import IndexWriteFailed
from policyqa.index.reader import Index, open_index
from policyqa.index.vectors import BadVectors, unit_rows
from policyqa.retrieve.retriever import Retriever
from policyqa.settings import Settings, SettingsError

SEEDS = sorted(CORPUS.glob("*.txt"))


def write_docx(path: Path, text: str) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    document.save(str(path))


def ids_by_path(settings: Settings) -> dict[str, str]:
    return {doc.path: doc_id for doc_id, doc in open_index(settings).documents.items()}


# --------------------------------------------------------------------------- 1. document ids


def test_files_with_one_stem_are_separate_documents_with_ids_that_never_move(tmp_path, settings_factory):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "notice.txt").write_text("Original ORIGWORD notice on drug prices.\n", encoding="utf-8")
    settings = settings_factory(corpus, tmp_path / "ix")
    ingest(settings)
    (corpus / "notice.md").write_text("memo MEMOWORD about hospital stock.\n", encoding="utf-8")
    (corpus / "My Notice.txt").write_text("Capitals CAPWORD on insurance.\n", encoding="utf-8")
    (corpus / "my-notice.txt").write_text("Dashes DASHWORD on pharmacies.\n", encoding="utf-8")
    (corpus / "report.pdf").write_bytes(text_pdf(["Report PDFWORD on clinical trials."]))
    write_docx(corpus / "report.docx", "Report DOCXWORD on medical devices.")

    result = ingest(settings)
    statuses = {f.path: f.status for f in result.files}
    assert statuses == {"notice.txt": "unchanged", "notice.md": "added", "My Notice.txt": "added",
                        "my-notice.txt": "added", "report.pdf": "added", "report.docx": "added"}
    ids = ids_by_path(settings)
    assert ids["notice.txt"] == "notice" and ids["notice.md"] == "notice-md"
    assert ids["my-notice.txt"] == "my-notice" and ids["My Notice.txt"].startswith("my-notice-")
    assert {ids["report.docx"], ids["report.pdf"]} == {"report", "report-pdf"}
    retriever = Retriever.open(settings)
    for word, path in [("ORIGWORD", "notice.txt"), ("MEMOWORD", "notice.md"), ("CAPWORD", "My Notice.txt"),
                       ("DASHWORD", "my-notice.txt"), ("PDFWORD", "report.pdf"), ("DOCXWORD", "report.docx")]:
        assert retriever.search(word, k=1, mode="bm25")[0].doc_id == ids[path], word

    again = ingest(settings)
    assert {f.status for f in again.files} == {"unchanged"} and ids_by_path(settings) == ids
    ingest(settings, rebuild=True)
    assert ids_by_path(settings) == ids, "a rebuild keeps every file's id"


def test_an_id_that_documents_yaml_gives_to_a_second_file_is_refused_naming_both(tmp_path, settings_factory):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.txt").write_text("First file AWORD.\n", encoding="utf-8")
    settings = settings_factory(corpus, tmp_path / "ix")
    ingest(settings)
    (corpus / "b.txt").write_text("Second file BWORD.\n", encoding="utf-8")
    (corpus / "documents.yaml").write_text("- file: b.txt\n  id: a\n  title: B\n", encoding="utf-8")
    result = ingest(settings)
    refused = next(f for f in result.files if f.path == "b.txt")
    assert refused.status == "skipped" and "a.txt" in refused.message and "document id a" in refused.message
    assert ids_by_path(settings) == {"a.txt": "a"}


def test_of_two_files_with_the_same_text_the_indexed_one_stays(tmp_path, settings_factory):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "z.txt").write_text("Same text SAMEWORD in two files.\n", encoding="utf-8")
    settings = settings_factory(corpus, tmp_path / "ix")
    ingest(settings)
    (corpus / "a.txt").write_text("Same text SAMEWORD in two files.\n", encoding="utf-8")
    result = ingest(settings)
    assert {f.path: f.status for f in result.files} == {"z.txt": "unchanged", "a.txt": "duplicate"}
    assert ids_by_path(settings) == {"z.txt": "z"}


def test_chat_uploads_with_one_stem_are_both_added(tmp_path, settings_factory):
    from policyqa.app.service import Service
    from policyqa.app.uploads import ingest_uploads

    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "seed.txt").write_text("Seed document SEEDWORD.\n", encoding="utf-8")
    settings = settings_factory(corpus, tmp_path / "ix")
    ingest(settings)
    engine = Service.open(settings)
    first, second = tmp_path / "collide.txt", tmp_path / "collide.md"
    first.write_text("Uploaded text TXTWORD on drug lists.\n", encoding="utf-8")
    second.write_text("Uploaded memo MDWORD on drug lists.\n", encoding="utf-8")
    report, changed = ingest_uploads(engine, [str(first)])
    assert changed and "collide.txt: added" in report
    # counts agree with their noun: "1 passages" read as a slip
    assert "✓ collide.txt: added, 1 passage\n" in report and "2 documents, 2 passages" in report, report
    report, changed = ingest_uploads(engine, [str(second)])
    assert changed and "collide.md: added" in report, report
    paths = {doc.path for doc in engine.current.documents.values()}
    assert {p.rsplit("/", 1)[-1] for p in paths} >= {"collide.txt", "collide.md", "seed.txt"}


# --------------------------------------------------------------------------- 2. settings and vectors


@pytest.mark.parametrize(("variable", "value", "allowed"), [
    ("POLICYQA_EMBED_BATCH_SIZE", "-3", "from 1 to 4096"),
    ("POLICYQA_EMBED_BATCH_SIZE", "0", "from 1 to 4096"),
    ("POLICYQA_HNSW_M", "0", "from 2 to 512"),
    ("POLICYQA_HNSW_EF_SEARCH", "0", "from 1 to"),
    ("POLICYQA_CHUNK_SIZE", "-1", "from 16 to"),
    ("POLICYQA_K", "0", "from 1 to 1000"),
])
def test_a_numeric_setting_out_of_range_is_one_line_naming_it_and_its_range(tmp_path, variable, value,
                                                                            allowed):
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "a.txt").write_text("text\n", encoding="utf-8")
    done = cli("ingest", "--corpus", str(tmp_path / "c"), "--index", str(tmp_path / "ix"),
               env={variable: value})
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and variable in lines[0] and allowed in lines[0], done.stderr
    assert not (tmp_path / "ix").exists()


@pytest.mark.parametrize("k", ["0", "-5"])
def test_k_out_of_range_on_the_command_line_is_refused(k):
    done = cli("search", "drug", "--k", k, "--index", "/nonexistent")
    assert done.returncode == 2 and "k (POLICYQA_K)" in done.stderr and "from 1 to 1000" in done.stderr


def test_overlap_must_stay_below_the_chunk_size():
    with pytest.raises(SettingsError, match="chunk_overlap"):
        Settings.load(chunk_size=100, chunk_overlap=100)


def test_stored_vectors_that_are_not_unit_vectors_are_embedded_again(tmp_path, settings_factory):
    """An index poisoned by the old batch-size bug (all-zero vectors) heals on the next ingest."""
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "seed.txt").write_bytes(SEEDS[4].read_bytes())
    settings = settings_factory(corpus, tmp_path / "ix")
    first = ingest(settings)
    build = Index.current_build(settings.index_dir)
    for name in ("vectors.npy", "sentences.npy"):  # what the old code wrote with POLICYQA_EMBED_BATCH_SIZE=-3
        poisoned = np.load(build / name)
        np.save(build / name, np.zeros_like(poisoned))
    notes: list[str] = []
    result = ingest(settings, say=notes.append)
    assert result.embedded == first.n_chunks and result.reused == 0
    assert any("not finite unit vectors" in note for note in notes)
    index = open_index(settings)
    assert unit_rows(np.asarray(index.vectors)).all() and unit_rows(index.sentence_vectors[:]).all()
    hits = Retriever.open(settings).search("innovative drugs", k=3, mode="dense")
    assert hits[0].score > 0.2


def test_an_embedder_returning_bad_vectors_stops_the_build_and_keeps_the_previous(
        tmp_path, settings_factory, embedder, monkeypatch):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.txt").write_text("First document on drug prices.\n", encoding="utf-8")
    settings = settings_factory(corpus, tmp_path / "ix")
    ingest(settings)
    before = Index.current_build(settings.index_dir)
    (corpus / "b.txt").write_text("Second document on hospital stock.\n", encoding="utf-8")
    # a model that fails silently (the fault cannot be caused with the real model)
    monkeypatch.setattr(embedder, "encode", lambda texts, progress=None: np.zeros((len(texts), embedder.dim),
                                                                                   dtype=np.float32))
    with pytest.raises(BadVectors, match="not finite unit vectors"):
        ingest(settings)
    assert Index.current_build(settings.index_dir) == before
    assert not list((Path(settings.index_dir) / "builds").glob(".tmp-*"))


# --------------------------------------------------------------------------- 3. a full disk


@pytest.fixture()
def small_disk(tmp_path):
    """A real 5 MB tmpfs (needs root: CI runs as root, so it is only skipped elsewhere)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=5m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        missing(f"cannot mount a tmpfs here: {done.stderr.strip() or done.returncode}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path, leave: int) -> Path:
    """A file that takes all the space on `disk` but `leave` bytes."""
    filler = disk / "filler.bin"
    free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
    with filler.open("wb") as handle:
        handle.write(b"\0" * max(0, free - leave))
    return filler


def two_seed_corpus(folder: Path) -> Path:
    folder.mkdir()
    for seed in SEEDS[3:5]:
        (folder / seed.name).write_bytes(seed.read_bytes())
    return folder


def test_a_full_disk_is_one_line_naming_the_folder_and_leaves_nothing_behind(tmp_path, small_disk):
    corpus, index = two_seed_corpus(tmp_path / "c"), small_disk / "ix"
    assert cli("ingest", "--corpus", str(corpus), "--index", str(index)).returncode == 0
    build = Index.current_build(index)
    size = sum(p.stat().st_size for p in build.rglob("*") if p.is_file())
    filler = fill(small_disk, leave=size // 3)
    (corpus / "new.txt").write_text("A new notice on drug prices.\n" * 50, encoding="utf-8")

    done = cli("ingest", "--corpus", str(corpus), "--index", str(index))
    assert done.returncode == 2, done.stderr[-2000:]
    message = "policyqa ingest:" + done.stderr.split("policyqa ingest:")[-1]  # after the progress bars
    assert len(message.strip().splitlines()) == 1, message
    assert message.startswith("policyqa ingest: cannot write index") and str(index) in message
    assert "No space left on device" in message
    assert Index.current_build(index) == build
    assert not list((index / "builds").glob(".tmp-*"))

    filler.unlink()
    done = cli("ingest", "--corpus", str(corpus), "--index", str(index))
    assert done.returncode == 0, done.stderr[-2000:]
    assert "new.txt" in open_index(Settings(corpus_dir=corpus, index_dir=index)).documents["new"].path


def test_an_unfinished_build_of_a_dead_writer_is_removed_before_the_next_ingest(tmp_path, small_disk):
    corpus, index = two_seed_corpus(tmp_path / "c"), small_disk / "ix"
    assert cli("ingest", "--corpus", str(corpus), "--index", str(index)).returncode == 0
    # what a writer killed mid-build leaves: a .tmp build named with its (now dead) pid, filling the disk
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True).stdout.strip()
    stale = index / "builds" / f".tmp-20260101T000000-{dead}-000001"
    stale.mkdir()
    fill(stale, leave=64 * 1024)
    (corpus / "new.txt").write_text("A new notice on hospital stock.\n", encoding="utf-8")
    done = cli("ingest", "--corpus", str(corpus), "--index", str(index))
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"removed {stale.name}" in done.stderr and not stale.exists()


def test_sentence_vectors_are_written_without_a_memory_map(tmp_path, settings_factory, monkeypatch):
    """A memory-mapped write to a full disk is SIGBUS: the build never opens one for writing."""
    original = np.lib.format.open_memmap

    def reads_only(*args, mode="r+", **kwargs):
        assert mode == "r", f"np.lib.format.open_memmap opened with mode {mode!r}"
        return original(*args, mode=mode, **kwargs)

    monkeypatch.setattr(np.lib.format, "open_memmap", reads_only)
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "seed.txt").write_bytes(SEEDS[4].read_bytes())
    settings = settings_factory(corpus, tmp_path / "ix")
    assert ingest(settings).n_chunks > 0
    assert open_index(settings).sentence_vectors.shape[0] > 0


def test_a_full_disk_error_in_process_is_index_write_failed(tmp_path, small_disk, settings_factory):
    corpus = two_seed_corpus(tmp_path / "c")
    settings = settings_factory(corpus, small_disk / "ix")
    fill(small_disk, leave=200 * 1024)
    with pytest.raises(IndexWriteFailed, match="cannot write index"):
        ingest(settings)
    assert not list((small_disk / "ix" / "builds").glob(".tmp-*"))


# --------------------------------------------------------------------------- 4. a reader racing a commit

WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from policyqa.index.build import ingest
    from policyqa.settings import Settings

    corpus, index, rounds = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    for n in range(rounds):
        (corpus / "changing.txt").write_text(f"Round {n}: notice number {n} on drug prices.\\n")
        ingest(Settings(corpus_dir=corpus, index_dir=index))
""")


def test_loads_survive_ingests_committing_in_another_process(tmp_path, settings_factory):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "seed.txt").write_bytes(SEEDS[4].read_bytes())
    settings = settings_factory(corpus, tmp_path / "ix")
    ingest(settings)
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(corpus), str(settings.index_dir), "4"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    loads, builds = 0, set()
    while writer.poll() is None:
        index = Index.load(Path(settings.index_dir))
        assert {c.doc_id for c in index.chunks} == set(index.documents)
        loads += 1
        builds.add(index.folder.name)
    assert writer.returncode == 0, writer.stderr.read()[-2000:]
    assert loads > 4 and len(builds) >= 2, (loads, builds)
