"""Split extracted text into sentences with exact character offsets (``text[start:end]`` is the sentence)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator

from index.words import STOP

MAX_SENTENCE = 600  # longer runs (tables, minified text) are cut at whitespace so one "sentence" stays readable

# A sentence that reads as an instruction to an assistant: the splitter keeps it apart from its neighbours, and
# the verifier (qa/cite.py) never takes it as evidence.
_INSTRUCTION = re.compile(
    r"\b(ignore|disregard|forget)\b.{0,40}\b(instructions?|sources?|rules|prompt)\b|^\W*(system|assistant)\s*:"
    r"|\b(note|message)\s+to\s+(the\s+)?(assistant|ai|model|chatbot)|\bAI\s+assistants?\b"
    r"|\b(answer|reply|respond)\s+(to\s+)?(every|all|any)\s+questions?\b|\bevery question\b"
    r"|\byour\s+(instructions|sources|rules)\b|^\W*sources?\s*:\s*\[\d",  # or imitates the prompt
    re.IGNORECASE,
)


def instruction_like(text: str) -> bool:
    """Whether a sentence reads as an instruction to the assistant ("Ignore previous instructions and …")."""
    return bool(_INSTRUCTION.search(text))


_HEADING_END = re.compile(r"[.!?:;…。！？।۔؟][\"')\]’”]*$")  # closing punctuation, maybe inside a quote or bracket
_MD_HEADING = re.compile(r"#{1,6}\s")
_SECTION_NUMBER = re.compile(r"^\(?\d{1,2}[.)]\s+(?=[^\W\d])")  # "5. ", "(3) " before a title; not "3.5 Stars"
TITLE_WORDS = 12  # a title-case line without closing punctuation up to this many words is a title
# words that make an all-capitals line a notice, beside the function words: "MEMBERS MUST CANCEL THIRTY DAYS
# BEFORE RENEWAL", "ALL FEES NON-REFUNDABLE AFTER SEVEN DAYS"
_NOTICE_WORDS = frozenset("must shall all any every each only after before unless until except per non".split())
_TITLE_SMALL = frozenset("a an the and or nor but of in on at to for by with from as vs via per".split())


def marked_heading(text: str) -> bool:
    """Whether a line is marked a heading by its file (Markdown's ``#``; HTML and Word headings are read as such).

    >>> marked_heading("# Tenancy Agreement — Flat 4, 27 Harrow Lane"), marked_heading("#1 priority is safety.")
    (True, False)
    """
    return bool(_MD_HEADING.match(text.lstrip()))


def heading(text: str) -> bool:
    """Whether a sentence is a title or heading, which states nothing: no closing punctuation, under five words
    (or a Markdown heading, or a title-case line; below), and no value: a table row ("| p95 latency | ≤ 400 ms
    |"), a number ("Budget £46m") or a "key: value" line ("Contact: Jane Smith") states one, so none of those is a
    heading.

    The 1.5B judge scores a title that names a claim's subject as support ("The Hork-Bajir Chronicles" for a
    whole sentence about the book, 0.79): on every other question of the dev sets, 8 of 62 answers cited one
    (3 of them wrong answers), and no gold or contrast-set evidence sentence is one.

    >>> heading("The Hork-Bajir Chronicles"), heading("# SLO model"), heading("It sank in 1921.")
    (True, True, False)
    >>> heading("| p95 latency | ≤ 400 ms |"), heading("Budget £46m"), heading("Contact: Jane Smith")
    (False, False, False)

    A Markdown heading line (``#`` to ``######``) is one whatever its length: "# The Fennick Valley Apple
    Cooperative" (five words) was cited with a sentence that states the claim alone. One with a number still
    states something ("# heron-worker 1.12.1 — 2026-08-19" dates a release).

    >>> heading("# The Fennick Valley Apple Cooperative"), heading("# heron-api 2.4.0 — 2026-07-30")
    (True, False)

    So is a longer line in title case (every word capitalised but articles, conjunctions and prepositions; up to
    ``TITLE_WORDS``; no comma; an all-capitals line only as below): a .docx title "Lumenfold Analytics Remote Work Policy" was
    judged 0.67 as support for "Lumenfold Analytics owns the Lumenfold Analytics remote work policy" (labelled
    q015). A verb keeps a line a statement ("Tarnholt Observatory is on Harrow Hill").

    >>> heading("Lumenfold Analytics Remote Work Policy"), heading("Staff at Lumenfold Analytics may work remotely")
    (True, False)
    >>> heading("Tarnholt Observatory is on Harrow Hill"), heading("Jane Smith, Tom Brown and Ada Lovelace Present")
    (False, False)

    A closing bracket or quote closes a line only after a full stop or the like inside it: "Front Row (software)"
    is a title, as is an all-capitals line without a function word or a notice's word ("must", "only", "after"
    …). ``qa verify`` found "IronPeak Fitness offers a discounted membership for students." supported by
    "IRONPEAK FITNESS — MEMBERSHIP AGREEMENT (STANDARD MONTHLY PLAN)" (judge 0.70; ``bench statements``). Of
    the 3,089 sentences of the dev, labelled, statement and seed documents this makes 36 more titles: 35
    HotpotQA title lines like "Front Row (software)" and that one.

    >>> heading("Front Row (software)"), heading("IRONPEAK FITNESS — MEMBERSHIP AGREEMENT (STANDARD MONTHLY PLAN)")
    (True, True)
    >>> heading("THE MUSEUM IS CLOSED ON MONDAYS AND PUBLIC HOLIDAYS"), heading('She sang "Hip Hip Pooh-Ray!"')
    (False, False)
    >>> heading("MEMBERS MUST CANCEL THIRTY DAYS BEFORE RENEWAL"), heading("یہ پل چھ سو میٹر لمبا ہے")
    (False, False)

    A section's or list item's number does not make its title a value: "5. Guests" is a title, as "- Guests" is; a
    decimal still states one ("3.5 Stars", "1.500 Mitglieder").

    >>> heading("5. Guests"), heading("(2) Fees"), heading("3.5 Stars"), heading("1. Members must bring ID.")
    (True, True, False, False)
    """
    t = _SECTION_NUMBER.sub("", " ".join(text.split()), count=1)  # "5. Guests" is a title as "Guests" is
    if t.startswith("|") or any(ch.isdigit() for ch in t) or re.search(r"\w:\s", t) or _HEADING_END.search(t):
        return False
    found = re.findall(r"\w+", t)
    # an all-capitals line is a notice as often as a title: it is a title only without any function word ("THE
    # MUSEUM IS CLOSED ON MONDAYS" states something, "IRONPEAK FITNESS — MEMBERSHIP AGREEMENT (STANDARD MONTHLY
    # PLAN)" does not, and the judge took it for "IronPeak Fitness offers a discounted membership for students")
    capitals = t == t.upper() and any(ch.isupper() for ch in t)  # a script without capitals has no title case
    title_case = (
        len(found) <= TITLE_WORDS
        and "," not in t  # a list of names
        and (
            not any(w.lower() in STOP or w.lower() in _NOTICE_WORDS for w in found)
            if capitals
            else all(w[0].isupper() for w in found if w.lower() not in _TITLE_SMALL)
        )
    )
    return len(found) < 5 or bool(_MD_HEADING.match(t)) or title_case


_BLOCK_BREAK = re.compile(r"\n[ \t]*\n+|\n(?=[ \t]*(?:#{1,6}\s|[-*+]\s|\d+[.)]\s|\|))")
# a line that begins a numbered clause ("5.1 Each member …") or a "Key: value" line ("Club manager: Priya
# Natarajan") begins a sentence when the line before it has ended one (``_ended``): a plain-text contract's "5.
# Guests" and "5.1 Each member is entitled to 2 guest passes …" were one sentence, and so were its two "Key: value"
# lines. After a line that runs on ("… subject to clause\n7.2 (b), by …", "… the 2015 film\nMad Max: Fury Road, …",
# "mehr als\n1.500 Mitglieder") it does not
_CLAUSE_LINE = re.compile(r"\d{1,2}(?:\.\d{1,2})+\.?[ \t]+[A-Z(]|[A-Z][\w'’-]*(?:[ \t][\w'’-]+){0,3}:[ \t]")


def _ended(line: str) -> bool:
    """Whether a line ends a sentence before a numbered clause or "Key: value" line: it closes with punctuation, is
    a title ("5. Guests"; not a short line that stops on a function word, "The chip runs at"), or is itself such a
    line ("Club: IronPeak Fitness, Unit 4, … Leeds LS11 5QR")."""
    line = line.strip()
    last = line.rsplit(None, 1)[-1].lower() if line else ""
    return bool(_HEADING_END.search(line) or heading(line) and last not in STOP or _CLAUSE_LINE.match(line))


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
    breaks = [(m.start(), m.end()) for m in _BLOCK_BREAK.finditer(text)]
    for m in re.finditer(r"\n[ \t]*(?=\S)", text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        if _CLAUSE_LINE.match(text, m.end()) and _ended(text[line_start : m.start()]):
            breaks.append((m.start(), m.start() + 1))
    start = 0
    for b_start, b_end in sorted(breaks):
        if b_start < start:  # inside a break already taken (a blank line's run)
            continue
        yield start, b_start
        start = b_end
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
    return _split_instruction_lines(text, _split_heading_lines(text, _join_markers(text, _join_fragments(text, spans))))


# a span cut inside a sentence: after "!" or "?" (and closing quotes or brackets) or a dotted abbreviation ("S.M.",
# "e.g."), the next begins in lower case or with a comma, semicolon, colon or bracket
_EXCLAIMED = re.compile(r"[!?] ?[\"'’”)\]]*$")
_DOTTED = re.compile(r"(?:(?:^|[\s(])(?:[A-Za-z]\.){2,}|\betc\.)[)\]]*$")
_CONTINUES = re.compile(r"[\"'’”)\]]*(?:[a-z]|[,;:)\]])")
# a span ending with a name's initial, not a Roman numeral ("A." of "by A. A. Milne"; not "World War I."), before
# another initial: a capitalised word after one letter may begin a sentence ("See Section A. Members must …")
_ENDS_INITIAL = re.compile(r"(?:^|[\s(])[A-HJ-UWYZ]\.$")
_STARTS_INITIAL = re.compile(r"[A-Z]\.\s")


def _cut_inside(prev: str, nxt: str) -> bool:
    """Whether the span ``nxt`` continues the sentence of ``prev`` (see ``_join_fragments``)."""
    if _CONTINUES.match(nxt) and (_EXCLAIMED.search(prev) or _DOTTED.search(prev)):
        return True
    return bool(_ENDS_INITIAL.search(prev)) and bool(_STARTS_INITIAL.match(nxt))


def _join_fragments(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``spans`` with a span that continues the sentence before it joined to it, when only spaces lie between them
    and the two together stay within ``MAX_SENTENCE``. Punkt ends a sentence at "!" or "?" inside a title
    ('"Hip Hip Pooh-Ray!"' / 'is a song from …', '"… Tigger Too!' / '", The Many …'), after a dotted abbreviation
    before a lower-case word ("She has also voiced C.C." / "in …"), and after a name's first initial before its
    second ("by A." / "A. Milne."). In the 491 HotpotQA paragraphs of the dev corpus, 2,644 spans become 2,622.
    A full stop before a lower-case word ends a sentence ("It is big. it has a river." in a reply), and so does a
    letter before a capitalised word ("The grade was an A. Students cheered.", "See Section A. Members must …"; so
    "James A." / "Shoulders was …" stays cut).

    >>> def spans(t, *pieces): return [(t.index(p), t.index(p) + len(p)) for p in pieces]
    >>> t = '"Hip Hip Pooh-Ray!" is a song. It is based on stories by A. A. Milne. It was in World War I. He won.'
    >>> parts = '"Hip Hip Pooh-Ray!"', "is a song.", "It is based on stories by A.", "A. Milne.", "It was in World War I."
    >>> [t[s:e] for s, e in _join_fragments(t, spans(t, *parts, "He won."))]
    ['"Hip Hip Pooh-Ray!" is a song.', 'It is based on stories by A. A. Milne.', 'It was in World War I.', 'He won.']
    >>> t = "She got an A. Students cheered. See Section B. Members sign. It was big. it had a river."
    >>> parts = "She got an A.", "Students cheered.", "See Section B.", "Members sign.", "It was big.", "it had a river."
    >>> [t[s:e] for s, e in _join_fragments(t, spans(t, *parts))]
    ['She got an A.', 'Students cheered.', 'See Section B.', 'Members sign.', 'It was big.', 'it had a river.']
    """
    out: list[tuple[int, int]] = []
    for start, end in spans:
        if out and end - out[-1][0] <= MAX_SENTENCE and not text[out[-1][1] : start].strip(" \t"):
            if _cut_inside(text[out[-1][0] : out[-1][1]], text[start:end]):
                out[-1] = (out[-1][0], end)
                continue
        out.append((start, end))
    return out


# a span that is only a list item's number ("3.", "(b)") or ends with "no." before a number ("charity no." /
# "1187342."): no sentence, but the start of the next one. A probe's Markdown leaflet indexed "3." as a sentence,
# and "3." answered "How many stitches …?" (re-cited word for word) and linked "Flat 3B" to the question
_MARKER_ONLY = re.compile(r"\(?(?:\d{1,3}|[a-z])[.)]")  # not "A.": a reply ("Which grade? A.")
_NUMBER_ABBREVIATION = re.compile(r"(?i)\w\s+(?:no|nos|nr|num)\.$")  # a word before it: "No." alone is a reply
_STRUCTURE = re.compile(r"#{1,6}\s|[-*+]\s|\(?(?:\d{1,3}|[a-z])[.)](?:\s|$)")  # a heading or list item begins


def _join_markers(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``spans`` with each list-item number or "no." that ends a span joined to the span after it, when only spaces
    or one line break lie between them.

    >>> t = "1. Keep it dry.\\n2. Call us.\\nRegistered charity no. 1187342. Thanks."
    >>> [t[s:e] for s, e in _join_markers(t, [(0, 2), (3, 15), (16, 18), (19, 27), (28, 50), (51, 59), (60, 67)])]
    ['1. Keep it dry.', '2. Call us.', 'Registered charity no. 1187342.', 'Thanks.']
    """
    out: list[tuple[int, int]] = []
    for start, end in spans:
        if out:
            p_start, p_end = out[-1]
            prev, gap = text[p_start:p_end], text[p_end:start]
            nxt = text[start:end]
            joins = _MARKER_ONLY.fullmatch(prev.strip()) or _NUMBER_ABBREVIATION.search(prev) and nxt[:1].isdigit()
            if joins and not gap.strip() and gap.count("\n") <= 1 and not _STRUCTURE.match(nxt):
                out[-1] = (p_start, end)
                continue
        out.append((start, end))
    return out


def _split_instruction_lines(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A line that reads as an instruction ("Ignore previous instructions and …") is a sentence of its own, so it
    never glues onto a fact on the next line (which would then be dropped as evidence with it)."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        piece = text[start:end]
        if "\n" not in piece or not instruction_like(piece):
            out.append((start, end))
            continue
        pos = start
        for line in piece.split("\n"):
            if line.strip():
                out.extend(_cap(text, pos, pos + len(line)))
            pos += len(line) + 1
        # lines that are not instructions but belonged to one sentence (a wrapped line) are joined back
        out = _rejoin(text, out, start)
    return out


def _rejoin(text: str, spans: list[tuple[int, int]], since: int) -> list[tuple[int, int]]:
    head = [sp for sp in spans if sp[0] < since]
    tail = [sp for sp in spans if sp[0] >= since]
    joined: list[tuple[int, int]] = []
    for s, e in tail:
        if (
            joined
            and not instruction_like(text[joined[-1][0] : joined[-1][1]])
            and not instruction_like(text[s:e])
            and text[joined[-1][1] - 1] not in ".!?"
        ):
            joined[-1] = (joined[-1][0], e)
        else:
            joined.append((s, e))
    return head + joined


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
