"""Property-based: random bilingual text through clean -> chunk -> index -> search keeps its invariants.

Text mixes CJK, Latin, punctuation, whitespace and the numbered heading markers the chunker cuts at.
One real USE embedder is shared; each example builds a tiny real index in a temp folder.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conftest import raw_offset
from policyqa.chunking import Chunker
from policyqa.embedding import get_embedder
from policyqa.index.lexical import LexicalIndex
from policyqa.index.reader import Index
from policyqa.ingest.clean import clean, unify_ideographs
from policyqa.ingest.corpus import load_document
from policyqa.ingest.decode import UnreadableFile
from policyqa.records import Filters
from policyqa.retrieve.retriever import Retriever
from policyqa.settings import ChunkingSettings

pytestmark = pytest.mark.slow

MARKERS = ["一、", "二、", "（一）", "(二)", "1.", "2、", "(1)", "（2）", "I. ", "II. ", "# ", "## ",
           "第一章", "第3条"]
WORDS = ["医保", "创新药", "双通道", "支付", "目录", "drug", "pricing", "insurance", "hospital", "Beijing",
         "2025", "10%", "。", "，", "；", "！", "？", ".", ",", ";", "、", "“", "”", "（", "）",
         "-", ":", "©",
         "版权所有", "举报", "分享", "Copyright 2025", "α", "é", "😀", "\u3000", "⽅案", "⼒争", "豈", "０１"]
SPACE = [" ", "  ", "\t", "\n", "\n\n", "\r\n", " \n ", "\n\n\n"]

token = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(SPACE),
    st.sampled_from(MARKERS).map(lambda m: "\n" + m),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=6),
)
document_text = st.lists(token, min_size=1, max_size=120).map("".join)


@pytest.fixture(scope="module")
def use():
    return get_embedder("use-m3", 2, 64)


def _check_chunks(text: str, chunks, overlap: int) -> None:
    previous_end = 0
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text and chunk.text.strip()
        assert chunk.start < chunk.end
        if overlap == 0:
            assert chunk.start >= previous_end, "spans overlap or go backwards"
        previous_end = chunk.end
    covered = bytearray(len(text))
    for chunk in chunks:
        covered[chunk.start : chunk.end] = b"\x01" * (chunk.end - chunk.start)
    missing = [i for i, c in enumerate(text) if not c.isspace() and not covered[i]]
    assert not missing, f"not covered: {text[missing[0] : missing[0] + 20]!r}"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=document_text, chunk_size=st.sampled_from([8, 24, 160]))
def test_clean_and_chunk_spans_are_exact_and_cover_the_text(use, raw: str, chunk_size: int) -> None:
    text, runs, _ = clean(raw)
    assert text == clean(iter(raw.split("\n")), raw.count("\n") + 1)[0], "streamed and whole cleaning differ"
    mapped = bytearray(len(text))
    previous = (0, 0)
    for clean_start, raw_start, length in runs:
        kept = raw[raw_start : raw_start + length]
        assert text[clean_start : clean_start + length] == unify_ideographs(kept)
        assert clean_start >= previous[0] and raw_start >= previous[1] and length > 0, "runs out of order"
        previous = (clean_start + length, raw_start + length)
        mapped[clean_start : clean_start + length] = b"\x01" * length
    assert all(mapped[i] or c == "\n" for i, c in enumerate(text)), "a cleaned character maps nowhere"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "doc.txt"
        path.write_text(raw, encoding="utf-8", newline="")
        if not text.strip():
            return
        doc = load_document(path, Path(tmp))
        assert doc.text == text
        for offset in range(0, len(text), max(1, len(text) // 20)):
            if text[offset] != "\n":
                assert unify_ideographs(raw[raw_offset(doc, offset)]) == text[offset]
        chunker = Chunker(ChunkingSettings(chunk_size=chunk_size, chunk_overlap=0), use.count_tokens)
        _check_chunks(text, chunker.chunk(doc), 0)


def _tiny_index(folder: Path, docs, use) -> Index:
    from policyqa.index.manifest import Manifest
    from policyqa.index.vectors import FaissStore

    chunker = Chunker(ChunkingSettings(chunk_size=24), use.count_tokens)
    chunks = [c for d in docs for c in chunker.chunk(d)]
    vectors = use.encode([c.text for c in chunks]) if chunks else use.encode([])
    store = FaissStore()
    store.build(vectors)
    lexical = LexicalIndex()
    lexical.build([c.text for c in chunks])
    manifest = Manifest(embedder=use.name, dim=use.dim, chunker={}, n_chunks=len(chunks))
    return Index(folder, manifest, docs, chunks, vectors, store, lexical)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(document_text, min_size=2, max_size=3), question=document_text,
       k=st.integers(1, 8), mode=st.sampled_from(["dense", "bm25", "hybrid"]), pick=st.integers(0, 2))
def test_search_respects_k_and_filters(use, texts, question, k, mode, pick) -> None:
    folder = Path(tempfile.mkdtemp())
    try:
        docs = []
        for i, raw in enumerate(texts):
            path = folder / f"doc {i} 文件.txt"
            path.write_text(raw + f"\n政策文件 {i} drug policy", encoding="utf-8")
            try:
                docs.append(load_document(path, folder))
            except UnreadableFile:  # a line like "©" starts a footer the cleaner drops, with all after it
                continue
        assume(docs)
        index = _tiny_index(folder, docs, use)
        retriever = Retriever(index, use)
        if not question.strip():
            with pytest.raises(ValueError):
                retriever.search(question, k=k, mode=mode)
            return
        hits = retriever.search(question, k=k, mode=mode)
        assert len(hits) <= k
        assert len({h.chunk_id for h in hits}) == len(hits)
        target = docs[pick % len(docs)].meta.doc_id
        filtered = retriever.search(question, k=k, mode=mode, filters=Filters(doc_ids=[target]))
        assert len(filtered) <= k and all(h.doc_id == target for h in filtered)
        for hit in filtered:
            doc = index.documents[hit.doc_id]
            assert doc.text[hit.citation.start : hit.citation.end] == hit.text
        assert retriever.search(question, k=k, mode=mode, filters=Filters(doc_ids=["no-such-doc"])) == []
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_clause_breaks_never_split_a_number_or_a_time(use, tmp_path) -> None:
    """A long sentence is cut at commas, but not at the comma of 3,900 or the colon of 10:30."""
    text = "".join(f"Zone {i} has over 3,900 firms, 12,500 staff and opens at 10:30, " for i in range(40))
    (tmp_path / "doc.txt").write_text(text, encoding="utf-8")
    document = load_document(tmp_path / "doc.txt", tmp_path)
    chunks = Chunker(ChunkingSettings(chunk_size=40), use.count_tokens).chunk(document)
    assert len(chunks) > 5
    for chunk in chunks[:-1]:
        after = document.text[chunk.end : chunk.end + 1]
        assert not (chunk.text[-1] in ",:" and after.isdigit()), chunk.text[-20:]
