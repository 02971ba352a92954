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


AMX_HINT = (
    "llama.cpp crashed in its CPU backend. On Intel CPUs with AMX, qa turns off llama.cpp's weight repacking "
    "(use_extra_bufts); if it still fails, set QA_LLM_URL to an OpenAI-compatible model server."
)


def cpu_flags(cpuinfo: str | None = None) -> set[str]:
    """The CPU feature flags of the first ``flags`` line of ``/proc/cpuinfo`` (empty where there is none)."""
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text(errors="replace")
        except OSError:
            return set()
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("flags", "Features"):
            return set(value.split())
    return set()


def model_overrides(flags: set[str]) -> dict[str, Any]:
    """``llama_model_params`` fields to change for this CPU.

    On CPUs with AMX (``amx_tile``), llama.cpp's AMX weight repacking (an "extra buffer type") segfaults in
    ``ggml_backend_amx_mul_mat`` with llama-cpp-python 0.3.36 built natively: turn the extra buffer types off
    there. Elsewhere they stay on (they repack Q4_K weights for AVX2, which is faster); see README "Hardware".
    """
    return {"use_extra_bufts": False} if "amx_tile" in flags else {}


_PARAMS_LOCK = threading.Lock()


def patch_model_defaults(overrides: dict[str, Any]) -> Any:
    """Make ``llama_model_default_params`` return parameters with ``overrides`` applied; returns the original.

    For processes that load models through llama-cpp-python's own code (``python -m llama_cpp.server``)."""
    import llama_cpp.llama_cpp as lib

    default = lib.llama_model_default_params

    def params() -> Any:
        p = default()
        for key, value in overrides.items():
            setattr(p, key, value)
        return p

    lib.llama_model_default_params = params
    return default


def _load_llama(overrides: dict[str, Any], **kwargs: Any) -> Any:
    """``Llama(**kwargs)`` with ``overrides`` applied to its model parameters (not ``Llama`` keyword arguments)."""
    import llama_cpp.llama_cpp as lib
    from llama_cpp import Llama

    if not overrides:
        return Llama(**kwargs)
    with _PARAMS_LOCK:  # Llama reads the defaults once, while it loads
        default = patch_model_defaults(overrides)
        try:
            return Llama(**kwargs)
        finally:
            lib.llama_model_default_params = default


MIN_BATCH = 8
# A batch starts at a position that is a multiple of ALIGN. On AMD EPYC CPUs (no AMX) llama.cpp's kernels take the
# batch's tokens in groups of 4 from its start: reusing a cached prefix of 17-19, 21-23, … tokens (not a multiple
# of 4) moved the first-token logits of a 97-token prompt by up to 0.52 against a fresh evaluation; every multiple
# of 4 gave the same logits to the bit. Intel Xeons with AMX were exact for any split into batches of 8 or more.
ALIGN = 8


