"""Generators: the local GGUF model through llama-cpp-python, or any OpenAI-compatible server."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from qa.errors import ModelError

Messages = list[dict[str, str]]


class Generator(Protocol):
    name: str

    def stream(self, messages: Messages, *, max_tokens: int, temperature: float) -> Iterator[str]:
        """Yield the reply in pieces as they are generated."""
        ...


class LlamaCppGenerator:
    """One llama.cpp model; generations are serialised by a lock so users never interleave."""

    def __init__(self, model_path: Path, *, n_ctx: int = 4096, n_threads: int = 0) -> None:
        try:
            from llama_cpp import Llama
        except ImportError:
            raise ModelError("llama-cpp-python is not installed: run `bash scripts/install`.") from None
        threads = n_threads or max(1, os.cpu_count() or 1)
        try:
            self._llm = Llama(model_path=str(model_path), n_ctx=n_ctx, n_threads=threads, n_batch=512,
                              verbose=False, seed=0)
        except Exception as exc:
            raise ModelError(f"Could not load the model {model_path}: {exc}. Check QA_MODEL_PATH.") from None
        # No LlamaRAMCache: Llama already reuses the KV cache for a shared prompt prefix (the system prompt),
        # and restoring saved states gave wrong answers in our probes.
        self.name = model_path.name
        self.lock = threading.Lock()

    def stream(self, messages: Messages, *, max_tokens: int, temperature: float) -> Iterator[str]:
        with self.lock:
            for chunk in self._llm.create_chat_completion(
                messages=messages, max_tokens=max_tokens, temperature=temperature, stream=True,  # type: ignore[arg-type]
                top_k=1 if temperature == 0 else 40,
            ):
                delta: Any = chunk["choices"][0]["delta"]  # type: ignore[index]
                piece = delta.get("content") if isinstance(delta, dict) else None
                if piece:
                    yield str(piece)


class OpenAIGenerator:
    """Streams from ``{base_url}/chat/completions`` of an OpenAI-compatible server (llama.cpp, vLLM, Ollama)."""

    def __init__(self, base_url: str, model: str, api_key: str = "", *, timeout: float = 600.0) -> None:
        import httpx

        base = base_url.rstrip("/")
        self.url = base + ("/chat/completions" if base.endswith("/v1") else "/v1/chat/completions")
        self.name = model
        self.headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.client = httpx.Client(timeout=timeout)
        self.lock = threading.Lock()

    def stream(self, messages: Messages, *, max_tokens: int, temperature: float) -> Iterator[str]:
        import httpx

        body = {"model": self.name, "messages": messages, "max_tokens": max_tokens, "temperature": temperature,
                "stream": True}
        try:
            with self.client.stream("POST", self.url, json=body, headers=self.headers) as resp:
                if resp.status_code != 200:
                    resp.read()
                    raise ModelError(f"The model server at {self.url} answered {resp.status_code}: {resp.text[:200]}")
                for line in resp.iter_lines():
                    if not line.startswith("data:"):
                        continue
                    data = line[5:].strip()
                    if data == "[DONE]":
                        break
                    choices = json.loads(data).get("choices") or [{}]
                    piece = (choices[0].get("delta") or {}).get("content")
                    if piece:
                        yield piece
        except httpx.HTTPError as exc:
            raise ModelError(f"Cannot reach the model server at {self.url} ({exc}). Check QA_LLM_URL.") from None
