#!/usr/bin/env python3
"""Validate bench/data/labelled.jsonl against the documents it cites.

Documents are looked up by file name in seeds/ and bench/data/docs/ (the
evaluation indexes both folders together; file names are unique across them).

Checks, for every question:
  * id is unique, kind is single | multi | unanswerable;
  * unanswerable: answer is null and support is empty;
  * single: 1-2 support sentences, all from one document;
  * multi: support sentences from at least two different documents;
  * every support text occurs verbatim in its document's extracted text, as a
    whole sentence (starts with a capital letter or digit, ends with a period,
    and is not glued to neighbouring text);
  * the answer string occurs verbatim in at least one support sentence
    (except "yes" / "no").

Extraction: .txt/.md raw; .html with tags stripped by html.parser (script and
style content dropped); .docx as python-docx paragraphs joined by newlines;
.pdf via pypdf (there a space in a support sentence may also match a line
break, because PDF lines wrap inside sentences).

Usage: python bench/data/check_labelled.py   (exit code 0 when all checks pass)
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
DOC_DIRS = [REPO / "seeds", HERE / "docs"]
LABELS = HERE / "labelled.jsonl"
KINDS = {"single", "multi", "unanswerable"}
DOC_SUFFIXES = {".txt", ".md", ".html", ".htm", ".docx", ".pdf"}


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1
        self.parts.append("\n")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def extract(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".txt", ".md"):
        return path.read_text(encoding="utf-8")
    if suffix in (".html", ".htm"):
        p = _TextOnly()
        p.feed(path.read_text(encoding="utf-8"))
        p.close()
        return "".join(p.parts)
    if suffix == ".docx":
        import docx

        return "\n".join(par.text for par in docx.Document(str(path)).paragraphs)
    if suffix == ".pdf":
        from pypdf import PdfReader

        text = "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)
        text = re.sub(r"[ \t]+", " ", text)
        return re.sub(r" ?\n\s*", "\n", text)
    raise ValueError(f"unsupported document type: {path}")


def find_docs() -> dict[str, Path]:
    docs: dict[str, Path] = {}
    for d in DOC_DIRS:
        for p in sorted(d.iterdir()):
            if p.suffix.lower() in DOC_SUFFIXES and p.name != "README.md":
                if p.name in docs:
                    raise SystemExit(f"duplicate document name {p.name} in {docs[p.name]} and {p}")
                docs[p.name] = p
    return docs


def sentence_pattern(sentence: str, loose_spaces: bool) -> re.Pattern[str]:
    """Exact pattern; with loose_spaces, a space may also be a line break (PDF)."""
    words = sentence.split(" ")
    sep = r"\s+" if loose_spaces else " "
    return re.compile(sep.join(re.escape(w) for w in words))


def is_whole_sentence(text: str, sentence: str, loose_spaces: bool = False) -> bool:
    """True if `sentence` occurs in `text` as a whole sentence somewhere."""
    if not (sentence[:1].isupper() or sentence[:1].isdigit()) or not sentence.endswith("."):
        return False
    for m in sentence_pattern(sentence, loose_spaces).finditer(text):
        start, end = m.start(), m.end()
        before = text[:start]
        stripped = before.rstrip()
        ok_before = not stripped or "\n" in before[len(stripped) :] or (before != stripped and stripped[-1] in ".!?")
        ok_after = end == len(text) or text[end].isspace()
        if ok_before and ok_after:
            return True
    return False


def main() -> int:
    docs = find_docs()
    texts: dict[str, str] = {}
    errors: list[str] = []
    kinds: Counter[str] = Counter()
    ids: set[str] = set()
    rows = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines() if line.strip()]

    for row in rows:
        qid = row.get("id")
        where = f"{qid}:"
        if qid in ids:
            errors.append(f"{where} duplicate id")
        ids.add(qid)
        for key in ("id", "question", "answer", "support", "kind"):
            if key not in row:
                errors.append(f"{where} missing key {key}")
        kind, answer, support = row.get("kind"), row.get("answer"), row.get("support", [])
        if kind not in KINDS:
            errors.append(f"{where} bad kind {kind!r}")
            continue
        kinds[kind] += 1

        if kind == "unanswerable":
            if answer is not None or support:
                errors.append(f"{where} unanswerable must have answer null and empty support")
            continue

        if not isinstance(answer, str) or not answer.strip():
            errors.append(f"{where} answer must be a non-empty string")
            continue
        if not support:
            errors.append(f"{where} answerable question without support")
            continue

        doc_names = {s["document"] for s in support}
        if kind == "single" and (len(doc_names) != 1 or not 1 <= len(support) <= 2):
            errors.append(f"{where} single needs 1-2 sentences from one document")
        if kind == "multi" and len(doc_names) < 2:
            errors.append(f"{where} multi needs sentences from at least two documents")

        for s in support:
            name, sentence = s["document"], s["text"]
            if name not in docs:
                errors.append(f"{where} unknown document {name}")
                continue
            if name not in texts:
                texts[name] = extract(docs[name])
            text = texts[name]
            loose = name.lower().endswith(".pdf")
            if not sentence_pattern(sentence, loose).search(text):
                errors.append(f"{where} support text not found in {name}: {sentence!r}")
            elif not is_whole_sentence(text, sentence, loose):
                errors.append(f"{where} support text is not a whole sentence in {name}: {sentence!r}")

        if answer.lower() not in ("yes", "no") and not any(answer in s["text"] for s in support):
            errors.append(f"{where} answer {answer!r} not found verbatim in any support sentence")

    for e in errors:
        print("ERROR", e)
    total = sum(kinds.values())
    print(f"{total} questions: " + ", ".join(f"{k}={kinds[k]}" for k in sorted(KINDS)))
    print(f"{len(docs)} documents: " + ", ".join(sorted(docs)))
    if total < 60 or kinds["unanswerable"] < 15 or kinds["multi"] < 10:
        errors.append("too few questions (need >=60 total, >=15 unanswerable, >=10 multi)")
        print("ERROR", errors[-1])
    print("OK" if not errors else f"FAILED ({len(errors)} errors)")
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
