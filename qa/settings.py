"""The one frozen ``Settings``, read once from ``QA_*`` environment variables; defaults run fully offline."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "qa"


@dataclass(frozen=True)
class Settings:
    """All configuration. ``Settings.from_env()`` reads ``QA_<FIELD>`` for every field below."""

    data_dir: Path = _default_data_dir()
    seeds_dir: Path = REPO_ROOT / "seeds"
    model_path: Path | None = None  # any GGUF file; default: the bundled Qwen2.5-Coder-1.5B
    embed_model: str = ""  # a sentence-transformers model directory; default: bundled all-MiniLM-L6-v2
    chroma_url: str = ""  # http://host:port to use a Chroma server instead of the embedded store
    chroma_token: str = ""
    llm_url: str = ""  # base URL of an OpenAI-compatible server (…/v1)
    llm_model: str = "default"
    llm_api_key: str = ""
    top_k: int = 8  # retrieved hit sentences; each brings a small window of neighbours
    hops: int = 2  # best hits searched again with the question to find a bridging document (0: no second hop)
    # neighbour sentences on each side shown to the model. 0 (with top_k 10): median first token 15.5 s against
    # 18.0 s in two separate HotpotQA runs, but 9 of the labelled set's 19 unanswerable questions answered, not 5
    window: int = 1
    temperature: float = 0.0
    max_tokens: int = 256
    prompt: str = "list"  # how sources are shown: a numbered "list", or "running" text with markers (qa/prompt.py)
    n_ctx: int = 4096
    n_threads: int = 0  # 0: all cores
    max_file_mb: float = 50.0
    max_chars: int = 2_000_000  # extracted characters per file (about 400 pages)
    max_sentences: int = 20_000  # sentences per file (about a minute of embedding on 2 cores)
    file_seconds: float = 120.0  # time to extract one PDF, Word or HTML file's text (in a child process)
    support_threshold: float = 0.55  # judge P(Yes) below this: the citation does not support (bench/results/quality.md)
    answer_threshold: float = 0.60  # `python -m bench verifier`: judge P(Yes) below this: the claims do not answer
    relevance_threshold: float = 0.30  # below this best retrieval score, decline without asking the model
    host: str = "127.0.0.1"
    port: int = 7860
    api_token: str = ""
    allowed_hosts: str = ""  # comma-separated extra host names `qa serve` answers to (behind a proxy, say)
    log_level: str = "INFO"
    collection: str = "qa_sentences"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        """Build settings from ``QA_*`` variables, e.g. ``QA_DATA_DIR=/tmp/x``."""
        env = dict(os.environ if env is None else env)
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = env.get("QA_" + f.name.upper())
            if raw is None or raw == "":
                continue
            default = getattr(cls, f.name, None)
            if f.name in ("data_dir", "seeds_dir", "model_path"):
                values[f.name] = Path(raw).expanduser()
            elif isinstance(default, bool):
                values[f.name] = raw.lower() in ("1", "true", "yes")
            elif isinstance(default, int):
                values[f.name] = int(raw)
            elif isinstance(default, float):
                values[f.name] = float(raw)
            else:
                values[f.name] = raw
        return cls(**values)  # type: ignore[arg-type]

    def with_(self, **changes: object) -> Settings:
        """A copy with some fields changed (settings stay frozen)."""
        return replace(self, **changes)  # type: ignore[arg-type]
