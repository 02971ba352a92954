"""Each supported format loads; each kind of bad input gets one clear error naming the file and the reason."""

import io

import pytest

from index.load import load
from qa.errors import InputError
from tests.conftest import SEEDS

MB = 1_000_000


def test_html_drops_script_and_style():
    text = load(SEEDS / "kestrel_bridge_residents_newsletter.html", max_bytes=MB).text
    assert "Kestrel Bridge" in text
    assert "function" not in text and "{" not in text


def test_html_and_word_headings_are_marked_and_never_evidence(tmp_path):
    """A probe's `qa verify "Crossing the Kestrel Bridge will be free of charge."` cited the newsletter's <h2>
    "What we know about the Kestrel Bridge" as supporting it (judge 0.57): the heading's words read as a statement.
    The file's own structure now marks it, as Markdown does."""
    from index.sentences import heading, split_spans
    from qa.cite import can_be_evidence

    text = load(SEEDS / "kestrel_bridge_residents_newsletter.html", max_bytes=MB).text
    assert "\n## What we know about the Kestrel Bridge\n" in text and text.startswith("# The Estuary Post: Summer 2025")
    said = [text[a:b] for a, b in split_spans(text)]
    assert "## What we know about the Kestrel Bridge" in said and not can_be_evidence("## What we know about the Kestrel Bridge")
    assert not heading("What we know about the Kestrel Bridge")  # its words alone do not tell
    page = tmp_path / "p.html"
    page.write_text("<h3>Why the tolls rise each year</h3><p>Tolls rise with inflation.</p><h2> </h2><h1>Done</h1>")
    assert load(page, max_bytes=MB).text == "### Why the tolls rise each year\n\nTolls rise with inflation.\n\n# Done\n"
    # a review: an icon's <svg><title> or a <div> inside a heading took its mark away; a <br> in one marks each line
    for html, text in [
        ("<h2><svg><title>icon</title></svg>Costs</h2><p>A.</p>", "## Costs\n\nA.\n"),
        ("<h2><div>Intro</div></h2>", "## Intro\n"),
        ("<h2>Title<br>Second line</h2>", "## Title\n\n## Second line\n"),
        ("<h2><a href='#c'>Anchor</a> text</h2>", "## Anchor text\n"),
        ("<p>Hello <b>world</b> again.</p>", "Hello world again.\n"),  # inline tags kept words apart all along
        # the page's title too (a walk-through: it repeated the h1 as plain text, which could be cited)
        (
            "<html><head><title>Harbour Notes</title></head><body><h1>Harbour Notes</h1></body></html>",
            "# Harbour Notes\n\n# Harbour Notes\n",
        ),
    ]:
        page.write_text(html)
        assert load(page, max_bytes=MB).text == text, html

    import docx

    word = docx.Document()
    word.add_heading("What the policy covers for staff at home", level=2)
    word.add_paragraph("Staff may work from home.")
    word.add_heading("Remote work policy", level=0)  # the Title style
    word.save(tmp_path / "w.docx")
    got = load(tmp_path / "w.docx", max_bytes=MB).text
    assert got == "## What the policy covers for staff at home\n\nStaff may work from home.\n\n# Remote work policy\n"


def test_pdf_has_pages():
    ex = load(SEEDS / "tomato_growing_guide.pdf", max_bytes=MB)
    assert len(ex.pages) >= 2
    assert ex.page_at(0) == 1 and ex.page_at(len(ex.text) - 3) == ex.pages[-1][2] >= 2


def test_docx_text():
    text = load(SEEDS / "lumenfold_remote_work_policy.docx", max_bytes=MB).text
    assert "Lumenfold" in text


def _expect(path, reason_part, max_bytes=MB):
    with pytest.raises(InputError) as err:
        load(path, max_bytes=max_bytes)
    assert str(path) in str(err.value)
    assert reason_part in err.value.reason
    return err.value


def test_missing(tmp_path):
    _expect(tmp_path / "nope.txt", "no such file")


def test_empty(tmp_path):
    p = tmp_path / "empty.md"
    p.write_bytes(b"")
    _expect(p, "empty")


def test_binary(tmp_path):
    p = tmp_path / "blob.txt"
    p.write_bytes(bytes(range(256)) * 4)
    _expect(p, "binary")


def test_not_utf8(tmp_path):
    p = tmp_path / "latin1.txt"
    p.write_bytes("Caf\xe9 au lait is served daily.".encode("latin-1"))
    _expect(p, "UTF-8")


