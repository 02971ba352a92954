"""The Gradio UI: rendering and upload helpers (fast), and the whole page in a real Chromium (slow)."""

import os
import shutil
import sqlite3
import time
from contextlib import closing
from pathlib import Path
from urllib.parse import urlparse

import gradio as gr
import pytest

from qa.errors import InputError, ModelError, NotIndexedError
from qa.records import Answer, AnswerSentence, Citation, DocumentInfo, IngestResult, Sentence
from tests.conftest import SEEDS, serve_process
from ui import actions, plain, render

HOSTILE = '<img src=x onerror=alert(1)> ${alert(2)} {{value}} & "quoted"'
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


def _answer(sentences, citations, declined=False):
    timings = {"first_token_s": 1.0, "total_s": 2.0}
    return Answer("(the UI shows sentences and citations)", declined, sentences, citations, timings, "q", "q")


def test_a_fact_check_shows_why_each_sentence_supports_or_contradicts_it():
    from qa.factcheck import Check, StanceCitation

    cite = Citation(1, "/data/uploads/news.html", "It will cost £61 million.", 0, 25, None, 0.75)
    why = 'it states "The bridge will cost £61 million." instead: judge 0.75'
    check = Check("The bridge will cost £46 million.", "contradicted", [StanceCitation(cite, "contradicts", why)])
    html = render.check_html(check)
    assert "qa-stance-why" in html and "— it states &quot;The bridge will cost £61 million.&quot; instead: judge 0.75" in html
    assert "qa-stance-why" not in render.check_html(Check("S.", "supported", [StanceCitation(cite, "supports")]))


def test_answer_marks_citations_and_unsupported_claims_and_escapes():
    c = Citation(1, "/docs/a.txt", HOSTILE, 0, len(HOSTILE), 2, 0.81)
    answer = _answer([AnswerSentence("Supported " + HOSTILE, [1], True), AnswerSentence("Made up.", [], False)], [c])
    turns = [render.Turn("What? <b>", rewritten="What about <i>it</i>?", answer=answer)]
    chat = render.chat_html(turns)
    assert '<button type="button" class="qa-cite" data-turn="0" data-cite="1"' in chat
    assert "Made up." not in chat and "qa-unsupported" not in chat  # left out, as in the answer text
    assert '<div class="qa-left-out">1 sentence was left out: no source sentence states it.</div>' in chat
    flagged = render.answer_html(0, answer)  # a Compare cell still shows it, flagged
    assert 'class="qa-claim qa-unsupported"' in flagged and "unsupported</span>" in flagged
    assert "searched as: What about &lt;i&gt;it&lt;/i&gt;?" in chat and 'id="qa-answer"' in chat
    sources = render.sources_html(turns, 0, 1)
    for html in (chat, sources):
        assert "<img" not in html and "<b>" not in html and "${" not in html and "{{" not in html
    assert 'class="qa-source qa-selected" data-turn="0" data-cite="1"' in sources
    assert 'a.txt</span> · page 2 · support <span class="qa-score">0.81' in sources


def test_declined_answer_says_so():
    turns = [render.Turn("Who won?", answer=_answer([], [], declined=True))]
    assert "qa-declined" in render.chat_html(turns)
    assert "No sources" in render.sources_html(turns)


def test_the_two_kinds_of_decline_look_different_and_near_sentences_are_not_citations():
    near = [Citation(1, "/data/uploads/council.md", "The bridge opens in 2027.", 0, 25, None, 0.6)]
    found = Answer("The documents do not say.", True, [], [], why="not_verified", near=near)
    nothing = Answer("The documents do not say.", True, [], [], why="no_relevant_sources")
    a, b = render.answer_html(0, found), render.answer_html(0, nothing)
    assert "qa-declined-unverified" in a and "qa-declined-none" in b and a != b
    assert "Possibly relevant" in a and "council.md" in a and "/data/uploads" not in a and "qa-cite" not in a


def test_a_streaming_draft_is_marked_and_has_no_bare_markers():
    html = render.turn_html(0, render.Turn("Q?", draft="[6] The bridge opens in 2027 [2]."), True)
    assert "Draft, not yet checked" in html and "[6]" not in html and "[2]" not in html
    assert "Checking citations" not in html  # only once the draft is complete
    for partial in ("Yes. [", "Yes. [9", "Yes. [2, "):  # a marker still being written is not shown either
        html = render.turn_html(0, render.Turn("Q?", draft=partial), True)
        assert ">Yes.</span>" in html and "[" not in html.split("qa-draft")[-1], html
    assert "Draft, not yet" not in render.turn_html(0, render.Turn("Q?", draft="[", found=True), True)
    assert "searched as" not in render.turn_html(0, render.Turn("Q?", rewritten="Q?"), True)


