"""Extract plain text (and page spans for PDFs) from a file, or raise ``InputError`` naming the reason."""

from __future__ import annotations

import html.parser
import io
import logging
import os
import re
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from index.errors import InputError
from index.sentences import TITLE_WORDS

TITLE_LINES = 3  # opening lines of a plain-text file that ``_titled`` may mark as its title

SUPPORTED = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx")
log = logging.getLogger("qa.load")
PDF_SECONDS = 120.0  # text extraction budget per PDF: a few KB of hostile PDF can keep pypdf busy for hours
DOCX_UNZIPPED = 200_000_000  # a .docx whose parts unpack to more is a zip bomb, not a document
DOCX_RATIO = 60  # ... and so is one that unpacks to more than this many times its own size (text .docx: 5-15x)


@dataclass(frozen=True)
class Extracted:
    """The text we index; ``pages`` maps ``(start, end, page)`` character spans to 1-based PDF pages."""

    text: str
    pages: tuple[tuple[int, int, int], ...] = ()

    def page_at(self, offset: int) -> int | None:
        for start, end, page in self.pages:
            if start <= offset < end:
                return page
        return None


SLOW_TYPES = (".pdf", ".docx", ".html", ".htm")  # parsed in a child process when a time limit is given
_worker: Any = None
_worker_lock = threading.Lock()


