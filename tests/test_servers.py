"""Server mode against real peers: a `chroma run` server (QA_CHROMA_URL, QA_CHROMA_TOKEN) and a llama.cpp
OpenAI-compatible server (QA_LLM_URL, QA_LLM_MODEL, QA_LLM_API_KEY), each started once per session.

The Chroma tests answer with a scripted generator; the slow tests ask the bundled model through the server.
"""

from __future__ import annotations

import http.server
import os
import shutil
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bench.peers import chroma_server, free_port, running
from qa.app import App, seed_files
from qa.errors import IndexStateError, ModelError
from qa.generate import OpenAIGenerator
from qa.settings import Settings
from tests.conftest import SEEDS, FakeGenerator

MODEL_ALIAS = "qwen2.5-coder-1.5b"
LLM_KEY = "test-llm-key"
QUESTION = "What did both sides agree to exchange?"


@pytest.fixture(scope="session")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Chroma server on a free loopback port over a temporary path."""
    with chroma_server(tmp_path_factory.mktemp("chroma-server") / "db") as url:
        yield url


@pytest.fixture(scope="session")
def llm_url(model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The bundled model behind llama-cpp-python's OpenAI-compatible server, with an API key."""
    root = tmp_path_factory.mktemp("llm-server")
    port = free_port()
    # llama_cpp.server loads the model itself: apply the same CPU-dependent parameters qa uses (AMX: see README)
    launch = (
        "import runpy, sys; from qa.generate import cpu_flags, model_overrides, patch_model_defaults; "
        "patch_model_defaults(model_overrides(cpu_flags())); sys.argv[0] = 'llama_cpp.server'; "
        "runpy.run_module('llama_cpp.server', run_name='__main__', alter_sys=True)"
    )
    cmd = [
        sys.executable,
        "-c",
        launch,
        "--model",
        str(model_path),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        "4096",
        "--model_alias",
        MODEL_ALIAS,
        "--api_key",
        LLM_KEY,
        "--n_threads",
        str(os.cpu_count() or 1),
    ]
    base = f"http://127.0.0.1:{port}/v1"
    auth = {"Authorization": f"Bearer {LLM_KEY}"}
    with running(cmd, base + "/models", root / "server.log", timeout=300, headers=auth):
        yield base


@pytest.fixture
def server_settings(settings: Settings, chroma_url: str) -> Settings:
    """Settings for the Chroma server, with a collection of its own so tests sharing the server stay apart."""
    return settings.with_(chroma_url=chroma_url, collection=f"qa-{uuid.uuid4().hex[:12]}")


def _peer_collection(settings: Settings):
    """The test's collection as another Chroma client sees it."""
    import chromadb

    port = int(settings.chroma_url.rsplit(":", 1)[1])
    return chromadb.HttpClient(host="127.0.0.1", port=port).get_collection(settings.collection)


def _peer_count(settings: Settings) -> int:
    return int(_peer_collection(settings).count())


def _seeded(settings: Settings, embedder, tmp_path: Path, generator=None) -> App:
    shutil.copytree(SEEDS, tmp_path / "docs")
    app = App(settings, embedder, generator)
    results = app.ingest(seed_files(tmp_path / "docs"))
    assert results and all(r.status == "indexed" for r in results), results
    return app


def _check_citations(app: App, answer) -> None:
    """Every shown citation is verbatim at its offsets and supports the sentence that cites it."""
    assert answer.citations, answer
    for c in answer.citations:
        doc = app.resolve(c.document)
        assert app.text(doc.doc_id)[c.start : c.end] == c.text
        if c.document.endswith(".txt"):
            assert Path(c.document).read_text(encoding="utf-8")[c.start : c.end] == c.text
        assert c.score >= app.settings.support_threshold
    assert {n for s in answer.sentences for n in s.citations} == {c.id for c in answer.citations}
    assert all(s.supported == bool(s.citations) for s in answer.sentences)
    assert any(s.supported for s in answer.sentences)


# --- Chroma server ---


def test_ingest_ask_remove_check_through_the_chroma_server(server_settings, embedder, tmp_path):
    reply = FakeGenerator("They agreed to exchange thousands of combatants [2].")
    app = _seeded(server_settings, embedder, tmp_path, reply)
    try:
        docs = app.documents()
        total = sum(d.sentences for d in docs)
        assert not (server_settings.data_dir / "chroma").exists()  # nothing embedded on disk
        assert app.store.count() == _peer_count(server_settings) == total

        assert {r.status for r in app.ingest(seed_files(tmp_path / "docs"))} == {"unchanged"}
        assert _peer_count(server_settings) == total

        answer = app.ask(QUESTION)
        assert not answer.declined
        _check_citations(app, answer)
        assert any("exchange thousands of combatants" in c.text for c in answer.citations)

        # what `qa check` compares (tested below): vectors per document on the server against the catalog
        assert app.store.doc_counts() == {d.doc_id: d.sentences for d in docs}

        gone = app.remove(answer.citations[0].document)
        assert app.store.ids_of(gone.doc_id) == []
        assert _peer_count(server_settings) == total - gone.sentences
        assert app.store.doc_counts() == {d.doc_id: d.sentences for d in app.documents()}
        assert gone.doc_id not in {d.doc_id for d in app.documents()}
        assert all("combatants" not in c.text for c in app.ask(QUESTION).citations)
    finally:
        app.close()