def test_the_pending_turn_shows_each_stage():
    def shown(**kw):
        return render.turn_html(0, render.Turn("And when?", **kw), True)

    assert "Searching your documents…" in shown() and "Rewriting" not in shown()
    assert "Rewriting the question…" in shown(rewriting=True) and "Searching" not in shown(rewriting=True)
    assert "Writing…" in shown(found=True) and "Searching" not in shown(found=True)
    assert "Draft, not yet checked" in shown(found=True, draft="It opens")
    assert "Checking citations…" in shown(found=True, draft="It opens in 2027.", checking=True)
    assert render.REDRAFT not in shown(found=True) and "qa-redraft" not in shown(found=True)
    again = shown(found=True, redrafted=True)
    assert render.REDRAFT in again and "Writing…" in again
    assert render.REDRAFT in shown(found=True, redrafted=True, draft="It opens")


def test_a_link_citation_says_what_it_is_for_instead_of_a_support_score():
    states = Citation(1, "/docs/report.txt", "The head librarian is Agnes Morrow-Pike.", 0, 40, None, 0.9)
    link = Citation(2, "/docs/shelf.md", "The bus is driven by the librarian Tobias Wren.", 0, 47, None, 0.0, "link")
    sentences = [AnswerSentence("The head librarian is Agnes Morrow-Pike.", [1, 2], True, "supported", "x", "cited", 0.9)]
    shown = render.sources_html([render.Turn("Who?", answer=_answer(sentences, [states, link]))])
    assert shown.count("support ") == 1 and "0.90" in shown
    assert shown.count(render.LINK) == 1 and shown.index("Tobias Wren") < shown.index(render.LINK)


def test_another_documents_other_value_is_shown_with_the_claim_and_among_the_sources():
    states = Citation(1, "/docs/report.md", "The bridge will cost £46 million.", 0, 33, None, 0.92)
    other = Citation(2, "/docs/news.html", "Revised figures put the cost at £61 million.", 0, 45, None, 0.79, "contradicts")
    sentences = [AnswerSentence("The bridge will cost £46 million.", [1], True, "supported", "x", "cited", 0.92, [2])]
    turns = [render.Turn("How much?", answer=_answer(sentences, [states, other]))]
    chat = render.chat_html(turns)
    claim = chat.index("£46 million")
    assert claim < chat.index("another document says otherwise") < chat.index('data-cite="2"')
    shown = render.sources_html(turns)
    assert shown.count("says otherwise") == 1 and shown.count("support ") == 1
    assert shown.index("£61 million") < shown.index("says otherwise")


def test_a_question_routed_to_a_comparison_says_so_while_waiting_and_after():
    pending = render.turn_html(0, render.Turn("How do they differ on cost?", comparing=True), True)
    assert render.COMPARING in pending and "Searching your documents" not in pending
    done = render.Turn("How do they differ on cost?", compared=["/d/report.md", "/d/news.html"])
    done.answer = Answer("Both say …", False, [], [], {"total_s": 14.2})
    shown = render.turn_html(0, done, True)
    assert "compared, one answer per document: report.md, news.html" in shown and "searched as" not in shown
    assert "14.2 s in all" in shown and "first word" not in shown  # nothing streams before the whole comparison


def test_corrected_citations_and_left_out_sentences_are_said():
    c = Citation(1, "/docs/a.txt", "The bridge opens in 2027.", 0, 25, None, 0.9)
    sentences = [
        AnswerSentence("It opens in 2027.", [1], True, "supported", "another sentence states it", "recited", 0.9),
        AnswerSentence("It is long.", [1], True, "supported", "the cited sentence states it (judge 0.90)", "cited", 0.9),
        AnswerSentence("It cost £61 million.", [], False, "unsupported", "the number 61 is not in the cited text"),
        AnswerSentence("It is red.", [], False, "unsupported", "no source sentence states it (best judge 0.10)"),
        AnswerSentence("It is blue.", [], False, "contradicted", "the closest source sentence says otherwise: x"),
        AnswerSentence("It is old.", [], False, "not_an_answer", "true, but another sentence answers the question better"),
    ]
    chat = render.chat_html([render.Turn("Q?", answer=_answer(sentences, [c]))])
    # the re-cited claim's marker says so in its tooltip (a visible tag on most right answers read as internal)
    assert chat.count("qa-cite qa-recited") == 1 and f'title="Show source 1. {render.RECITED}"' in chat
    assert chat.index("It opens in 2027.") < chat.index("qa-recited") < chat.index("It is long.")
    assert "citation changed</span>" not in chat
    assert (
        '<div class="qa-left-out">4 sentences were left out: no source sentence gives the number 61; no source '
        "sentence states it; the closest source sentence says otherwise; it is true, but another sentence answers "
        "the question.</div>"
    ) in chat
    assert "judge" not in chat and "It is red." not in chat
    plain = [AnswerSentence("It opens in 2027.", [1], True, "supported", "the cited sentence states it (judge 0.90)")]
    clean = render.chat_html([render.Turn("Q?", answer=_answer(plain, [c]))])
    assert "qa-recited" not in clean and "qa-left-out" not in clean


