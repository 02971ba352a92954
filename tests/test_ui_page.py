"""The page in a real Chromium over the fake model: first start, plain language, small frictions, and the
layout at desktop (1366 px) and phone (390 px) width. Saves docs/screenshot.png and docs/screenshot-phone.png.

The fake model answers from its prompt (``_reply``); retrieval, citation checks, storage and the page are real.
"""

import contextlib
import re
import shutil
import threading
import time
from collections.abc import Callable

import pytest

from qa.settings import REPO_ROOT, Settings
from tests.conftest import SEEDS, FakeGenerator, free_port
from tests.test_ui import CHROMIUM, CHROMIUM_ARGS
from ui import plain, render

DOCS = REPO_ROOT / "docs"
COUNCIL, NEWSLETTER, TOMATO = (
    "kestrel_bridge_council_report.md",
    "kestrel_bridge_residents_newsletter.html",
    "tomato_growing_guide.pdf",
)


def _marker(prompt: str, sentence: str) -> str | None:
    """The source number of ``sentence`` in the prompt: "[n] sentence" lines (the default) or "sentence [n]"."""
    m = re.search(r"^\[(\d+)\] " + re.escape(sentence), prompt, re.M) or re.search(re.escape(sentence) + r" \[(\d+)\]", prompt)
    return m[1] if m else None


UNVERIFIED_Q = "When will the Kestrel Bridge open to traffic?"
PAINTED_Q = "How much will the Kestrel Bridge cost, and what colour will it be painted?"
OFF_TOPIC_Q = "Who won the 1998 world chess championship in Mongolia?"


def _reply(prompt: str) -> str:
    """What the fake model writes: the cost (and who pays) when its sources say so, with their markers."""
    if "Last question: " in prompt:  # a follow-up to make standalone: it already is
        return prompt.split("Last question: ")[1].splitlines()[0]
    if prompt.endswith("Question: " + UNVERIFIED_Q):  # a year no source gives, cited to the first source
        first = re.search(r"\[(\d+)\]", prompt)
        return f"The Kestrel Bridge will open to traffic in 2031 [{first[1] if first else 1}]."
    cost = _marker(prompt, "The total cost of the Kestrel Bridge is estimated at £46 million.")
    fund = _marker(prompt, "The national Coastal Links Fund will pay 70 per cent of the cost.")
    revised = _marker(prompt, "Our committee has seen revised figures which put the total cost of the bridge at £61 million.")
    if cost and prompt.endswith("Question: " + PAINTED_Q):
        # the cost cited to another source (the checker re-cites it), then a colour no source gives
        wrong = next(n for n in re.findall(r"^\[(\d+)\] ", prompt, re.M) if n != cost)
        return (
            f"The total cost of the Kestrel Bridge is estimated at £46 million [{wrong}]. "
            f"The Kestrel Bridge will be painted bright purple [{cost}]."
        )
    if cost and fund:
        return (
            f"The Kestrel Bridge is estimated to cost £46 million [{cost}]. "
            f"The national Coastal Links Fund will pay 70 per cent of the cost [{fund}]."
        )
    if cost:
        return f"The total cost of the Kestrel Bridge is estimated at £46 million [{cost}]."
    if revised:
        return f"Revised figures put the total cost of the bridge at £61 million [{revised}]."
    return "The documents do not say."


class SlowGenerator(FakeGenerator):
    """The fake model writing one word every ``delay`` seconds: slow enough for the page to show each stage."""

    def __init__(self, reply: Callable[[str], str], delay: float = 0.15) -> None:
        super().__init__(reply)
        self.delay = delay

    def stream(self, messages, *, max_tokens, temperature):
        for piece in super().stream(messages, max_tokens=max_tokens, temperature=temperature):
            time.sleep(self.delay)
            yield piece


