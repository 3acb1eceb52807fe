"""The on-disk index: incremental re-ingest, manifest checks, atomic builds, the write lock."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from policyqa.embedding import Embedder, embedder_for
from policyqa.index.build import ingest
from policyqa.index.manifest import IndexLocked, IndexMismatch, IndexMissing
from policyqa.index.reader import Index, open_index
from policyqa.index.writer import write_lock
from policyqa.text.sentences import passage_clauses
from policyqa.text.tokenizer import LexicalTokenizer


@pytest.fixture()
def private_index(built, tmp_path: Path, settings_factory):
    """A writable copy of the session corpus and index (so this test may change them)."""
    settings, _ = built
    corpus = tmp_path / "corpus"
    shutil.copytree(settings.corpus_dir, corpus)
    index = tmp_path / "index"
    shutil.copytree(settings.index_dir, index)
    return settings_factory(corpus, index)


def test_first_ingest_reports_every_file(built) -> None:
    _, result = built
    assert result.n_documents == 5 and result.count("added") == 5
    assert result.embedded == result.n_chunks > 50


def test_chunk_ids_are_stable_and_spans_slice_the_cleaned_text(index) -> None:
    assert len({c.chunk_id for c in index.chunks}) == len(index.chunks)
    for chunk in index.chunks:
        assert index.documents[chunk.doc_id].text[chunk.start : chunk.end] == chunk.text
        assert chunk.content_hash and chunk.lang in ("zh", "en")


def test_reingest_unchanged_embeds_nothing_and_keeps_ids(private_index, index) -> None:
    result = ingest(private_index)
    assert result.embedded == 0 and result.count("unchanged") == 5
    assert [c.chunk_id for c in open_index(private_index).chunks] == [c.chunk_id for c in index.chunks]


def test_reingest_embeds_only_the_changed_document_and_drops_deleted(private_index) -> None:
    corpus = Path(private_index.corpus_dir)
    target = corpus / "000_64bdc41ee7122f23.txt"
    target.write_text(
        target.read_text(encoding="utf-8") + "\n\nA new closing paragraph about drug pricing.\n",
        encoding="utf-8",
    )
    (corpus / "003_cab44b4ed427dc7b.txt").unlink()
    result = ingest(private_index)
    statuses = {f.path: f.status for f in result.files}
    assert statuses["000_64bdc41ee7122f23.txt"] == "updated"
    assert statuses["beijing-innovative-medicine-measures-2025"] == "removed"
    assert 1 <= result.embedded <= 2, "only the changed tail of one document is embedded again"
    loaded = open_index(private_index)
    assert "beijing-innovative-medicine-measures-2025" not in loaded.documents
    assert any("drug pricing" in c.text for c in loaded.chunks)


def test_mismatched_manifest_is_refused_with_what_differs_and_how_to_rebuild(private_index) -> None:
    other = private_index.model_copy(update={"chunk_size": 90})
    with pytest.raises(IndexMismatch) as error:
        open_index(other)
    message = str(error.value)
    assert f"chunk_size={private_index.chunk_size}" in message and "90" in message
    assert f"policyqa ingest --corpus {other.corpus_dir} --index {other.index_dir}" in message


def test_an_index_made_with_another_keyword_tokenizer_refuses_to_load(private_index) -> None:
    """The manifest records the tokenizer, its version and stop words; BM25 means nothing to another one."""
    manifest_path = Index.current_build(Path(private_index.index_dir)) / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    assert manifest["tokenizer"] == LexicalTokenizer.config()
    manifest["tokenizer"]["stop_words"]["en"].remove("the")
    manifest["tokenizer"]["version"] -= 1
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(IndexMismatch) as error:
        open_index(private_index)
    assert "keyword tokenizer (stop_words, version)" in str(error.value)
    assert "policyqa ingest --corpus" in str(error.value)
    result = ingest(private_index)  # a rebuild, not an incremental update over the old tokens
    assert result.embedded == result.n_chunks and open_index(private_index).chunks


def test_missing_index_says_how_to_build_one(tmp_path: Path, settings_factory) -> None:
    with pytest.raises(IndexMissing, match="policyqa ingest"):
        open_index(settings_factory(tmp_path, tmp_path / "none"))


def test_failed_ingest_leaves_the_previous_build_current(private_index, monkeypatch) -> None:
    before = Index.current_build(Path(private_index.index_dir))
    from policyqa.index import build as indexer

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(indexer.LexicalIndex, "build", explode)
    with pytest.raises(RuntimeError):
        ingest(private_index)
    assert Index.current_build(Path(private_index.index_dir)) == before
    assert not list((Path(private_index.index_dir) / "builds").glob(".tmp-*"))
    assert len(open_index(private_index).chunks) > 0


def test_second_writer_is_refused(tmp_path: Path) -> None:
    with write_lock(tmp_path), pytest.raises(IndexLocked, match="being written"), write_lock(tmp_path):
        pass


def test_text_repeated_within_one_build_is_embedded_once(tmp_path: Path, settings_factory) -> None:
    """Notices share boilerplate: a passage and its sentences are embedded once, their vectors copied."""
    import numpy as np

    shared = ("二、组织保障\n各省级医保部门要加强组织领导，细化工作措施。定点医疗机构要及时配备创新药。"
              "医保经办机构要做好结算服务。")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    topics = {"a": "支持创新药研发，鼓励企业加大投入。", "b": "完善药品挂网程序，缩短挂网时间。"}
    for name, topic in topics.items():
        (corpus / f"{name}.txt").write_text(f"一、主要任务\n{topic}\n\n{shared}\n", encoding="utf-8")
    settings = settings_factory(corpus, tmp_path / "index")
    result = ingest(settings)
    index = open_index(settings)
    rows = [i for i, c in enumerate(index.chunks) if c.text == shared]
    assert len(rows) == 2 and result.n_chunks == 4
    assert result.embedded == 3 and result.reused == 1
    assert np.array_equal(index.vectors[rows[0]], index.vectors[rows[1]])
    starts, ends = index.sentence_offsets[rows], index.sentence_offsets[[r + 1 for r in rows]]
    first, second = (index.sentence_vectors[a:b] for a, b in zip(starts, ends, strict=True))
    assert len(first) == 4 and np.array_equal(first, second)


def _clause_rows(index: Index) -> list[tuple[int, list[str]]]:
    """(row, its clause windows in stored order) of every passage that has some."""
    windows = [(row, passage_clauses(c.text, index.manifest.clause_chars))
               for row, c in enumerate(index.chunks)]
    return [(row, own) for row, own in windows if own]


def test_long_sentences_have_their_clause_windows_embedded_and_lent_to_the_next_build(
        private_index, monkeypatch) -> None:
    """Each clause window's stored vector is the embedder's vector of that window; an unchanged re-ingest
    embeds none of them (nor anything else) again."""
    index = open_index(private_index)
    rows = _clause_rows(index)
    assert index.manifest.clause_chars == private_index.clause_chars > 0
    assert index.manifest.n_clauses == sum(len(own) for _, own in rows) == len(index.clause_vectors) > 0
    row, own = rows[len(rows) // 2]
    start = int(index.clause_offsets[row])
    stored = np.asarray(index.clause_vectors[start : start + len(own)], dtype=np.float32)
    assert np.allclose(stored, embedder_for(private_index).encode(own), atol=2e-3)  # float16 on disk
    embedded: list[str] = []
    encode = Embedder.encode
    monkeypatch.setattr(Embedder, "encode", lambda self, texts, *a, **kw: embedded.extend(texts)
                        or encode(self, texts, *a, **kw))
    ingest(private_index)
    assert embedded == [] and open_index(private_index).manifest.n_clauses == index.manifest.n_clauses


def test_an_index_built_before_clause_vectors_is_read_as_it_is_and_gets_them_at_its_next_ingest(
        private_index) -> None:
    folder = Index.current_build(Path(private_index.index_dir))
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    del manifest["clause_chars"], manifest["n_clauses"]
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    for name in ("clauses.npy", "clause_offsets.npy"):
        (folder / name).unlink()
    assert open_index(private_index).clause_vectors is None
    ingest(private_index)
    index = open_index(private_index)
    assert index.manifest.clause_chars == private_index.clause_chars and index.clause_vectors is not None

