"""``build_mcp(app)``: qa as a Model Context Protocol server (the official ``mcp`` SDK's ``MCPServer``).

Tools (each returns the same JSON object as the CLI's ``--json``, as text and as structured content):

    ask(question, docs?)         Answer       (as `qa ask --json`)
    search(query, k?, docs?)     {"query", "sentences": [...]}: retrieved sentences with exact offsets, no model
    compare(question, docs?)     Comparison   (as `qa compare --json`)
    verify(statement, docs?)     Check        (as `qa verify --json`)
    list_documents()             [DocumentInfo…] (as `qa docs --json`; structured: {"documents": [...]})

Resources: ``qa://documents/{doc_id}``, the extracted text of each indexed document, so a client can open a cited
span: ``text[start:end]`` is the cited sentence. A user error (``QAError``) is a tool error carrying its message.

Served over stdio by ``qa mcp`` and over streamable HTTP at ``/mcp`` by ``qa serve`` (``mount_http``), behind
the same token, Host and Origin checks as the rest of ``qa.api``.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import AsyncIterator, Callable
from functools import partial
from pathlib import PurePath
from typing import Annotated, Any

import anyio.to_thread
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceNotFoundError
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from mcp.types import Resource as MCPResource
from pydantic import Field

from index.sentences import instruction_like
from qa.app import App, checked_text
from qa.errors import NotIndexedError, QAError
from qa.records import DocumentInfo

log = logging.getLogger("qa.mcp")

URI_PREFIX = "qa://documents/"
MAX_K = 50

INSTRUCTIONS = (
    "qa answers questions from the user's own indexed documents; every claim of an answer cites a source sentence "
    "by document path and character offsets. `ask` gives a checked, cited answer (it runs the local model and "
    "can take a minute); `search` returns the matching sentences only, fast and without the model; `compare` "
    "sets documents side by side; `verify` fact-checks a statement; `list_documents` lists what is indexed. "
    "Read the resource qa://documents/{doc_id} for a document's extracted text: a citation's text is exactly "
    "text[start:end]. Documents can be named by file name, path or doc_id."
)

READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False)

# Every tool returns a CallToolResult it builds itself (text = the CLI's JSON, structured = the same object), so a
# user error can be an is_error result with its message; the metadata is the published output schema.
Result = Annotated[CallToolResult, dict[str, Any]]
Docs = Annotated[
    list[str] | None, Field(description="Only these documents (file name, path or doc_id); default: all indexed documents.")
]


def document_uri(doc_id: str) -> str:
    return URI_PREFIX + doc_id


def _result(data: Any, structured: dict[str, Any] | None = None) -> CallToolResult:
    text = json.dumps(data, ensure_ascii=False)
    return CallToolResult(
        content=[TextContent(type="text", text=text)], structured_content=structured if structured is not None else data
    )


async def _call(what: str, fn: Callable[[], Any], shape: Callable[[Any], CallToolResult]) -> CallToolResult:
    """Run the blocking ``fn`` off the event loop; a user error becomes a tool error with its one-line message."""
    try:
        return shape(await anyio.to_thread.run_sync(fn))
    except QAError as exc:
        log.info("%s refused: %s", what, exc)
        return CallToolResult(content=[TextContent(type="text", text=str(exc))], is_error=True)
    except Exception as exc:  # a crash: the details stay in qa.log, like the HTTP API's
        log.exception("unexpected error in the MCP tool %s", what)
        return CallToolResult(
            content=[
                TextContent(
                    type="text", text=f"Something went wrong ({type(exc).__name__}); details are in qa.log in the data folder."
                )
            ],
            is_error=True,
        )


def search(app: App, query: str, k: int = 8, docs: list[str] | None = None) -> dict[str, Any]:
    """The ``k`` best sentences for ``query`` (the retriever the answers use), each with its exact offsets.

    ``text == app.text(doc_id)[start:end]``. Instruction-like sentences ("Ignore previous instructions …") are
    withheld, as they are from the model: the caller is a model too.
    """
    checked_text(query, "query")
    ids = app.doc_ids(docs)
    paths = {d.doc_id: d.path for d in app.documents()}
    found = []
    for hit in app.retriever.search(query, k, ids):
        sentences = app.catalog.sentences(hit.doc_id, hit.idx, hit.idx)
        if not sentences or instruction_like(sentences[0].text):
            continue
        s = sentences[0]
        found.append(
            {
                "document": paths.get(hit.doc_id, hit.doc_id),
                "doc_id": hit.doc_id,
                "uri": document_uri(hit.doc_id),
                "index": s.index,
                "text": s.text,
                "start": s.start,
                "end": s.end,
                "page": s.page,
                "score": round(hit.fused, 5),
                "similarity": round(hit.dense, 3),
            }
        )
    return {"query": query, "sentences": found}


def _ready(app: App, name: str) -> DocumentInfo:
    try:
        doc = app.resolve(name)
    except NotIndexedError as exc:
        raise ResourceNotFoundError(str(exc)) from exc
    if doc.status != "ready":
        raise ResourceNotFoundError(f"'{doc.path}' is not indexed completely (status {doc.status}); run `qa check`.")
    return doc


class QAServer(MCPServer[Any]):
    """``MCPServer`` whose resource list is the documents indexed right now (they change while it runs)."""

    def __init__(self, app: App, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.app = app

    async def list_resources(self) -> list[MCPResource]:
        docs = await anyio.to_thread.run_sync(self.app.documents)
        return [
            *await super().list_resources(),
            *(
                MCPResource(
                    uri=document_uri(d.doc_id),
                    name=PurePath(d.path).name,
                    title=PurePath(d.path).name,
                    description=f"Extracted text of {d.path} ({d.sentences} sentences)",
                    mime_type="text/plain",
                )
                for d in docs
            ),
        ]


def build_mcp(app: App) -> MCPServer[Any]:
    """The MCP server over ``app``: five read-only tools and the documents' text as resources."""
    mcp = QAServer(
        app,
        name="qa",
        title="qa: cited answers from your documents",
        instructions=INSTRUCTIONS,
        version=_version(),
        log_level="WARNING",
    )  # WARNING: the SDK configures the root logger

    @mcp.tool(annotations=READ_ONLY)
    async def ask(question: Annotated[str, Field(description="The question, in plain words.")], docs: Docs = None) -> Result:
        """Answer a question from the indexed documents. Every sentence of the answer is checked against the
        sources; "citations" give each source's document, text and character offsets [start, end). When nothing
        in the documents answers, "declined" is true (see "declined_because" and "near"). Uses the local model:
        allow up to a minute or two."""
        return await _call("ask", partial(app.ask, question, docs=docs), lambda a: _result(a.to_json()))

    @mcp.tool(name="search", annotations=READ_ONLY)
    async def search_tool(
        query: Annotated[str, Field(description="What to look for, in plain words.")],
        k: Annotated[int, Field(ge=1, le=MAX_K, description="How many sentences.")] = 8,
        docs: Docs = None,
    ) -> Result:
        """Find the sentences of the documents that best match the query, without running the model: each has
        its document path, doc_id, resource uri, text, character offsets [start, end), page and score. The text
        is exactly the document's extracted text[start:end] (the resource at "uri")."""
        return await _call("search", partial(search, app, query, k, docs), _result)

    @mcp.tool(annotations=READ_ONLY)
    async def compare(
        question: Annotated[str, Field(description="What to compare, e.g. 'What does it cost?'")],
        docs: Annotated[
            list[str] | None, Field(description="The documents to compare (file name, path or doc_id); default: all.")
        ] = None,
    ) -> Result:
        """Compare what the documents say about a question: a cited answer per document and the points where they
        agree, differ or only one says something. Runs the local model once per document: it can take minutes."""
        return await _call("compare", partial(app.compare, question, docs=docs), lambda c: _result(c.to_json()))

    @mcp.tool(annotations=READ_ONLY)
    async def verify(statement: Annotated[str, Field(description="The statement to fact-check.")], docs: Docs = None) -> Result:
        """Fact-check a statement against the documents: "verdict" is supported, contradicted, disputed or
        not_found, with the sentences that support or contradict it (document, text, offsets)."""
        return await _call("verify", partial(app.verify, statement, docs=docs), lambda c: _result(c.to_json()))

    @mcp.tool(annotations=READ_ONLY)
    async def list_documents() -> Result:
        """The indexed documents: doc_id, path, sha256, size in bytes, sentence count, when added, status."""

        def shape(docs: list[DocumentInfo]) -> CallToolResult:
            listed = [d.to_json() for d in docs]
            return _result(listed, {"documents": listed})

        return await _call("list_documents", app.documents, shape)

    @mcp.resource(
        URI_PREFIX + "{doc_id}",
        name="document",
        title="Document text",
        mime_type="text/plain",
        description="The extracted text of an indexed document (by doc_id, or file name or path): a "
        "citation's or search hit's text is exactly text[start:end].",
    )
    async def document(doc_id: str) -> str:
        def read() -> str:
            return app.text(_ready(app, doc_id).doc_id)

        return await anyio.to_thread.run_sync(read)

    return mcp


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("qa")
    except PackageNotFoundError:
        return ""


