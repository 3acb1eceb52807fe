"""Issue 17: with `chunk_paragraphs` a paragraph stays one chunk up to `paragraph_cap` model tokens.

The embedder reads a text of any length whole, so splitting a paragraph at `chunk_size` (320) only cut
its context in two; on XQuAD with paragraphs joined three at a time, hit@1 rose with the cap
(eval/benchmarks/README.md, "Paragraph cap"). The real USE tokenizer measures the paragraphs here, cut
from a bundled policy plan; the default corpus (paragraphs off) keeps splitting at `chunk_size`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cli_runner import policyqa as cli
from policyqa.chunking import Chunker
from policyqa.embedding import get_embedder
from policyqa.index.manifest import Manifest
from policyqa.index.reader import Index, built_with
from policyqa.records import Document, DocumentMeta
from policyqa.settings import Settings

PLAN = Path(__file__).resolve().parents[2] / "corpus" / "002_b49ac05075a01c7f.txt"


@pytest.fixture(scope="module")
def count_tokens():
    return get_embedder("use-m3", 2, 64).count_tokens


def paragraph(count_tokens, low: int, high: int) -> str:
    """One paragraph of the plan's own sentences (its lines run together) of `low`..`high` model tokens."""
    text = " ".join(line.strip() for line in PLAN.read_text(encoding="utf-8").splitlines() if line.strip())
    end = next(end for end in range(200, len(text), 20) if count_tokens(text[:end]) >= low)
    assert count_tokens(text[:end]) <= high
    return text[:end].strip()


def joined(pieces: list[str]) -> str:
    """The pieces run together without whitespace (the splitter strips it at each cut)."""
    return "".join("".join(pieces).split())


def chunks(count_tokens, text: str, **settings) -> list[str]:
    meta = DocumentMeta(doc_id="d", title="t")
    document = Document(meta=meta, path="d.txt", text=text, content_hash="h")
    return [c.text for c in Chunker(Settings(**settings).chunking, count_tokens).chunk(document)]


def test_a_paragraph_over_320_tokens_stays_one_chunk_under_the_cap(count_tokens) -> None:
    long = paragraph(count_tokens, 500, 560)
    text = f"{long}\n\n短段落：医保支付方式改革。\n"
    assert chunks(count_tokens, text, chunk_paragraphs=True) == [long, "短段落：医保支付方式改革。"]
    split = chunks(count_tokens, text, chunk_paragraphs=True, paragraph_cap=320)  # the behaviour before
    assert len(split) > 2 and joined(split[:-1]) == joined([long])
    merged = chunks(count_tokens, text)  # paragraphs off, as the bundled corpus: chunk_size still rules
    assert len(merged) > 1 and all(count_tokens(c) <= 320 for c in merged)


def test_a_paragraph_over_the_cap_is_still_split(count_tokens) -> None:
    huge = paragraph(count_tokens, 1100, 1200)
    pieces = chunks(count_tokens, huge, chunk_paragraphs=True)
    assert len(pieces) > 1 and joined(pieces) == joined([huge])
    assert all(count_tokens(p) <= 1024 for p in pieces)
    assert max(count_tokens(p) for p in pieces) > 320


def test_an_index_built_before_the_cap_reads_as_split_at_its_chunk_size() -> None:
    """Before `paragraph_cap` existed, paragraph builds split at chunk_size: that is what they were built
    with, so an update neither rebuilds them nor chunks new files differently; other builds are unchanged."""
    old = Manifest(embedder="use-m3", dim=512, chunker={"chunk_size": 512, "chunk_overlap": 0,
                                                         "paragraphs": True,
                                                         "version": Settings().chunking.version})
    assert old.built_chunker()["paragraph_cap"] == 512 and built_with(old)["paragraph_cap"] == 512
    plain = old.model_copy(update={"chunker": {**old.chunker, "paragraphs": False}})
    assert plain.built_chunker() == Settings().chunking.model_dump() | {"chunk_size": 512}


def test_the_cap_is_a_build_setting_of_ingest(tmp_path: Path) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Title\n\nOne paragraph.\n\nAnother paragraph.\n", encoding="utf-8")
    built = cli("ingest", "--corpus", str(corpus), "--index", str(index), "--chunk-paragraphs",
                "--paragraph-cap", "2048")
    assert built.returncode == 0, built.stderr[-2000:]
    assert Index.read_manifest(index).chunker["paragraph_cap"] == 2048
    refused = cli("ingest", "--index", str(index), "--paragraph-cap", "400")
    assert refused.returncode == 2
    assert "paragraph_cap=2048" in refused.stderr and "--rebuild --paragraph-cap 400" in refused.stderr
