"""The HTTP API through FastAPI's test client: JSON objects, errors, auth, upload rules (real store/embedder)."""

import json

import pytest
from fastapi.testclient import TestClient

from qa.api import build_api, check_bind
from qa.app import App
from qa.errors import AuthError
from tests.conftest import SEEDS, FakeGenerator

COUNCIL = SEEDS / "kestrel_bridge_council_report.md"
NEWSLETTER = SEEDS / "kestrel_bridge_residents_newsletter.html"


def _client(settings, embedder, **changes):
    app = App(settings.with_(**changes), embedder, FakeGenerator("The main contractor is Brightwater Civil Works [1]."))
    return app, TestClient(build_api(app), base_url="http://127.0.0.1")


def test_upload_list_ask_stream_remove(settings, embedder):
    app, client = _client(settings, embedder)
    r = client.post("/api/documents", files=[("files", (COUNCIL.name, COUNCIL.read_bytes()))])
    assert r.status_code == 200 and r.json()[0]["status"] == "indexed"
    assert [d["path"].rsplit("/", 1)[-1] for d in client.get("/api/documents").json()] == [COUNCIL.name]
    answer = client.post("/api/ask", json={"question": "Who is the main contractor for the bridge?"}).json()
    assert answer["declined"] is False and "Brightwater" in answer["citations"][0]["text"]
    with client.stream("POST", "/api/ask", json={"question": "Who is the main contractor?", "stream": True}) as s:
        events = [json.loads(line) for line in s.iter_lines() if line]
    assert sum("token" in e for e in events) > 1 and "answer" in events[-1]
    assert events[-1]["answer"]["route"] == answer["route"] == {"kind": "ask", "documents": []}
    client.post("/api/documents", files=[("files", (NEWSLETTER.name, NEWSLETTER.read_bytes()))])
    asked = {"question": "Compare the documents on the contractor.", "stream": True}
    with client.stream("POST", "/api/ask", json=asked) as s:  # the chat would compare two documents: the answer says so
        assert [json.loads(line) for line in s.iter_lines() if line][-1]["answer"]["route"]["kind"] == "compare"
    assert client.post("/api/ask", json={"question": asked["question"]}).json()["route"]["kind"] == "compare"
    client.delete(f"/api/documents/{NEWSLETTER.name}")
    assert client.delete(f"/api/documents/{COUNCIL.name}").json()["path"].endswith(COUNCIL.name)
    assert client.get("/api/documents").json() == []
    app.close()


def test_verify_and_compare_refuse_empty_input(settings, embedder):
    app, client = _client(settings, embedder)
    client.post("/api/documents", files=[("files", (COUNCIL.name, COUNCIL.read_bytes()))])
    r = client.post("/api/verify", json={"statement": "The main contractor is Brightwater Civil Works."})
    assert r.status_code == 200 and set(r.json()) == {"statement", "verdict", "citations", "timings"}
    assert r.json()["verdict"] == "supported" and r.json()["citations"][0]["stance"] == "supports"
    assert client.post("/api/verify", json={"statement": " "}).status_code == 400
    assert client.post("/api/compare", json={"question": " "}).status_code == 400
    app.close()


def test_errors_are_json_objects(settings, embedder):
    app, client = _client(settings, embedder)
    r = client.delete("/api/documents/nothing.md")
    assert r.status_code == 404 and r.json()["error"]["type"] == "NotIndexedError"
    r = client.post("/api/ask", json={"question": "  "})
    assert r.status_code == 400 and "empty" in r.json()["error"]["message"]
    r = client.post("/api/ask", json={"question": "x", "docs": ["nope.pdf"]})
    assert r.status_code == 404
    app.close()


@pytest.mark.parametrize("name", ["../../escape.txt", "/etc/passwd.txt", "..\\..\\win.txt", "sub/dir/x.txt"])
def test_upload_names_cannot_escape_the_data_directory(settings, embedder, name):
    app, client = _client(settings, embedder)
    r = client.post("/api/documents", files=[("files", (name, b"Herons nest by the lake. They eat fish."))])
    (result,) = r.json()
    uploads = (settings.data_dir / "uploads").resolve()
    assert result["status"] == "indexed"
    assert result["path"].startswith(str(uploads) + "/") and "/" not in result["path"][len(str(uploads)) + 1 :]
    assert not (settings.data_dir.parent / "escape.txt").exists()
    app.close()