def _chunks(total: int, n_batch: int) -> list[int]:
    """Sizes of at most ``n_batch`` that add up to ``total``, each but the last a multiple of ``ALIGN``, as even as
    can be, so none is small (513 -> 264, 249)."""
    if total <= 0:
        return []
    count = -(-total // n_batch)
    size = -(-total // count)
    size = min(-(-size // ALIGN) * ALIGN, max(ALIGN, n_batch - n_batch % ALIGN))
    out = []
    while total > 0:
        out.append(min(size, total))
        total -= out[-1]
    return out


class LlamaSession:
    """One loaded model, the lock that serialises its users, and which part of its KV cache may be reused.

    llama.cpp's CPU backend multiplies a batch of fewer than ``MIN_BATCH`` (8) tokens another way than a larger
    one (and, on some CPUs, groups a batch's tokens from its start: ``ALIGN``), and the two disagree in the last
    bits: the first-token logits of a 607-token prompt moved by up to 0.58
    when its first or last 1-7 tokens were evaluated as a batch of their own, and by exactly 0 for any split into
    batches of 8 or more (1 to 1,000 tokens reused). Reusing whatever the previous prompt left in the cache
    therefore made the greedy draft depend on what was asked before: 3 of 134 drafts of the same prompts differed
    between two bench runs whose judge calls differed. So a prompt is evaluated in batches of at least 8 tokens,
    and only positions evaluated that way (prompts, never generated tokens) are reused: every draft and every
    judge score is then the one a fresh evaluation of the same prompt gives, and the shared prefix is still reused.
    """

    def __init__(self, llm: Any) -> None:
        self.llm = llm
        self.lock = threading.Lock()
        self._exact: list[int] = []  # the cached prompt tokens evaluated in batches of MIN_BATCH or more
        self._format = self._formatter(llm)

    @staticmethod
    def _formatter(llm: Any) -> Any:
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        meta = getattr(llm, "metadata", {}) or {}
        template = meta.get("tokenizer.chat_template")
        if not template:
            return None
        eos = llm.detokenize([llm.token_eos()]).decode("utf-8", "ignore") if llm.token_eos() >= 0 else ""
        bos = llm.detokenize([llm.token_bos()]).decode("utf-8", "ignore") if llm.token_bos() >= 0 else ""
        return Jinja2ChatFormatter(template, eos_token=eos, bos_token=bos)

    def tokens(self, messages: Messages) -> list[int]:
        """The prompt's tokens, as llama-cpp-python's chat handler for the model's own template makes them."""
        if self._format is None:
            text = "".join(f"{m['role'].capitalize()}: {m['content']}\n" for m in messages) + "Assistant:"
            return list(self.llm.tokenize(text.encode(), add_bos=True, special=True))
        result = self._format(messages=messages)
        return list(self.llm.tokenize(result.prompt.encode("utf-8"), add_bos=not result.added_special, special=True))

    def prefill(self, tokens: list[int]) -> None:
        """Put ``tokens`` in the KV cache (the caller holds the lock): the logits after them are then the last ones."""
        llm = self.llm
        cached = llm.input_ids[: llm.n_tokens].tolist()
        keep = 0
        for a, b, c in zip(tokens, self._exact, cached, strict=False):
            if not a == b == c:
                break
            keep += 1
        keep = max(0, min(keep, len(tokens) - MIN_BATCH))
        keep -= keep % ALIGN  # the reused positions end where a fresh evaluation's group of tokens ends too
        if not llm._ctx.kv_cache_seq_rm(-1, keep, -1):
            llm.reset()
            llm._ctx.kv_cache_seq_rm(-1, 0, -1)
            keep = 0
        llm.n_tokens = keep
        start = keep
        for size in _chunks(len(tokens) - keep, llm.n_batch):
            llm.eval(tokens[start : start + size])
            start += size
        self._exact = list(tokens) if len(tokens) >= MIN_BATCH else []  # a shorter prompt is one small batch


class LlamaCppGenerator:
    """One llama.cpp model; generations are serialised by a lock so users never interleave."""

    def __init__(self, model_path: Path, *, n_ctx: int = 4096, n_threads: int = 0, flags: set[str] | None = None) -> None:
        try:
            import llama_cpp  # noqa: F401
        except ImportError:
            raise ModelError("llama-cpp-python is not installed: run `bash scripts/install`.") from None
        threads = n_threads or max(1, os.cpu_count() or 1)
        self.overrides = model_overrides(cpu_flags() if flags is None else flags)
        try:
            self._llm = _load_llama(
                self.overrides, model_path=str(model_path), n_ctx=n_ctx, n_threads=threads, n_batch=512, verbose=False, seed=0
            )
        except Exception as exc:
            raise ModelError(f"Could not load the model {model_path}: {exc}. Check QA_MODEL_PATH.") from None
        # No LlamaRAMCache: restoring saved states gave wrong answers in our probes. The cache is reused through
        # LlamaSession instead, which keeps the answer independent of what was asked before.
        self.name = model_path.name
        self.session = LlamaSession(self._llm)
        self.lock = self.session.lock

    @property
    def llama(self) -> Any:
        """The loaded ``llama_cpp.Llama``: one copy of the weights, for another wrapper to share (bench's baseline)."""
        return self._llm

    def stream(self, messages: Messages, *, max_tokens: int, temperature: float) -> Iterator[str]:
        with self.lock:
            self.session.prefill(self.session.tokens(messages))
            # the whole prompt is now in the cache: llama-cpp-python samples from the last logits without re-evaluating
            for chunk in self._llm.create_chat_completion(
                messages=messages,
                max_tokens=max_tokens,
                temperature=temperature,
                stream=True,  # type: ignore[arg-type]
                top_k=1 if temperature == 0 else 40,
            ):
                delta: Any = chunk["choices"][0]["delta"]  # type: ignore[index]
                piece = delta.get("content") if isinstance(delta, dict) else None
                if piece:
                    yield str(piece)

    def judge(self) -> Any:
        """The yes/no judge over the same model (``qa.judge``), sharing its lock and its prompt cache."""
        from qa.judge import LlamaCppJudge

        return LlamaCppJudge(self.session, self.name)


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

    def judge(self) -> Any:
        """The yes/no judge over the same server, URL, key and HTTP client."""
        from qa.judge import OpenAIJudge

        return OpenAIJudge(self.url, self.name, self.headers, self.client)

    def stream(self, messages: Messages, *, max_tokens: int, temperature: float) -> Iterator[str]:
        import httpx

        body = {"model": self.name, "messages": messages, "max_tokens": max_tokens, "temperature": temperature, "stream": True}
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


_PROBE = """
import sys
from pathlib import Path
from qa.generate import LlamaCppGenerator
g = LlamaCppGenerator(Path(sys.argv[1]), n_ctx=512, n_threads=int(sys.argv[2]))
print(repr("".join(g.stream([{"role": "user", "content": "Say OK."}], max_tokens=2, temperature=0.0))))
"""


def probe(
    model_path: Path,
    *,
    n_threads: int = 0,
    stamp_dir: Path | None = None,
    command: list[str] | None = None,
    timeout: float = 900.0,
) -> None:
    """Load the model and generate two tokens in a child process, so that a crash inside llama.cpp (a signal,
    not an exception) becomes one clear ``ModelError`` instead of a core dump. Done once per model file, CPU
    and llama-cpp-python version: the stamp in ``stamp_dir`` remembers a probe that passed.
    """
    import hashlib
    import signal
    import subprocess
    import sys

    try:
        from importlib.metadata import version

        build = version("llama_cpp_python")
    except Exception:
        build = "?"
    st = model_path.stat()
    flags = cpu_flags()
    key = " ".join(
        [
            str(model_path),
            str(st.st_size),
            str(st.st_mtime_ns),
            build,
            str(model_overrides(flags)),
            hashlib.sha256(" ".join(sorted(flags)).encode()).hexdigest()[:16],
        ]
    )
    stamp = (stamp_dir / f"{model_path.name}.probed") if stamp_dir else None
    if stamp is not None and stamp.is_file() and stamp.read_text() == key:
        return
    argv = command or [sys.executable, "-c", _PROBE, str(model_path), str(n_threads)]
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise ModelError(
            f"The model {model_path.name} did not answer a two-token prompt in {timeout:.0f} s. "
            "Set QA_N_THREADS, or QA_LLM_URL to an OpenAI-compatible model server."
        ) from None
    if proc.returncode < 0:
        try:
            name = signal.Signals(-proc.returncode).name
        except ValueError:
            name = f"signal {-proc.returncode}"
        raise ModelError(f"The model {model_path.name} crashed on its first generation ({name}). {AMX_HINT}")
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no message"])[-1]
        raise ModelError(f"The model {model_path.name} failed on its first generation: {last}")
    if stamp is not None:
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text(key)
