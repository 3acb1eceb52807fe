"""Passages are keyword-indexed with their document's title (setting keyword_titles): a question that names
the document finds the passage holding the fact, though the passage never names the document; a title in
another language than the passage adds nothing to it; the manifest records how the index was built."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policyqa.index.build import ingest
from policyqa.index.manifest import IndexMismatch
from policyqa.index.reader import Index
from policyqa.retrieve.retriever import Retriever
from policyqa.settings import Settings

RURITANIA = ("Ruritania Vaccine Plan\n\n"
             "This document sets out how Ruritania will prepare for the next outbreak.\n\n"
             "It funds three new laboratories.\n\n"
             "它将在两年内建成两个生产基地，并扩大冷链物流网络。\n")
FREEDONIA = ("Freedonia Health Strategy\n\n"
             "This document sets out how Freedonia will train more nurses.\n\n"
             "It funds twelve new laboratories.\n")
QUESTION = "How many laboratories does the Ruritania Vaccine Plan fund?"


def build(tmp_path: Path, titles: bool) -> Settings:
    corpus = tmp_path / "corpus"
    corpus.mkdir(exist_ok=True)
    (corpus / "ruritania.txt").write_text(RURITANIA, encoding="utf-8")
    (corpus / "freedonia.txt").write_text(FREEDONIA, encoding="utf-8")
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / f"index_{titles}", chunk_paragraphs=True,
                        keyword_titles=titles)
    ingest(settings)
    return settings


@pytest.mark.parametrize("titles", [True, False])
def test_a_question_naming_the_document_finds_the_passage_with_the_fact(tmp_path: Path, titles: bool) -> None:
    settings = build(tmp_path, titles)
    assert Index.read_manifest(Path(settings.index_dir)).keyword_titles is titles
    retriever = Retriever.open(settings)
    assert retriever.config()["keyword_titles"] is titles
    top = retriever.search(QUESTION, k=3, mode="bm25")[0]
    # without the title, the opening passage is the only one that names the plan, and it outranks the fact
    assert (top.text == "It funds three new laboratories.") is titles, top.text


def test_a_title_in_another_language_is_not_added_to_a_passage(tmp_path: Path) -> None:
    settings = build(tmp_path, True)
    index = Retriever.open(settings).index
    [chinese] = [row for row, chunk in enumerate(index.chunks) if chunk.lang == "zh"]
    [english] = [row for row, chunk in enumerate(index.chunks)
                 if chunk.doc_id == index.chunks[chinese].doc_id and "three new" in chunk.text]
    scores = index.lexical.scores(["ruritania"])
    assert scores[english] > 0 and scores[chinese] == 0


def test_an_index_built_before_the_setting_takes_it_at_its_next_ingest(tmp_path: Path) -> None:
    settings = build(tmp_path, False)
    root = Path(settings.index_dir)
    manifest = root / "builds" / (root / "CURRENT").read_text().strip() / "manifest.json"
    older = json.loads(manifest.read_text())
    del older["keyword_titles"]  # what a build made before the setting existed carries
    manifest.write_text(json.dumps(older))
    reader = Retriever.open(settings.model_copy(update={"keyword_titles": True}))
    assert reader.config()["keyword_titles"] is False  # read as built: without titles
    ingest(Settings(corpus_dir=settings.corpus_dir, index_dir=root))  # a bare ingest, default settings
    assert Index.read_manifest(root).keyword_titles is True
    retriever = Retriever.open(Settings(index_dir=root))
    assert retriever.search(QUESTION, k=3, mode="bm25")[0].text == "It funds three new laboratories."


def test_bm25_per_language_is_kept_as_built_and_an_older_index_takes_it_at_its_next_ingest(
        tmp_path: Path) -> None:
    """bm25_saturation is a build setting as keyword_titles is: the manifest records it, a bare ingest
    keeps what the index was built with, a different value asks for --rebuild, and a build made before
    the setting existed takes the default at its next ingest."""
    default = {lang: list(kb) for lang, kb in Settings().bm25_saturation.items()}
    settings = build(tmp_path, True)
    root = Path(settings.index_dir)
    assert Index.read_manifest(root).bm25_saturation == default
    manifest = root / "builds" / (root / "CURRENT").read_text().strip() / "manifest.json"
    older = json.loads(manifest.read_text())
    del older["bm25_saturation"]  # what a build made before the setting existed carries
    manifest.write_text(json.dumps(older))
    ingest(Settings(corpus_dir=settings.corpus_dir, index_dir=root))  # a bare ingest, default settings
    assert Index.read_manifest(root).bm25_saturation == default
    other = {"en": (1.2, 0.75), "zh": (1.0, 0.5)}
    with pytest.raises(IndexMismatch, match="bm25_saturation"):
        ingest(Settings(corpus_dir=settings.corpus_dir, index_dir=root, bm25_saturation=other))
    ingest(Settings(corpus_dir=settings.corpus_dir, index_dir=root, bm25_saturation=other), rebuild=True)
    ingest(Settings(corpus_dir=settings.corpus_dir, index_dir=root))  # kept as built
    assert Index.read_manifest(root).bm25_saturation == {"en": [1.2, 0.75], "zh": [1.0, 0.5]}
    assert Retriever.open(Settings(index_dir=root)).config()["bm25_saturation"] == {"en": [1.2, 0.75],
                                                                                     "zh": [1.0, 0.5]}