def test_a_yes_no_verdict_comes_first_in_the_chat():
    from dataclasses import replace

    c = Citation(1, "/docs/a.txt", "The original lens was cleaned but not replaced.", 0, 47, None, 0.9)
    facts = [AnswerSentence("The original lens was cleaned but not replaced.", [1], True, "supported", "", "cited", 0.9)]
    chat = render.chat_html([render.Turn("Was the lens replaced?", answer=replace(_answer(facts, [c]), yes_no="no"))])
    assert '<span class="qa-yes-no">No.</span>' in chat
    assert chat.index("qa-yes-no") < chat.index("The original lens was cleaned")
    assert "qa-yes-no" not in render.chat_html([render.Turn("When?", answer=_answer(facts, [c]))])


def test_context_highlights_exactly_the_cited_sentence():
    text = "First one. The <cited> one. Third & last."
    spans = [(0, 10), (11, 27), (28, 41)]
    window = [Sentence("d", i, s, e, None, text[s:e]) for i, (s, e) in enumerate(spans)]
    c = Citation(1, "/docs/a.txt", text[11:27], 11, 27, None, 0.9)
    doc = DocumentInfo("d", "/docs/a.txt", "0" * 64, len(text), 3, "2025-01-01T00:00:00+00:00", "ready")
    html = render.context_html(c, doc, text, window, near=1)
    assert '<mark class="qa-highlight" data-doc="d" data-start="11" data-end="27">' in html
    assert ">The &lt;cited&gt; one.</mark>" in html
    moved = render.context_html(c, doc, "Changed. " + text, window, near=1)
    assert "qa-highlight" not in moved and "changed" in moved


def test_upload_results_show_each_file():
    html = render.upload_results_html(
        [IngestResult("/u/a.txt", "indexed", sentences=3), IngestResult("/u/b.pdf", "error", "is not a readable <PDF>")]
    )
    assert "a.txt" in html and "indexed" in html and 'class="qa-error"' in html and "&lt;PDF&gt;" in html


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("/tmp/x/report.md", "report.md"),
        ("..\\..\\evil.txt", "evil.txt"),
        ("/tmp/x/.hidden.txt", "hidden.txt"),
        ("/tmp/x/..", "upload"),
    ],
)
def test_safe_name_keeps_only_the_base_name(raw, name):
    assert actions.safe_name(raw) == name


def test_upload_copies_into_the_data_folder_and_reports_each_file(app, tmp_path, monkeypatch):
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(tmp_path / "gradio"))
    src = tmp_path / "gradio" / "in"  # what Gradio received lives in its upload folder
    src.mkdir(parents=True)
    shutil.copy(SEEDS / "kestrel_bridge_council_report.md", src)
    (src / "broken.pdf").write_bytes(b"%PDF-1.4\n\x00garbage")
    seen = []
    results = actions.upload(
        app, [str(src / "kestrel_bridge_council_report.md"), str(src / "broken.pdf")], lambda f, desc: seen.append(f)
    )
    assert [r.status for r in results] == ["indexed", "error"] and results[1].reason
    assert results[0].path == str((actions.uploads_dir(app) / "kestrel_bridge_council_report.md").resolve())
    assert seen and all(0 <= f <= 1 for f in seen)
    doc = app.documents()[0]
    hit = app.sentences(doc.doc_id)[5]
    assert actions.sentence_at(app, doc.doc_id, doc.sentences, hit.start) == hit
    cited = Citation(1, doc.path, hit.text, hit.start, hit.end, None, 0.9)
    _, text, window = actions.citation_context(app, cited)
    assert text[hit.start : hit.end] == hit.text and hit in window
    actions.remove(app, doc.path)
    assert app.documents() == []
    assert actions.citation_context(app, cited) is None  # the page then says plain.DOC_REMOVED
    assert not (actions.uploads_dir(app) / "kestrel_bridge_council_report.md").exists()


