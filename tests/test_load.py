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
