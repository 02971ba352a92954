"""Plain language for the page: every problem as the user can act on it, with no paths and no CLI advice.

The reasons come from ``index/`` and ``qa/`` in the words the CLI prints (``"is not a readable PDF (PdfReadError:
…)"``); the page shows what happened and what to do next instead (``"the PDF is damaged. Re-export …"``).
"""

from __future__ import annotations

import re
from pathlib import PurePath

from qa.errors import InputError, NotIndexedError, QAError

DOC_REMOVED = "This document was removed, so its sentence can no longer be shown. Ask again to get current sources."
DOC_GONE = "That document is no longer indexed. Reload the page to see the current documents."
NOT_RECEIVED = "it did not arrive through this page. Upload it again."
TYPES = "PDF, Word (.docx), text, Markdown or HTML"

# (words found in a reason, what the user reads instead); the first match wins.
REASONS = [
    ("password-protected", "the PDF is password-protected. Save a copy without a password and upload that."),
    ("readable PDF", "the PDF is damaged. Re-export or re-save it and upload again."),
    ("readable Word", "the Word file is damaged. Open it, save it again as .docx and upload that."),
    ("zip bomb", "the Word file unpacks to far more data than its text needs. Save it again as .docx and upload that."),
    ("readable HTML", "the web page is damaged. Save it again as .html and upload that."),
    ("damaged", "the file is damaged. Re-export or re-save it and upload again."),
    ("unsupported file type", f"it is not a kind of file qa reads. Save it as {TYPES} and upload that."),
    ("file is empty", "the file is empty. Check that you chose the right file and upload it again."),
    (
        "no text could be extracted",
        "no text was found in it (a scan holds only pictures of text). Upload a version with selectable text.",
    ),
    ("no sentences", "no sentences were found in it. Upload a version with readable text."),
    ("binary file", f"it is not a document. Upload a {TYPES} file."),
    ("UTF-8", "its text is not in the UTF-8 encoding. Re-save it as UTF-8 text and upload again."),
    ("over the", "it is larger than this page accepts. Split it into smaller files and upload those."),
    ("file name", "its name cannot be used. Rename the file and upload it again."),
    ("not uploaded through this page", NOT_RECEIVED),
]

_PATH = re.compile(r"(?<![\w.:/])/(?:[^\s/'\"`()]+/)+([^\s/'\"`()]+)")  # an absolute path; group 1 is its base name
_CLI = re.compile(r"(?:(?<=\.)|^)\s*`qa [^`]*`[^.]*\.")  # a sentence of CLI advice: "`qa docs` lists what is indexed."


def no_paths(text: str) -> str:
    """``text`` with every absolute path cut to its base name and CLI advice left out."""
    return _CLI.sub("", _PATH.sub(r"\1", text)).strip()


def reason(text: str) -> str:
    """Why a file could not be added, and what to do about it (``"the PDF is damaged. Re-export …"``)."""
    for words, plain in REASONS:
        if words.lower() in text.lower():
            return plain
    return f"{no_paths(text).rstrip('.')}. Check the file and upload it again."


def error(exc: QAError) -> str:
    """One line for a ``QAError``: what happened, then what to do."""
    if isinstance(exc, NotIndexedError):
        return DOC_GONE
    if isinstance(exc, InputError) and exc.path in ("question", "statement"):
        return exc.reason[:1].upper() + exc.reason[1:] + "."
    if isinstance(exc, InputError):
        return f"{PurePath(exc.path).name} could not be read: {reason(exc.reason)}"
    return no_paths(str(exc))
