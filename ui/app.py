"""``build_ui(app)``: the Gradio page (chat, sources, documents, settings); ``serve`` runs it on loopback.

Handlers only call ``App`` methods and the ``ui.actions`` helpers over them, and render with ``ui.render``.
Every handler goes through ``guard``, the one place where a ``QAError`` becomes a readable message.
"""

import time
from dataclasses import replace
from typing import Any

import gradio as gr

from qa.app import MAX_QUESTION_CHARS, App, checked_text
from qa.ask import follows_up
from qa.records import IngestResult
from ui import actions, compare, plain, render
from ui.actions import guard
from ui.layout import Page
from ui.render import Turn

STREAM_EVERY_S = 0.05  # re-render the streaming answer at most this often
CITE_GONE = "That citation is no longer available. Ask again to get current sources."
SEEDED = (
    "Nothing was indexed yet, so the {n} sample documents were indexed for you to try questions on. Add your own "
    "in the “Documents” tab, and remove the samples there when you no longer need them."
)


def _doc_updates(app: App, page: Page, scope: list[str] | None, compared: Any = None, checked: Any = None) -> tuple[Any, ...]:
    """New values for ``page.doc_outputs``; the documents still indexed stay selected in "Search in", "Documents
    to compare" and "Check against" (``page.doc_inputs``)."""
    docs = app.documents()
    choices = actions.document_choices(app)
    paths = {d.path for d in docs}

    def kept(chosen: Any) -> list[str]:
        return [p for p in chosen or [] if p in paths]

    extra = (gr.update(choices=choices, value=kept(compared)),) if page.compare else ()
    samples = bool(app.samples(docs))
    return (
        render.documents_html(docs),
        gr.update(choices=choices, value=kept(scope)),
        gr.update(choices=choices, value=None),
        gr.update(visible=not docs),
        gr.update(choices=choices, value=kept(checked)),
        gr.update(visible=samples),
        gr.update(visible=not samples and app.settings.seeds_dir.is_dir()),
        *extra,
    )


SHOWN_CHARS = 300  # of a failed question, shown above its error


def _ask_failed(text: str, q: str, turns: list[Turn], *_: Any) -> tuple[Any, ...]:
    """Show why a question failed in place of its answer, and give the question back to edit or retry."""
    q = (q or "").strip()
    # a question refused for its length is not echoed whole (a 2,475-character bubble pushed its error out of view)
    echo = q if len(q) <= SHOWN_CHARS else q[:SHOWN_CHARS].rstrip() + f"… ({len(q):,} characters)"
    shown = [*turns, Turn(echo, error=text)]
    return render.chat_html(shown), render.sources_html(turns), gr.skip(), q, gr.skip()


def _cite_failed(text: str, *_: Any) -> tuple[Any, ...]:
    return gr.skip(), render.message_html(text, error=True)


def _seeded(results: list[IngestResult]) -> str:
    """The note shown when the first page load indexed the sample documents."""
    added = [r for r in results if r.status == "indexed"]
    return render.done_html(SEEDED.format(n=len(added))) if added else ""