def test_upload_refuses_any_file_gradio_did_not_receive(app, tmp_path, monkeypatch):
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(tmp_path / "gradio"))
    outside = tmp_path / "server_secret.md"
    outside.write_text("The vault code is 7781.")
    found, missing = actions.upload(app, [str(outside), str(tmp_path / "none.md")], lambda f, desc: None)
    assert found.status == missing.status == "error" and found.reason == missing.reason == actions.NOT_RECEIVED
    sneaky = tmp_path / "gradio" / ".." / "server_secret.md"  # resolves outside the upload folder
    assert actions.upload(app, [str(sneaky)], lambda f, desc: None)[0].reason == actions.NOT_RECEIVED
    assert app.documents() == []


def test_guard_turns_errors_into_one_readable_line():
    @actions.guard
    def fails(name):
        raise ModelError(f"The model '{name}' is missing.")

    with pytest.raises(gr.Error) as info:
        fails("<b>x</b>")
    assert info.value.message == "The model &#x27;&lt;b&gt;x&lt;/b&gt;&#x27; is missing."

    @actions.guard(inline=lambda text, q: ("inline", text, q))
    def streams(q):
        yield "partial"
        raise ModelError("Model file not found.")

    assert list(streams("why?")) == ["partial", ("inline", "Model file not found.", "why?")]
    failed = render.chat_html([render.Turn("why?", error="Model <missing>.")])
    assert 'class="qa-a qa-failed"' in failed and "Model &lt;missing&gt;." in failed


def _comparison():
    from qa.compare import Comparison, DocAnswer, Point

    a = Citation(1, "/d/council.md", "The cost is £46 million.", 10, 34, None, 0.9)
    b = Citation(2, "/d/news.html", "The cost is <b>£61 million</b>.", 5, 36, None, 0.8)
    claim = AnswerSentence("It costs £46 million.", [1], True)
    other = AnswerSentence("It costs £61 million.", [2], True)
    docs = [
        DocAnswer("/d/council.md", True, _answer([claim], [a])),
        DocAnswer("/d/news.html", True, _answer([other], [b])),
        DocAnswer("/d/other.txt", False, _answer([], [], declined=True)),
    ]
    points = [Point("differ", "council.md: … — news.html: …", [1, 2], ["/d/council.md", "/d/news.html"])]
    return Comparison("What does it cost?", docs, points, {"total_s": 1.0}, "What does it cost?")


def test_compare_table_has_a_column_per_document_and_a_row_per_point(app):
    from ui import compare

    data = _comparison().to_json()
    html = compare.compare_html(data)
    assert html.count('<th scope="col">') == 3 and html.count('<tr class="qa-point qa-differ">') == 1
    assert 'data-cite="1"' in html and 'data-cite="2"' in html and "Does not address" in html
    assert "<b>" not in html
    assert set(compare.citations(data)) == {1, 2} and compare.citations(data)[2].document == "/d/news.html"
    assert compare.available(app)
    assert '<div class="qa-scroll"><table class="qa-table qa-compare">' in html and "/d/" not in html
    assert '<th scope="col">council.<wbr>md</th>' in html  # a long name wraps at "_", "-" or ".", not mid-word


def test_the_differ_row_marks_the_values_that_differ():
    from ui import compare

    html = compare.compare_html(_comparison().to_json())
    differ = html.split('<tr class="qa-point qa-differ">')[1].split("</tr>")[0]
    assert '<mark class="qa-diff">£46</mark>' in differ and '<mark class="qa-diff">£61</mark>' in differ
    assert differ.count("<mark") == 2  # only the values, not the words both answers share
    answers = html.split('<tr class="qa-compare-answers">')[1].split("</tr>")[0]
    assert "<mark" not in answers


def test_build_ui_has_analytics_off(app):
    from ui import build_ui

    assert os.environ["GRADIO_ANALYTICS_ENABLED"] == "False"  # set by `import ui`, before gradio is imported
    assert build_ui(app).analytics_enabled is False


# ---------------------------------------------------------------- the real page in a real browser


@pytest.fixture
def server(tmp_path, model_path):
    """`qa serve` as a subprocess on a free port, with its own data folder and no sample documents to index."""
    with serve_process(tmp_path, model_path, QA_SEEDS_DIR=str(tmp_path / "no-seeds")) as url:
        yield url, tmp_path / "data"


