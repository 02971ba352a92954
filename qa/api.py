"""The HTTP API for programs, beside the UI: the same JSON objects as the CLI, and optional bearer-token auth.

    GET    /api/health                      {"ok": true, "documents": n}
    GET    /api/documents                   [DocumentInfo…]            (as `qa docs --json`)
    POST   /api/documents   (multipart)     [IngestResult…]            upload one or more files
    DELETE /api/documents/{name}            DocumentInfo
    POST   /api/ask         {"question", "docs"?, "stream"?}   Answer (as `qa ask --json`), or NDJSON events
    POST   /api/compare     {"question", "docs"?}              Comparison (as `qa compare --json`)
    POST   /api/verify      {"statement", "docs"?}             Check (as `qa verify --json`)
    GET    /v1/models, POST /v1/chat/completions               OpenAI-compatible chat (``qa.openai_api``)

Errors are ``{"error": {"type": "InputError", "message": "…"}}`` with a 4xx/5xx status.
"""

import asyncio
import hmac
import json
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

from qa.app import App
from qa.errors import AuthError, InputError, ModelError, NotIndexedError, QAError, TooLargeError

COOKIE = "qa_token"
LOOPBACK = ("127.0.0.1", "localhost", "::1")
_STATUS = {TooLargeError: 413, InputError: 400, NotIndexedError: 404, AuthError: 401, ModelError: 503}


def error_body(exc: QAError, status: int | None = None) -> tuple[int, dict[str, Any]]:
    """Status and body of an error; the body is also OpenAI's error shape (``param``: the request field at fault;
    ``code``: "invalid_api_key" for a missing or wrong token, "forbidden" for a refused host or origin)."""
    status = status or next((code for kind, code in _STATUS.items() if isinstance(exc, kind)), 500)
    code = {401: "invalid_api_key", 403: "forbidden"}.get(status) if isinstance(exc, AuthError) else None
    param = exc.path if isinstance(exc, InputError) else None
    return status, {"error": {"type": type(exc).__name__, "message": str(exc), "param": param, "code": code}}


def check_bind(host: str, token: str) -> None:
    """Refuse to listen beyond loopback without a token: the documents would be open to the network."""
    if host not in LOOPBACK and not token:
        raise AuthError(
            f"Refusing to listen on {host} without QA_API_TOKEN: anyone on the network could read your "
            "documents. Set QA_API_TOKEN, or serve on 127.0.0.1."
        )


def allowed_hosts(host: str, extra: str = "") -> set[str]:
    """Host names a request may use: the loopback names when bound to loopback (else the bound address), plus
    ``QA_ALLOWED_HOSTS``. Anything else is refused, so a foreign page cannot reach us by DNS rebinding."""
    names = {"localhost", "127.0.0.1", "::1"} if host in LOOPBACK else {host}
    if host in ("0.0.0.0", "::"):
        names = {"localhost", "127.0.0.1", "::1"}
    return names | {h.strip().lower() for h in extra.split(",") if h.strip()}


