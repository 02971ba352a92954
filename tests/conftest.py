"""Shared fixtures: every test gets its own data directory; the real embedder and model are loaded once."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from qa.settings import REPO_ROOT, Settings

SEEDS = REPO_ROOT / "seeds"

_WORDS = re.compile(r"[a-z0-9£.]+")


def _words(text: str) -> set[str]:
    """Words of four letters or more, cut to five (a crude stem: "agreed" and "agree" match)."""
    return {w.strip(".")[:5] for w in _WORDS.findall(text.lower()) if len(w.strip(".")) > 3}


TIMINGS = {"retrieve_s", "first_token_s", "verify_s", "total_s"}  # every answer's timings
RETRY_TIMING = "retry_s"  # only when the draft was asked again


def assert_timings(timings: dict) -> None:
    """The ``timings`` of an answer: every required key, and no other than ``retry_s``."""
    assert TIMINGS <= set(timings) <= TIMINGS | {RETRY_TIMING}, timings


class CountingEmbedder:
    """The real embedder, recording every text it is asked to embed (to test what is embedded, and how often)."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.name = inner.name
        self.texts: list[str] = []

    def embed(self, texts):
        self.texts += texts
        return self.inner.embed(texts)


class FakeGenerator:
    """The one fake model, for fast unit tests only: a scripted reply (a string, or a function of the prompt's last
    message) streamed word by word, and a crude deterministic judge (``p_yes``): a claim is "stated" by a source
    that has all its words of four letters or more, and a reply "answers" a question it shares such a word with.
    """

    name = "fake"

    def __init__(self, reply: str | Callable[[str], str] = "The documents do not say.") -> None:
        self.reply = reply
        self.calls: list[list[dict[str, str]]] = []
        self.judged: list[list[dict[str, str]]] = []

    def stream(self, messages, *, max_tokens, temperature):
        self.calls.append(messages)
        text = self.reply(messages[-1]["content"]) if callable(self.reply) else self.reply
        first, *rest = text.split(" ")
        yield first
        for word in rest:
            yield " " + word

    def p_yes(self, messages) -> float:
        self.judged.append(messages)
        user = messages[-1]["content"]
        fields = dict(line.split(": ", 1) for line in user.splitlines() if ": " in line)
        if "Facts" in fields:  # the verdict on a yes/no question: "no" when the facts are negated (asked for yes or no)
            negated = bool({"not", "never", "no"} & set(fields["Facts"].lower().replace(".", " ").split()))
            return 0.9 if negated == ("question no?" in user) else 0.1
        if "Claim" in fields:
            claim = _words(fields["Claim"])
            return 0.9 if len(claim & _words(fields["Source"])) >= 0.75 * len(claim) else 0.1
        return 0.9 if _words(fields.get("Question", "")) & _words(fields.get("Reply", "")) else 0.1


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith("QA_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("QA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("ANONYMIZED_TELEMETRY", "False")


@pytest.fixture(scope="session")
def embedder():
    from index.embed import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder()


@pytest.fixture(scope="session")
def model_path() -> Path:
    """The bundled GGUF model, assembled once into the default data directory (as `scripts/install` does)."""
    from qa.models import bundled_model

    return bundled_model(Settings(data_dir=Settings().data_dir).data_dir)


@pytest.fixture(scope="session")
def generator(model_path: Path):
    from qa.generate import LlamaCppGenerator

    return LlamaCppGenerator(model_path, n_ctx=4096)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", seeds_dir=SEEDS)


@pytest.fixture
def app(settings: Settings, embedder):
    from qa.app import App

    a = App(settings, embedder)
    yield a
    a.close()


@pytest.fixture(scope="session")
def seeded_app(tmp_path_factory: pytest.TempPathFactory, embedder, generator):
    """One app over a copy of seeds/ with the real model, shared by the end-to-end tests."""
    from qa.app import App, seed_files

    root = tmp_path_factory.mktemp("seeded")
    shutil.copytree(SEEDS, root / "seeds")
    a = App(Settings(data_dir=root / "data", seeds_dir=root / "seeds"), embedder, generator)
    results = a.ingest(seed_files(root / "seeds"))
    assert all(r.status == "indexed" for r in results), results
    yield a
    a.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serve_process(tmp_path: Path, model_path: Path, **env: str):
    """`qa serve` as a subprocess on a free port with its own data folder (and ``QA_*`` extras); yields its URL."""
    port = free_port()
    full = {
        **os.environ,
        "QA_DATA_DIR": str(tmp_path / "data"),
        "QA_MODEL_PATH": str(model_path),
        "GRADIO_TEMP_DIR": str(tmp_path / "gradio"),
        **env,
    }
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "front.cli", "serve", "--port", str(port)],
        cwd=REPO_ROOT,
        env=full,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    token = env.get("QA_API_TOKEN")
    health = urllib.request.Request(url + "api/health", headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        deadline = time.monotonic() + 240
        while True:
            assert proc.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                urllib.request.urlopen(health, timeout=5).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "qa serve did not start in time"
                time.sleep(1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
