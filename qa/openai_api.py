"""An OpenAI-compatible chat endpoint over the ask and compare pipelines, for chat apps that speak that API.

    GET  /v1/models              the models "qa" (ask, or compare when the question asks for it, as the UI's chat
                                 routes) and "qa-compare" (compare)
    POST /v1/chat/completions    the last user message is the question; earlier turns are the history

``message.content`` is the checked answer with ``[n]`` markers, and a ``citations`` array (the objects of
``qa ask --json``) sits beside ``choices``. With ``stream: true`` the *checked* answer is streamed: a first chunk
with the role comes at once, the text only after verification, and the last chunk carries the citations. A draft
streamed as it is generated could say what the verifier then removes, and a chat app would show it as the answer.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

from qa.app import App
from qa.errors import InputError
from qa.records import Citation

MODELS = ("qa", "qa-compare")


def openai_error(message: str, kind: str, code: str | None = None) -> dict[str, Any]:
    """OpenAI's error shape (ours, ``{"error": {"type", "message"}}``, is a subset of it)."""
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


def _turns(messages: list[dict[str, Any]]) -> tuple[str, list[tuple[str, str]]]:
    """The question (the last user message) and the earlier (user, assistant) pairs."""

    def text(m: dict[str, Any]) -> str:
        content = m.get("content") or ""
        if isinstance(content, list):  # [{"type": "text", "text": …}, …]
            content = " ".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
        if not isinstance(content, str):  # a number or an object was answered as its str() (a probe)
            raise InputError("messages", "a message's content must be text, or a list of text parts")
        return content

    users = [i for i, m in enumerate(messages) if m.get("role") == "user"]
    if not users:
        raise InputError("messages", "there is no user message to answer")
    last = users[-1]
    history: list[tuple[str, str]] = []
    pending: str | None = None
    for m in messages[:last]:
        if m.get("role") == "user":
            pending = text(m)
        elif m.get("role") == "assistant" and pending is not None:
            history.append((pending, text(m)))
            pending = None
    return text(messages[last]), history


def answer(app: App, model: str, messages: list[dict[str, Any]]) -> tuple[str, list[Citation], dict[str, Any]]:
    """(content, citations, the full JSON object) for a chat request."""
    question, history = _turns(messages)
    # model "qa" routes as the UI's chat does (``qa.compare.route``): a question that names two documents or asks
    # to compare gets the comparison, not an answer that declines it; a follow-up only when it names them
    kind, named = ("compare", []) if model == "qa-compare" else app.route(question, follow_up=bool(history))
    if kind == "compare":
        result = app.compare(question, docs=named or None)
        return result.as_markdown(), result.citations, result.to_json()
    final = app.ask(question, history=history, routed=(kind, named))
    return final.answer, final.citations, final.to_json()


def completion(model: str, content: str, citations: list[Citation], full: dict[str, Any]) -> dict[str, Any]:
    from dataclasses import asdict

    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
        "citations": [asdict(c) for c in citations],
        "qa": full,
    }


def chunk_id() -> tuple[str, int]:
    """The id and creation time every chunk of one streamed completion shares."""
    return f"chatcmpl-{uuid.uuid4().hex[:24]}", int(time.time())


def chunks(
    model: str, content: str, citations: list[Citation], full: dict[str, Any], ident: tuple[str, int] | None = None
) -> Iterator[str]:
    """Server-sent events of a streamed completion: the checked text in pieces, citations in the last chunk."""
    from dataclasses import asdict

    cid, created = ident or chunk_id()

    def event(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        body = {
            "id": cid,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            **extra,
        }
        return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"

    words = content.split(" ")
    for i, word in enumerate(words):
        yield event({"content": word if i == 0 else " " + word})
    yield event({}, "stop", citations=[asdict(c) for c in citations], qa=full)
    yield "data: [DONE]\n\n"
