"""What a build was made with, and the errors an index refuses with."""

from __future__ import annotations

from pydantic import BaseModel, Field

from ..settings import ChunkingSettings

#: 2: chunks no longer carry a separate embed_text; the manifest records the keyword tokenizer
#: 3: every chunk carries its region tags (`places`), which filters, citations and compare read
FORMAT_VERSION = 3

#: sentence vectors (float16) of multi-sentence chunks, and each chunk's first row in them (n_chunks + 1)
SENTENCES, SENTENCE_OFFSETS = "sentences.npy", "sentence_offsets.npy"
#: clause-window vectors (float16) of long sentences, and each chunk's first row in them (n_chunks + 1)
CLAUSES, CLAUSE_OFFSETS = "clauses.npy", "clause_offsets.npy"

REBUILD_HINT = "rebuild it with: policyqa ingest --corpus {corpus} --index {index}"


class IndexMismatch(Exception):
    """An index built with other settings than the ones asked for; the message says what and how to fix."""


class IndexMissing(Exception):
    """No index where one was expected."""


class IndexLocked(Exception):
    """Another process is writing this index."""


class IndexWriteFailed(Exception):
    """The disk refused a build (full, or failing); the message names the folder. Nothing was changed."""


class Manifest(BaseModel):
    """What an index was built with; compared field by field before the index is used."""

    format_version: int = FORMAT_VERSION
    embedder: str
    dim: int
    chunker: dict
    tokenizer: dict = Field(default_factory=dict, description="what the BM25 tokens were made with")
    vector_store: str = "faiss"
    index_type: str = "flat"
    vector_store_config: dict = Field(default_factory=dict, description="what the vector store reopens with")
    documents: dict[str, str] = Field(default_factory=dict, description="doc_id -> content hash")
    files: dict[str, str] | None = Field(None, description="corpus path -> doc_id, so ids never move")
    embedder_spec: str = Field("", description="the `embedder` setting that reopens the model")
    sentence_vectors: bool | None = Field(None, description="whether sentences were embedded too")
    clause_chars: int | None = Field(None, description="sentences at least this long had their clause "
                                     "windows embedded (None: built before the setting, so none; the next "
                                     "ingest applies it)")
    keyword_titles: bool | None = Field(None, description="whether BM25 read each passage with its "
                                        "document's title (None: built before the setting, so no; the "
                                        "next ingest applies it)")
    bm25_saturation: dict[str, list[float]] | None = Field(
        None, description="BM25 (k1, b) per passage language (None: built before the setting, one k1 and b "
        "for all, bm25s's 1.5 and 0.75; the next ingest applies it)")
    n_chunks: int = 0
    n_sentences: int = Field(0, description="sentence vectors stored beside the passage vectors")
    n_clauses: int = Field(0, description="clause-window vectors stored beside them")
    corpus_dir: str = ""
    built_at: str = ""
    build_seconds: float = 0.0

    def built_chunker(self) -> dict:
        """The chunker settings this index was built with, as `ChunkingSettings.model_dump()` gives them.

        Settings added after an index was built take their defaults, which it was built with; except that
        paragraphs were split at `chunk_size` before `paragraph_cap` existed.
        """
        built = {**ChunkingSettings().model_dump(), **self.chunker}
        if built["paragraphs"] and "paragraph_cap" not in self.chunker:
            built["paragraph_cap"] = built["chunk_size"]
        return built

    def differences(self, tokenizer: dict, embedder: str | None = None, dim: int | None = None,
                    chunker: dict | None = None) -> list[str]:
        """Human-readable list of what differs from this policyqa's format and keyword tokenizer and,
        when given, from the configured embedder and chunker."""
        diffs = []
        if self.format_version != FORMAT_VERSION:
            diffs.append(f"index format {self.format_version} (this policyqa reads {FORMAT_VERSION})")
        if embedder is not None and (self.embedder != embedder or self.dim != dim):
            diffs.append(f"embedder {self.embedder} ({self.dim}-d) vs configured {embedder} ({dim}-d)")
        built = self.built_chunker()
        for key in sorted(set(built) | set(chunker or {})) if chunker is not None else ():
            if built.get(key) != chunker.get(key):
                diffs.append(f"chunker {key}={built.get(key)!r} vs configured {chunker.get(key)!r}")
        changed = sorted(key for key in set(self.tokenizer) | set(tokenizer)
                         if self.tokenizer.get(key) != tokenizer.get(key))
        if changed:
            diffs.append(f"keyword tokenizer ({', '.join(changed)}) differs from this policyqa's")
        return diffs