def test_changed_file_replaces_its_vectors_on_the_server(server_settings, embedder, tmp_path):
    note = tmp_path / "note.txt"
    note.write_text("The ferry leaves at nine. It returns at noon. Tickets cost four pounds.", encoding="utf-8")
    app = App(server_settings, embedder, FakeGenerator("unused"))
    try:
        (first,) = app.ingest([note])
        assert first.status == "indexed" and first.sentences == 3
        note.write_text(
            "The ferry leaves at ten. It returns at one. Tickets cost five pounds. Dogs travel free. "
            "Bicycles go on the lower deck.",
            encoding="utf-8",
        )
        (second,) = app.ingest([note])
        assert second.status == "indexed" and second.sentences == 5
        (doc,) = app.documents()
        assert sorted(app.store.ids_of(doc.doc_id)) == sorted(f"{doc.doc_id}:{i}" for i in range(5))
        assert _peer_count(server_settings) == 5
        hits = app.retriever.search("When does the ferry leave?", 3)
        assert app.sentences(doc.doc_id, hits[0].idx, hits[0].idx)[0].text == "The ferry leaves at ten."
    finally:
        app.close()


def test_index_on_the_server_outlives_the_app(server_settings, embedder, tmp_path):
    first = _seeded(server_settings, embedder, tmp_path)
    total = first.store.count()
    first.close()
    again = App(server_settings, embedder)
    try:
        assert again.store.count() == total
        hits = again.retriever.search(QUESTION, 3)
        assert any("combatants" in again.sentences(h.doc_id, h.idx, h.idx)[0].text for h in hits)
    finally:
        again.close()

    class OtherModel:
        name = "some-other-embedder"

        def embed(self, texts):
            return embedder.embed(texts)

    with pytest.raises(IndexStateError, match="qa reindex"):
        App(server_settings, OtherModel())


def test_check_and_repair_against_the_chroma_server(server_settings, embedder, tmp_path):
    app = _seeded(server_settings, embedder, tmp_path)
    try:
        assert app.check().ok
        total = app.store.count()
        victim = app.documents()[0]
        peer = _peer_collection(server_settings)
        peer.delete(where={"doc_id": victim.doc_id})  # vectors lost on the server
        peer.upsert(
            ids=["ghost:0"],
            embeddings=[[0.0] * 383 + [1.0]],
            documents=["Nobody indexed this."],
            metadatas=[{"doc_id": "ghost", "idx": 0, "sha": "x"}],
        )
        report = app.check()
        assert report.mismatched == [victim.path] and report.orphans == ["ghost"] and not report.ok
        assert app.check(repair=True).repaired
        assert app.check().ok
        assert _peer_count(server_settings) == total
    finally:
        app.close()


def test_moving_an_index_to_the_server_is_repaired_by_check(settings, server_settings, embedder, tmp_path):
    """The catalog stays on the qa host: after switching to a server, `qa check --repair` fills the collection."""
    local = _seeded(settings, embedder, tmp_path)
    total = local.store.count()
    local.close()
    app = App(server_settings, embedder)  # same data directory, now with QA_CHROMA_URL
    try:
        assert {r.status for r in app.ingest(seed_files(tmp_path / "docs"))} == {"unchanged"}
        assert app.store.count() == 0
        assert len(app.check().mismatched) == len(app.documents())
        app.check(repair=True)
        assert app.check().ok and _peer_count(server_settings) == total
    finally:
        app.close()


def test_settings_from_env_switch_to_the_server(server_settings, embedder, monkeypatch, tmp_path):
    monkeypatch.setenv("QA_CHROMA_URL", server_settings.chroma_url.removeprefix("http://"))  # no scheme
    monkeypatch.setenv("QA_COLLECTION", server_settings.collection)
    s = Settings.from_env()
    app = App(s, embedder)
    try:
        assert app.store.client.get_settings().chroma_api_impl == "chromadb.api.fastapi.FastAPI"
        note = tmp_path / "note.txt"
        note.write_text("The ferry leaves at nine. It returns at noon.", encoding="utf-8")
        assert app.ingest([note])[0].sentences == 2
        assert _peer_count(server_settings) == 2
        assert not (s.data_dir / "chroma").exists()
    finally:
        app.close()