def build_ui(app: App, seeded: list[IngestResult] | None = None) -> gr.Blocks:
    """The page over ``app``; ``serve`` launches it with the page CSS (``ui.assets.CSS``). ``seeded``: the samples
    ``serve`` indexed as it started (a data folder's first use), which the first page load announces."""
    with gr.Blocks(title="qa: ask your documents", analytics_enabled=False) as demo:
        page = Page(app)

        busy: set[str] = set()  # the sessions (browser tabs) whose question the model is answering

        @guard(inline=_ask_failed)
        def on_ask(q: str, turns: list[Turn], docs: list[str] | None, k: float, temp: float, request: gr.Request) -> Any:
            q = (q or "").strip()
            if not q:
                yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
                return
            checked_text(q, "question")  # over the length limit: the error at once, before the question is shown
            busy.add(request.session_hash or "")
            try:
                yield from answering(q, turns, docs, k, temp)
            finally:
                busy.discard(request.session_hash or "")

        def answering(q: str, turns: list[Turn], docs: list[str] | None, k: float, temp: float) -> Any:
            """``on_ask``'s steps. Only the first empties the question box: a question typed while this one is
            answered stays there, and is asked next (``always_last``; before, each step emptied the box and the
            second click was dropped: a browser walk-through)."""
            past = [(t.question, t.answer.answer) for t in turns if t.answer is not None]
            turns = [*turns, Turn(q)]
            turn, last = turns[-1], 0.0
            # the document view belongs to the previous answer's sources: it clears with them
            kind, named = app.route(q, follow_up=bool(past))
            turn.comparing = kind == "compare"
            yield render.chat_html(turns), render.sources_html(turns), gr.skip(), "", render.context_empty()
            if kind == "compare":  # a question naming two documents, or asking to compare, gets a comparison
                result = app.compare(q, docs=named or docs or None)
                turn.compared, turn.comparing = [d.document for d in result.documents], False
                turn.answer = result.as_answer()
                yield render.chat_html(turns), render.sources_html(turns), turns, gr.skip(), gr.skip()
                return
            stream = app.ask_stream(
                q, docs=docs or None, routed=(kind, named), history=past, top_k=int(k), temperature=float(temp)
            )
            if past and follows_up(q):  # a follow-up is first made standalone by the model (the stream's first step)
                turn.rewriting = True
                yield render.chat_html(turns), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            for event in stream:
                if event.kind == "rewritten":
                    turn.rewritten, turn.rewriting = event.data, False
                elif event.kind == "sources":
                    turn.found = True
                elif event.kind == "token":
                    turn.draft += event.data
                    if time.monotonic() - last < STREAM_EVERY_S:
                        continue
                    last = time.monotonic()
                elif event.kind == "checking":
                    turn.checking = True
                elif event.kind == "redraft":  # the draft only repeated a source: the model is asked again
                    turn.draft, turn.checking, turn.redrafted = "", False, True
                elif event.kind == "answer":
                    turn.answer = event.data
                    continue
                yield render.chat_html(turns), render.sources_html(turns), gr.skip(), gr.skip(), gr.skip()
            yield render.chat_html(turns), render.sources_html(turns), turns, gr.skip(), gr.skip()

        @guard(inline=_cite_failed)
        def on_cite(turns: list[Turn], evt: gr.EventData) -> tuple[str, str]:
            data = getattr(evt, "_data", None) or {}
            i, n = int(data.get("turn", -1)), int(data.get("cite", -1))
            answer = turns[i].answer if 0 <= i < len(turns) else None
            # a declined answer's closest sentences open as its citations would (it has none)
            cited = [c for c in (answer.citations or answer.near) if c.id == n] if answer else []
            if not cited:
                return gr.skip(), render.message_html(CITE_GONE, error=True)
            found = actions.citation_context(app, cited[0])
            if found is None:
                return gr.skip(), render.message_html(plain.DOC_REMOVED, error=True)
            context = render.context_html(
                cited[0], *found, actions.NEAR_SENTENCES, possibly=answer is not None and not answer.citations
            )
            return render.sources_html(turns, i, n), context

        @guard
        def on_upload(
            paths: list[str] | None,
            scope: Any,
            compared: Any,
            checked: Any,
            progress: gr.Progress = gr.Progress(),  # noqa: B008 (Gradio)
        ) -> tuple[Any, ...]:
            if not paths:
                return (gr.skip(), gr.skip(), *_doc_updates(app, page, scope, compared, checked))
            found = actions.upload(app, list(paths), lambda f, desc: progress(f, desc=desc))
            return (render.upload_results_html(found), None, *_doc_updates(app, page, scope, compared, checked))

        @guard
        def on_remove_asked(path: str | None) -> tuple[Any, ...]:
            if not path:
                hidden = gr.update(visible=False)
                return render.message_html("Choose a document to remove first.", error=True), hidden, hidden
            question = f"Remove {render.name_of(path)} from the index? Click “Confirm remove” to go ahead, or “Keep it”."
            return render.message_html(question), gr.update(visible=True), gr.update(visible=True)

        @guard
        def on_remove(path: str | None, scope: Any, compared: Any, checked: Any) -> tuple[Any, ...]:
            doc = actions.remove(app, path or "")
            note = render.done_html(f"Removed {render.name_of(doc.path)} from the index.")
            return (note, gr.update(visible=False), gr.update(visible=False), *_doc_updates(app, page, scope, compared, checked))

        @guard
        def on_unseed(scope: Any, compared: Any, checked: Any) -> tuple[Any, ...]:
            gone = app.remove_samples()
            said = f"Removed the {len(gone)} sample documents from the index." if gone else "No sample documents are indexed."
            hidden = gr.update(visible=False)  # a removal asked for before is no longer pending
            return (render.done_html(said), hidden, hidden, *_doc_updates(app, page, scope, compared, checked))

        @guard
        def on_seeds(scope: Any, compared: Any, checked: Any) -> tuple[Any, ...]:
            return (render.upload_results_html(app.ensure_seeds(again=True)), *_doc_updates(app, page, scope, compared, checked))

        @guard
        def on_check(statement: str, docs: list[str] | None = None) -> tuple[Any, ...]:
            if not (statement or "").strip():
                return render.message_html("Write a statement to check first.", error=True), None, render.context_empty()
            result = app.verify(statement, docs=docs or None)
            return render.check_html(result), result, render.context_empty()

        @guard(inline=_cite_failed)
        def on_check_cite(result: Any, evt: gr.EventData) -> tuple[Any, str]:
            k = int((getattr(evt, "_data", None) or {}).get("cite", -1))
            if result is None or not 0 <= k < len(result.citations):
                return gr.skip(), render.message_html(CITE_GONE, error=True)
            stance = result.citations[k]
            # a sentence that says otherwise is shown as one, not with a support score (``render._support``)
            cited = replace(stance.citation, role="contradicts") if stance.stance == "contradicts" else stance.citation
            found = actions.citation_context(app, cited)
            if found is None:
                return gr.skip(), render.message_html(plain.DOC_REMOVED, error=True)
            return gr.skip(), render.context_html(cited, *found, actions.NEAR_SENTENCES)

        first_load = True

        @guard
        def on_load(scope: Any, compared: Any, checked: Any) -> tuple[Any, ...]:
            # The first page load on an empty index indexes the sample documents, so a question works at once;
            # only the first, so samples the user removed do not come back on a reload.
            nonlocal first_load
            results = (seeded or (app.ensure_seeds() if not app.documents() else [])) if first_load else []
            note, first_load = _seeded(results), False
            return (note or gr.skip(), *_doc_updates(app, page, scope, compared, checked))

        @guard
        def on_new_chat() -> tuple[Any, ...]:
            has_docs = bool(app.documents())
            return [], render.chat_html([], has_docs), render.sources_html([]), render.context_empty()

        def on_queued(q: str, turns: list[Turn], request: gr.Request) -> Any:
            """The question in the chat at once, outside the queue: while the model answers another tab's question
            (or one whose page was closed), it waits there with a note instead of a dimmed page and Gradio's small
            queue counter (a browser walk-through). Not while this tab's own answer streams, which would redraw
            the chat without it: the question waits in its box, and is asked next."""
            q = (q or "").strip()
            if not q or len(q) > MAX_QUESTION_CHARS or (request.session_hash or "") in busy:
                return gr.skip()
            return render.chat_html([*turns, Turn(q, queued=True)])

        p = page
        asking = [p.question, p.turns, p.scope, p.top_k, p.temperature]
        gr.on([p.question.submit, p.ask.click], on_queued, [p.question, p.turns], [p.chat], queue=False).then(
            on_ask,
            asking,
            [p.chat, p.sources, p.turns, p.question, p.context],
            concurrency_limit=1,
            concurrency_id="model",
            show_progress="minimal",
            trigger_mode="always_last",  # a question asked while the last one is answered runs next, not dropped
        )
        for html in (p.chat, p.sources):
            html.cite(on_cite, [p.turns], [p.sources, p.context])  # type: ignore[attr-defined]
        p.files.upload(
            on_upload, [p.files, *p.doc_inputs], [p.results, p.files, *p.doc_outputs], concurrency_limit=1, concurrency_id="index"
        )
        asking = [p.removed, p.confirm_remove, p.cancel_remove]  # the question and its two answers
        p.remove.click(on_remove_asked, [p.doomed], asking)
        unasked = lambda: ("", gr.update(visible=False), gr.update(visible=False))  # noqa: E731
        p.doomed.input(unasked, None, asking)
        p.cancel_remove.click(unasked, None, asking)
        p.confirm_remove.click(on_remove, [p.doomed, *p.doc_inputs], [*asking, *p.doc_outputs], concurrency_id="index")
        p.seeds.click(on_seeds, p.doc_inputs, [p.results, *p.doc_outputs], concurrency_id="index").then(
            on_new_chat, None, p.conversation
        )
        p.verdict.cite(on_check_cite, [p.checked], [p.verdict, p.check_context])
        p.unseed.click(on_unseed, p.doc_inputs, [*asking, *p.doc_outputs], concurrency_id="index")
        p.reseed.click(on_seeds, p.doc_inputs, [p.removed, *p.doc_outputs], concurrency_id="index")
        p.new_chat.click(on_new_chat, None, p.conversation)
        gr.on(
            [p.statement.submit, p.check.click],
            on_check,
            [p.statement, p.check_scope],
            [p.verdict, p.checked, p.check_context],
            concurrency_limit=1,
            concurrency_id="model",
        )
        demo.load(on_load, p.doc_inputs, [p.notice, *p.doc_outputs]).then(on_new_chat, None, p.conversation)
        if p.compare:
            compare.wire(app, p.compare)
    return demo