def _start_worker() -> Any:
    import subprocess
    import sys

    return subprocess.Popen(
        [sys.executable, "-m", "index.load_worker"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )


def _stop_worker() -> None:
    global _worker
    if _worker is not None:
        _worker.kill()
        _worker.wait()
        _worker = None


def _read(pipe: Any, n: int, deadline: float) -> bytes:
    import select

    buf = b""
    while len(buf) < n:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([pipe], [], [], left)[0]:
            raise TimeoutError
        chunk = os.read(pipe.fileno(), n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


def parse_within(data: bytes, suffix: str, name: str, seconds: float) -> Extracted:
    """``parse`` in a reusable child process (``index.load_worker``), stopped after ``seconds``."""
    import pickle
    import struct

    global _worker
    with _worker_lock:
        deadline = time.monotonic() + seconds
        if _worker is None or _worker.poll() is not None:
            _worker = _start_worker()
        try:
            body = pickle.dumps((data, suffix, name))
            _worker.stdin.write(struct.pack("<Q", len(body)) + body)
            _worker.stdin.flush()
            size = struct.unpack("<Q", _read(_worker.stdout, 8, deadline))[0]
            kind, value = pickle.loads(_read(_worker.stdout, size, deadline))
        except TimeoutError:
            _stop_worker()
            raise InputError(
                name,
                f"reading its text took over {seconds:.0f} s, the limit per file "
                "(QA_FILE_SECONDS); the file is damaged or built to be slow",
            ) from None
        except (EOFError, OSError, pickle.UnpicklingError):
            _stop_worker()
            raise InputError(name, "reading it crashed the reader; the file is damaged") from None
    if kind != "ok":
        raise InputError(name, str(value))
    return value  # type: ignore[no-any-return]


def load(path: Path, *, max_bytes: int, seconds: float | None = None) -> Extracted:
    """Read ``path`` into text; every failure is an ``InputError`` with a user-facing reason.

    With ``seconds``, formats whose parsing can be slow are parsed in a child process stopped after that long.
    """
    if not path.exists():
        if path.is_symlink():
            try:
                path.resolve(strict=True)
            except RuntimeError:
                raise InputError(str(path), "is a symbolic link that points back to itself (a loop)") from None
            except OSError:
                pass
            raise InputError(str(path), f"is a symbolic link to a missing file ({os.readlink(path)})")
        raise InputError(str(path), "no such file")
    if path.is_dir():
        raise InputError(str(path), "is a folder, not a file")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise InputError(str(path), f"unsupported file type '{suffix or 'none'}' (supported: {', '.join(SUPPORTED)})")
    size = path.stat().st_size
    if size == 0:
        raise InputError(str(path), "the file is empty")
    if size > max_bytes:
        raise InputError(str(path), f"the file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit (QA_MAX_FILE_MB)")
    data = path.read_bytes()
    if seconds is not None and suffix in SLOW_TYPES:
        return parse_within(data, suffix, str(path), seconds)
    return parse(data, suffix, str(path))


def parse(data: bytes, suffix: str, name: str) -> Extracted:
    """Parse file bytes of a given type; ``name`` is used in error messages."""
    if suffix == ".pdf":
        result = _pdf(data, name)
    elif suffix == ".docx":
        result = Extracted(_docx(data, name))
    else:
        text = _decode(data, name)
        result = Extracted(_html(text, name) if suffix in (".html", ".htm") else _titled(text) if suffix == ".txt" else text)
    if not result.text.strip():
        raise InputError(name, "no text could be extracted (empty, or only images/markup)")
    return result


# the opening lines above the first blank line (at most ``TITLE_LINES``), and what each must be to be a title line:
# no list item ("- …", "1. …"), no Markdown heading or table row, and no closing punctuation at its end
_TITLE_BLOCK = re.compile(rf"\A(\s*)([ \t]*\S[^\n]*(?:\n[ \t]*\S[^\n]*){{0,{TITLE_LINES - 1}}})[ \t]*\n[ \t]*\n")
_TITLE_LINE = re.compile(r"(?![-*+•]\s|\d+[.)]\s)[^\s#|][^\n]{0,118}[^\s.!?:;,\"')\]’”]")


def _titled(text: str) -> str:
    r"""A plain-text document's first line marked "# " as a Markdown title is, when it stands alone above a blank
    line, in at most ``TITLE_WORDS`` words, with no closing punctuation. A probe's "Brennock Town Council
    Newsletter, Spring 2025" (a number and a comma, so no heading by its words alone) was judged to support a
    statement about a minibus (0.69); the labelled set's "Wickmoor Public Library: Annual Report 2024" is another.

    >>> _titled("Brennock Town Council Newsletter, Spring 2025\n\nThe minibus will end.")
    '# Brennock Town Council Newsletter, Spring 2025\n\nThe minibus will end.'
    >>> _titled("The minibus will end.\n\nMore."), _titled("Dear members, welcome to the first issue of\nthe news.")
    ('The minibus will end.\n\nMore.', 'Dear members, welcome to the first issue of\nthe news.')
    >>> _titled("- first item\n\nMore."), _titled("Dear residents,\n\nMore.")
    ('- first item\n\nMore.', 'Dear residents,\n\nMore.')

    Up to ``TITLE_LINES`` such lines above the blank line are each a title line (a probe's .txt opened "ST ALDHELM'S
    HOSPITAL, EXETER" and "Ward 7B (Cardiology): Visiting Policy", and the two were cited as the ward's name);
    a wrapped paragraph ends with closing punctuation, and so is no title.

    >>> _titled("ST ALDHELM'S HOSPITAL, EXETER\nWard 7B (Cardiology): Visiting Policy\n\nVisits end at 20:00.")
    "# ST ALDHELM'S HOSPITAL, EXETER\n# Ward 7B (Cardiology): Visiting Policy\n\nVisits end at 20:00."
    >>> _titled("Visiting hours on the ward\nare 14:00 to 20:00.\n\nMore."), _titled("Meeting moved\nbring the slides\n\nMore.")
    ('Visiting hours on the ward\nare 14:00 to 20:00.\n\nMore.', 'Meeting moved\nbring the slides\n\nMore.')
    >>> _titled("Title\n   \nBody text here.")
    '# Title\n   \nBody text here.'
    """
    m = _TITLE_BLOCK.match(text)
    if m is None:
        return text
    lines = m[2].split("\n")
    if not all(_TITLE_LINE.fullmatch(line.strip()) and len(line.split()) <= TITLE_WORDS for line in lines):
        return text
    if any(line.strip()[:1].islower() for line in lines[1:]):  # a sentence wrapped over lines goes on in lower case
        return text
    return m[1] + "\n".join(f"# {line.strip()}" for line in lines) + text[m.end(2) :]


_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def _decode(data: bytes, name: str) -> str:
    for bom, codec in _BOMS:  # UTF-16/32 text (Windows Notepad's "Unicode") has NUL bytes but is text
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(codec)
            except UnicodeDecodeError as exc:
                raise InputError(
                    name, f"starts as {codec.upper()} text but has a bad byte at offset {exc.start}; re-save it as UTF-8"
                ) from None
            return text.replace("\r\n", "\n").replace("\r", "\n")
    if b"\x00" in data[:8192]:
        raise InputError(name, "looks like a binary file, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(name, f"is not valid UTF-8 text (bad byte at offset {exc.start}); re-save it as UTF-8") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


_BLOCK = {
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "table",
    "section",
    "article",
    "header",
    "footer",
    "blockquote",
    "pre",
    "title",
    "dd",
    "dt",
    "hr",
    "main",
    "nav",
}
_SKIP = {"script", "style", "noscript", "template", "svg", "head"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


class _Text(html.parser.HTMLParser):
    """The text of an HTML page: block elements as paragraphs, ``h1``-``h6`` marked "#" to "######" as Markdown
    marks them (every line of one, after a ``<br>`` too), nothing of ``script``, ``style``, ``svg`` and the like."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.level = 0  # inside h1-h6: its level
        self.fresh = True  # nothing written since the last block break

    def _break(self) -> None:
        if not self.skip:  # an svg's <title> inside a heading breaks nothing
            self.parts.append("\n\n")
            self.fresh = True

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in _SKIP and tag != "head":
            self.skip += 1
        if tag in _BLOCK:
            self._break()
        if tag in _HEADINGS and not self.skip:
            self.level = int(tag[1])
        elif tag == "title" and not self.skip:  # the page's title: a heading too (it repeated an h1 as a statement)
            self.level = 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP and tag != "head" and self.skip:
            self.skip -= 1
        if tag in _HEADINGS or tag == "title" and not self.skip:  # an svg's <title> ends no heading
            self.level = 0
        if tag in _BLOCK:
            self._break()

    def handle_data(self, data: str) -> None:
        if self.skip or not data:
            return
        text = re.sub(r"\s+", " ", data)  # one space, kept at the edges: "Hello <b>world</b>" is not "Helloworld"
        if text.strip():
            if self.level and self.fresh:  # a heading states nothing: never evidence (``index.sentences.heading``)
                text = "#" * self.level + " " + text.lstrip()
            self.fresh = False
        self.parts.append(text)


def _html(text: str, name: str) -> str:
    parser = _Text()
    try:
        parser.feed(text)
        parser.close()
    except AssertionError as exc:  # html.parser's error on a malformed "<![" section, e.g. "<![ x"
        raise InputError(name, f"is not readable HTML ({str(exc)[:80]})") from None
    blocks = [" ".join(b.split()) for b in "".join(parser.parts).split("\n\n")]
    return "\n\n".join(b for b in blocks if b.strip("#")) + "\n"


class _NameThePdf(logging.Handler):
    """pypdf's warnings ("EOF marker not found") go to qa.log with the file's name, not bare to the terminal."""

    def __init__(self, name: str) -> None:
        super().__init__(logging.WARNING)
        self.name_ = name

    def emit(self, record: logging.LogRecord) -> None:
        log.warning("%s: pypdf: %s", self.name_, record.getMessage())


def _pdf(data: bytes, name: str) -> Extracted:
    pdf_log = logging.getLogger("pypdf")
    handler = _NameThePdf(name)
    pdf_log.addHandler(handler)
    propagate, pdf_log.propagate = pdf_log.propagate, False
    try:
        return _pdf_text(data, name)
    finally:
        pdf_log.removeHandler(handler)
        pdf_log.propagate = propagate


def _pdf_text(data: bytes, name: str) -> Extracted:
    import pypdf
    from pypdf.errors import PdfReadError

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                opened = bool(reader.decrypt(""))
            except Exception:
                opened = False
            if not opened:
                raise InputError(name, "the PDF is password-protected; save an unprotected copy and add that")
        parts: list[str] = []
        pages: list[tuple[int, int, int]] = []
        pos = 0
        deadline = time.monotonic() + PDF_SECONDS
        for number, page in enumerate(reader.pages, start=1):
            if time.monotonic() > deadline:
                raise InputError(
                    name,
                    f"reading its text took over {PDF_SECONDS:.0f} s (stopped at page {number}); "
                    "the PDF is damaged or built to be slow",
                )
            page_text = (page.extract_text() or "").strip()
            if not page_text:
                continue
            page_text = page_text.replace("\r\n", "\n") + "\n\n"
            pages.append((pos, pos + len(page_text), number))
            parts.append(page_text)
            pos += len(page_text)
    except InputError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError, OSError) as exc:
        raise InputError(name, f"is not a readable PDF ({type(exc).__name__}: {str(exc)[:80]})") from None
    except Exception as exc:  # pypdf raises many internal types on hostile input
        raise InputError(name, f"is not a readable PDF ({type(exc).__name__})") from None
    return Extracted("".join(parts), tuple(pages))


def _docx(data: bytes, name: str) -> str:
    import docx
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())  # zipfile never reads past these
        limit = min(DOCX_UNZIPPED, max(DOCX_RATIO * len(data), 10_000_000))
        if unzipped > limit:
            raise InputError(
                name,
                f"unpacks to {unzipped / 1e6:,.0f} MB, over the {limit / 1e6:.0f} MB limit for a "
                f"Word file of {len(data) / 1e6:.1f} MB (a zip bomb?)",
            )
        document = docx.Document(io.BytesIO(data))
        paragraphs = [_docx_heading(p) + p.text.strip() for p in document.paragraphs if p.text.strip()]
        # Cells straight from the XML, each once: python-docx's row.cells repeats a cell per spanned column
        # (a w:gridSpan of 10**9 never ends) and raises on a w:vMerge with no row above it. A vertically
        # merged cell still repeats its text on each row it spans, as row.cells did.
        for tbl in document.element.body.iter(qn("w:tbl")):
            above: dict[int, str] = {}
            for tr in tbl.iterchildren(qn("w:tr")):
                row: dict[int, str] = {}
                col = 0
                for tc in tr.iterchildren(qn("w:tc")):
                    paras = tc.iterchildren(qn("w:p"))
                    text = "\n".join(Paragraph(p, None).text for p in paras).strip()  # type: ignore[arg-type]
                    row[col] = above.get(col, "") if tc.vMerge == "continue" else text
                    col += max(tc.grid_span, 1)
                above = row
                if any(row.values()):
                    paragraphs.append(" | ".join(c for c in row.values() if c))
    except InputError:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InputError(name, f"is not a readable Word .docx file ({type(exc).__name__})") from None
    except Exception as exc:
        raise InputError(name, f"is not a readable Word .docx file ({type(exc).__name__})") from None
    return "\n\n".join(paragraphs) + "\n"


def _docx_heading(paragraph: Any) -> str:
    """ "# " to "###### " before a paragraph in a Title or Heading style (as the HTML loader marks ``h1``-``h6``):
    a heading is never evidence (``index.sentences.heading``), whatever its wording."""
    try:
        style = str(paragraph.style.name or "")
    except Exception:  # noqa: BLE001 - a style python-docx cannot resolve: a plain paragraph
        return ""
    level = 1 if style == "Title" else int(m[1]) if (m := re.fullmatch(r"Heading ([1-6])", style)) else 0
    return "#" * level + " " if level else ""
