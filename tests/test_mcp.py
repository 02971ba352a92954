"""qa as an MCP server, through the SDK's own client: in-process with the fake model (fast), over stdio as
`qa mcp` (a subprocess; the real model once) and over streamable HTTP at /mcp of `qa serve` (behind the token)."""

import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import anyio
import httpx
import httpx2
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

from front.mcp_server import build_mcp, document_uri
from qa.settings import REPO_ROOT
from tests.conftest import SEEDS, FakeGenerator, serve_process
from tests.test_ui import server  # noqa: F401 (the fixture)

TOOLS = {"ask", "search", "compare", "verify", "list_documents"}
ANSWER_KEYS = {"answer", "declined", "sentences", "citations", "timings"}
COUNCIL = SEEDS / "kestrel_bridge_council_report.md"
NEWSLETTER = SEEDS / "kestrel_bridge_residents_newsletter.html"
QUESTION = "Who is the main contractor for the Kestrel Bridge?"


def _data(result):
    """A tool's JSON: its text is the CLI's JSON and its structured content the same object."""
    assert not result.is_error, result.content
    data = json.loads(result.content[0].text)
    assert result.structured_content == (data if isinstance(data, dict) else {"documents": data})
    return data


async def _texts(client) -> dict[str, tuple[str, str]]:
    """path -> (doc_id, extracted text), read through the resources."""
    found = {}
    for d in _data(await client.call_tool("list_documents", {})):
        read = await client.read_resource(document_uri(d["doc_id"]))
        found[d["path"]] = (d["doc_id"], read.contents[0].text)
    return found


async def _check_search(client, query: str, texts: dict[str, tuple[str, str]]) -> list[dict]:
    sentences = _data(await client.call_tool("search", {"query": query, "k": 5}))["sentences"]
    assert 0 < len(sentences) <= 5
    for s in sentences:
        doc_id, text = texts[s["document"]]
        assert s["doc_id"] == doc_id and s["uri"] == document_uri(doc_id)
        assert text[s["start"] : s["end"]] == s["text"]
        assert {"page", "score", "similarity"} <= set(s)
    return sentences


def _verbatim(citations: list[dict], texts: dict[str, tuple[str, str]]) -> None:
    for c in citations:
        assert texts[c["document"]][1][c["start"] : c["end"]] == c["text"], c


# ---------------------------------------------------------------- in-process, the fake model (fast)


@pytest.fixture
def qa_app(settings, embedder):
    from qa.app import App

    a = App(settings, embedder, FakeGenerator("The main contractor for the bridge is Brightwater Civil Works [1]."))
    assert {r.status for r in a.ingest([COUNCIL, NEWSLETTER])} == {"indexed"}
    yield a
    a.close()


def test_the_tools_return_the_cli_json_and_the_resources_hold_the_cited_text(qa_app):
    async def go():
        async with Client(build_mcp(qa_app)) as client:
            tools = (await client.list_tools()).tools
            assert {t.name for t in tools} == TOOLS
            assert all(t.annotations.read_only_hint and t.output_schema for t in tools)
            docs = _data(await client.call_tool("list_documents", {}))
            assert docs == [d.to_json() for d in qa_app.documents()]
            listed = (await client.list_resources()).resources
            assert {str(r.uri) for r in listed} == {document_uri(d["doc_id"]) for d in docs}
            templates = (await client.list_resource_templates()).resource_templates
            assert [t.uri_template for t in templates] == ["qa://documents/{doc_id}"]
            texts = await _texts(client)
            assert all(text == qa_app.text(doc_id) for doc_id, text in texts.values())
            by_name = await client.read_resource("qa://documents/" + COUNCIL.name)  # a file name works too
            assert by_name.contents[0].text == texts[str(COUNCIL)][1]

            hits = await _check_search(client, QUESTION, texts)
            assert "Brightwater" in hits[0]["text"]
            only = _data(await client.call_tool("search", {"query": QUESTION, "docs": [NEWSLETTER.name]}))
            assert {s["document"] for s in only["sentences"]} == {str(NEWSLETTER)}

            answer = _data(await client.call_tool("ask", {"question": QUESTION, "docs": [COUNCIL.name]}))
            assert ANSWER_KEYS <= set(answer) and answer["declined"] is False and answer["citations"]
            _verbatim(answer["citations"], texts)
            check = _data(await client.call_tool("verify", {"statement": "The main contractor is Brightwater Civil Works."}))
            assert set(check) == {"statement", "verdict", "citations", "timings"} and check["verdict"] == "supported"
            assert check["citations"][0]["stance"] == "supports"
            _verbatim(check["citations"], texts)
            compared = _data(await client.call_tool("compare", {"question": QUESTION}))
            assert set(compared) == {"question", "documents", "points", "timings", "asked"}
            assert {d["document"] for d in compared["documents"]} == {str(COUNCIL), str(NEWSLETTER)}
            for d in compared["documents"]:
                _verbatim(d["answer"]["citations"], texts)

    anyio.run(go)