class _AuthProxy(http.server.ThreadingHTTPServer):
    """Passes requests to Chroma only with the right bearer token, as Envoy or nginx would in front of a
    Chroma 1.x server (which has no authentication of its own)."""

    daemon_threads = True

    def __init__(self, upstream: str, token: str) -> None:
        self.upstream = httpx.Client(base_url=upstream, timeout=60)
        self.token = token
        self.refused = 0
        super().__init__(("127.0.0.1", 0), _ProxyHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _ProxyHandler(http.server.BaseHTTPRequestHandler):
    server: _AuthProxy
    _HOP = {"host", "content-length", "connection", "accept-encoding", "authorization"}

    def _forward(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.headers.get("Authorization") != f"Bearer {self.server.token}":
            self.server.refused += 1
            self._reply(401, b'{"error":"AuthError","message":"missing or wrong token"}', "application/json")
            return
        headers = {k: v for k, v in self.headers.items() if k.lower() not in self._HOP}
        resp = self.server.upstream.request(self.command, self.path, content=body, headers=headers)
        self._reply(resp.status_code, resp.content, resp.headers.get("content-type", "application/json"))

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _forward

    def _reply(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass


def test_chroma_token_reaches_the_server(server_settings, embedder, tmp_path):
    proxy = _AuthProxy(server_settings.chroma_url, "s3cret")
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        behind = server_settings.with_(chroma_url=proxy.url)
        for token in ("", "wrong"):
            with pytest.raises(IndexStateError, match="QA_CHROMA_TOKEN"):
                App(behind.with_(chroma_token=token), embedder)
        refused = proxy.refused
        assert refused >= 2
        app = _seeded(behind.with_(chroma_token="s3cret"), embedder, tmp_path)
        try:
            assert proxy.refused == refused
            assert app.store.count() == _peer_count(server_settings) > 0
            assert app.retriever.search(QUESTION, 3)
        finally:
            app.close()
    finally:
        proxy.shutdown()
        proxy.server_close()


def test_unreachable_chroma_server_is_a_clear_error(settings, embedder):
    with pytest.raises(IndexStateError, match="QA_CHROMA_URL"):
        App(settings.with_(chroma_url=f"http://127.0.0.1:{free_port()}"), embedder)


def test_unreachable_model_server_is_a_model_error():
    gen = OpenAIGenerator(f"http://127.0.0.1:{free_port()}/v1", MODEL_ALIAS, timeout=5)
    with pytest.raises(ModelError, match="QA_LLM_URL"):
        list(gen.stream([{"role": "user", "content": "hi"}], max_tokens=4, temperature=0.0))


# --- OpenAI-compatible model server (the bundled model behind llama_cpp.server) ---


@pytest.mark.slow
@pytest.mark.parametrize("store", ["embedded", "chroma-server"])
def test_end_to_end_ask_through_the_model_server(store, llm_url, chroma_url, settings, embedder, tmp_path):
    s = settings.with_(llm_url=llm_url, llm_model=MODEL_ALIAS, llm_api_key=LLM_KEY)
    if store == "chroma-server":
        s = s.with_(chroma_url=chroma_url, collection=f"qa-{uuid.uuid4().hex[:12]}")
    app = _seeded(s, embedder, tmp_path)  # no generator given: the App builds it from the settings
    try:
        stamps: list[float] = []
        answer = None
        for event in app.ask_stream(QUESTION):
            if event.kind == "token":
                stamps.append(time.perf_counter())
            elif event.kind == "answer":
                answer = event.data
        assert isinstance(app.generator(), OpenAIGenerator)
        assert app.model_name == MODEL_ALIAS
        assert len(stamps) >= 3 and stamps[-1] - stamps[0] > 0.05, "tokens did not stream as separate events"
        assert answer is not None and not answer.declined, answer
        assert "combatants" in answer.answer.lower()
        _check_citations(app, answer)
        assert any("exchange" in c.text for c in answer.citations)
        assert (s.data_dir / "chroma").exists() == (store == "embedded")
    finally:
        app.close()


@pytest.mark.slow
def test_wrong_model_server_key_is_a_model_error(llm_url):
    gen = OpenAIGenerator(llm_url, MODEL_ALIAS, "not-the-key")
    with pytest.raises(ModelError, match="401"):
        list(gen.stream([{"role": "user", "content": "hi"}], max_tokens=4, temperature=0.0))


@pytest.mark.slow
def test_the_judge_through_the_model_server(llm_url):
    """The verifier's judge over QA_LLM_URL: top_logprobs where the server gives them, else the one-token word."""
    from qa.judge import support_messages

    judge = OpenAIGenerator(llm_url, MODEL_ALIAS, LLM_KEY).judge()
    src = "The total cost of the Kestrel Bridge is estimated at £46 million."
    yes = judge.p_yes(support_messages("The Kestrel Bridge is estimated to cost £46 million.", src))
    no = judge.p_yes(support_messages("Tomatoes need six hours of sun a day.", src))
    assert yes > 0.5 > no
