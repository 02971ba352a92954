"""Fuzz the loaders and the sentence splitter on random and malformed files (issue 6).

Every input either loads (``Extracted`` with text) or fails with an ``InputError`` that names the file, within
``LIMIT_S`` seconds; nothing else may escape. Sentence spans are exact, ordered, capped and lose no text.
The example counts keep the whole module well under a minute; ``bench/fuzz_atheris.py`` runs longer
coverage-guided campaigns of the same properties.
"""

from __future__ import annotations

import importlib
import io
import os
import random
import re
import threading
import time
import traceback
import zipfile
import zlib
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from index.load import SUPPORTED, Extracted, parse
from index.sentences import MAX_SENTENCE, split_spans
from qa.errors import InputError
from tests.conftest import SEEDS

loader = importlib.import_module("index.load")  # the module (``index.load`` is also the function's name)
LIMIT_S = 10.0  # per input; a parse or split that takes longer is a hang
NAME = "/fuzz/cases/input-7f3a"  # every error message must name the file it is about
PDF = (SEEDS / "tomato_growing_guide.pdf").read_bytes()
DOCX = (SEEDS / "lumenfold_remote_work_policy.docx").read_bytes()

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))  # e.g. FUZZ_EXAMPLES=2000 for a longer local run
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
FUZZ_SPLIT = settings(FUZZ, max_examples=4 * EXAMPLES)


@pytest.fixture(autouse=True, scope="module")
def _warm_up():
    """Load the sentence tokenizer and the parsers once, outside the per-input time limit."""
    split_spans("Warm up. Done.")
    parse(PDF, ".pdf", "warm.pdf")
    parse(DOCX, ".docx", "warm.docx")


