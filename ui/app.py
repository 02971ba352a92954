"""``build_ui(app)``: the Gradio page (chat, sources, documents, settings); ``serve`` runs it on loopback.

Handlers only call ``App`` methods and the ``ui.actions`` helpers over them, and render with ``ui.render``.
Every handler goes through ``guard``, the one place where a ``QAError`` becomes a readable message.
"""

import time
from typing import Any

import gradio as gr

from qa.app import App
from ui import actions, compare, render
from ui.actions import guard
from ui.layout import Page
from ui.render import Turn

STREAM_EVERY_S = 0.05  # re-render the streaming answer at most this often


def _doc_updates(app: App, page: Page, scope: list[str] | None) -> tuple[Any, ...]:
    """New values for ``page.doc_outputs``; the documents still indexed stay selected in "Search in"."""
    docs = app.documents()
    choices = actions.document_choices(app)
    paths = {d.path for d in docs}
    kept = [p for p in scope or [] if p in paths]
    extra = (gr.update(choices=choices, value=[]),) if page.compare else ()
    return (
        render.documents_html(docs),
        gr.update(choices=choices, value=kept),
        gr.update(choices=choices, value=None),
        gr.update(visible=not docs),
        *extra,
    )


def _ask_failed(text: str, q: str, turns: list[Turn], *_: Any) -> tuple[Any, ...]:
    """Show why a question failed in place of its answer, and give the question back to edit or retry."""
    shown = [*turns, Turn((q or "").strip(), error=text)]
    return render.chat_html(shown), render.sources_html(turns), gr.skip(), q


def _cite_failed(text: str, *_: Any) -> tuple[Any, ...]:
    return gr.skip(), render.message_html(text, error=True)


def build_ui(app: App) -> gr.Blocks:
    """The page over ``app``; ``serve`` launches it with the page CSS (``ui.assets.CSS``)."""
    with gr.Blocks(title="qa: ask your documents", analytics_enabled=False) as demo:
        page = Page(app)

        @guard(inline=_ask_failed)
        def on_ask(q: str, turns: list[Turn], docs: list[str] | None, k: float, temp: float) -> Any:
            q = (q or "").strip()
            if not q:
                yield gr.skip(), gr.skip(), gr.skip(), gr.skip()
                return
            past = [(t.question, t.answer.answer) for t in turns if t.answer is not None]
            turns = [*turns, Turn(q)]
            turn, last = turns[-1], 0.0
            yield render.chat_html(turns), render.sources_html(turns), gr.skip(), ""
            kind, named = app.route(q)
            if kind == "compare":  # a question naming two documents, or asking to compare, gets a comparison
                result = app.compare(q, docs=named or docs or None)
                turn.rewritten = "compared: " + ", ".join(render.name_of(d.document) for d in result.documents)
                turn.answer = result.as_answer()
                yield render.chat_html(turns), render.sources_html(turns), turns, ""
                return
            stream = app.ask_stream(q, docs=docs or None, history=past, top_k=int(k), temperature=float(temp))
            for event in stream:
                if event.kind == "rewritten":
                    turn.rewritten = event.data
                elif event.kind == "token":
                    turn.draft += event.data
                    if time.monotonic() - last < STREAM_EVERY_S:
                        continue
                    last = time.monotonic()
                elif event.kind == "checking":
                    turn.checking = True
                elif event.kind == "answer":
                    turn.answer = event.data
                    continue
                yield render.chat_html(turns), render.sources_html(turns), gr.skip(), ""
            yield render.chat_html(turns), render.sources_html(turns), turns, ""

        @guard(inline=_cite_failed)
        def on_cite(turns: list[Turn], evt: gr.EventData) -> tuple[str, str]:
            data = getattr(evt, "_data", None) or {}
            i, n = int(data.get("turn", -1)), int(data.get("cite", -1))
            answer = turns[i].answer if 0 <= i < len(turns) else None
            cited = [c for c in answer.citations if c.id == n] if answer else []
            if not cited:
                return gr.skip(), render.message_html("That citation is no longer available.", error=True)
            doc, text, window = actions.citation_context(app, cited[0])
            return (render.sources_html(turns, i, n), render.context_html(cited[0], doc, text, window, actions.NEAR_SENTENCES))

        @guard
        def on_upload(paths: list[str] | None, scope: list[str] | None, progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008 (Gradio's idiom)
            if not paths:
                return (gr.skip(), gr.skip(), *_doc_updates(app, page, scope))
            found = actions.upload(app, list(paths), lambda f, desc: progress(f, desc=desc))
            return (render.upload_results_html(found), None, *_doc_updates(app, page, scope))

        @guard
        def on_remove(path: str | None, scope: list[str] | None) -> tuple[Any, ...]:
            if not path:
                note = render.message_html("Choose a document to remove first.", error=True)
            else:
                doc = actions.remove(app, path)
                note = render.message_html(f"Removed {render.name_of(doc.path)} from the index.")
            return (note, *_doc_updates(app, page, scope))

        @guard
        def on_seeds(scope: list[str] | None) -> tuple[Any, ...]:
            return (render.upload_results_html(app.ensure_seeds()), *_doc_updates(app, page, scope))

        @guard
        def on_check(statement: str) -> str:
            if not (statement or "").strip():
                return render.message_html("Write a statement to check first.", error=True)
            return render.check_html(app.verify(statement))

        @guard
        def on_load(scope: list[str] | None) -> tuple[Any, ...]:
            return _doc_updates(app, page, scope)

        @guard
        def on_new_chat() -> tuple[Any, ...]:
            has_docs = bool(app.documents())
            return [], render.chat_html([], has_docs), render.sources_html([]), render.context_empty()

        p = page
        asking = [p.question, p.turns, p.scope, p.top_k, p.temperature]
        gr.on(
            [p.question.submit, p.ask.click],
            on_ask,
            asking,
            [p.chat, p.sources, p.turns, p.question],
            concurrency_limit=1,
            concurrency_id="model",
            show_progress="minimal",
        )
        for html in (p.chat, p.sources):
            html.cite(on_cite, [p.turns], [p.sources, p.context])  # type: ignore[attr-defined]
        p.files.upload(
            on_upload, [p.files, p.scope], [p.results, p.files, *p.doc_outputs], concurrency_limit=1, concurrency_id="index"
        )
        p.remove.click(on_remove, [p.doomed, p.scope], [p.removed, *p.doc_outputs], concurrency_id="index")
        p.seeds.click(on_seeds, [p.scope], [p.results, *p.doc_outputs], concurrency_id="index").then(
            on_new_chat, None, p.conversation
        )
        p.new_chat.click(on_new_chat, None, p.conversation)
        gr.on(
            [p.statement.submit, p.check.click], on_check, [p.statement], [p.verdict], concurrency_limit=1, concurrency_id="model"
        )
        demo.load(on_load, [p.scope], p.doc_outputs).then(on_new_chat, None, p.conversation)
        if p.compare:
            compare.wire(app, p.compare)
    return demo
