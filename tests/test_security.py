"""The served app against an attacker: no server file read through the UI's Gradio API, no foreign Host, no
cross-site writes (a real `qa serve` subprocess; nothing here loads the model)."""

import json
import urllib.error
import urllib.request

import pytest

from tests.test_ui import server  # noqa: F401 (the fixture)

pytestmark = pytest.mark.slow


def _request(url, data=None, headers=None, method=None):
    body = json.dumps(data).encode() if data is not None else None
    req = urllib.request.Request(url, data=body, method=method, headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def _gradio_upload(url, path):
    """The exact request of the red-team report, then its result from Gradio's event stream."""
    payload = {"data": [[{"path": str(path), "meta": {"_type": "gradio.FileData"}}], []]}
    status, text = _request(url + "gradio_api/call/on_upload", payload)
    assert status == 200, text
    event = json.loads(text)["event_id"]
    _, stream = _request(url + f"gradio_api/call/on_upload/{event}")
    return stream


def test_the_upload_route_reads_no_server_file(server, tmp_path):  # noqa: F811
    url, data_dir = server
    secret = tmp_path / "secret.txt"
    secret.write_text("The launch code of the secret project is 7781. Nobody else may know it.")
    found = _gradio_upload(url, secret)
    missing = _gradio_upload(url, tmp_path / "nothing-here.txt")
    assert "7781" not in found and "indexed" not in found
    # a file that exists and one that does not get the same answer: the route does not reveal which files exist
    assert found.replace(str(secret), "X").replace("secret.txt", "X") == missing.replace(
        str(tmp_path / "nothing-here.txt"), "X"
    ).replace("nothing-here.txt", "X")
    status, docs = _request(url + "api/documents")
    assert status == 200 and json.loads(docs) == []
    assert not (data_dir / "uploads").exists() or not any((data_dir / "uploads").iterdir())


def test_a_foreign_host_is_refused(server):  # noqa: F811
    url, _ = server
    status, body = _request(url + "api/documents", headers={"Host": "evil.example"})
    assert status == 403 and json.loads(body)["error"]["type"] == "AuthError"
    status, _ = _request(url, headers={"Host": "evil.example:7860"})
    assert status == 403
    assert _request(url + "api/documents", headers={"Host": "localhost"})[0] == 200


def test_a_cross_site_write_is_refused(server):  # noqa: F811
    url, _ = server
    for origin in ("http://evil.example", "null"):
        status, body = _request(
            url + "api/ask", {"question": "What did both sides agree to exchange?"}, headers={"Origin": origin}
        )
        assert status == 403, body
        status, _ = _request(url + "api/documents/anything.md", method="DELETE", headers={"Origin": origin})
        assert status == 403
    own = url.rstrip("/")
    status, body = _request(url + "api/verify", {"statement": " "}, headers={"Origin": own})
    assert status == 400, body  # its own origin passes the check (and gets the usual validation)


def test_gradio_routes_and_gradio_client_need_the_token(tmp_path, model_path):
    """With QA_API_TOKEN set, nothing of Gradio's own API (config, info, queue, call) answers without it, and the
    official gradio_client works only when it sends it."""
    import gradio_client

    from tests.conftest import serve_process

    token = "gr-s3cret"
    with serve_process(tmp_path, model_path, QA_API_TOKEN=token) as url:
        for path, method, body in [
            ("config", "GET", None),
            ("gradio_api/info", "GET", None),
            ("gradio_api/queue/join", "POST", {"data": [], "fn_index": 0}),
            ("gradio_api/call/on_check", "POST", {"data": ["x"]}),
            ("gradio_api/upload", "POST", {}),
        ]:
            status, text = _request(url + path, body, method=method)
            assert status == 401, (path, status, text[:200])
        with pytest.raises(Exception):  # noqa: B017 - the client cannot even read the app's config
            gradio_client.Client(url, verbose=False, analytics_enabled=False, download_files=False)
        client = gradio_client.Client(
            url, verbose=False, analytics_enabled=False, download_files=False, headers={"Authorization": f"Bearer {token}"}
        )
        verdict, _context = client.predict("", api_name="/on_check")
        assert "Write a statement" in verdict


def test_a_first_serve_indexes_the_samples_before_the_api_answers(tmp_path, model_path):
    """A probe's first `qa serve` answered /api/ask with "The documents do not say." and /api/health with 0
    documents: the samples came only with the page's first load."""
    from tests.conftest import serve_process

    seeds = tmp_path / "samples"
    seeds.mkdir()
    (seeds / "herons.txt").write_text("The heron nests by the lake. It eats fish.")
    with serve_process(tmp_path, model_path, QA_SEEDS_DIR=str(seeds)) as url:
        status, body = _request(url + "api/health")
        assert status == 200 and json.loads(body)["documents"] == 1
    assert f"indexed the sample documents of {seeds} (this data folder's first use)" in (tmp_path / "serve.log").read_text()


def test_an_unknown_route_answers_in_the_error_shape_with_gradio_mounted(server):  # noqa: F811
    """Under `qa serve` a path no API route took went on to Gradio at "/": {"detail": "Not Found"} (a review)."""
    url, _ = server
    for path, method, status in [("api/nothing", "GET", 404), ("v1/nope", "POST", 404), ("api/ask", "GET", 405)]:
        code, body = _request(url + path, {} if method == "POST" else None, method=method)
        error = json.loads(body)["error"]
        assert code == status and error["type"] == ("NotFound" if status == 404 else "MethodNotAllowed"), body
        assert error["message"] == f"There is no {method} /{path} here."
    assert _request(url + "api/health")[0] == 200 and _request(url)[0] == 200  # the API and the page as before