@contextlib.contextmanager
def _serving(tmp_path, embedder, generator):
    """The page (``build_ui`` mounted as ``qa serve`` does) on a free port, over an empty index with seeds."""
    import gradio as gr
    import uvicorn
    from fastapi import FastAPI

    from qa.app import App
    from ui import build_ui
    from ui.assets import CSS

    shutil.copytree(SEEDS, tmp_path / "seeds")
    app = App(Settings(data_dir=tmp_path / "data", seeds_dir=tmp_path / "seeds"), embedder, generator)
    demo = build_ui(app)
    demo.queue()
    server = gr.mount_gradio_app(FastAPI(), demo, path="/", css=CSS, footer_links=[], ssr_mode=False, pwa=False)
    port = free_port()
    uv = uvicorn.Server(uvicorn.Config(server, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    while not uv.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        uv.should_exit = True
        thread.join(10)
        app.close()


@pytest.fixture
def page_url(tmp_path, embedder):
    with _serving(tmp_path, embedder, FakeGenerator(_reply)) as url:
        yield url


@pytest.fixture
def slow_page_url(tmp_path, embedder):
    """As ``page_url``, with a fake model that writes slowly."""
    with _serving(tmp_path, embedder, SlowGenerator(_reply)) as url:
        yield url


# Every element wider than the viewport must sit inside a horizontal scroller; every table's scroller must
# either fit or scroll (never a clipping `overflow: hidden`). Returns what breaks these rules.
OVERFLOW = """() => {
  const scrolls = (el) => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
  const inScroller = (el) => { for (let p = el.parentElement; p; p = p.parentElement) if (scrolls(p)) return true;
                               return false; };
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                       (typeof el.className === 'string' && el.className ? '.' + el.className.split(' ')[0] : '');
  const bad = [];
  for (const table of document.querySelectorAll('table')) {
    if (!table.getClientRects().length) continue;
    const box = table.parentElement;
    if (!(box.scrollWidth <= box.clientWidth || scrolls(box))) bad.push('table not scrollable: ' + name(box));
  }
  const width = document.documentElement.clientWidth;
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    const shown = el.checkVisibility({visibilityProperty: true, opacityProperty: true});
    if (shown && r.width && r.right > width + 1 && !inScroller(el))
      bad.push(`past the edge (${Math.round(r.left)}-${Math.round(r.right)} px): ${name(el)} ` +
               `"${el.textContent.trim().slice(0, 30)}"`);
  }
  return bad;
}"""

# The placeholders of the visible text boxes that do not fit on their first line.
PLACEHOLDERS_CUT = """() => [...document.querySelectorAll('textarea[placeholder]')].filter((t) => {
  if (!t.checkVisibility()) return false;
  const s = getComputedStyle(t);
  const ctx = document.createElement('canvas').getContext('2d');
  ctx.font = s.font;
  return ctx.measureText(t.placeholder).width > t.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
}).map((t) => t.placeholder)"""

BELOW = """([a, b]) => document.querySelector(a).getBoundingClientRect().bottom
                     <= document.querySelector(b).getBoundingClientRect().top"""


# whether the chat scrolls (its content taller than its box), and whether the start of the newest answer is in view
NEWEST_IN_VIEW = """() => {
  const chat = document.querySelector('#qa-chat');
  const box = [chat, ...chat.querySelectorAll('div')].find(
    (b) => ['auto', 'scroll'].includes(getComputedStyle(b).overflowY) && b.scrollHeight > b.clientHeight + 1);
  const answers = document.querySelectorAll('#qa-chat .qa-turn .qa-a');
  const a = answers[answers.length - 1].getBoundingClientRect();
  if (!box) return {scrolls: false, inView: false};
  const b = box.getBoundingClientRect();
  return {scrolls: true, inView: a.top >= b.top - 1 && a.top < b.bottom - 20, answerTop: a.top, box: [b.top, b.bottom]};
}"""


def _ask(page, question: str, turn: int) -> None:
    page.locator("#qa-question textarea").fill(question)
    page.locator("#qa-ask").click()
    page.wait_for_selector(f".qa-turn[data-turn='{turn}'] #qa-answer.qa-done", timeout=120_000)


def _remove(page, name: str) -> None:
    from playwright.sync_api import expect

    page.locator("#qa-remove-choice input").click()
    page.get_by_role("option", name=name).click()
    page.locator("#qa-remove").click()
    expect(page.locator("#qa-remove-result")).to_contain_text(f"Remove {name} from the index? Click “Confirm remove”")
    assert name in page.locator("#qa-docs").inner_text()  # nothing is removed before the confirmation
    page.locator("#qa-remove-cancel").click()  # changing one's mind keeps it, and takes the question away
    expect(page.locator("#qa-remove-confirm")).to_be_hidden()
    expect(page.locator("#qa-remove-result")).to_have_text("")
    assert name in page.locator("#qa-docs").inner_text()
    page.locator("#qa-remove").click()
    page.locator("#qa-remove-confirm").click()
    done = page.locator("#qa-remove-result .qa-done-note")
    done.wait_for()
    assert done.inner_text() == f"Removed {name} from the index."
    assert done.evaluate("e => getComputedStyle(e).fontWeight") == "600"  # not small grey text
    page.wait_for_function(f"() => !document.querySelector('#qa-docs').innerText.includes('{name}')")


def _open(pw, url: str):
    """Chromium on ``url`` at desktop size, once the first start has indexed the samples: (browser, page, errors)."""
    browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.set_default_timeout(60_000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.wait_for_selector("#qa-notice .qa-done-note", timeout=300_000)
    return browser, page, errors


@pytest.mark.slow
def test_page_first_start_plain_language_and_layout(page_url):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser, page, errors = _open(pw, page_url)
        # first start: the empty index gets the sample documents, and a note says so
        assert "sample documents were indexed" in page.locator("#qa-notice").inner_text()

        # an answer; its citation opens the document, with headings as headings and offsets in small print
        _ask(page, "How much will the Kestrel Bridge cost, and who pays for it?", 0)
        cites = page.locator("#qa-answer .qa-cite")
        assert cites.count() == 2, page.locator("#qa-answer").inner_text()
        cites.first.click()
        context = page.locator("#qa-context")
        context.locator("mark.qa-highlight").wait_for()
        assert context.locator(".qa-h2", has_text="Cost and funding").is_visible()
        shown = context.locator(".qa-context-text").inner_text()
        assert "##" not in shown and "characters" not in context.locator(".qa-context-head").inner_text()
        assert "/" not in context.inner_text() and "/" not in page.locator("#qa-sources").inner_text()
        page.screenshot(path=str(DOCS / "screenshot.png"))
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=str(DOCS / "screenshot-phone.png"), full_page=True)
        page.set_viewport_size({"width": 1366, "height": 900})

        # an answer without citations clears the document view as Sources says "No sources"
        _ask(page, "What should the soil temperature be for sowing?", 1)
        assert "No sources" in page.locator("#qa-sources").inner_text()
        assert context.locator("mark").count() == 0 and "Click a [n] marker" in context.inner_text()

        # compare two documents: the Differ row marks the values that differ
        page.get_by_role("tab", name="Compare").click()
        for name in (COUNCIL, NEWSLETTER):
            page.locator("#qa-compare-docs input").click()
            page.get_by_role("option", name=name).click()
        page.locator("#qa-compare-question textarea").fill("How much will the Kestrel Bridge cost?")
        page.locator("#qa-compare-go").click()
        page.wait_for_selector("#qa-compare table.qa-compare", timeout=120_000)
        marks = page.locator("#qa-compare tr.qa-differ mark.qa-diff").all_inner_texts()
        assert {"£46", "£61"} <= set(marks), page.locator("#qa-compare").inner_text()

        # removing asks for confirmation; an unrelated removal keeps the Compare selection
        page.get_by_role("tab", name="Documents").click()
        _remove(page, TOMATO)
        page.get_by_role("tab", name="Compare").click()
        chosen = page.locator("#qa-compare-docs").inner_text()
        assert COUNCIL in chosen and NEWSLETTER in chosen

        # a citation of a removed document says so plainly
        page.get_by_role("tab", name="Documents").click()
        _remove(page, COUNCIL)
        page.get_by_role("tab", name="Ask").click()
        page.locator(".qa-turn[data-turn='0'] .qa-cite").first.click()
        page.wait_for_selector("#qa-context .qa-error")
        assert context.inner_text().strip() == plain.DOC_REMOVED

        # phone width: nothing cut off, tables scroll, Sources and the document follow the chat
        page.set_viewport_size({"width": 390, "height": 844})
        page.get_by_role("tab", name="Ask").click()
        assert page.evaluate(PLACEHOLDERS_CUT) == []
        assert page.evaluate(BELOW, ["#qa-question", "#qa-sources"])
        assert page.evaluate(BELOW, ["#qa-context", "#qa-settings"])
        assert page.evaluate(OVERFLOW) == []
        page.get_by_role("tab", name="Check a statement").click()
        assert page.evaluate(PLACEHOLDERS_CUT) == [] and page.evaluate(OVERFLOW) == []
        for tab, table in (("Compare", "#qa-compare table"), ("Documents", "#qa-docs table")):
            page.get_by_role("tab", name=tab).click()
            page.locator(table).wait_for()
            assert page.evaluate(OVERFLOW) == [] and page.evaluate(PLACEHOLDERS_CUT) == [], tab
            last = page.locator(f"{table} tr").first.locator("th").last
            last.scroll_into_view_if_needed()  # the last column can be reached
            assert last.is_visible() and last.bounding_box()["x"] + last.bounding_box()["width"] <= 391  # type: ignore[index]

        # the samples go in one click, and come back from the chat's "Load the sample documents"
        page.set_viewport_size({"width": 1366, "height": 900})
        page.get_by_role("tab", name="Documents").click()
        page.locator("#qa-remove-samples").click()
        expect(page.locator("#qa-remove-result .qa-done-note")).to_contain_text("sample documents from the index")
        expect(page.locator("#qa-remove-samples")).to_be_hidden()
        assert NEWSLETTER not in page.locator("#qa-docs").inner_text()
        page.get_by_role("tab", name="Ask").click()
        page.locator("#qa-load-seeds").click()
        page.get_by_role("tab", name="Documents").click()
        expect(page.locator("#qa-docs")).to_contain_text(NEWSLETTER)
        expect(page.locator("#qa-remove-samples")).to_be_visible()
        browser.close()
    assert errors == []


@pytest.mark.slow
def test_page_shows_stages_declines_and_left_out_sentences(slow_page_url):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser, page, errors = _open(pw, slow_page_url)
        answer = page.locator("#qa-answer")
        other = browser.new_page(viewport={"width": 1366, "height": 900})  # another tab, loaded before the model is busy
        other.goto(slow_page_url)
        other.locator("#qa-question textarea").fill("Who is the main contractor for the Kestrel Bridge?")

        # while the model writes, the draft is labelled as not yet checked; then the checked answer replaces it
        page.locator("#qa-question textarea").fill("How much will the Kestrel Bridge cost, and who pays for it?")
        page.locator("#qa-ask").click()
        expect(answer.locator(".qa-draft-label")).to_have_text("Draft, not yet checked against the documents:", timeout=60_000)
        assert "qa-done" not in (answer.get_attribute("class") or "")

        # another tab's question while the model is busy is shown at once, waiting in line, then answered
        other.locator("#qa-ask").click()
        expect(other.locator("#qa-answer .qa-wait")).to_have_text(render.QUEUED, timeout=10_000)
        expect(answer).to_have_class(re.compile(r"\bqa-done\b"), timeout=120_000)
        assert answer.locator(".qa-draft-label").count() == 0 and answer.locator(".qa-cite").count() == 2
        assert "s to first word" in page.locator(".qa-turn[data-turn='0'] .qa-meta").inner_text()
        expect(other.locator("#qa-answer")).to_have_class(re.compile(r"\bqa-done\b"), timeout=120_000)
        assert other.locator(".qa-turn .qa-q").all_inner_texts() == ["Who is the main contractor for the Kestrel Bridge?"]
        assert render.QUEUED not in other.locator("#qa-chat").inner_text()
        other.close()

        # a follow-up is first rewritten by the model, and the page says so before it searches
        page.locator("#qa-question textarea").fill("And what will it cost?")
        page.locator("#qa-ask").click()
        turn1 = page.locator(".qa-turn[data-turn='1'] #qa-answer")
        expect(turn1.locator(".qa-wait")).to_have_text("Rewriting the question…", timeout=60_000)
        expect(turn1).to_have_class(re.compile(r"\bqa-done\b"), timeout=120_000)
        assert "Rewriting" not in turn1.inner_text()

        # the re-cited claim is marked; the made-up one is left out and counted under the answer
        _ask(page, PAINTED_Q, 2)
        assert "purple" not in answer.inner_text(), answer.inner_text()
        assert answer.locator(".qa-recited").count() == 1, answer.inner_text()
        assert render.RECITED in (answer.locator(".qa-recited").get_attribute("title") or "")
        note = answer.locator(".qa-left-out")
        assert note.inner_text() == "1 sentence was left out: no source sentence states it.", answer.inner_text()

        # the two kinds of decline: nothing relevant found, and found but the reply cited a sentence that does not
        # state it (then the closest sentences are offered, not as citations)
        _ask(page, OFF_TOPIC_Q, 3)
        assert answer.locator(".qa-declined.qa-declined-none").count() == 1, answer.inner_html()
        assert answer.locator(".qa-near").count() == 0
        _ask(page, UNVERIFIED_Q, 4)
        declined = answer.locator(".qa-declined.qa-declined-unverified")
        assert declined.count() == 1, answer.inner_html()
        assert "2031" not in answer.inner_text()
        assert "Possibly relevant" in declined.inner_text() and declined.locator(".qa-near li").count() >= 1
        assert declined.locator(".qa-cite").count() == 0
        # a possibly relevant sentence opens in its document, highlighted, as a citation does
        first = declined.locator(".qa-near li").first
        said = first.inner_text().split(": ", 1)[1]
        first.click()
        mark = page.locator("#qa-context mark.qa-highlight")
        expect(mark).to_have_text(said, timeout=10_000)
        head = page.locator("#qa-context .qa-context-head")
        assert "Possibly relevant" in head.inner_text() and head.locator(".qa-n").count() == 0, head.inner_html()

        # the chat follows its newest turn: five turns overflow it, and the last answer is in view, not below it
        view = page.evaluate(NEWEST_IN_VIEW)
        assert view["scrolls"] and view["inView"], view

        # a question typed and asked while this tab's answer is written is kept, and asked next (a walk-through:
        # each step of the answer emptied the box, and the second click was dropped)
        page.locator("#qa-question textarea").fill("How much will the Kestrel Bridge cost, and who pays for it?")
        page.locator("#qa-ask").click()
        expect(answer.locator(".qa-draft-label")).to_be_visible(timeout=60_000)
        box = page.locator("#qa-question textarea")
        box.fill("Who is the main contractor for the Kestrel Bridge?")
        page.locator("#qa-ask").click()
        page.wait_for_timeout(1_000)
        assert box.input_value() == "Who is the main contractor for the Kestrel Bridge?"  # not emptied meanwhile
        page.wait_for_selector(".qa-turn[data-turn='6'] #qa-answer.qa-done", timeout=120_000)
        assert page.locator(".qa-turn[data-turn='6'] .qa-q").inner_text() == "Who is the main contractor for the Kestrel Bridge?"
        assert box.input_value() == ""
        browser.close()
    assert errors == []


@pytest.mark.slow
def test_page_checks_a_statement_against_the_chosen_documents(page_url):
    """ "Check against" limits a fact-check to the documents chosen, as ``qa verify --doc`` and the API's ``docs`` do:
    the statement the council report supports is not found in the newsletter alone; the choice keeps its place
    when another document is removed."""
    from playwright.sync_api import expect, sync_playwright

    statement = "The Kestrel Bridge will cost £46 million."
    with sync_playwright() as pw:
        browser, page, errors = _open(pw, page_url)
        page.get_by_role("tab", name="Check a statement").click()
        verdict = page.locator("#qa-verdict")
        page.locator("#qa-statement textarea").fill(statement)
        page.locator("#qa-check").click()
        expect(verdict.locator(".qa-check")).to_have_class(re.compile(r"\bqa-verdict-supported\b"), timeout=120_000)
        assert COUNCIL in verdict.inner_text()
        # a cited sentence opens in its document, highlighted
        item = verdict.locator("li.qa-check-item").first
        said = item.inner_text().split(": ", 1)[1].split(" — ")[0]
        item.click()
        expect(page.locator("#qa-check-context mark.qa-highlight")).to_have_text(said, timeout=10_000)
        assert COUNCIL in page.locator("#qa-check-context .qa-context-head").inner_text()

        page.locator("#qa-check-scope input").click()
        page.get_by_role("option", name=NEWSLETTER).click()
        page.locator("#qa-check").click()
        expect(verdict.locator(".qa-check")).to_have_class(re.compile(r"\bqa-verdict-not_found\b"), timeout=120_000)
        assert COUNCIL not in verdict.inner_text()

        page.get_by_role("tab", name="Documents").click()
        _remove(page, TOMATO)
        page.get_by_role("tab", name="Check a statement").click()
        assert NEWSLETTER in page.locator("#qa-check-scope").inner_text()
        assert TOMATO not in page.locator("#qa-check-scope").inner_text()
        browser.close()
    assert errors == []
