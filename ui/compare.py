"""The Compare tab (issue 4): one column per document, one row per comparison point, clickable citations.

It appears only when ``App.compare(question, docs=None)`` exists, and reads the stable ``to_json()``
object of what it returns: ``documents`` (each with its own cited ``answer``) and ``points``.
"""

from collections.abc import Iterator
from typing import Any

import gradio as gr

from qa.app import App
from qa.records import Answer, AnswerSentence, Citation
from ui import actions, plain, render
from ui.actions import guard
from ui.assets import CITE_JS, CONTEXT_JS
from ui.render import esc, name_of

KINDS = {"agree": "Agree", "differ": "Differ", "only_in": "Only in one"}


def available(app: App) -> bool:
    return callable(getattr(app, "compare", None))


def _answer(data: dict[str, Any]) -> Answer:
    return Answer(
        data["answer"],
        data["declined"],
        [AnswerSentence(**s) for s in data["sentences"]],
        [Citation(**c) for c in data["citations"]],
        data.get("timings", {}),
    )


def citations(data: dict[str, Any]) -> dict[int, Citation]:
    """Every citation of a comparison by id (ids are unique across its documents)."""
    return {c.id: c for d in data["documents"] for c in _answer(d["answer"]).citations}


def _picked(answer: Answer, ids: set[int]) -> list[AnswerSentence]:
    """The document's claims that a point is built from (those citing one of ``ids``)."""
    return [s for s in answer.sentences if ids & set(s.citations)]


def _differing(claims: list[list[AnswerSentence]]) -> list[set[str]]:
    """Per cell, the values to highlight: its numbers that not every other cell has, else such words."""
    words = [render.tokens(" ".join(s.text for s in c)) for c in claims]
    marks = []
    for i, own in enumerate(words):
        others = [w for j, w in enumerate(words) if j != i and w]
        diff = {t for t in own if any(t not in w for w in others)}
        numbers = {t for t in diff if any(ch.isdigit() for ch in t)}
        marks.append(numbers or {t for t in diff if len(t) > 3})
    return marks


def _claims(answer: Answer, picked: list[AnswerSentence], marks: set[str] | None = None) -> str:
    if not picked:
        return '<span class="qa-note">—</span>'
    return render.answer_html(0, Answer("", False, picked, answer.citations), marks)


def _sentence(text: str) -> str:
    return f"{text[:1].upper()}{text[1:]}."


def compare_html(data: dict[str, Any]) -> str:
    docs = data["documents"]
    if not docs:
        return render.message_html("No documents to compare: add some in the “Documents” tab.", error=True)
    answers = [_answer(d["answer"]) for d in docs]
    head = "".join(f'<th scope="col">{render.breakable(name_of(d["document"]))}</th>' for d in docs)
    cells = "".join(
        f"<td>{render.answer_html(0, a)}</td>"
        if d["addressed"]
        else f'<td><span class="qa-note">{esc(_sentence(d["unanswered"]))}</span></td>'
        for d, a in zip(docs, answers, strict=True)
    )
    rows = [f'<tr class="qa-compare-answers"><th>Answer</th>{cells}</tr>']
    for p in data["points"]:
        ids = set(p["citations"])
        picked = [_picked(a, ids) if d["document"] in p["documents"] else [] for d, a in zip(docs, answers, strict=True)]
        marks = _differing(picked) if p["kind"] == "differ" else [set()] * len(docs)
        cells = "".join(f"<td>{_claims(a, c, m)}</td>" for a, c, m in zip(answers, picked, marks, strict=True))
        kind, label = esc(p["kind"]), esc(KINDS.get(p["kind"], p["kind"]))
        rows.append(f'<tr class="qa-point qa-{kind}"><th>{label}</th>{cells}</tr>')
    question = f'<div class="qa-compare-q">{esc(data.get("question", ""))}</div>'
    table = f'<table class="qa-table qa-compare"><thead><tr><th></th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    return question + render.scroll(table)


def build(app: App) -> dict[str, Any]:
    """The tab's components (inside an open ``gr.Tab``)."""
    with gr.Row():
        question = gr.Textbox(
            placeholder="Compare on… e.g. the bridge's cost",
            show_label=False,
            scale=6,
            min_width=240,  # on a phone the button goes below, and the question keeps the width
            max_lines=4,
            elem_id="qa-compare-question",
        )
        go = gr.Button("Compare", variant="primary", scale=1, min_width=100, elem_id="qa-compare-go")
    docs = gr.Dropdown(
        label="Documents to compare",
        info="Leave empty to compare the most relevant ones.",
        multiselect=True,
        choices=actions.document_choices(app),
        value=[],
        elem_id="qa-compare-docs",
    )
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            table = gr.HTML("", elem_id="qa-compare", js_on_load=CITE_JS)
        with gr.Column(scale=2):
            context = gr.HTML(render.context_empty(), elem_id="qa-compare-context", js_on_load=CONTEXT_JS)
    return {"question": question, "go": go, "docs": docs, "table": table, "context": context, "state": gr.State(None)}


def wire(app: App, parts: dict[str, Any]) -> None:
    @guard(inline=lambda text, *_: (render.message_html(text, error=True), gr.skip()))
    def on_compare(question: str, docs: list[str] | None) -> Iterator[tuple[Any, ...]]:
        if not (question or "").strip():
            yield render.message_html("Type what to compare first.", error=True), gr.skip()
            return
        # nothing streams: each document answers in turn, then the table is built; say so while that runs
        yield f'<div class="qa-wait" role="status">{esc(render.COMPARING)}</div>', gr.skip()
        data = app.compare(question.strip(), docs=docs or None).to_json()  # type: ignore[attr-defined]
        yield compare_html(data), data

    @guard(inline=lambda text, *_: render.message_html(text, error=True))
    def on_cite(data: dict[str, Any] | None, evt: gr.EventData) -> str:
        n = int((getattr(evt, "_data", None) or {}).get("cite", -1))
        cited = citations(data or {"documents": []}).get(n)
        if cited is None:
            return render.message_html("That citation is no longer available. Compare again to get current sources.", error=True)
        found = actions.citation_context(app, cited)
        if found is None:
            return render.message_html(plain.DOC_REMOVED, error=True)
        return render.context_html(cited, *found, actions.NEAR_SENTENCES)

    p = parts
    gr.on(
        [p["question"].submit, p["go"].click],
        on_compare,
        [p["question"], p["docs"]],
        [p["table"], p["state"]],
        concurrency_limit=1,
        concurrency_id="model",
    )
    p["table"].cite(on_cite, [p["state"]], [p["context"]])
