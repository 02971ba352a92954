"""The page's components and their stable element ids; ``ui/app.py`` wires them to handlers."""

from typing import Any

import gradio as gr

from qa.app import App
from ui import compare, render
from ui.assets import CHAT_SCROLL_JS, CITE_JS, CONTEXT_JS

INTRO = (
    "<h1>qa</h1><p>Ask questions about your own documents. Every sentence of an answer cites the "
    "sentence it comes from, and each citation is checked.</p>"
)
TOP_K_INFO = "Sentences retrieved per question; each brings its neighbours."
QUESTION_PLACEHOLDER = "Ask about your documents…"
SETTINGS_NOTE = "These only change how questions are answered; they never touch the index."
CHECK_INFO = (
    "Each document's closest sentences are checked. Another number, date or a negation is found; a contradiction "
    "in other words (“free of charge” against “a toll”) can be missed."
)


def _doc_picker(label: str, empty: str, elem_id: str) -> gr.Dropdown:
    """A multi-select of indexed documents (its choices come from ``ui.app._doc_updates``); empty means all."""
    return gr.Dropdown(
        label=label, info=f"Leave empty to {empty}.", multiselect=True, choices=[], value=[], scale=4, elem_id=elem_id
    )


class Page:
    """Every component a handler reads or writes, as attributes (``page.chat``, ``page.files``, …)."""

    def __init__(self, app: App) -> None:
        s = app.settings
        self.turns = gr.State([])
        gr.HTML(INTRO, elem_id="qa-title")
        with gr.Tabs(overflow_behavior="wrap"):  # on a phone every tab stays in sight
            with gr.Tab("Ask", id="ask"):
                self.notice = gr.HTML("", elem_id="qa-notice")
                # On a narrow screen the columns stack: Sources and the document come right after the chat,
                # and the settings, seldom needed, after them.
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3):
                        self._chat_column()
                    with gr.Column(scale=2):
                        gr.Markdown("#### Sources")
                        self.sources = gr.HTML(render.sources_html([]), elem_id="qa-sources", js_on_load=CITE_JS)
                        gr.Markdown("#### In the document")
                        self.context = gr.HTML(render.context_empty(), elem_id="qa-context", js_on_load=CONTEXT_JS)
                self._settings(app, s.top_k, s.temperature)
            with gr.Tab("Documents", id="documents"):
                self._documents_tab()
            with gr.Tab("Check a statement", id="verify"):
                self.statement = gr.Textbox(
                    placeholder="e.g. The bridge will cost £46 million.",
                    label="A statement to check against the documents",
                    info=CHECK_INFO,
                    elem_id="qa-statement",
                )
                with gr.Row():
                    self.check_scope = _doc_picker("Check against", "check against every document", "qa-check-scope")
                    self.check = gr.Button("Check", variant="primary", scale=1, min_width=80, elem_id="qa-check")
                self.verdict = gr.HTML("", elem_id="qa-verdict", js_on_load=CITE_JS)
                self.checked = gr.State(None)  # the last fact-check, whose sentences open in the view below
                gr.Markdown("#### In the document")
                self.check_context = gr.HTML(render.context_empty(), elem_id="qa-check-context", js_on_load=CONTEXT_JS)
            # ---- Compare tab (issue 4): shown once App.compare(question, docs=None) exists ----
            self.compare: dict[str, Any] | None = None
            if compare.available(app):
                with gr.Tab("Compare", id="compare"):
                    self.compare = compare.build(app)

    def _chat_column(self) -> None:
        self.chat = gr.HTML(
            render.chat_html([]), elem_id="qa-chat", js_on_load=CITE_JS + CHAT_SCROLL_JS, min_height=380, max_height=560
        )
        with gr.Row():
            self.question = gr.Textbox(
                placeholder=QUESTION_PLACEHOLDER,
                show_label=False,
                scale=6,
                lines=1,
                max_lines=6,
                autofocus=True,
                elem_id="qa-question",
            )
            self.ask = gr.Button("Ask", variant="primary", scale=1, min_width=80, elem_id="qa-ask")
        with gr.Row():
            self.scope = _doc_picker("Search in", "search every document", "qa-scope")
            self.new_chat = gr.Button("New conversation", size="sm", scale=1, elem_id="qa-new-chat")
        self.seeds = gr.Button("Load the sample documents", size="sm", visible=False, elem_id="qa-load-seeds")

    def _settings(self, app: App, top_k: int, temperature: float) -> None:
        with gr.Accordion("Settings", open=False, elem_id="qa-settings"):
            gr.Textbox(value=app.model_name, label="Model in use", interactive=False, elem_id="qa-model")
            self.top_k = gr.Slider(1, 20, value=top_k, step=1, label="Number of sources", info=TOP_K_INFO, elem_id="qa-top-k")
            self.temperature = gr.Slider(
                0.0,
                1.5,
                value=temperature,
                step=0.05,
                label="Temperature",
                info="0 keeps answers closest to the sources.",
                elem_id="qa-temperature",
            )
            gr.Markdown(SETTINGS_NOTE)

    def _documents_tab(self) -> None:
        self.files = gr.File(
            label="Add documents: drop files here (several at once) or click to choose",
            file_count="multiple",
            type="filepath",
            height=160,
            elem_id="qa-upload",
        )
        self.results = gr.HTML("", elem_id="qa-upload-results")
        gr.Markdown("#### Indexed documents")
        self.table = gr.HTML(render.documents_html([]), elem_id="qa-docs")
        with gr.Row():
            self.doomed = gr.Dropdown(
                label="Remove a document from the index", choices=[], value=None, scale=4, elem_id="qa-remove-choice"
            )
            self.remove = gr.Button("Remove", variant="stop", scale=1, elem_id="qa-remove")
            self.confirm_remove = gr.Button("Confirm remove", variant="stop", scale=1, visible=False, elem_id="qa-remove-confirm")
            self.cancel_remove = gr.Button("Keep it", scale=1, visible=False, elem_id="qa-remove-cancel")
        self.removed = gr.HTML("", elem_id="qa-remove-result")
        with gr.Row():
            self.unseed = gr.Button("Remove the sample documents", size="sm", visible=False, elem_id="qa-remove-samples")
            self.reseed = gr.Button("Add the sample documents", size="sm", visible=False, elem_id="qa-add-samples")

    @property
    def doc_inputs(self) -> list[gr.components.Component]:
        """The document pickers whose choices survive a change to the documents (see ``ui.app._doc_updates``):
        "Search in", "Documents to compare" (a placeholder when there is no Compare tab) and "Check against"."""
        return [self.scope, self.compare["docs"] if self.compare else self.turns, self.check_scope]

    @property
    def doc_outputs(self) -> list[gr.components.Component]:
        """What a change to the set of documents refreshes (see ``ui.app._doc_updates``)."""
        extra = [self.compare["docs"]] if self.compare else []
        return [self.table, self.scope, self.doomed, self.seeds, self.check_scope, self.unseed, self.reseed, *extra]

    @property
    def conversation(self) -> list[gr.components.Component]:
        return [self.turns, self.chat, self.sources, self.context]