def bounded(fn: Callable[..., Any], *args: Any) -> tuple[Any, BaseException | None]:
    """``fn(*args)`` in a thread: ``(result, exception)``; fails the test if it runs past ``LIMIT_S``."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = fn(*args)
        except BaseException as exc:  # reported to the test, which decides
            box["error"] = exc

    t0 = time.perf_counter()
    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(LIMIT_S)
    elapsed = time.perf_counter() - t0
    if worker.is_alive() or elapsed > LIMIT_S:
        pytest.fail(f"{fn.__name__} ran past {LIMIT_S:.0f} s (a hang) on {args!r:.300}")
    return box.get("value"), box.get("error")


def check_spans(text: str) -> list[tuple[int, int]]:
    """``split_spans`` invariants: exact, stripped, ordered, non-overlapping, capped, and no text lost."""
    spans, error = bounded(split_spans, text)
    if error is not None:
        raise AssertionError(f"split_spans raised on {text!r:.300}") from error
    prev = 0
    for s, e in spans:
        assert isinstance(s, int) and isinstance(e, int)
        assert 0 <= s < e <= len(text), (s, e, len(text))
        assert s >= prev, f"span {(s, e)} overlaps or precedes the one ending at {prev}"
        piece = text[s:e]
        assert piece == piece.strip(), f"span {(s, e)} has surrounding whitespace: {piece!r:.200}"
        assert e - s <= MAX_SENTENCE, f"span {(s, e)} is longer than {MAX_SENTENCE}"
        gap = text[prev:s]
        assert not gap.strip(), f"text lost between sentences: {gap!r:.200}"
        prev = e
    assert not text[prev:].strip(), f"text lost at the end: {text[prev:]!r:.200}"
    return spans


def check_parse(data: bytes, suffix: str) -> Extracted | None:
    """``parse`` gives ``Extracted`` with text and valid page spans, or an ``InputError`` naming the file."""
    name = NAME + suffix
    result, error = bounded(parse, data, suffix, name)
    if error is not None:
        if not isinstance(error, InputError):
            detail = "".join(traceback.format_exception(error))
            raise AssertionError(f"parse({suffix}) raised {type(error).__name__}, not InputError:\n{detail}")
        assert error.path == name and name in str(error), str(error)
        assert error.reason.strip(), "an InputError without a reason"
        return None
    assert isinstance(result, Extracted)
    assert result.text.strip()
    prev = 0
    for start, end, page in result.pages:
        assert prev <= start < end <= len(result.text) and page >= 1, result.pages
        prev = end
    check_spans(result.text)
    return result


# ---- strategies -------------------------------------------------------------------------------------------

_PIECES = [
    "Hello there.",
    "The U.S. President spoke.",
    "Mr. Smith left",
    "e.g.",
    "...",
    "?!",
    "!",
    ".",
    ". ",
    " ",
    "\n",
    "\n\n",
    "\n \n",
    "\t",
    "\r\n",
    "\r",
    "# ",
    "## Heading",
    "- ",
    "* ",
    "+ ",
    "1. ",
    "2) ",
    "| a | b |",
    "\u00a0",
    "\u2028",
    "\u2029",
    "\u3000",
    "\x0b",
    "\x0c",
    "\x1c",
    "\x1d",
    "\x1e",
    "\x1f",
    "\x85",
    "\u200b",
    "\ufeff",
    "[1]",
    "[2, 3]",
    '"',
    "'",
    "(",
    ")",
    "A",
    "a",
    "Word",
    "word",
    "42",
    "3.14",
    "\u00e9",
    "\u0301",
    "\U0001f600",
    "\u05d0\u05d1",
    "\u0645\u0631\u062d\u0628\u0627",
    "\u4e2d\u6587\u3002",
    "\x00",
    "\x7f",
]
structured_text = st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=20)), max_size=120).map("".join)
huge_line = st.builds(lambda unit, n: unit * n, st.text(min_size=1, max_size=6), st.integers(50, 2500))
no_whitespace = st.text(
    st.characters(codec="utf-8", exclude_categories=["Zs", "Zl", "Zp", "Cc"]), min_size=MAX_SENTENCE, max_size=4 * MAX_SENTENCE
)
control_heavy = st.text(st.characters(codec="utf-8", categories=["Cc", "Cf", "Zs", "Zl", "Zp", "Po", "Lu", "Nd"]), max_size=2000)
texts = st.one_of(st.text(max_size=2000), structured_text, huge_line, no_whitespace, control_heavy)


def _flip(base: bytes, flips: list[tuple[int, int]]) -> bytes:
    out = bytearray(base)
    for pos, mask in flips:
        out[pos % len(out)] ^= mask
    return bytes(out)


def _splice(base: bytes, at: int, cut: int, insert: bytes) -> bytes:
    at %= len(base) + 1
    return base[:at] + insert + base[at + cut :]


def _renumber(base: bytes, which: int, number: bytes) -> bytes:
    """Replace one number in the file (an object id, a /Length, a /Count, an xref offset) with another."""
    found = list(re.finditer(rb"\d+", base))
    m = found[which % len(found)]
    return base[: m.start()] + number + base[m.end() :]


def mutations(base: bytes) -> st.SearchStrategy[bytes]:
    flips = st.lists(st.tuples(st.integers(0, 1 << 30), st.integers(1, 255)), min_size=1, max_size=8)
    return st.one_of(
        st.integers(0, len(base)).map(lambda n: base[:n]),  # truncated
        flips.map(lambda f: _flip(base, f)),  # bit-flipped
        st.builds(lambda a, c, b: _splice(base, a, c, b), st.integers(0, 1 << 30), st.integers(0, 300), st.binary(max_size=300)),
    )


_BIG_NUMBERS = st.sampled_from([b"0", b"-1", b"1", b"2", b"99999999999", b"4294967296", b"3 0 R", b"1 0 R", b"2 0 R"])
pdf_numbers = st.builds(
    lambda w, n: _renumber(PDF, w, n),
    st.integers(0, 1 << 20),
    st.one_of(_BIG_NUMBERS, st.integers(-10, 10**6).map(lambda i: str(i).encode())),
)
_PDF_TOKENS = [
    b"obj",
    b"endobj",
    b"stream\n",
    b"endstream",
    b"<<",
    b">>",
    b"[",
    b"]",
    b"/Kids [2 0 R]",
    b"/Parent 2 0 R",
    b"/Type /Pages",
    b"/Count 999999999",
    b"/Length 99999999",
    b"/Filter /FlateDecode",
    b"/Encrypt 1 0 R",
    b"(",
    b")",
    b"\\",
    b"BT",
    b"ET",
    b"Tj",
    b"TJ",
    b"xref",
    b"trailer",
    b"startxref",
    b"%%EOF",
    b"/Root 1 0 R",
    b"R",
    b"0 0 R",
]
pdf_tokens = st.builds(
    lambda a, toks: _splice(PDF, a, 0, b" ".join(toks)),
    st.integers(0, 1 << 30),
    st.lists(st.sampled_from(_PDF_TOKENS), min_size=1, max_size=6),
)
pdfs = st.one_of(st.binary(max_size=2048).map(lambda b: b"%PDF-1.4\n" + b), mutations(PDF), pdf_numbers, pdf_tokens)


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


with zipfile.ZipFile(io.BytesIO(DOCX)) as _z:
    DOCX_PARTS = {i.filename: _z.read(i.filename) for i in _z.infolist()}

_DOCX_NAMES = [
    "[Content_Types].xml",
    "_rels/.rels",
    "word/document.xml",
    "word/_rels/document.xml.rels",
    "word/styles.xml",
    "docProps/core.xml",
    "junk.bin",
]
random_zip = st.dictionaries(
    st.sampled_from(_DOCX_NAMES), st.one_of(st.binary(max_size=512), st.sampled_from(list(DOCX_PARTS.values()))), max_size=6
).map(_zip)
_XML_TOKENS = [
    b"<w:p>",
    b"</w:p>",
    b"<w:r>",
    b"</w:r>",
    b"<w:t>",
    b"</w:t>",
    b"<w:tbl>",
    b"</w:tbl>",
    b"<w:tr>",
    b"</w:tr>",
    b"<w:tc>",
    b"</w:tc>",
    b'<w:gridSpan w:val="0"/>',
    b'<w:gridSpan w:val="-3"/>',
    b'<w:gridSpan w:val="999999"/>',
    b'<w:vMerge w:val="continue"/>',
    b"<w:vMerge/>",
    b"<w:tblGrid/>",
    b'<w:gridCol w:w="-1"/>',
    b"<w:br/>",
    b"<w:tab/>",
    b"&amp;",
    b"&bogus;",
    b"<!DOCTYPE x [<!ENTITY a 'b'>]>",
    b"<w:sdt><w:sdtContent>",
    b"</w:sdtContent></w:sdt>",
    b"<",
    b">",
    b'"',
    b"\x00",
    b"\xff",
]


def _mutate_part(part: str, at: int, cut: int, tokens: list[bytes]) -> bytes:
    members = dict(DOCX_PARTS)
    members[part] = _splice(members[part], at, cut, b"".join(tokens))
    return _zip(members)


docx_xml = st.builds(
    _mutate_part,
    st.sampled_from(["word/document.xml", "[Content_Types].xml", "_rels/.rels", "word/_rels/document.xml.rels"]),
    st.integers(0, 1 << 30),
    st.integers(0, 40),
    st.lists(st.sampled_from(_XML_TOKENS), max_size=6),
)
_BODY = DOCX_PARTS["word/document.xml"].find(b"<w:body>") + len(b"<w:body>")
_TC_PROPS = [
    b"",
    b'<w:gridSpan w:val="0"/>',
    b'<w:gridSpan w:val="-3"/>',
    b'<w:gridSpan w:val="2"/>',
    b'<w:gridSpan w:val="1000000000"/>',
    b'<w:gridSpan w:val="x"/>',
    b'<w:vMerge w:val="continue"/>',
    b"<w:vMerge/>",
    b'<w:vMerge w:val="restart"/>',
    b'<w:tcW w:w="-5" w:type="dxa"/>',
]


def _table(rows: list[list[bytes]], grid: bytes = b"") -> bytes:
    cell = b"<w:tc><w:tcPr>%s</w:tcPr><w:p><w:r><w:t>cell</w:t></w:r></w:p></w:tc>"
    body = b"".join(b"<w:tr>" + b"".join(cell % props for props in row) + b"</w:tr>" for row in rows)
    return b"<w:tbl>" + grid + body + b"</w:tbl>"


def _with_body(xml: bytes) -> bytes:
    return _mutate_part("word/document.xml", _BODY, 0, [xml])


docx_table = st.builds(
    lambda rows, grid: _with_body(_table(rows, grid)),
    st.lists(st.lists(st.sampled_from(_TC_PROPS), min_size=1, max_size=4), min_size=1, max_size=5),
    st.sampled_from([b"", b"<w:tblGrid/>", b'<w:tblGrid><w:gridCol w:w="-1"/><w:gridCol/></w:tblGrid>']),
)
docxs = st.one_of(random_zip, mutations(DOCX), docx_xml, docx_table)

_HTML_TOKENS = [
    "<p>",
    "</p>",
    "<div>",
    "</div",
    "<script>",
    "</script>",
    "<script>",
    "<style>",
    "</style>",
    "<svg>",
    "</svg>",
    "<head>",
    "</head>",
    "<template>",
    "<noscript>",
    "</noscript>",
    "<br/>",
    "<title>",
    "<!--",
    "-->",
    "<!DOCTYPE html>",
    "<![CDATA[",
    "]]>",
    "<![ ",
    "<![if x]>",
    "<![endif]>",
    "<!",
    "<?",
    "?>",
    "</",
    "<",
    ">",
    "&",
    "&amp;",
    "&#0;",
    "&#x110000;",
    "&#xD800;",
    "&#9999999999;",
    "&lt;script&gt;",
    "<img src=x onerror=alert(1)>",
    "<a href='",
    "'>",
    '"',
    "=",
    "<p class=",
    "Text here.",
    "Another one.",
    " ",
    "\n",
    "\r\n",
    "\t",
    "\u00a0",
    "<p/>",
    "<>",
    "</>",
    "<a b c d e f>",
    "<plaintext>",
    "<xmp>",
]
html_tokens = st.lists(st.one_of(st.sampled_from(_HTML_TOKENS), st.text(max_size=12)), max_size=80).map("".join)
huge_attribute = st.builds(
    lambda n, q: f"<p><a title={q}{'x' * n}{q}>link text</a> after.</p>", st.integers(1, 200_000), st.sampled_from(['"', "'", ""])
)
nested_scripts = st.builds(
    lambda n, closed: "<p>kept</p>" + "<script>" * n + "var x;" + "</script>" * closed + "<p>tail</p>",
    st.integers(1, 50),
    st.integers(0, 50),
)
htmls = st.one_of(html_tokens, huge_attribute, nested_scripts)


# ---- the sentence splitter --------------------------------------------------------------------------------


@FUZZ_SPLIT
@given(texts)
@example("")
@example("x" * (3 * MAX_SENTENCE + 7))
@example("Title\nBody text.\n\n- item\n# Heading\nNext")
@example("a" * 400 + " " + "b" * 400 + "\x1c" + "c" * 700)
def test_split_spans_invariants(text):
    check_spans(text)


def test_split_spans_is_fast_on_long_documents():
    rng = random.Random(6)
    words = ["the", "bridge", "U.S.", "Mr.", "opened.", "closed!", "why?", "\n", "\n\n", "# H", "- x", "a.b.c."]
    text = " ".join(rng.choice(words) for _ in range(60_000))
    t0 = time.perf_counter()
    check_spans(text)
    assert time.perf_counter() - t0 < LIMIT_S


# ---- the loaders ------------------------------------------------------------------------------------------


@FUZZ
@given(st.binary(max_size=4096), st.sampled_from(SUPPORTED))
@example(b"", ".txt")
@example(b"\xef\xbb\xbf", ".md")
@example(b"\x00" * 10, ".html")
def test_random_bytes_of_any_type(data, suffix):
    check_parse(data, suffix)


@FUZZ
@given(texts, st.sampled_from([".txt", ".md", ".markdown"]), st.booleans())
@example("Annual Report 2024\n\nThe club grew.", ".txt", False)
def test_text_files_keep_their_text(text, suffix, bom):
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")
    result = check_parse(data, suffix)
    kept = text[1:] if text.startswith("\ufeff") and not bom else text  # utf-8-sig drops one leading BOM
    expected = kept.replace("\r\n", "\n").replace("\r", "\n")
    if suffix == ".txt":  # a plain-text title line is marked "# ", as a Markdown title is (``index.load._titled``)
        from index.load import _titled

        expected = _titled(expected)
    if "\x00" not in text[:8192] and expected.strip():
        assert result is not None and result.text == expected


@FUZZ
@given(pdfs)
@example(PDF[: len(PDF) // 2])
@example(PDF.replace(b"/Kids [5 0 R 7 0 R]", b"/Kids [2 0 R 2 0 R]"))
@example(PDF.replace(b"/Count 2", b"/Count 99999999999"))
def test_malformed_pdf(data):
    check_parse(data, ".pdf")


@FUZZ
@given(docxs)
@example(DOCX[: len(DOCX) // 2])
@example(_zip({"word/document.xml": b"<w:document/>"}))
def test_malformed_docx(data):
    check_parse(data, ".docx")


@FUZZ
@given(htmls, st.sampled_from([".html", ".htm"]))
@example("<p>before</p><![ not a keyword <p>after</p>", ".html")
@example("<p>x</p>" + "<script>" * 3 + "var hidden = 1;", ".html")
def test_malformed_html(text, suffix):
    check_parse(text.encode("utf-8"), suffix)


@pytest.mark.parametrize(
    ("rows", "expect"),
    [
        ([[b'<w:vMerge w:val="continue"/>', b""]], "cell"),  # python-docx: "no tr above topmost tr"
        ([[b'<w:gridSpan w:val="1000000000"/>']], "cell"),  # python-docx: a 10**9-long row, never ends
        ([[b'<w:vMerge w:val="restart"/>']] + [[b"<w:vMerge/>"]] * 1500, "cell"),  # deep recursion in python-docx
        ([[b'<w:gridSpan w:val="x"/>']], None),  # unparseable: a clear error is fine
    ],
)
def test_hostile_docx_tables(rows, expect):
    result = check_parse(_with_body(_table(rows)), ".docx")
    if expect is not None:
        assert result is not None and expect in result.text
    if result is not None:
        assert result.text.count("cell") <= sum(len(r) for r in rows)  # a spanned cell is not repeated


def test_docx_table_text_is_kept_once_per_cell():
    import docx

    doc = docx.Document()
    table = doc.add_table(rows=3, cols=3)
    for i in range(3):
        for j in range(3):
            table.cell(i, j).text = f"r{i}c{j}"
    table.cell(0, 0).merge(table.cell(0, 2))  # horizontal: once
    table.cell(1, 0).merge(table.cell(2, 0))  # vertical: on each row it spans, as a reader sees it
    buf = io.BytesIO()
    doc.save(buf)
    blocks = check_parse(buf.getvalue(), ".docx").text.split("\n\n")
    assert blocks == ["r0c0\nr0c1\nr0c2", "r1c0\nr2c0 | r1c1 | r1c2", "r1c0\nr2c0 | r2c1 | r2c2\n"]


def test_docx_zip_bomb_is_refused(monkeypatch):
    monkeypatch.setattr(loader, "DOCX_UNZIPPED", 5_000_000)
    assert check_parse(DOCX, ".docx") is not None  # the real file is well under the limit
    bomb = _zip({**DOCX_PARTS, "word/media/image1.bmp": bytes(6_000_000)})
    assert len(bomb) < 100_000
    with pytest.raises(InputError, match="zip bomb"):
        parse(bomb, ".docx", NAME + ".docx")


def _pdf(pages: int, content: bytes) -> bytes:
    """A valid PDF whose ``pages`` pages all draw the same content stream (tiny file, lots of work)."""
    kids = b" ".join(b"%d 0 R" % (5 + i) for i in range(pages))
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(zlib.compress(content)), zlib.compress(content)),
    ]
    objs += [
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 3 0 R >> >> >>"
    ] * pages
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, obj in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (i, obj)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def test_slow_pdf_is_stopped_with_a_clear_error(monkeypatch):
    content = b"BT /F1 11 Tf 72 700 Td (Slow page.) Tj ET\n" + b"(a) Tj " * 20_000
    assert check_parse(_pdf(1, content), ".pdf") is not None  # one such page is fine
    monkeypatch.setattr(loader, "PDF_SECONDS", 0.5)
    data = _pdf(400, content)  # 63 KB that took about 6 minutes here before the budget
    assert len(data) < 100_000
    _, error = bounded(parse, data, ".pdf", NAME + ".pdf")
    assert isinstance(error, InputError) and "took over" in error.reason and error.path == NAME + ".pdf", error


def test_seed_files_still_parse():
    for path in sorted(SEEDS.iterdir()):
        if path.suffix.lower() in SUPPORTED and path.name.lower() != "readme.md":
            assert check_parse(path.read_bytes(), path.suffix.lower()) is not None, path


# ---- ingestion: one error per bad file, the good one indexed ------------------------------------------------


def _bad_files() -> dict[str, bytes]:
    rng = random.Random(6)
    noise = bytes(rng.randrange(256) for _ in range(3000))
    return {
        "noise.txt": b"\x00" + noise,  # binary
        "latin1.md": "Caf\xe9 is open every day.".encode("latin-1"),  # not UTF-8
        "blank.markdown": b" \n\t\n",  # no text
        "empty.htm": b"",  # empty file
        "scripts_only.html": b"<html><head><script>var a = 1;</script></head><body> </body></html>",
        "broken_declaration.html": b"<p>Text.</p><![ oops",
        "header_only.pdf": b"%PDF-1.4\n" + noise[:500],
        "truncated.pdf": PDF[:300],
        "random_zip.docx": _zip({"word/document.xml": noise[:200], "junk.bin": noise}),
        "truncated.docx": DOCX[: len(DOCX) // 3],
    }


def test_ingest_reports_each_bad_file_and_indexes_the_good_one(app, tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    bad = _bad_files()
    for name, data in bad.items():
        (folder / name).write_bytes(data)
    (folder / "good.md").write_text("# Lighthouse\n\nThe Wendle lighthouse was built in 1879. It is 31 metres tall.\n")
    results = app.ingest([folder])
    by_name = {r.path.rsplit("/", 1)[-1]: r for r in results}
    assert set(by_name) == set(bad) | {"good.md"}
    for name in bad:
        r = by_name[name]
        assert r.status == "error" and r.reason.strip(), r
        assert r.path.endswith(name)
    good = by_name["good.md"]
    assert good.status == "indexed" and good.sentences == 3
    (doc,) = app.documents()
    assert doc.path.endswith("good.md")
    assert app.store.count() == good.sentences
