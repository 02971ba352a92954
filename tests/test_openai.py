"""The OpenAI-compatible endpoint through the official `openai` client, against a real server (uvicorn, loopback).

The model is the scripted fake here: what is tested is the protocol, and that what reaches the client is the
checked answer with verbatim citations.
"""

import shutil
import socket
import threading
import time

import openai
import pytest

from qa.api import build_api
from qa.app import App, seed_files
from tests.conftest import SEEDS, FakeGenerator
from tests.test_ui import server  # noqa: F401 (the fixture)

KEY = "test-key-123"
QUESTION = "What did both sides agree to exchange?"


def _reply(prompt: str) -> str:
    if "Rewrite the user's last question" in prompt:
        return "What did both sides agree to exchange in the talks?"
    return "However, both sides did agree to exchange thousands of combatants [1]."


@pytest.fixture(scope="module")
def live(tmp_path_factory, embedder):
    import uvicorn

    from qa.settings import Settings

    root = tmp_path_factory.mktemp("openai")
    shutil.copytree(SEEDS, root / "seeds")
    app = App(Settings(data_dir=root / "data", api_token=KEY), embedder, FakeGenerator(_reply))
    app.ingest(seed_files(root / "seeds"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    uv = uvicorn.Server(uvicorn.Config(build_api(app, "127.0.0.1"), host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    while not uv.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/v1", app
    uv.should_exit = True
    thread.join(10)
    app.close()


def _client(base, key=KEY):
    return openai.OpenAI(base_url=base, api_key=key, max_retries=0)


def _verbatim(app, citations):
    assert citations
    for c in citations:
        assert app.text(app.resolve(c["document"]).doc_id)[c["start"] : c["end"]] == c["text"]


def test_models_are_listed(live):
    base, _ = live
    assert {m.id for m in _client(base).models.list()} == {"qa", "qa-compare"}


def test_a_completion_is_the_checked_answer_with_citations(live):
    base, app = live
    r = _client(base).chat.completions.create(model="qa", messages=[{"role": "user", "content": QUESTION}])
    content = r.choices[0].message.content
    assert "combatants" in content and "[1]" in content
    _verbatim(app, r.model_extra["citations"])
    assert r.model_extra["qa"]["declined"] is False


def test_a_stream_sends_the_checked_answer_and_the_citations_last(live):
    base, app = live
    stream = _client(base).chat.completions.create(model="qa", stream=True, messages=[{"role": "user", "content": QUESTION}])
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert text.startswith("However, both sides did agree") and text.endswith("[1]")
    assert chunks[0].choices[0].delta.role == "assistant"
    _verbatim(app, chunks[-1].model_extra["citations"])
    assert chunks[-1].choices[0].finish_reason == "stop"


def test_a_follow_up_uses_the_earlier_turns(live):
    base, app = live
    app._generator.calls.clear()
    r = _client(base).chat.completions.create(
        model="qa",
        messages=[
            {"role": "user", "content": "Who held talks in Istanbul?"},
            {"role": "assistant", "content": "Russia and Ukraine held talks in Istanbul [1]."},
            {"role": "user", "content": "And what did they agree to exchange?"},
        ],
    )
    assert any("Rewrite the user's last question" in m[0]["content"] for m in app._generator.calls)
    assert r.model_extra["qa"]["declined"] is False


def test_an_off_topic_question_comes_back_declined(live):
    base, _ = live
    r = _client(base).chat.completions.create(
        model="qa", messages=[{"role": "user", "content": "Who won the football World Cup in 1998?"}]
    )
    assert r.choices[0].message.content == "The documents do not say."
    assert r.model_extra["qa"]["declined"] is True and r.model_extra["citations"] == []


def test_a_wrong_key_and_a_wrong_model_are_openai_errors(live):
    base, _ = live
    with pytest.raises(openai.AuthenticationError):
        _client(base, "wrong").chat.completions.create(model="qa", messages=[{"role": "user", "content": QUESTION}])
    with pytest.raises(openai.NotFoundError) as err:
        _client(base).chat.completions.create(model="gpt-9", messages=[{"role": "user", "content": QUESTION}])
    assert "qa-compare" in str(err.value)
    with pytest.raises(openai.BadRequestError):
        _client(base).chat.completions.create(model="qa", messages=[{"role": "system", "content": "hi"}])


def test_compare_returns_markdown_with_citations(live):
    base, app = live
    r = _client(base).chat.completions.create(
        model="qa-compare",
        messages=[{"role": "user", "content": "How do the council report and the residents newsletter differ on the cost?"}],
    )
    content = r.choices[0].message.content
    assert content.startswith("| document | says |")
    assert "kestrel_bridge_council_report.md" in content


def test_model_qa_routes_a_comparison_as_the_ui_chat_does(live):
    """Model "qa": a question naming two documents gets the comparison (``qa.compare.route``), another an answer."""
    base, app = live
    asked = "What do the council report and the residents newsletter say about the cost?"
    assert app.route(asked)[0] == "compare"
    r = _client(base).chat.completions.create(model="qa", messages=[{"role": "user", "content": asked}])
    assert r.choices[0].message.content.startswith("| document | says |")
    plain = _client(base).chat.completions.create(model="qa", messages=[{"role": "user", "content": QUESTION}])
    assert not plain.choices[0].message.content.startswith("| document |")


@pytest.mark.slow
def test_the_real_qa_serve_answers_the_openai_client_with_the_real_model(server):  # noqa: F811
    import httpx

    url, data_dir = server
    seed = SEEDS / "000_fcbddb13c552a77e.txt"
    httpx.post(url + "api/documents", files=[("files", (seed.name, seed.read_bytes()))], timeout=120).raise_for_status()
    client = openai.OpenAI(base_url=url + "v1", api_key="unused", max_retries=0, timeout=600)
    stream = client.chat.completions.create(model="qa", stream=True, messages=[{"role": "user", "content": QUESTION}])
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    cites = chunks[-1].model_extra["citations"]
    assert "combatants" in text and cites and any("exchange" in c["text"] for c in cites)
    for c in cites:
        with open(c["document"], encoding="utf-8") as f:
            assert f.read()[c["start"] : c["end"]] == c["text"]
