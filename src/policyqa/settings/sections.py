"""The typed sections: each stage reads its own (`settings.fusion.depth`), users set the flat names
(`fusion_depth`).

A section is declared once, as a map of its fields to the flat settings they read; each field takes the
flat setting's type and default (defaults live in one place), and the section becomes the property
`Settings.<section>` that builds it from a Settings.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, create_model
from pydantic.fields import FieldInfo

from .flat import Settings


def _default(flat: FieldInfo) -> Any:
    """The flat setting's default, or its factory (the fitted weights: every section gets its own dict)."""
    return Field(default_factory=flat.default_factory) if flat.default_factory else flat.default


def _section(prop: str, name: str, doc: str, reads: dict[str, str], **own: Any) -> type[BaseModel]:
    """The section `name` whose fields read the flat settings in `reads` (field: flat name), plus fields
    of its `own` as (type, default); also added to Settings as the property `prop`."""
    flat = {field: Settings.model_fields[setting] for field, setting in reads.items()}
    section = create_model(name, __doc__=doc, __module__=__name__,
                           **{field: (f.annotation, _default(f)) for field, f in flat.items()}, **own)
    build = property(lambda settings: section(**{field: getattr(settings, s) for field, s in reads.items()}),
                     doc=f"the settings' {name}")
    setattr(Settings, prop, build)
    return section


def _same(*names: str) -> dict[str, str]:
    """Fields that keep their flat names."""
    return {name: name for name in names}


ChunkingSettings = _section(
    "chunking", "ChunkingSettings", "Everything that changes chunk boundaries; stored in the index manifest.",
    {"chunk_size": "chunk_size", "chunk_overlap": "chunk_overlap", "paragraphs": "chunk_paragraphs",
     "paragraph_cap": "paragraph_cap"},
    # 2: a clause break never splits a number (3,900) or a time (10:30); 3: closing quotes and brackets
    # stay with their sentence (。” is one end), in chunks and in sentence vectors; 4: a footnoted claim
    # followed by a bullet ("... yuan [4] - The zone") ends a sentence, in chunks and sentence vectors; 5: a
    # full stop after an abbreviation ("No. 82", "Dr.", "U.S.") or before a lower-case word ends no
    # sentence, in sentence vectors (an older build is re-embedded from scratch at its next ingest)
    version=(int, 5),
)
IndexSettings = _section(
    "index", "IndexSettings", "How a build stores and searches its vectors.",
    _same("index_type", "hnsw_threshold", "hnsw_m", "hnsw_ef_construction", "hnsw_ef_search", "vector_store",
          "milvus_uri", "sentence_vectors", "clause_chars", "keyword_titles", "bm25_saturation"),
)
FusionSettings = _section(
    "fusion", "FusionSettings",
    "How the channels mix; set with `policyqa eval` on eval/questions.jsonl and XQuAD "
    "(docs/retrieval-experiments.md).",
    {"depth": "fusion_depth", **_same("sentence_weight", "bm25_weight", "debias", "glossary", "dictionary",
                                      "dictionary_weight", "bm25_sentence_weight", "word_part_share",
                                      "place_slot", "place_slot_passages", "place_slot_share",
                                      "keyword_function_words", "spelling", "spelling_min_letters",
                                      "spelling_long_word")},
)
RerankSettings = _section(
    "rerank", "RerankSettings", "Which reranker reorders the first candidates, and how far it looks.",
    {"reranker": "reranker", "depth": "rerank_depth", "answer_type_weight": "answer_type_weight"},
)
AnswerSettings = _section(
    "answer", "AnswerSettings",
    "How the answer layer picks its sentences and when it declines; the weights are fitted models.",
    {"passages": "answer_passages", "max_sentences": "answer_max_sentences", "margin": "answer_margin",
     **_same("sentence_weights", "refusal_weights", "refusal_threshold", "decline_without_figure",
              "closest_floor", "warm_passages"), "one_region": "compare_one_region",
     "one_per_passage": "answer_one_per_passage"},
)
LLMSettings = _section(
    "llm", "LLMSettings", "An OpenAI-compatible server (the key comes from the environment only).",
    {name: f"openai_{name}" for name in ("base_url", "model", "api_key", "timeout", "retries", "max_tokens",
                                         "temperature", "claim_overlap", "claim_cosine")},
)
ServeSettings = _section(
    "serve", "ServeSettings", "`policyqa serve`: address, limits, feedback log and queue.",
    _same("host", "port", "max_upload_mb", "feedback_path", "api_key", "serve_concurrency",
          "serve_queue_size", "serve_queue_poll_seconds"),
)