def test_user_errors_are_tool_errors_and_a_crash_says_no_more(qa_app, monkeypatch):
    async def go():
        async with Client(build_mcp(qa_app)) as client:
            empty = await client.call_tool("ask", {"question": "  "})
            assert empty.is_error and "the question is empty" in empty.content[0].text
            unknown = await client.call_tool("search", {"query": "bridge", "docs": ["nope.pdf"]})
            assert unknown.is_error and "No indexed document matches 'nope.pdf'" in unknown.content[0].text
            assert (await client.call_tool("search", {"query": "bridge", "k": 0})).is_error
            with pytest.raises(MCPError, match="No indexed document matches"):
                await client.read_resource("qa://documents/0000000000000000")

            def crash(*args, **kwargs):
                raise RuntimeError("/secret/path leaked")

            monkeypatch.setattr(qa_app.retriever, "search", crash)
            crashed = await client.call_tool("search", {"query": "bridge"})
            assert crashed.is_error and "qa.log" in crashed.content[0].text
            assert "secret" not in crashed.content[0].text
            assert _data(await client.call_tool("list_documents", {}))  # the server is still there

    anyio.run(go)


# ---------------------------------------------------------------- `qa mcp` over stdio (subprocesses)


@pytest.fixture(scope="module")
def stdio_env(tmp_path_factory, model_path):
    """A first-run data folder shared by the stdio tests (the seeds are indexed once)."""
    data = tmp_path_factory.mktemp("mcp-stdio") / "data"
    return {"QA_DATA_DIR": str(data), "QA_MODEL_PATH": str(model_path), "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}


@pytest.mark.slow
def test_stdio_first_run_indexes_the_seeds_and_stdout_carries_only_the_protocol(stdio_env, tmp_path):
    requests = [
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}},
        },
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "list_documents", "arguments": {}}},
    ]
    errlog = tmp_path / "mcp-stderr.log"
    with errlog.open("w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "front.cli", "mcp"],
            cwd=REPO_ROOT,
            env={**os.environ, **stdio_env},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
        )
    try:
        assert proc.stdin and proc.stdout
        proc.stdin.write("".join(json.dumps(r) + "\n" for r in requests))
        proc.stdin.flush()
        lines = []
        for line in proc.stdout:  # every line is a JSON-RPC message, until the answer to the tool call
            lines.append(json.loads(line))
            assert lines[-1]["jsonrpc"] == "2.0"
            if lines[-1].get("id") == 2:
                break
        proc.stdin.close()
        rest = proc.stdout.read()
        assert proc.wait(60) == 0, errlog.read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert rest == "", errlog.read_text()
    assert lines[0]["id"] == 1 and lines[0]["result"]["serverInfo"]["name"] == "qa"
    docs = json.loads(lines[-1]["result"]["content"][0]["text"])
    assert {Path(d["path"]).name for d in docs} >= {COUNCIL.name, NEWSLETTER.name}