def host_name(value: str) -> str:
    """``example.org`` of ``example.org:7860``, ``::1`` of ``[::1]:7860``."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def _authorised(token: str, header: str | None, cookie: str | None, query: str | None) -> bool:
    given = [v for v in (header[7:] if header and header.lower().startswith("bearer ") else None, cookie, query) if v]
    return any(hmac.compare_digest(v.encode(), token.encode()) for v in given)


def build_api(app: App, host: str | None = None) -> Any:
    """A FastAPI app with the API routes; when ``QA_API_TOKEN`` is set every route (the UI too) needs it."""
    from fastapi import FastAPI, File, Request, UploadFile
    from fastapi.responses import JSONResponse, RedirectResponse, StreamingResponse
    from pydantic import BaseModel, StrictBool

    api = FastAPI(title="qa", docs_url=None, redoc_url=None, openapi_url="/api/openapi.json")
    token = app.settings.api_token
    lock = threading.Lock()  # the index is written by one request at a time

    class AskBody(BaseModel):
        question: str
        docs: list[str] | None = None
        stream: StrictBool = False  # "yes" is not true

    host = host or app.settings.host
    hosts = allowed_hosts(host, app.settings.allowed_hosts)
    bound_anywhere = host in ("0.0.0.0", "::")

    @api.middleware("http")
    async def auth(request: Request, call_next: Any) -> Any:
        asked = request.headers.get("host", "")
        if not (bound_anywhere and token) and host_name(asked) not in hosts:
            status, body = error_body(
                AuthError(
                    f"This server does not answer to the host name '{host_name(asked)}'. "
                    "Add it to QA_ALLOWED_HOSTS if it is yours."
                ),
                403,
            )
            return JSONResponse(body, status_code=status)
        origin = request.headers.get("origin")
        if request.method not in ("GET", "HEAD", "OPTIONS") and origin:  # "null" (a sandboxed frame) is foreign too
            from urllib.parse import urlsplit

            if urlsplit(origin).netloc.lower() != asked.lower():
                status, body = error_body(AuthError("Refused a request sent from another web site."), 403)
                return JSONResponse(body, status_code=status)
        if not token:
            return await call_next(request)
        # ?token= only opens the page in a browser (a GET outside the API), which moves it into a cookie: on the
        # API it would end up in logs and histories, so there it is not accepted
        page = request.method == "GET" and not request.url.path.startswith(("/api/", "/gradio_api/"))
        query = request.query_params.get("token") if page else None
        if not _authorised(token, request.headers.get("authorization"), request.cookies.get(COOKIE), query):
            status, body = error_body(AuthError("Missing or wrong API token: send 'Authorization: Bearer <QA_API_TOKEN>'."))
            return JSONResponse(body, status_code=status)
        if query:
            # a browser opened ?token=…: remember it in a cookie and drop it from the address bar
            response = RedirectResponse(str(request.url.remove_query_params("token")), status_code=303)
            response.set_cookie(COOKIE, query, httponly=True, samesite="strict")
            return response
        return await call_next(request)

    @api.exception_handler(QAError)
    async def on_error(request: Request, exc: QAError) -> Any:
        status, body = error_body(exc)
        return JSONResponse(body, status_code=status)

    from fastapi.exceptions import RequestValidationError

    @api.exception_handler(RequestValidationError)
    async def on_bad_body(request: Request, exc: RequestValidationError) -> Any:
        first = (exc.errors() or [{}])[0]
        if first.get("type") == "json_invalid":  # its "loc" is the character offset: "13: JSON decode error" said nothing
            at = [p for p in first.get("loc", ()) if isinstance(p, int)]
            where = f" (at character {at[0]})" if at else ""
            status, body = error_body(InputError("body", f"the request body is not valid JSON{where}"))
            return JSONResponse(body, status_code=status)
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "body"
        message = str(first.get("msg", "is not valid"))
        if where == "body" and first.get("type") in ("model_attributes_type", "dict_type"):  # not parsed as JSON
            message = "the request body must be a JSON object, sent with 'Content-Type: application/json'"
        status, body = error_body(InputError(where, message))
        return JSONResponse(body, status_code=status)

    from starlette.exceptions import HTTPException

    @api.exception_handler(HTTPException)
    async def on_http(request: Request, exc: HTTPException) -> Any:
        """An unknown route under /api/ or /v1/ answers in the documented error shape (was {"detail": …})."""
        kind = {404: "NotFound", 405: "MethodNotAllowed"}.get(exc.status_code, "HTTPError")
        message = f"There is no {request.method} {request.url.path} here." if exc.status_code in (404, 405) else str(exc.detail)
        body = {"error": {"type": kind, "message": message, "param": None, "code": None}}
        return JSONResponse(body, status_code=exc.status_code, headers=getattr(exc, "headers", None))

    @api.exception_handler(Exception)
    async def on_crash(request: Request, exc: Exception) -> Any:
        import logging

        logging.getLogger("qa.api").exception("unexpected error on %s", request.url.path)
        body = {
            "error": {
                "type": "InternalError",
                "message": f"Something went wrong ({type(exc).__name__}); details are in qa.log in the data folder.",
                "param": None,
                "code": None,
            }
        }
        return JSONResponse(body, status_code=500)

    def run(fn: Any, *args: Any, **kwargs: Any) -> Any:
        return asyncio.to_thread(fn, *args, **kwargs)

    @api.get("/api/health")
    async def health() -> dict[str, Any]:
        return {"ok": True, "documents": len(await run(app.documents))}

    @api.get("/api/documents")
    async def documents() -> list[dict[str, Any]]:
        return [d.to_json() for d in await run(app.documents)]

    @api.post("/api/documents")
    async def upload(files: list[UploadFile] = File(...)) -> Any:  # noqa: B008 (FastAPI idiom)
        limit = app.max_bytes
        results, batch = [], set[str]()
        for f in files:
            data = await f.read(limit + 1)  # never hold more than the limit (+1 byte to know it was over)

            def add(name: str = f.filename or "", data: bytes = data, size: int | None = f.size) -> Any:
                with lock:
                    return app.add_upload(name, data, size=size, batch=batch)

            results.append((await run(add)).to_json())
        if results and all(r["status"] == "error" for r in results):
            # nothing went in: a client that reads only the status must not take it for success (a probe)
            return JSONResponse(results, status_code=422)
        return results

    @api.delete("/api/documents/{name:path}")
    async def remove(name: str) -> dict[str, Any]:
        def go() -> Any:
            with lock:
                return app.remove(name)

        return (await run(go)).to_json()

    @api.post("/api/ask")
    async def ask(body: AskBody) -> Any:
        if not body.stream:
            return (await run(app.ask, body.question, docs=body.docs)).to_json()
        events = app.ask_stream(body.question, docs=body.docs)  # resolves documents now: errors become JSON

        def lines() -> Iterator[str]:
            try:
                for event in events:
                    if event.kind == "token":
                        yield json.dumps({"token": event.data}) + "\n"
                    elif event.kind == "redraft":  # the tokens so far were a draft that is asked again
                        yield json.dumps({"redraft": True}) + "\n"
                    elif event.kind == "answer":
                        yield json.dumps({"answer": event.data.to_json()}) + "\n"
            except QAError as exc:
                yield json.dumps(error_body(exc)[1]) + "\n"

        async def stream() -> AsyncIterator[str]:
            it = lines()
            while (line := await run(next, it, None)) is not None:
                yield line

        return StreamingResponse(stream(), media_type="application/x-ndjson")

    @api.post("/api/compare")
    async def compare(body: AskBody) -> Any:
        return (await run(app.compare, body.question, docs=body.docs)).to_json()

    class VerifyBody(BaseModel):
        statement: str
        docs: list[str] | None = None

    @api.post("/api/verify")
    async def verify(body: VerifyBody) -> Any:
        return (await run(app.verify, body.statement, docs=body.docs)).to_json()

    from qa import openai_api
    from qa.app import checked_text

    class ChatBody(BaseModel):
        model: str = "qa"
        messages: list[dict[str, Any]]
        stream: StrictBool = False

    @api.get("/v1/models")
    async def models() -> dict[str, Any]:
        return {
            "object": "list",
            "data": [{"id": m, "object": "model", "created": 0, "owned_by": "qa"} for m in openai_api.MODELS],
        }

    @api.post("/v1/chat/completions")
    async def chat(body: ChatBody) -> Any:
        if body.model not in openai_api.MODELS:
            raise NotIndexedError(f"There is no model '{body.model}' here; use 'qa' or 'qa-compare'.")
        question, _ = openai_api._turns(body.messages)
        checked_text(question, "question")  # a bad request fails here, as JSON, not inside a stream
        if not body.stream:
            content, cites, full = await run(openai_api.answer, app, body.model, body.messages)
            return openai_api.completion(body.model, content, cites, full)

        async def events() -> AsyncIterator[str]:
            ident = openai_api.chunk_id()  # one id and time for every chunk of the completion
            first = {
                "id": ident[0],
                "object": "chat.completion.chunk",
                "created": ident[1],
                "model": body.model,
                "choices": [{"index": 0, "delta": {"role": "assistant"}, "finish_reason": None}],
            }
            yield f"data: {json.dumps(first)}\n\n"  # at once: the client knows the answer is on its way
            try:
                content, cites, full = await run(openai_api.answer, app, body.model, body.messages)
            except QAError as exc:
                yield f"data: {json.dumps(error_body(exc)[1])}\n\n"
                return
            for line in openai_api.chunks(body.model, content, cites, full, ident):
                yield line

        return StreamingResponse(events(), media_type="text/event-stream")

    from fastapi.routing import APIRoute

    async def unknown(request: Request) -> Any:
        """Last under /api/ and /v1/: under ``qa serve`` every path no route takes went on to Gradio, mounted at
        "/", which answered {"detail": "Not Found"} (a review); a known path asked with another method is a 405."""
        path = request.url.path
        allowed = {m for r in api.routes if isinstance(r, APIRoute) and r.endpoint is not unknown and r.path_regex.match(path)
                   for m in r.methods or ()}  # fmt: skip
        if allowed:
            raise HTTPException(405, headers={"Allow": ", ".join(sorted(allowed))})
        raise HTTPException(404)

    for prefix in ("/api/", "/v1/"):
        methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
        api.add_api_route(prefix + "{rest:path}", unknown, methods=methods, include_in_schema=False)
    return api
