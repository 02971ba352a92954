"""Split extracted text into sentences with exact character offsets (``text[start:end]`` is the sentence)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator

MAX_SENTENCE = 600  # longer runs (tables, minified text) are cut at whitespace so one "sentence" stays readable

_BLOCK_BREAK = re.compile(r"\n[ \t]*\n+|\n(?=[ \t]*(?:#{1,6}\s|[-*+]\s|\d+[.)]\s|\|))")


@functools.lru_cache(maxsize=1)
def _span_tokenizer() -> Callable[[str], Iterator[tuple[int, int]]]:
    """NLTK's Punkt model as shipped inside llama-index (no download); a regex if it is missing."""
    try:
        import nltk
        from llama_index.core.utils import (
            get_cache_dir,  # noqa: F401  (sets nltk's data path)
            globals_helper,
        )

        _ = globals_helper.punkt_tokenizer  # type: ignore[attr-defined]
    except Exception:
        pass
    try:
        import nltk
        from nltk.tokenize.punkt import PunktTokenizer

        tokenizer = PunktTokenizer("english")
        return tokenizer.span_tokenize
    except Exception:
        try:
            import nltk

            return nltk.data.load("tokenizers/punkt/english.pickle").span_tokenize  # type: ignore[no-any-return]
        except Exception:
            return _regex_spans


_REGEX_END = re.compile(r"[.!?][\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")


def _regex_spans(text: str) -> Iterator[tuple[int, int]]:
    start = 0
    for m in _REGEX_END.finditer(text):
        yield start, m.end()
        start = m.end()
    yield start, len(text)


def _blocks(text: str) -> Iterator[tuple[int, int]]:
    start = 0
    for m in _BLOCK_BREAK.finditer(text):
        yield start, m.start()
        start = m.end()
    yield start, len(text)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _cap(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    while end - start > MAX_SENTENCE:
        cut = text.rfind(" ", start + MAX_SENTENCE // 2, start + MAX_SENTENCE)
        cut = cut if cut > start else start + MAX_SENTENCE
        s, e = _trim(text, start, cut)
        if e > s:
            yield s, e
        start = cut
    s, e = _trim(text, start, end)
    if e > s:
        yield s, e


def split_spans(text: str) -> list[tuple[int, int]]:
    """Sentence spans of ``text``: blank lines and Markdown headings/list items end a sentence too.

    >>> t = "Hello there. How are you?\\n\\n# Title\\nBody."
    >>> [t[s:e] for s, e in split_spans(t)]
    ['Hello there.', 'How are you?', '# Title', 'Body.']
    """
    tokenize = _span_tokenizer()
    spans: list[tuple[int, int]] = []
    for b_start, b_end in _blocks(text):
        block = text[b_start:b_end]
        if not block.strip():
            continue
        for s, e in tokenize(block):
            spans.extend(_cap(text, b_start + s, b_start + e))
    return _split_heading_lines(text, spans)


def _split_heading_lines(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A short first line with no end punctuation, followed by a capitalised line, is a heading: split it off.

    PDF and plain-text headings ("Planting out\nYoung plants should…") would otherwise glue onto the next
    sentence; a long line wrapped before a name ("…U.S. President\nDonald Trump…") is left alone.
    """
    out: list[tuple[int, int]] = []
    for start, end in spans:
        piece = text[start:end]
        nl = piece.find("\n")
        first = piece[:nl].rstrip() if nl > 0 else ""
        rest = piece[nl + 1 :].lstrip() if nl > 0 else ""
        heading = first.startswith("#") or (len(first.split()) <= 6 and first[-1:] not in ".!?,;:'\"-")
        if first and rest[:1].isupper() and heading:
            out.extend(_cap(text, start, start + nl))
            out.extend(_split_heading_lines(text, list(_cap(text, start + nl + 1, end))))
        else:
            out.append((start, end))
    return out