def test_upload_type_and_size_limits_keep_the_index(settings, embedder):
    app, client = _client(settings, embedder, max_file_mb=0.001)
    ok = client.post("/api/documents", files=[("files", ("a.txt", b"Short and fine."))]).json()[0]
    assert ok["status"] == "indexed"
    r = client.post(
        "/api/documents",
        files=[
            ("files", ("run.exe", b"MZ\x90\x00")),
            ("files", ("big.txt", b"Too long. " * 500)),
            ("files", ("a.txt", b"\x00\x01\x00 not text")),
        ],
    )
    bad = r.json()
    assert r.status_code == 422  # nothing went in: not a 200, with each file's reason as ever
    assert [b["status"] for b in bad] == ["error"] * 3
    assert "unsupported" in bad[0]["reason"] and "limit" in bad[1]["reason"]
    assert [d["path"].rsplit("/", 1)[-1] for d in client.get("/api/documents").json()] == ["a.txt"]
    assert (settings.data_dir / "uploads" / "a.txt").read_bytes() == b"Short and fine."  # not overwritten
    app.close()


def test_token_guards_every_route_and_the_ui(settings, embedder):
    app, client = _client(settings, embedder, api_token="s3cret")
    assert client.get("/api/health").status_code == 401
    assert client.get("/api/health", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/api/health", headers={"Authorization": "Bearer s3cret"}).json()["ok"] is True
    assert client.post("/api/ask", json={"question": "x"}).json()["error"]["type"] == "AuthError"
    r = client.get("/anything?token=s3cret", follow_redirects=False)
    assert r.status_code == 303 and "token" not in r.headers["location"] and "qa_token" in r.headers["set-cookie"]
    app.close()


def test_refuses_to_bind_beyond_loopback_without_a_token():
    with pytest.raises(AuthError, match="QA_API_TOKEN"):
        check_bind("0.0.0.0", "")
    check_bind("0.0.0.0", "token")
    check_bind("127.0.0.1", "")


def test_every_error_has_the_documented_shape_and_limits_are_named(settings, embedder):
    app, client = _client(settings, embedder, max_file_mb=0.001)
    for bad in ({"docs": ["x"]}, {"question": 3, "stream": "maybe"}, [1, 2]):
        r = client.post("/api/ask", json=bad)
        assert r.status_code == 400 and set(r.json()) == {"error"} and r.json()["error"]["type"] == "InputError"
    r = client.post("/api/ask", content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and "is not valid JSON (at character 1)" in r.json()["error"]["message"], r.json()
    huge = "Why? " * 2_000_000  # 10 MB
    for stream in (False, True):
        r = client.post("/api/ask", json={"question": huge, "stream": stream})
        assert r.status_code == 413 and "2,000" in r.json()["error"]["message"]
    assert client.post("/api/verify", json={"statement": huge}).status_code == 413
    (row,) = client.post("/api/documents", files=[("files", ("n" * 250 + ".txt", b"A fine file."))]).json()
    assert row["status"] == "error" and "limit of 200" in row["reason"]
    (row,) = client.post("/api/documents", files=[("files", ("big.txt", b"Too long. " * 6000))]).json()
    assert "the file is 0.1 MB" in row["reason"]  # the true size, not the limit
    app.close()


def test_the_token_in_the_address_only_opens_the_page(settings, embedder):
    app, client = _client(settings, embedder, api_token="s3cret")
    assert client.get("/api/health?token=s3cret").status_code == 401  # it would end up in logs
    assert client.get("/gradio_api/info?token=s3cret").status_code == 401
    r = client.get("/?token=s3cret", follow_redirects=False)
    assert r.status_code == 303 and "qa_token" in r.headers["set-cookie"]
    app.close()


def test_an_upload_under_a_taken_name_says_it_replaces_and_one_upload_may_not_repeat_a_name(settings, embedder):
    """A probe uploaded two different report.txt files: both said "indexed" and the first was gone unseen."""
    app, client = _client(settings, embedder)
    first, second = b"The heron nests by the lake.", b"The otter swims in the river."
    r = client.post("/api/documents", files=[("files", ("report.txt", first))]).json()
    assert [(x["status"], x["replaced"]) for x in r] == [("indexed", False)]
    r = client.post("/api/documents", files=[("files", ("report.txt", second))]).json()
    assert [(x["status"], x["replaced"]) for x in r] == [("indexed", True)]  # the name's document is now this file
    r = client.post("/api/documents", files=[("files", ("report.txt", second))]).json()
    assert [(x["status"], x["replaced"]) for x in r] == [("unchanged", False)]
    response = client.post("/api/documents", files=[("files", ("dup.txt", first)), ("files", ("dup.txt", second))])
    r = response.json()
    assert response.status_code == 200  # one of the two went in
    assert [x["status"] for x in r] == ["indexed", "error"] and "same name" in r[1]["reason"]
    assert app.text(app.resolve("dup.txt").doc_id) == first.decode()  # the first of the two is kept, not overwritten
    app.close()


def test_errors_name_their_field_and_keep_one_shape(settings, embedder):
    """A probe: ``param`` was always null, a refused host said "invalid_api_key", an unknown route answered
    {"detail": …}, "stream": "yes" was taken for true, a JSON body sent as text/plain was "not a valid dictionary",
    /v1 answered a message whose content was 42, and a stream's first chunk had its own id and no time."""
    app, client = _client(settings, embedder)
    r = client.post("/api/ask", json={})
    assert r.status_code == 400 and r.json()["error"]["param"] == "question"
    r = client.post("/api/ask", json={"question": "x", "stream": "yes"})
    assert r.status_code == 400 and r.json()["error"]["param"] == "stream"
    r = client.post("/api/ask", json={"question": "x" * 2001})
    assert r.status_code == 413 and r.json()["error"]["param"] == "question"
    r = client.post("/api/ask", content=b'{"question": "x"}', headers={"Content-Type": "text/plain"})
    assert r.status_code == 400 and "Content-Type: application/json" in r.json()["error"]["message"]
    r = client.post("/v1/chat/completions", json={"model": "qa", "messages": [{"role": "user", "content": 42}]})
    assert r.status_code == 400 and r.json()["error"]["param"] == "messages"
    r = client.get("/api/nothing")
    assert r.status_code == 404 and r.json()["error"] == {
        "type": "NotFound",
        "message": "There is no GET /api/nothing here.",
        "param": None,
        "code": None,
    }
    r = client.get("/api/documents", headers={"Host": "evil.example"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    client.post("/api/documents", files=[("files", (COUNCIL.name, COUNCIL.read_bytes()))])
    r = client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "Who builds it?"}], "stream": True})
    chunks = [json.loads(line[6:]) for line in r.text.splitlines() if line.startswith("data: {")]
    assert len(chunks) >= 3 and len({c["id"] for c in chunks}) == 1 and all(isinstance(c["created"], int) for c in chunks)
    app.close()