WATCH_STREAM = """() => {
  window.__qaStreamed = false;
  new MutationObserver(() => {
    const a = document.querySelector('#qa-answer.qa-streaming');
    if (a && !a.querySelector('.qa-wait') && a.textContent.trim()) window.__qaStreamed = true;
  }).observe(document.querySelector('#qa-chat'), {subtree: true, childList: true, characterData: true});
}"""

MARK_IN_VIEW = """() => {
  const box = document.querySelector('#qa-context .qa-context-text').getBoundingClientRect();
  const m = document.querySelector('#qa-context mark.qa-highlight').getBoundingClientRect();
  return m.top >= box.top - 1 && m.bottom <= box.bottom + 1;
}"""


def _stored_text(data_dir, mark) -> str:
    """The indexed text at the highlighted citation's offsets; it must be exactly what is highlighted."""
    doc_id, start, end = (mark.get_attribute(a) for a in ("data-doc", "data-start", "data-end"))
    with closing(sqlite3.connect(f"file:{data_dir / 'catalog.db'}?mode=ro", uri=True)) as db:
        text = db.execute("SELECT text FROM documents WHERE doc_id=?", (doc_id,)).fetchone()[0]
    assert mark.text_content() == text[int(start) : int(end)]
    return str(text[int(start) : int(end)])


