"""The page in a real Chromium over the fake model: first start, plain language, small frictions, and the
layout at desktop (1366 px) and phone (390 px) width. Saves docs/screenshot.png and docs/screenshot-phone.png.

The fake model answers from its prompt (``_reply``); retrieval, citation checks, storage and the page are real.
"""

import re
import shutil
import threading
import time

import pytest

from qa.settings import REPO_ROOT, Settings
from tests.conftest import SEEDS, FakeGenerator, free_port
from tests.test_ui import CHROMIUM, CHROMIUM_ARGS
from ui import plain

DOCS = REPO_ROOT / "docs"
COUNCIL, NEWSLETTER, TOMATO = (
    "kestrel_bridge_council_report.md",
    "kestrel_bridge_residents_newsletter.html",
    "tomato_growing_guide.pdf",
)


def _marker(prompt: str, sentence: str) -> str | None:
    m = re.search(re.escape(sentence) + r" \[(\d+)\]", prompt)
    return m[1] if m else None


def _reply(prompt: str) -> str:
    """What the fake model writes: the cost (and who pays) when its sources say so, with their markers."""
    if "Last question: " in prompt:  # a follow-up to make standalone: it already is
        return prompt.split("Last question: ")[1].splitlines()[0]
    cost = _marker(prompt, "The total cost of the Kestrel Bridge is estimated at £46 million.")
    fund = _marker(prompt, "The national Coastal Links Fund will pay 70 per cent of the cost.")
    revised = _marker(prompt, "Our committee has seen revised figures which put the total cost of the bridge at £61 million.")
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


@pytest.fixture
def page_url(tmp_path, embedder):
    """The page (``build_ui`` mounted as ``qa serve`` does) on a free port, over an empty index with seeds."""
    import gradio as gr
    import uvicorn
    from fastapi import FastAPI

    from qa.app import App
    from ui import build_ui
    from ui.assets import CSS

    shutil.copytree(SEEDS, tmp_path / "seeds")
    app = App(Settings(data_dir=tmp_path / "data", seeds_dir=tmp_path / "seeds"), embedder, FakeGenerator(_reply))
    demo = build_ui(app)
    demo.queue()
    server = gr.mount_gradio_app(FastAPI(), demo, path="/", css=CSS, footer_links=[], ssr_mode=False, pwa=False)
    port = free_port()
    uv = uvicorn.Server(uvicorn.Config(server, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    while not uv.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/"
    uv.should_exit = True
    thread.join(10)
    app.close()


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
    page.locator("#qa-remove-confirm").click()
    done = page.locator("#qa-remove-result .qa-done-note")
    done.wait_for()
    assert done.inner_text() == f"Removed {name} from the index."
    assert done.evaluate("e => getComputedStyle(e).fontWeight") == "600"  # not small grey text
    page.wait_for_function(f"() => !document.querySelector('#qa-docs').innerText.includes('{name}')")


@pytest.mark.slow
def test_page_first_start_plain_language_and_layout(page_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.set_default_timeout(60_000)
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(page_url)

        # first start: the empty index gets the sample documents, and a note says so
        page.wait_for_selector("#qa-notice .qa-done-note", timeout=300_000)
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
        browser.close()
    assert errors == []