def test_an_upload_keeps_its_name_and_is_removed_by_it(settings, embedder):
    """A probe: "Rapport été 2024 — final ✓.txt" was stored as "Rapport été 2024 _ final _.txt" and could not be
    removed by the name it was sent with; "a—b.txt" and "a✓b.txt" of one upload were refused as one name."""
    from urllib.parse import quote

    app, client = _client(settings, embedder)
    names = ["Rapport été 2024 — final ✓.txt", "a—b.txt", "a✓b.txt", "a:b.txt"]
    r = client.post("/api/documents", files=[("files", (n, f"Herons nest by lake {i}.".encode())) for i, n in enumerate(names)])
    assert [x["status"] for x in r.json()] == ["indexed"] * 4
    stored = sorted(d["path"].rsplit("/", 1)[-1] for d in client.get("/api/documents").json())
    assert stored == sorted(["Rapport été 2024 — final ✓.txt", "a—b.txt", "a✓b.txt", "a_b.txt"])
    # a path whose base name is an upload's is not that upload (a review: it removed uploads/a_b.txt)
    assert client.delete("/api/documents/" + quote("elsewhere/a:b.txt")).status_code == 404
    for n in names:  # each by the name it was sent with, "a:b.txt" too
        assert client.delete("/api/documents/" + quote(n)).status_code == 200, n
    assert client.delete("/api/documents/" + quote("a:b.txt")).status_code == 404  # a retried removal
    assert client.get("/api/documents").json() == []
    # one name however its "é" was typed (NFC or NFD), and on a case-insensitive file system whatever its case
    r = client.post(
        "/api/documents",
        files=[("files", (n, b"Otters swim.")) for n in ("\u00e9t\u00e9.txt", "e\u0301te\u0301.txt", "Notes.txt", "notes.txt")],
    )
    assert [x["status"] for x in r.json()] == ["indexed", "error", "indexed", "error"]
    app.close()