def _norm(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.slow
def test_browser_upload_ask_and_open_a_citation(server, tmp_path):
    from playwright.sync_api import sync_playwright

    url, data_dir = server
    inbox = tmp_path / "in"
    inbox.mkdir()
    report = shutil.copy(SEEDS / "kestrel_bridge_council_report.md", inbox)
    newsletter = shutil.copy(SEEDS / "kestrel_bridge_residents_newsletter.html", inbox)
    broken = inbox / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n\x00\x01 this is not a PDF at all")
    started = time.monotonic()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(60_000)
        requests, errors = [], []
        page.on("request", lambda r: requests.append(r.url))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("dialog", lambda d: errors.append("dialog: " + d.message))
        page.goto(url)
        page.wait_for_selector("#qa-chat .qa-empty")

        # upload three files at once: two documents and a corrupt one
        page.get_by_role("tab", name="Documents").click()
        page.locator("#qa-upload input[type=file]").set_input_files([report, newsletter, str(broken)])
        rows = page.locator("#qa-upload-results tr.qa-result")
        rows.nth(2).wait_for(timeout=300_000)
        results = {rows.nth(i).locator("td").first.inner_text(): rows.nth(i) for i in range(3)}
        for name in ("kestrel_bridge_council_report.md", "kestrel_bridge_residents_newsletter.html"):
            assert results[name].locator(".qa-status").inner_text() == "indexed"
        bad = results["broken.pdf"]
        assert bad.locator(".qa-status").inner_text() == "error"
        reason = bad.locator(".qa-error").inner_text()
        assert "pdf" in reason.lower() and "Traceback" not in reason
        docs = page.locator("#qa-docs").inner_text()
        assert "kestrel_bridge_council_report.md" in docs and "broken.pdf" not in docs

        # ask, and watch the answer stream in
        page.get_by_role("tab", name="Ask").click()
        page.evaluate(WATCH_STREAM)
        page.locator("#qa-question textarea").fill("Who is the main contractor for the Kestrel Bridge?")
        page.locator("#qa-ask").click()
        page.wait_for_selector("#qa-answer.qa-done", timeout=300_000)
        answer = page.locator("#qa-answer")
        assert "Brightwater" in answer.inner_text(), answer.inner_text()
        assert page.evaluate("window.__qaStreamed") is True
        assert page.locator("#qa-sources li.qa-source").count() >= 1

        # click the first citation marker: the context shows exactly the cited sentence, highlighted, in view
        marker = answer.locator(".qa-cite").first
        n = marker.get_attribute("data-cite")
        marker.click()
        mark = page.locator("#qa-context mark.qa-highlight")
        mark.wait_for()
        source = page.locator(f"#qa-sources li.qa-source[data-cite='{n}']")
        assert "qa-selected" in (source.get_attribute("class") or "")
        shown = mark.text_content() or ""
        assert _norm(shown) == _norm(source.locator(".qa-src-text").text_content() or "")
        assert shown == _stored_text(data_dir, mark)
        page.wait_for_function(MARK_IN_VIEW)
        page.screenshot(path=str(tmp_path / "answered.png"), full_page=True)

        # clicking a source in the panel opens that one
        last = page.locator("#qa-sources li.qa-source").last
        m = last.get_attribute("data-cite")
        last.click()
        page.wait_for_selector(f"#qa-sources li.qa-source.qa-selected[data-cite='{m}']")
        assert _norm(mark.text_content() or "") == _norm(last.locator(".qa-src-text").text_content() or "")

        # a follow-up is rewritten using the conversation, and the rewrite is shown
        page.locator("#qa-question textarea").fill("And how long will it be?")
        page.locator("#qa-ask").click()
        page.wait_for_selector(".qa-turn[data-turn='1'] #qa-answer.qa-done", timeout=300_000)
        assert page.locator(".qa-turn[data-turn='1'] .qa-rewritten").inner_text().startswith("searched as:")

        # compare the two documents side by side; a citation there opens its sentence too
        page.get_by_role("tab", name="Compare").click()
        page.locator("#qa-compare-question textarea").fill("How much will the Kestrel Bridge cost?")
        page.locator("#qa-compare-go").click()
        table = page.locator("#qa-compare table.qa-compare")
        table.wait_for(timeout=600_000)
        heads = table.locator("thead th").all_inner_texts()
        assert {"kestrel_bridge_council_report.md", "kestrel_bridge_residents_newsletter.html"} <= set(heads)
        cite = table.locator(".qa-cite").first
        cite.click()
        compared = page.locator("#qa-compare-context mark.qa-highlight")
        compared.wait_for()
        n = cite.get_attribute("data-cite")
        assert page.locator("#qa-compare-context .qa-context-head .qa-n").inner_text() == f"[{n}]"
        _stored_text(data_dir, compared)

        # remove a document
        page.get_by_role("tab", name="Documents").click()
        page.locator("#qa-remove-choice input").click()
        page.get_by_role("option", name="kestrel_bridge_residents_newsletter.html").click()
        page.locator("#qa-remove").click()
        page.locator("#qa-remove-confirm").click()
        page.wait_for_selector("#qa-remove-result .qa-done-note")
        assert "newsletter" not in page.locator("#qa-docs").inner_text()
        browser.close()
    print(f"\nbrowser test: {time.monotonic() - started:.0f} s; screenshot {tmp_path / 'answered.png'}")
    assert errors == []
    assert {urlparse(u).hostname for u in requests if not u.startswith(("data:", "blob:"))} == {"127.0.0.1"}


# ---------------------------------------------------------------- plain language (issue 16)

UPLOADS = "/home/someone/.local/share/qa/uploads/"


def test_no_absolute_path_reaches_the_page():
    c = Citation(1, UPLOADS + "notes.md", "The bridge opens in 2027.", 0, 25, 3, 0.8)
    doc = DocumentInfo("d", UPLOADS + "notes.md", "0" * 64, 25, 1, "2025-01-01T00:00:00+00:00", "ready")
    turns = [render.Turn("When?", answer=_answer([AnswerSentence("It opens in 2027.", [1], True)], [c]))]
    shown = [
        render.chat_html(turns),
        render.sources_html(turns),
        render.context_html(c, doc, c.text, [], near=1),
        render.documents_html([doc]),
        render.upload_results_html([IngestResult(UPLOADS + "notes.md", "indexed", sentences=1)]),
    ]
    for html in shown:
        assert UPLOADS not in html and "/home" not in html
    assert all("notes.md" in html for html in shown[1:])
    gone = NotIndexedError(f"No indexed document matches '{UPLOADS}notes.md'. `qa docs` lists what is indexed.")
    assert actions.message(gone) == plain.DOC_GONE
    assert "/" not in plain.DOC_REMOVED and "Ask again" in plain.DOC_REMOVED
    assert plain.no_paths(str(gone)) == "No indexed document matches 'notes.md'."


@pytest.mark.parametrize(
    ("reason", "says"),
    [
        ("is not a readable PDF (PdfReadError: EOF marker not found)", "the PDF is damaged. Re-export or re-save it"),
        ("the PDF is password-protected; save an unprotected copy and add that", "Save a copy without a password"),
        ("is not a readable Word .docx file (BadZipFile)", "save it again as .docx"),
        ("unsupported file type '.exe' (supported: .txt, .md)", "Save it as PDF, Word"),
        ("no text could be extracted (empty, or only images/markup)", "Upload a version with selectable text"),
        ("the file is 30.0 MB, over the 25 MB limit (QA_MAX_FILE_MB)", "Split it into smaller files"),
        ("is a symbolic link to a missing file (/srv/x/y.md)", "Check the file and upload it again"),
    ],
)
def test_an_upload_error_says_what_happened_and_what_to_do(reason, says):
    html = render.upload_results_html([IngestResult(UPLOADS + "x.pdf", "error", reason)])
    line = html.split('class="qa-error">')[1].split("</span>")[0]
    assert line.startswith("Could not be read: ") and says in line
    assert "QA_" not in line and "/srv" not in line and "Error" not in line


def test_every_plain_reason_ends_with_what_to_do():
    for _, text in plain.REASONS:
        what_happened, what_to_do = text.split(". ", 1)
        assert what_happened and what_to_do[0].isupper() and text.endswith(".")
    assert plain.error(InputError("/x/y/broken.pdf", "is not a readable PDF (PdfReadError)")) == (
        "broken.pdf could not be read: the PDF is damaged. Re-export or re-save it and upload again."
    )


def test_the_document_view_shows_headings_and_offsets_only_in_a_details_line():
    text = "Intro.\n\n## Cost and funding\n\nThe total cost is £46 million. Free to cross."
    start = text.index("The total")
    h = text.index("##")
    spans = [(0, 6), (h, h + 19), (start, start + 30), (start + 31, len(text))]
    window = [Sentence("d", i, s, e, None, text[s:e]) for i, (s, e) in enumerate(spans)]
    c = Citation(2, "/d/report.md", text[start : start + 30], start, start + 30, None, 0.9)
    doc = DocumentInfo("d", "/d/report.md", "0" * 64, len(text), 4, "2025-01-01T00:00:00+00:00", "ready")
    html = render.context_html(c, doc, text, window, near=1)
    assert '<strong class="qa-h qa-h2" role="heading" aria-level="2">' in html
    assert '<span class="qa-md" aria-hidden="true">## </span>Cost and funding</strong>' in html  # hidden, still text
    head, details = html.split('class="qa-context-head">')[1], html.split('class="qa-context-details">')[1]
    assert "characters" not in head.split("</div>")[0] and details.startswith(f"characters {start}–{start + 30}")
    assert '<span class="qa-n">[2]</span>' in head and "support" in details.split("</div>")[0]
    # a declined answer's possibly relevant sentence is no citation: no [n], no support score
    html = render.context_html(c, doc, text, window, near=1, possibly=True)
    head, details = html.split('class="qa-context-head">')[1], html.split('class="qa-context-details">')[1]
    assert "[2]" not in head and "Possibly relevant" in head.split("</div>")[0]
    assert "support" not in details.split("</div>")[0] and "not checked as an answer" in details


def test_document_choices_never_show_a_path(app, tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "notes.md").write_text(f"Notes from folder {folder}. They are short.")
    app.ingest([tmp_path / "a" / "notes.md", tmp_path / "b" / "notes.md"])
    labels = sorted(label for label, _ in actions.document_choices(app))
    assert labels == ["notes.md (a)", "notes.md (b)"]


def test_a_change_to_the_documents_keeps_what_is_still_indexed_selected(app, tmp_path):
    from ui.app import _doc_updates
    from ui.layout import Page

    (tmp_path / "a.md").write_text("Alpha is first. It leads.")
    (tmp_path / "b.md").write_text("Beta is second. It follows.")
    a, b = (str(r.path) for r in app.ingest([tmp_path / "a.md", tmp_path / "b.md"]))
    with gr.Blocks():
        page = Page(app)
    actions.remove(app, b)
    table, scope, doomed, seeds, checked, unseed, reseed, compared = _doc_updates(app, page, [a, b], [a, b], [b, a])
    assert scope["value"] == [a] and compared["value"] == [a] and checked["value"] == [a] and doomed["value"] is None
    assert [value for _, value in checked["choices"]] == [a]
    assert "b.md" not in table and seeds["visible"] is False and unseed["visible"] is False and reseed["visible"] is True


def test_the_sample_documents_are_removed_together_and_the_users_own_stay(app, tmp_path):
    """ "Remove the sample documents" is offered while a sample is indexed; it removes every sample (the files
    stay, to be loaded again) and nothing of the user's."""
    from ui.app import _doc_updates
    from ui.layout import Page

    (tmp_path / "mine.md").write_text("My own notes are here. They matter.")
    app.ingest([tmp_path / "mine.md"])
    samples = app.ensure_seeds(again=True)
    assert len(app.samples()) == len(samples) >= 2
    with gr.Blocks():
        page = Page(app)
    assert [u["visible"] for u in _doc_updates(app, page, [])[5:7]] == [True, False]  # remove offered, not add
    gone = app.remove_samples()
    assert sorted(d.path for d in gone) == sorted(str(r.path) for r in samples)
    assert [d.path for d in app.documents()] == [str(tmp_path / "mine.md")]
    assert all(Path(d.path).is_file() for d in gone)
    assert [u["visible"] for u in _doc_updates(app, page, [])[5:7]] == [False, True]  # the way back, with own documents


def test_a_question_over_the_limit_is_refused_before_it_is_shown_and_not_echoed_whole(app):
    """A 2,475-character question was shown as a giant bubble, and its error below it, out of view."""
    from ui.app import SHOWN_CHARS, build_ui

    demo = build_ui(app)
    on_ask = next(f.fn for f in demo.fns.values() if f.name == "on_ask")
    long = "Why " + "is the bridge late " * 130 + "?"
    steps = list(on_ask(long, [], None, 8, 0.0, gr.Request()))
    assert len(steps) == 1  # the refusal at once, no turn with the whole question first
    chat, _, _, given_back, _ = steps[0]
    assert "over the limit of 2,000" in chat and f"… ({len(long):,} characters)" in chat
    assert long not in chat and long[:SHOWN_CHARS].rstrip() in chat and given_back == long


def test_samples_are_none_when_the_samples_folder_holds_the_uploads(embedder, tmp_path):
    """Removing a sample deletes an uploaded copy: with ``QA_SEEDS_DIR`` pointing at the uploads, nothing is a
    sample, and the user's uploads are never removed as samples."""
    from qa.app import App
    from qa.settings import Settings

    settings = Settings(data_dir=tmp_path / "data", seeds_dir=tmp_path / "data" / "uploads")
    app = App(settings, embedder)
    try:
        app.uploads_dir.mkdir(parents=True, exist_ok=True)
        (app.uploads_dir / "mine.md").write_text("My own notes are here. They matter.")
        app.ingest([app.uploads_dir / "mine.md"])
        assert app.documents() and app.samples() == [] and app.remove_samples() == []
        assert (app.uploads_dir / "mine.md").is_file()
    finally:
        app.close()


def test_a_click_on_a_fact_checks_sentence_or_a_declines_near_sentence_shows_it_in_its_document(app, tmp_path):
    """The Check tab's and the chat's click handlers find the clicked sentence: a fact-check's by its place in the
    result (``data-cite``), a declined answer's possibly relevant one by its id among ``near``."""
    from types import SimpleNamespace

    from qa.factcheck import Check, StanceCitation
    from ui.app import build_ui
    from ui.render import Turn

    (tmp_path / "bridge.md").write_text("The bridge opened in 1990. It carries four lanes. Tolls were dropped in 2001.")
    app.ingest([tmp_path / "bridge.md"])
    path = app.documents()[0].path
    text = app.text(app.documents()[0].doc_id)

    def cite(n: int, sentence: str) -> Citation:
        return Citation(n, path, sentence, text.index(sentence), text.index(sentence) + len(sentence), None, 0.8)

    demo = build_ui(app)
    fns = {f.name: f.fn for f in demo.fns.values() if f.fn.__module__ == "ui.app"}  # not the Compare tab's on_cite
    lanes, tolls = cite(1, "It carries four lanes."), cite(2, "Tolls were dropped in 2001.")
    check = Check("The bridge has four lanes.", "supported", [StanceCitation(c, "supports") for c in (lanes, tolls)])
    _, shown = fns["on_check_cite"](check, SimpleNamespace(_data={"turn": 0, "cite": 1}))
    assert '<mark class="qa-highlight"' in shown and "Tolls were dropped in 2001.</mark>" in shown
    assert "support" in shown.split('class="qa-context-details">')[1]
    # a sentence that says otherwise opens as one, not with a support score
    disputed = Check("The bridge has six lanes.", "contradicted", [StanceCitation(lanes, "contradicts")])
    _, shown = fns["on_check_cite"](disputed, SimpleNamespace(_data={"turn": 0, "cite": 0}))
    details = shown.split('class="qa-context-details">')[1]
    assert "says otherwise" in details and "support" not in details, details
    _, gone = fns["on_check_cite"](check, SimpleNamespace(_data={"turn": 0, "cite": 2}))
    assert "qa-highlight" not in gone and "qa-error" in gone

    declined = Answer("The documents do not say.", True, [], [], {}, "q", "q", "not_verified", [lanes, tolls])
    _, shown = fns["on_cite"]([Turn("How wide is it?", answer=declined)], SimpleNamespace(_data={"turn": 0, "cite": 1}))
    assert "It carries four lanes.</mark>" in shown and "Possibly relevant" in shown and "[1]" not in shown