def test_too_big(tmp_path):
    p = tmp_path / "big.txt"
    p.write_text("A sentence. " * 2000)
    _expect(p, "limit", max_bytes=1000)


def test_unsupported_type(tmp_path):
    p = tmp_path / "sheet.xlsx"
    p.write_bytes(b"PK\x03\x04")
    _expect(p, "unsupported")


def test_corrupt_pdf(tmp_path):
    p = tmp_path / "broken.pdf"
    p.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ngarbage garbage\n%%EOF")
    _expect(p, "PDF")


def test_encrypted_pdf(tmp_path):
    import pypdf

    reader = pypdf.PdfReader(SEEDS / "tomato_growing_guide.pdf")
    writer = pypdf.PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    writer.encrypt("secret")
    buf = io.BytesIO()
    writer.write(buf)
    p = tmp_path / "locked.pdf"
    p.write_bytes(buf.getvalue())
    _expect(p, "password")


def test_corrupt_docx(tmp_path):
    p = tmp_path / "broken.docx"
    p.write_bytes(b"PK\x03\x04 this is not really a zip archive")
    _expect(p, "Word")


def test_html_with_only_markup(tmp_path):
    p = tmp_path / "blank.html"
    p.write_text("<html><head><script>var x = 1;</script></head><body>   </body></html>")
    _expect(p, "no text")


def test_utf16_text_with_a_bom_is_decoded(tmp_path):
    f = tmp_path / "windows.txt"
    f.write_bytes("\ufeffThe heron nests by the lake. Le héron niche.".encode("utf-16-le"))
    assert load(f, max_bytes=MB).text == "The heron nests by the lake. Le héron niche."
    g = tmp_path / "big_endian.txt"
    g.write_bytes("\ufeffOtters swim.".encode("utf-16-be"))
    assert load(g, max_bytes=MB).text == "Otters swim."


def test_a_symlink_loop_is_named_as_one(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.symlink_to(b)
    b.symlink_to(a)
    with pytest.raises(InputError, match="loop"):
        load(a, max_bytes=MB)
    dangling = tmp_path / "c.txt"
    dangling.symlink_to(tmp_path / "gone.txt")
    with pytest.raises(InputError, match="missing file"):
        load(dangling, max_bytes=MB)


def test_a_newline_in_a_file_name_keeps_the_report_on_one_line(tmp_path):
    f = tmp_path / "bad\nname.txt"
    f.write_bytes(b"\x00\x01binary")
    with pytest.raises(InputError) as err:
        load(f, max_bytes=MB)
    assert "\n" not in str(err.value) and "bad\\nname.txt" in str(err.value)


def test_pypdf_warnings_name_the_file(tmp_path, caplog, capsys):
    import logging

    pdf = (SEEDS / "tomato_growing_guide.pdf").read_bytes()
    f = tmp_path / "truncated.pdf"
    f.write_bytes(pdf.replace(b"%%EOF", b""))  # pypdf warns "EOF marker not found"
    with caplog.at_level(logging.WARNING, logger="qa.load"):
        try:
            load(f, max_bytes=10 * MB)
        except InputError:
            pass
    assert all("truncated.pdf" in r.getMessage() for r in caplog.records if r.name == "qa.load")
    assert "EOF marker" not in capsys.readouterr().err


def test_a_small_docx_that_unpacks_far_beyond_its_size_is_refused(tmp_path):
    import zipfile

    f = tmp_path / "bomb.docx"
    with zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", "<w:document/>" + " " * 30_000_000)
    assert f.stat().st_size < 200_000
    with pytest.raises(InputError, match="zip bomb"):
        load(f, max_bytes=50 * MB)


def test_a_file_that_takes_too_long_to_read_is_stopped_and_named(tmp_path):
    from index.load import parse_within

    pdf = SEEDS / "tomato_growing_guide.pdf"
    with pytest.raises(InputError, match="QA_FILE_SECONDS") as err:
        parse_within(pdf.read_bytes(), ".pdf", str(pdf), seconds=0.0001)  # the worker cannot even start in time
    assert str(pdf) in str(err.value)
    ex = load(pdf, max_bytes=10 * MB, seconds=120)  # a fresh worker afterwards, and the same text as inline
    assert ex.text == load(pdf, max_bytes=10 * MB).text and ex.pages