@pytest.mark.slow
def test_stdio_lists_searches_opens_a_cited_span_and_answers(stdio_env, tmp_path):
    params = StdioServerParameters(command=sys.executable, args=["-m", "front.cli", "mcp"], env=stdio_env, cwd=REPO_ROOT)
    errlog = (tmp_path / "mcp-stderr.log").open("w")

    async def go():
        async with Client(stdio_client(params, errlog=errlog)) as client:
            assert {t.name for t in (await client.list_tools()).tools} == TOOLS
            texts = await _texts(client)
            assert {Path(p).name for p in texts} >= {COUNCIL.name, NEWSLETTER.name}
            request = {"query": QUESTION, "k": 5}
            hits = await _check_search(client, QUESTION, texts)
            print(f"\nsearch {json.dumps(request)} ->\n  {json.dumps(hits[0], ensure_ascii=False)}")

            started = time.monotonic()
            answer = _data(await client.call_tool("ask", {"question": QUESTION}))  # the real model, once
            print(
                f"ask {json.dumps({'question': QUESTION})} ({time.monotonic() - started:.0f} s) ->\n  "
                f"{json.dumps({k: answer[k] for k in ('answer', 'declined', 'citations')}, ensure_ascii=False)}"
            )
            assert ANSWER_KEYS <= set(answer)
            assert answer["declined"] is False and "Brightwater" in answer["answer"] and answer["citations"]
            assert all(set(s) >= {"text", "citations", "supported"} for s in answer["sentences"])
            _verbatim(answer["citations"], texts)

    try:
        anyio.run(go)
    finally:
        errlog.close()
    assert "Traceback" not in (tmp_path / "mcp-stderr.log").read_text()


# ---------------------------------------------------------------- /mcp of `qa serve` (subprocesses)


def _serve(tmp_path: Path, model_path: Path, token: str):
    """`qa serve` with QA_API_TOKEN set, over an empty index (no samples to index as it starts); yields its URL."""
    return serve_process(tmp_path, model_path, QA_API_TOKEN=token, QA_SEEDS_DIR=str(tmp_path / "no-seeds"))


@contextlib.asynccontextmanager
async def _http_client(url: str, token: str | None = None):
    """The SDK's client on /mcp, with the bearer token in an HTTP client of its own (how a program passes it)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30, read=300)) as http:
        async with Client(streamable_http_client(url + "mcp", http_client=http)) as client:
            yield client


@pytest.mark.slow
def test_http_lists_tools_and_searches(server):  # noqa: F811
    url, _ = server
    r = httpx.post(url + "api/documents", files=[("files", (COUNCIL.name, COUNCIL.read_bytes()))], timeout=300)
    assert r.status_code == 200 and r.json()[0]["status"] == "indexed", r.text

    async def go(mode: str):
        async with Client(url + "mcp", mode=mode) as client:  # "legacy": the initialize handshake and a session
            assert {t.name for t in (await client.list_tools()).tools} == TOOLS
            texts = await _texts(client)
            assert [Path(p).name for p in texts] == [COUNCIL.name]
            hits = await _check_search(client, QUESTION, texts)
            assert "Brightwater" in hits[0]["text"]

    for mode in ("auto", "legacy"):
        anyio.run(go, mode)


@pytest.mark.slow
def test_http_mcp_needs_the_token(tmp_path, model_path):
    token = "s3cret-mcp-token"
    initialize = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}},
    }
    headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
    with _serve(tmp_path, model_path, token) as url:
        for given in ({}, {"Authorization": "Bearer wrong"}):
            r = httpx.post(url + "mcp", json=initialize, headers={**headers, **given})
            assert r.status_code == 401 and r.json()["error"]["type"] == "AuthError"
        r = httpx.post(url + f"mcp?token={token}", json=initialize, headers=headers)
        assert r.status_code == 401  # the API never takes the token from the query string
        r = httpx.post(url + "mcp", json=initialize, headers={**headers, "Authorization": f"Bearer {token}"})
        assert r.status_code == 200, r.text

        async def go():
            async with _http_client(url, token) as client:
                assert {t.name for t in (await client.list_tools()).tools} == TOOLS
                assert _data(await client.call_tool("list_documents", {})) == []
            with pytest.raises(Exception):  # noqa: B017 (whatever the client raises, it gets nothing)
                async with _http_client(url) as client:
                    await client.list_tools()

        anyio.run(go)
