"""HTML for the chat, the sources panel, the cited-sentence context and the document lists.

Every piece of document or model text goes through ``esc``: documents can contain hostile HTML. Clickable
citations carry ``data-turn`` and ``data-cite``; the click handler in ``ui/assets.py`` sends both to Python.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from qa.cite import OTHERWISE
from qa.prompt import MARKER
from qa.records import Answer, Citation, DocumentInfo, IngestResult, Sentence
from ui import plain

UNSUPPORTED = "No source sentence supports this claim; do not rely on it."
RECITED = "Citation changed: the sentence shown here states this better than the one the model cited."
REDRAFT = "The first draft only repeated a source; asking again…"
REWRITTEN = "Your follow-up, made standalone using the conversation, is what was searched for."
COMPARED = "The question asks for a comparison: each document answers it on its own, then the answers are set side by side."
QUEUED = "Waiting for the model: it is answering another question, and this one is next in line…"
COMPARING = "Comparing the documents: each one answers on its own, then the answers are set side by side…"
EMPTY = (
    "Ask a question about your documents. Every sentence of the answer cites the sentence it comes "
    "from; click a [n] marker to read it in place."
)
NO_DOCUMENTS = (
    "No documents are indexed yet. Add some in the “Documents” tab, or load the sample documents with the button below."
)


def esc(text: str) -> str:
    # "$" and "{" are also escaped: Gradio's HTML component treats its template as a JS template string.
    return html.escape(text, quote=True).replace("$", "&#36;").replace("{", "&#123;").replace("}", "&#125;")


def name_of(path: str) -> str:
    return PurePath(path).name or path


def breakable(name: str) -> str:
    """A file name escaped, with a break opportunity after each "_", "-" and "." ("kestrel_<wbr>bridge_<wbr>…"), so
    a narrow column heading wraps there, not mid-word ("kestrel_bridge_reside" / "nts_newsletter.html")."""
    return re.sub(r"(?<=[_.-])", "<wbr>", esc(name))


_TOKEN = re.compile(r"[£$€]?\d[\d,.]*%?|\w+")


def marked(text: str, words: set[str] | None = None) -> str:
    """``text`` escaped, with each of ``words`` (compared by ``key``) wrapped in ``<mark class="qa-diff">``."""
    if not words:
        return esc(text)
    out, at = [], 0
    for m in _TOKEN.finditer(text):
        if key(m.group()) in words:
            out.append(f'{esc(text[at : m.start()])}<mark class="qa-diff">{esc(m.group())}</mark>')
            at = m.end()
    return "".join(out) + esc(text[at:])


def key(token: str) -> str:
    return token.lower().rstrip(".,")


def tokens(text: str) -> set[str]:
    return {key(t) for t in _TOKEN.findall(text)}


def scroll(table: str) -> str:
    """A table in its own horizontal scroller: on a narrow screen it scrolls instead of being cut off."""
    return f'<div class="qa-scroll">{table}</div>'


@dataclass
class Turn:
    """One question and its (streaming, then checked) answer."""

    question: str
    rewritten: str = ""
    draft: str = ""
    rewriting: bool = False  # a follow-up being made standalone before the search
    found: bool = False  # the search is done: the model is writing
    redrafted: bool = False  # the first draft only repeated a source and the model was asked again
    checking: bool = False  # the draft is complete and being checked
    answer: Answer | None = None
    error: str = ""
    compared: list[str] = field(default_factory=list)  # routed to a comparison: the documents compared (once known)
    comparing: bool = False  # routed to a comparison, which answers from each document before anything is shown
    queued: bool = False  # asked, and waiting for the model (another question is being answered)


def _cite(turn: int, n: int, selected: bool = False, recited: bool = False) -> str:
    """A citation marker; ``recited``: the checker chose it, which its tooltip says (a visible "citation changed"
    tag on most right answers read as an internal detail: a browser walk-through)."""
    sel = " qa-selected" if selected else ""
    cls, title = (" qa-recited", f"Show source {n}. {RECITED}") if recited else ("", f"Show source {n}")
    return f'<button type="button" class="qa-cite{cls}{sel}" data-turn="{turn}" data-cite="{n}" title="{title}">[{n}]</button>'


def answer_html(turn: int, answer: Answer, marks: set[str] | None = None, *, leave_out: bool = False) -> str:
    """The checked answer: supported claims with their [n] markers (their tooltip says where the verifier chose
    another citation than the model's); ``marks`` are words to highlight (see ``marked``).
    Unsupported claims are flagged in place, or with ``leave_out`` (the chat) left out as the answer text does
    them, and counted on a line under it (``left_out_html``)."""
    if answer.declined:
        return declined_html(answer, turn if leave_out else None)
    parts = [f'<span class="qa-yes-no">{esc(answer.yes_no.capitalize())}.</span>'] if answer.yes_no else []
    for s in answer.sentences:
        if s.supported:
            cites = "".join(_cite(turn, n, recited=s.check == "recited") for n in s.citations)
            fixed = ""
            if s.disputed_by:
                other = "".join(_cite(turn, n) for n in s.disputed_by)
                fixed += f'<span class="qa-disputed" title="{DISPUTED}">{OTHERWISE}</span>{other}'
            parts.append(f'<span class="qa-claim">{marked(s.text, marks)}</span>{cites}{fixed}')
        elif not leave_out:
            tag = s.verdict.replace("_", " ") if s.verdict != "supported" else "unsupported"
            parts.append(
                f'<span class="qa-claim qa-unsupported" title="{esc(s.reason) or UNSUPPORTED}">'
                f'{esc(s.text)}</span><span class="qa-unsupported-tag">{esc(tag)}</span>'
            )
    return " ".join(parts) + (left_out_html(answer) if leave_out else "")


# (words in a verifier reason, the reason in plain words); the first match wins.
LEFT_OUT_WHY = [
    ("instruction", "it is an instruction, not a statement"),
    ("says otherwise", "the closest source sentence says otherwise"),
    ("true, but", "it is true, but another sentence answers the question"),
    ("do not answer", "what it rests on does not answer the question"),
    ("the cited text counts", "the source's number counts something else"),
    ("the number ", "no source sentence gives the number {}"),
    ("the name ", "no source sentence names {}"),
    ("negated", "the closest source sentence says the opposite"),
]
NO_SOURCE = "no source sentence states it"


def left_out_why(reason: str) -> str:
    """A verifier's reason for failing a claim (``"no source sentence states it (best judge 0.10)"``) in plain words.

    >>> left_out_why("true, but another sentence answers the question better (judge 0.62 against 0.91)")
    'it is true, but another sentence answers the question'
    >>> left_out_why("the question asks about the third, which no retrieved sentence mentions")
    'the question asks about the third, which no retrieved sentence mentions'
    >>> left_out_why("no source sentence states it (best judge 0.45; nothing shown says 'died', which needs 0.7)")
    "no source sentence says 'died'"
    """
    if "the question asks" in reason:
        return reason.split(" (judge")[0]
    unsaid = re.search(r"nothing shown says '([^']+)'", reason)
    if unsaid:
        return f"no source sentence says '{unsaid[1]}'"
    what = re.match(r"the (?:number|name) (.+?) is not in the cited text", reason)
    plain = next((plain for words, plain in LEFT_OUT_WHY if words in reason), NO_SOURCE)
    return plain.format(what[1]) if what and "{}" in plain else plain.replace(" {}", "")


def left_out_html(answer: Answer) -> str:
    """One line under a checked answer: how many of the model's sentences were left out, and why."""
    out = [s for s in answer.sentences if not s.supported]
    if answer.declined or not out:
        return ""
    whys = "; ".join(dict.fromkeys(left_out_why(s.reason) for s in out))
    n = "1 sentence was left out" if len(out) == 1 else f"{len(out)} sentences were left out"
    return f'<div class="qa-left-out">{n}: {esc(whys)}.</div>'


DECLINE_WHY = {
    "no_relevant_sources": ("qa-declined-none", "Nothing in the searched documents is about this."),
    "not_verified": (
        "qa-declined-unverified",
        "Something related was found, but no answer drawn from it could be checked against it, so none is shown.",
    ),
    "not_an_answer": ("qa-declined-unverified", "What the documents say here does not answer the question."),
}


NEAR_TITLE = "Show this sentence in its document"


def declined_html(answer: Answer, turn: int | None = None) -> str:
    """Which kind of decline this is, and, when something was found, the closest sentences (not citations). In
    the chat (``turn`` given) each opens in the document view, as a citation does, to be read in its place."""

    def item(c: Citation) -> str:
        attrs = "" if turn is None else f' class="qa-near-item" data-turn="{turn}" data-cite="{c.id}" tabindex="0" role="button"'
        title = "" if turn is None else f' title="{NEAR_TITLE}"'
        text = esc(" ".join(c.text.split()))
        return f'<li{attrs}{title}><span class="qa-near-doc">{esc(name_of(c.document))}</span>: {text}</li>'

    cls, why = DECLINE_WHY.get(answer.why, ("qa-declined-none", "No sentence in the searched documents answers it."))
    near = "".join(item(c) for c in answer.near)
    more = f'<div class="qa-near"><em>Possibly relevant (not checked as an answer):</em><ul>{near}</ul></div>' if near else ""
    return f'<div class="qa-declined {cls}"><strong>{esc(answer.answer)}</strong> {esc(why)}{more}</div>'


def check_html(result: Any) -> str:
    """A fact-check: the verdict, then each cited sentence with its stance; a click on one shows it in its
    document (``data-cite`` is its place in ``result.citations``)."""
    label = {
        "supported": "Supported",
        "contradicted": "Contradicted",
        "disputed": "Disputed: the documents disagree",
        "not_found": "Not found in the documents",
    }.get(result.verdict, result.verdict)
    rows = "".join(
        f'<li class="qa-stance-{esc(s.stance)} qa-check-item" data-turn="0" data-cite="{k}" tabindex="0" role="button"'
        f' title="{NEAR_TITLE}"><strong>{esc(s.stance)}</strong> '
        f'<span class="qa-near-doc">{esc(name_of(s.citation.document))}</span>: {esc(s.citation.text)}'
        + (f' <span class="qa-stance-why">— {esc(s.reason)}</span>' if s.reason else "")
        + "</li>"
        for k, s in enumerate(result.citations)
    )
    return f'<div class="qa-check qa-verdict-{esc(result.verdict)}"><h4>{esc(label)}</h4><ul>{rows}</ul></div>'


def _timings(answer: Answer) -> str:
    t = answer.timings
    if not t:
        return ""
    if "first_token_s" not in t:  # a comparison is shown whole, when every document has answered
        return f'<div class="qa-meta">{t.get("total_s", 0):.1f} s in all</div>'
    return f'<div class="qa-meta">{t.get("first_token_s", 0):.1f} s to first word, {t.get("total_s", 0):.1f} s in all</div>'


def turn_html(i: int, turn: Turn, last: bool) -> str:
    answer_id = ' id="qa-answer"' if last else ""
    out = [f'<div class="qa-turn" data-turn="{i}">', f'<div class="qa-q">{esc(turn.question)}</div>']
    if turn.compared:
        names = ", ".join(name_of(d) for d in turn.compared)
        out.append(f'<div class="qa-rewritten" title="{COMPARED}">compared, one answer per document: {esc(names)}</div>')
    elif turn.rewritten and turn.rewritten.strip().lower() != turn.question.strip().lower():
        out.append(f'<div class="qa-rewritten" title="{REWRITTEN}">searched as: {esc(turn.rewritten)}</div>')
    if turn.error:
        out.append(f'<div class="qa-a qa-failed"{answer_id}><b>Could not answer:</b> {esc(turn.error)}</div>')
    elif turn.answer is None:
        # no markers in a draft, nor one still being written ("[", "[2", "[2, "): a walk-through saw them flicker
        draft = re.sub(r"\s*\[[\d,;\s]*$", "", re.sub(rf"\s*{MARKER.pattern}", "", turn.draft)).strip()
        if draft:
            label = '<span class="qa-draft-label">Draft, not yet checked against the documents:</span> '
            body = f'{label}<span class="qa-draft">{esc(draft)}</span>'
        else:
            wait = "Writing…" if turn.draft or turn.found else "Searching your documents…"
            wait = COMPARING if turn.comparing else QUEUED if turn.queued else wait
            body = f'<span class="qa-wait">{"Rewriting the question…" if turn.rewriting else wait}</span>'
        if turn.redrafted:
            body = f'<div class="qa-redraft" role="status">{REDRAFT}</div>{body}'
        out.append(f'<div class="qa-a qa-streaming"{answer_id}>{body}<span class="qa-caret"></span></div>')
        out.append(f'<div class="qa-meta">{"Checking citations…" if turn.checking else ""}</div>')
    else:
        cls = "qa-a qa-done" + (" qa-is-declined" if turn.answer.declined else "")
        out.append(f'<div class="{cls}"{answer_id}>{answer_html(i, turn.answer, leave_out=True)}</div>')
        out.append(_timings(turn.answer))
    out.append("</div>")
    return "".join(out)


def chat_html(turns: list[Turn], has_documents: bool = True) -> str:
    if not turns:
        return f'<div class="qa-empty">{EMPTY if has_documents else NO_DOCUMENTS}</div>'
    return "".join(turn_html(i, t, i == len(turns) - 1) for i, t in enumerate(turns))


def _citation_meta(c: Citation) -> str:
    page = f" · page {c.page}" if c.page else ""
    doc = f'<span class="qa-doc">{esc(name_of(c.document))}</span>'
    return f'<div class="qa-src-meta">{doc}{page} · {_support(c)}</div>'


LINK = "links the question to the answer (names what the question names; not checked against a claim)"
DISPUTED = "A sentence of another document gives another value for this; its [n] shows it."


def _support(c: Citation) -> str:
    """What a citation is for: the judge's support score, the link from the question to the answer, or another
    document's other value for a claim of the answer."""
    if c.role == "contradicts":
        return f'<span class="qa-says-otherwise">says otherwise</span> <span class="qa-score">{c.score:.2f}</span>'
    return LINK if c.role == "link" else f'support <span class="qa-score">{c.score:.2f}</span>'


def sources_html(turns: list[Turn], turn: int | None = None, selected: int | None = None) -> str:
    """The citations of one answer (the latest by default), each clickable."""
    if not turns:
        return '<div class="qa-sources-empty">Sources of the answer appear here.</div>'
    turn = len(turns) - 1 if turn is None else turn
    answer = turns[turn].answer
    if answer is None:
        return '<div class="qa-sources-empty">Waiting for the answer…</div>'
    if answer.declined or not answer.citations:
        return '<div class="qa-sources-empty">No sources: the documents do not answer this question.</div>'
    head = f'<div class="qa-sources-head">Sources for: <i>{esc(turns[turn].question)}</i></div>'
    items = []
    for c in answer.citations:
        sel = " qa-selected" if c.id == selected else ""
        attrs = f'class="qa-source{sel}" data-turn="{turn}" data-cite="{c.id}" tabindex="0" role="button"'
        items.append(
            f"<li {attrs}>"
            f'<span class="qa-n">[{c.id}]</span> <span class="qa-src-text">{esc(c.text)}</span>'
            f"{_citation_meta(c)}</li>"
        )
    return head + '<ol class="qa-sources">' + "".join(items) + "</ol>"


def context_html(c: Citation, doc: DocumentInfo, text: str, window: list[Sentence], near: int, *, possibly: bool = False) -> str:
    """The cited sentence highlighted inside a scrollable stretch of its document.

    ``window`` is a run of consecutive sentences around the cited one; the ``near`` sentences on each side of
    it are shown in full contrast, the rest dimmed. The text between sentences is kept as in the document.
    ``possibly``: the sentence is one a declined answer found near the question, not a citation: it gets no
    ``[n]`` and no support score, which it never had.
    """
    if text[c.start : c.end] != c.text:
        return (
            '<div class="qa-context-error">This document changed after the answer was written: the cited '
            "sentence is no longer at that place. Ask again to get fresh citations.</div>"
        )
    lo = min([c.start] + [s.start for s in window])
    hi = max([c.end] + [s.end for s in window])
    k = next((i for i, s in enumerate(window) if s.start == c.start), None)
    near_lo = window[max(k - near, 0)].start if k is not None else c.start
    near_hi = window[min(k + near, len(window) - 1)].end if k is not None else c.end
    page = f", page {c.page}" if c.page else ""
    tag = '<span class="qa-possibly">Possibly relevant</span>' if possibly else f'<span class="qa-n">[{c.id}]</span>'
    header = f'<div class="qa-context-head">{tag} <b>{esc(name_of(doc.path))}</b>{page}</div>'
    what = "not checked as an answer" if possibly else _support(c)
    details = f'<div class="qa-context-details">characters {c.start}–{c.end} · {what}</div>'
    body = (
        f'<span class="qa-far">{headings(text, lo, near_lo)}</span>'
        f'<span class="qa-near">{headings(text, near_lo, c.start)}</span>'
        f'<mark class="qa-highlight" data-doc="{esc(doc.doc_id)}" data-start="{c.start}" '
        f'data-end="{c.end}">{headings(text, c.start, c.end)}</mark>'
        f'<span class="qa-near">{headings(text, c.end, near_hi)}</span>'
        f'<span class="qa-far">{headings(text, near_hi, hi)}</span>'
    )
    more_before = '<div class="qa-more">…</div>' if lo > 0 else ""
    more_after = '<div class="qa-more">…</div>' if hi < len(text.rstrip()) else ""
    return f'{header}<div class="qa-context-text">{more_before}{body}{more_after}</div>{details}'


_HEADING = re.compile(r"^(#{1,6})([ \t]+)(.*)$", re.M)


def headings(text: str, lo: int, hi: int) -> str:
    """``text[lo:hi]`` escaped, with markdown heading lines ("## Cost") shown as headings.

    The "## " stays in the page, hidden, so the element's text is still exactly the document's text.
    """
    part, out, at = text[lo:hi], [], 0
    for m in _HEADING.finditer(part):
        if m.start() == 0 and lo > 0 and text[lo - 1] != "\n":
            continue  # "#" in the middle of a line is not a heading
        level = len(m.group(1))
        out.append(
            f'{esc(part[at : m.start()])}<strong class="qa-h qa-h{level}" role="heading" aria-level="{level}">'
            f'<span class="qa-md" aria-hidden="true">{esc(m.group(1) + m.group(2))}</span>{esc(m.group(3))}</strong>'
        )
        at = m.end()
    return "".join(out) + esc(part[at:])


def context_empty() -> str:
    return '<div class="qa-sources-empty">Click a [n] marker or a source to read it in its document.</div>'


def _size(n: int) -> str:
    if n < 1000:
        return f"{n} B"
    return f"{n / 1e3:,.1f} KB" if n < 1e6 else f"{n / 1e6:,.1f} MB"


def documents_html(docs: list[DocumentInfo]) -> str:
    if not docs:
        return '<div class="qa-sources-empty">No documents indexed yet.</div>'
    rows = "".join(
        f'<tr><td>{esc(name_of(d.path))}</td><td class="qa-num">{_size(d.size)}</td>'
        f'<td class="qa-num">{d.sentences:,}</td><td>{esc(d.added_at[:16].replace("T", " "))}</td></tr>'
        for d in docs
    )
    head = "<th>Document</th><th>Size</th><th>Sentences</th><th>Added (UTC)</th>"
    return scroll(f'<table class="qa-table qa-docs"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>')


def upload_results_html(results: list[IngestResult]) -> str:
    if not results:
        return ""
    rows = []
    for r in results:
        if r.status == "error":
            detail = f'<span class="qa-error">Could not be read: {esc(plain.reason(r.reason))}</span>'
        else:
            detail = f"{r.sentences:,} sentences" + ("; replaces the earlier file of this name" if r.replaced else "")
        rows.append(
            f'<tr class="qa-result qa-{esc(r.status)}"><td>{esc(name_of(r.path))}</td>'
            f'<td class="qa-status">{esc(r.status)}</td><td>{detail}</td></tr>'
        )
    return scroll(
        '<table class="qa-table"><thead><tr><th>File</th><th>Result</th><th>Details</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def message_html(text: str, error: bool = False) -> str:
    cls = "qa-error" if error else "qa-note"
    return f'<div class="{cls}">{esc(text)}</div>'


def done_html(text: str) -> str:
    """A success the user should not miss (a removal, the sample documents indexed)."""
    return f'<div class="qa-done-note" role="status">{esc(text)}</div>'
