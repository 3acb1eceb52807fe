"""One Settings object for every command, from defaults < config file < POLICYQA_* env vars < CLI flags.

The config file is `policyqa.yaml` in the working directory, or the path in `POLICYQA_CONFIG`.
CLI flags are applied by the caller with `Settings.load(**overrides)`; `None` overrides are ignored so
an unset flag never hides a value from the environment or the config file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

Mode = Literal["dense", "bm25", "hybrid"]
Backend = Literal["extractive", "openai"]


class Settings(BaseSettings):
    """Everything configurable, with the defaults a first-time user should get."""

    model_config = SettingsConfigDict(env_prefix="POLICYQA_", extra="ignore")

    corpus_dir: Path = Path("corpus")
    index_dir: Path = Path("index")
    embedder: str = Field(
        "use-m3",
        description="'use-m3' (bundled multilingual USE) or 'st:<dir-or-name>' (local sentence-transformers)",
    )
    embed_threads: int = Field(default_factory=lambda: os.cpu_count() or 2)
    embed_batch_size: int = 64
    chunk_size: int = Field(320, description="target chunk length in embedding-model tokens")
    chunk_overlap: int = Field(0, description="overlap between adjacent chunks of one section, in tokens")
    chunk_paragraphs: bool = Field(
        False, description="never merge blank-line paragraphs into one chunk (encyclopaedia-style corpora)"
    )
    sentence_vectors: bool = Field(
        True, description="also embed each sentence of a passage; a passage scores by its best sentence too"
    )
    glossary: bool = Field(
        True, description="expand keyword queries into the other language with the bilingual glossary"
    )
    bm25_weight: float = Field(1.0, description="hybrid: weight of BM25 coverage (0..1) beside dense")
    debias: float = Field(0.5, description="hybrid: share of the same-language cosine bias removed (0..1)")
    fusion_depth: int = Field(50, description="hybrid: candidates taken from each channel and language")
    reranker: str = Field(
        "answer-type", description="reorders the top candidates: answer-type, none or cross-encoder:<folder>"
    )
    index_type: Literal["auto", "flat", "hnsw"] = "auto"
    hnsw_threshold: int = Field(50_000, description="'auto' switches from exact search to HNSW above this")
    hnsw_m: int = Field(32, description="HNSW graph degree (more = better recall, more memory, slower build)")
    hnsw_ef_construction: int = Field(80, description="HNSW build-time search depth")
    hnsw_ef_search: int = Field(128, description="HNSW query-time search depth (recall vs latency)")
    vector_store: Literal["faiss", "milvus"] = Field(
        "faiss", description="'faiss' (embedded, default) or 'milvus' (Milvus Lite file or a Milvus server)"
    )
    milvus_uri: str = Field(
        "",
        description="Milvus server URI (http://host:19530); empty = a Milvus Lite file in the build folder",
    )
    k: int = 5
    mode: Mode = "hybrid"
    backend: Backend = "extractive"
    min_score: float = Field(
        0.24, description="best passage's dense cosine below which the documents are taken not to answer "
        "(calibrated with eval/calibrate_refusal.py)"
    )
    openai_base_url: str = "http://127.0.0.1:8000/v1"
    openai_model: str = "default"
    openai_api_key: SecretStr = SecretStr("")
    openai_timeout: float = 30.0
    openai_retries: int = 1
    openai_max_tokens: int = Field(512, description="longest answer an LLM backend may generate, in tokens")
    openai_temperature: float = 0.1
    host: str = "127.0.0.1"
    port: int = 7860
    max_question_chars: int = 2000
    max_upload_mb: int = Field(50, description="largest upload in MiB (2**20 bytes), as Gradio counts it")
    login_max_failures: int = Field(5, description="wrong passwords from one address before it is locked out")
    login_lockout_seconds: float = Field(2.0, description="first lockout; doubles with every further failure")
    login_lockout_max_seconds: float = Field(600.0, description="longest lockout after failed sign-ins")
    feedback_path: Path = Field(Path("feedback/feedback.jsonl"), description="JSONL log of thumbs up/down")
    serve_concurrency: int = Field(4, description="questions answered at once; the rest queue")
    serve_queue_size: int = Field(256, description="requests the `serve` queue holds before refusing more")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Order of precedence: CLI flags (init) > environment > config file > defaults."""
        return init_settings, env_settings, _YamlSource(settings_cls)

    @classmethod
    def load(cls, **overrides: Any) -> Settings:
        """Build settings, letting only the CLI flags that were actually given override."""
        return cls(**{k: v for k, v in overrides.items() if v is not None})


class _YamlSource(PydanticBaseSettingsSource):
    """Reads `policyqa.yaml` (or $POLICYQA_CONFIG); a missing default file is simply no config."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:  # pragma: no cover
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        explicit = os.environ.get("POLICYQA_CONFIG")
        path = Path(explicit) if explicit else Path("policyqa.yaml")
        if not path.exists():
            if explicit:
                raise FileNotFoundError(f"POLICYQA_CONFIG points at {path}, which does not exist")
            return {}
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            problem = getattr(exc, "problem", None) or "cannot be parsed"
            raise ValueError(f"{path} is not valid YAML ({problem}{where}): fix that line or remove the "
                             "file") from None
        if not isinstance(data, dict):
            raise ValueError(f"{path}: expected a mapping of setting: value")
        data = {k.replace("-", "_"): v for k, v in data.items()}
        for key in SECRETS & set(data):
            raise ValueError(f"{path}: {key} must not be kept in a config file (it would be committed or "
                             f"shared); set the environment variable POLICYQA_{key.upper()} instead")
        return data


#: settings that only the environment may set
SECRETS = {"openai_api_key"}