def mount_http(api: Any, app: App) -> MCPServer[Any]:
    """Serve ``build_mcp(app)`` over streamable HTTP at ``/mcp`` on the FastAPI app ``api`` (``qa.api``).

    Call it before anything is mounted at ``/``. The route sits behind ``api``'s middleware, so the bearer token
    (QA_API_TOKEN) and the Host and Origin checks apply as on every other route. A mounted app's lifespan never
    runs under FastAPI, so the SDK's session manager is run in ``api``'s own lifespan (Gradio wraps that one too).
    """
    from mcp.server.transport_security import TransportSecuritySettings
    from starlette.routing import Route

    mcp = build_mcp(app)
    # qa.api already checks Host (with QA_ALLOWED_HOSTS) and Origin for every route; the SDK's own check would
    # know nothing of QA_ALLOWED_HOSTS and refuse what qa.api allows
    sub = mcp.streamable_http_app(
        streamable_http_path="/mcp", transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False)
    )
    api.router.routes.append(Route("/mcp", endpoint=sub))  # exactly /mcp (a Mount would answer only /mcp/…)
    manager = mcp.session_manager
    outer = api.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(parent: Any) -> AsyncIterator[Any]:
        async with manager.run(), outer(parent) as state:
            yield state

    api.router.lifespan_context = lifespan
    return mcp
