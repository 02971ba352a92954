"""Helpers over the ``App`` methods the CLI calls, and ``guard``, the one place errors become messages."""

from __future__ import annotations

import functools
import html
import inspect
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr

from qa.app import App, upload_name
from qa.errors import NotIndexedError, QAError
from qa.records import Citation, DocumentInfo, IngestResult, Sentence
from ui import plain

log = logging.getLogger("qa.ui")

CONTEXT_SENTENCES = 12  # sentences loaded on each side of a cited one, to scroll through
NEAR_SENTENCES = 2  # of those, shown in full contrast around it


def message(exc: BaseException) -> str:
    """One readable line for the user; only an unexpected error is logged with its trace."""
    if isinstance(exc, QAError):
        return plain.error(exc)
    log.exception("unexpected error in the UI")
    return f"Something went wrong ({type(exc).__name__}). Try again; if it keeps happening, qa.log in the data folder says why."


def guard(fn: Callable[..., Any] | None = None, *, inline: Callable[..., Any] | None = None) -> Any:
    """Run a UI handler so a ``QAError`` (or anything unexpected) reaches the user as one readable line.

    By default the line is a ``gr.Error`` pop-up; with ``inline``, the handler's outputs become
    ``inline(line, *inputs)`` instead, to show the message in place.
    """
    if fn is None:
        return functools.partial(guard, inline=inline)

    def fail(exc: Exception, args: tuple[Any, ...]) -> Any:
        if isinstance(exc, gr.Error):
            raise exc
        text = message(exc)
        if inline is not None:
            return inline(text, *args)
        # gr.Error renders its message as HTML, and ours quote file names: escape them.
        raise gr.Error(html.escape(text), print_exception=False) from None

    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def stream(*args: Any) -> Any:
            try:
                yield from fn(*args)
            except Exception as exc:
                yield fail(exc, args)

        return stream

    @functools.wraps(fn)
    def call(*args: Any) -> Any:
        try:
            return fn(*args)
        except Exception as exc:
            return fail(exc, args)

    return call


def uploads_dir(app: App) -> Path:
    return app.uploads_dir


def safe_name(path: str) -> str:
    """The uploaded file's own name, as ``App.add_upload`` stores it (``qa.app.upload_name``)."""
    return upload_name(str(path)) or "upload"


def received(path: str) -> bool:
    """Whether ``path`` is a file Gradio itself received: inside its upload folder (``GRADIO_TEMP_DIR``)."""
    from gradio.utils import get_upload_folder

    folder = Path(get_upload_folder()).resolve()
    try:
        return Path(path).resolve().is_relative_to(folder) and Path(path).resolve() != folder
    except (OSError, RuntimeError, ValueError):
        return False


NOT_RECEIVED = "this file was not uploaded through this page"


def upload(app: App, paths: list[str], progress: Callable[[float, str], None]) -> list[IngestResult]:
    """Copy each upload into the data folder under its own name (a stable document path), then ingest it.

    Only files Gradio received in its upload folder are read; any other path gets the same refusal whether
    or not it exists, so the route neither reads nor reveals the server's files.
    """
    results: list[IngestResult] = []
    batch: set[str] = set()  # two files of one upload may not share a name (``App.add_upload``)
    for i, src in enumerate(paths):
        name = safe_name(src)
        if not received(src):
            results.append(IngestResult(name, "error", NOT_RECEIVED))
            continue
        desc = f"Indexing {name} ({i + 1} of {len(paths)})"
        progress(i / len(paths), desc)

        def step(_name: str, done: int, total: int, i: int = i, desc: str = desc) -> None:
            progress((i + done / max(total, 1)) / len(paths), desc)

        results.append(app.add_upload(name, Path(src).read_bytes(), progress=step, batch=batch))
    return results


def remove(app: App, path: str) -> DocumentInfo:
    """Remove a document from the index, and our own copy of it if it was uploaded (``App.remove`` does both)."""
    return app.remove(path)


def document_choices(app: App) -> list[tuple[str, str]]:
    """(label, value) pairs for document pickers: the file name shown (with its folder's name when two files
    share it), the full path used."""
    docs = app.documents()
    names = [Path(d.path).name for d in docs]
    return [(n if names.count(n) == 1 else f"{n} ({Path(d.path).parent.name})", d.path) for n, d in zip(names, docs, strict=True)]


def sentence_at(app: App, doc_id: str, count: int, start: int) -> Sentence | None:
    """The sentence starting at character ``start`` (sentences are in text order: binary search)."""
    lo, hi = 0, count - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        found = app.sentences(doc_id, mid, mid)
        if not found:
            return None
        s = found[0]
        if s.start == start:
            return s
        if s.start < start:
            lo = mid + 1
        else:
            hi = mid - 1
    return None


def citation_context(app: App, c: Citation) -> tuple[DocumentInfo, str, list[Sentence]] | None:
    """The cited document, its text, and the sentences around the cited one; None once it was removed."""
    try:
        doc = app.resolve(c.document)
    except NotIndexedError:
        return None
    text = app.text(doc.doc_id)
    hit = sentence_at(app, doc.doc_id, doc.sentences, c.start)
    if hit is None:
        return doc, text, []
    lo, hi = max(hit.index - CONTEXT_SENTENCES, 0), hit.index + CONTEXT_SENTENCES
    return doc, text, app.sentences(doc.doc_id, lo, hi)
