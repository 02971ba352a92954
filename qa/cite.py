"""Parse the model's ``[n]`` citations and check each claim against the sentences it cites.

A claim keeps a citation only if the cited sentence supports it: a score from embedding similarity and
the share of the claim's content words (and all of its numbers) found in the cited sentences. A claim
whose citations fail is re-cited with the best retrieved sentence that passes, or marked unsupported.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from index.embed import Embedder
from index.sentences import split_spans
from qa.prompt import DECLINE
from qa.records import AnswerSentence, Citation, Source

_MARKER = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")
_MARKER_SPLIT = re.compile(r"(\[\d+(?:\s*[,;]\s*\d+)*\])")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_STOP = frozenset(
    "a an and are as at be been being both by did do does for from had has have he her his how i in into is it"
    " its of on or our she so such than that the their them then there these they this those to was we were"
    " what when where which while who whom why will with would also according source sources document"
    " documents said says stated states not much many during about each every any some can could should might must"
    " shall upon within yes no".split()
)
_DECLINE_HINTS = ("do not say", "does not say", "don't say", "do not mention", "does not mention", "not mentioned",
                  "no information", "not provided", "cannot answer", "can't answer", "not specified",
                  "do not contain", "does not contain", "not enough information", "i don't know", "unknown")

# A source sentence that reads as an instruction to the assistant is never evidence for a claim (prompt injection
# written to echo a question's words would otherwise pass the lexical and similarity checks).
_INSTRUCTION = re.compile(
    r"\b(ignore|disregard|forget)\b.{0,40}\b(instructions?|sources?|rules|prompt)\b|^\W*(system|assistant)\s*:"
    r"|\b(note|message)\s+to\s+(the\s+)?(assistant|ai|model|chatbot)|\bAI\s+assistants?\b",
    re.IGNORECASE,
)

WEIGHT_COS = 0.5  # cosine and lexical coverage weigh the same in the support score
MIN_LEXICAL = 0.5  # at least half the claim's content words must be in the cited sentences ("painted red" ≠ "crosses")


@dataclass(frozen=True)
class Claim:
    text: str  # the sentence without its markers
    cited: list[int]
    bare: bool = field(default=False, repr=False)  # a bare "[3][4]": the cited sentences themselves are the claim


def parse(answer: str) -> list[Claim]:
    """Split an answer into sentences and the ``[n]`` numbers each one cites.

    >>> parse("Paris is big [1]. It has a river [2, 3].")
    [Claim(text='Paris is big.', cited=[1]), Claim(text='It has a river.', cited=[2, 3])]
    """
    text = _leading_markers_last(answer.strip())
    # A marker after the full stop belongs to the sentence before it: move it inside before splitting.
    text = re.sub(r"([.!?])((?:\s*\[\d+(?:\s*[,;]\s*\d+)*\])+)", r"\2\1", text)
    claims = []
    for s, e in split_spans(text):
        piece = text[s:e]
        cited: list[int] = []
        for m in _MARKER.finditer(piece):
            cited.extend(int(n) for n in re.split(r"[,;]", m.group(1)))
        clean = _MARKER.sub("", piece)
        clean = re.sub(r"\s+([.,;:!?])", r"\1", " ".join(clean.split())).strip()
        if clean.strip(" .,;:"):
            claims.append(Claim(clean, list(dict.fromkeys(cited))))
        elif cited and claims and not claims[-1].cited:
            claims[-1] = Claim(claims[-1].text, list(dict.fromkeys(cited)))
        elif cited:
            claims.append(Claim("", list(dict.fromkeys(cited))))  # a bare "[9]": the model points at a source
    return claims


def _leading_markers_last(text: str) -> str:
    """Answers written like the source list ("[8] A. [9] B.") cite the text *after* each marker: put it at the end.

    >>> _leading_markers_last("[8] The ferry is old. [9] It sank. So it is gone.")
    'The ferry is old [8]. It sank [9]. So it is gone.'
    """
    if not re.match(r"\s*\[\d", text):
        return text
    pieces = _MARKER_SPLIT.split(text)
    out = [pieces[0]]
    for marker, segment in zip(pieces[1::2], pieces[2::2], strict=True):
        body = segment.strip()
        m = re.search(r"[.!?]+[\"')\]]*(?=\s|$)", body)  # the end of the segment's first sentence
        out.append(f"{body[: m.start()]} {marker}{body[m.start():]}" if m and body[: m.start()].strip()
                   else f"{body} {marker}".strip())
    return " ".join(x for x in out if x.strip())


def content_words(text: str) -> set[str]:
    return {_stem(w) for w in _WORD.findall(text.lower()) if w not in _STOP}


def _stem(word: str) -> str:
    for suffix in ("'s", "ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def numbers(text: str) -> set[str]:
    return {n.replace(",", "") for n in _NUMBER.findall(text)}


_WANTS_NUMBER = re.compile(r"^\W*(how (many|much|long|old|far|often|tall|wide|high|big|large|heavy)|what (year|date|time"
                           r"|percentage|price|age)|in what year|in which year|on what date|by what date|when\b)",
                           re.IGNORECASE)
_NUMBER_WORD = re.compile(r"\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty"
                          r"|hundred|thousand|million|billion|dozen|half|once|twice|daily|weekly|monthly|annually|yearly"
                          r"|january|february|march|april|may|june|july|august|september|october|november|december"
                          r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", re.IGNORECASE)


def wants_number(question: str) -> bool:
    """Questions whose answer is a quantity, date or time ("How many …?", "When …?", "In what year …?")."""
    return bool(_WANTS_NUMBER.search(question))


def is_decline(text: str) -> bool:
    low = " ".join(text.lower().split())
    return not low or any(h in low for h in _DECLINE_HINTS)


_ATTRIBUTION = re.compile(
    r"^\W*(?:(?:according to|as (?:stated|reported|noted|described) (?:in|by)) [^,]{1,80},\s*"
    r"|in (?:the |its |their |this |that )?[^,]{0,50}?\b(?:report|newsletter|policy|document|article|minutes|letter"
    r"|plan|notice|guide|handbook|study|survey|review|statement|announcement)s?\b[^,]{0,30},\s*"
    r"|(?:the |an? )?[\w'’ -]{1,60}? (?:states?|says?|reports?|notes?|mentions?|explains?) that\s+)",
    re.IGNORECASE,
)


# words of a question that ask for a kind of answer rather than name what it is about
_SCAFFOLD = {_stem(w) for w in ("name named called kind type number amount year date day time first main period"
                                 " timeframe").split()}
_HOW = re.compile(r"\bhow\s+([a-z]+)", re.IGNORECASE)  # "how long", "how high": the word asks for a quantity


def focus_words(question: str) -> set[str]:
    """The question's content words without those that only ask for a kind of answer ("name", "year", "how long").

    >>> sorted(focus_words("How long does promotion of the replica take?"))
    ['promotion', 'replica', 'take']
    """
    words = content_words(question)
    kind = _SCAFFOLD | {_stem(w.lower()) for w in _HOW.findall(question)}
    return words - kind or words


def strip_attribution(claim: str) -> str:
    """The claim without a leading "According to the newsletter," or "The council report states that": those words
    name the document, which the citation already shows, and are not in the cited sentence.

    >>> strip_attribution("According to the residents' newsletter, the cost is £61 million.")
    'the cost is £61 million.'
    >>> strip_attribution("In the north, most farms grow barley.")
    'In the north, most farms grow barley.'
    """
    rest = _ATTRIBUTION.sub("", claim, count=1)
    return rest if content_words(rest) else claim


_CLAUSE = re.compile(r"\s*(?:;|,?\s+(?:and|but|while|whereas|although)\s+)", re.IGNORECASE)


def clauses(claim: str) -> list[str]:
    """The parts of a compound claim that each say something ("X costs £46m, and it is free to cross"): every one must
    be supported, not just half of the words of the whole. Parts of fewer than three content words ("cats and
    dogs") are not clauses.

    >>> clauses("The bridge costs £46 million, and crossing it will be free of charge.")
    ['The bridge costs £46 million', 'crossing it will be free of charge.']
    """
    parts = [p for p in _CLAUSE.split(strip_attribution(claim)) if p.strip()]
    if len(parts) < 2 or any(len(content_words(p)) < 3 and not numbers(p) for p in parts):
        return []
    return parts


@dataclass(frozen=True)
class Premise:
    """What the question itself states and the evidence's documents also contain: its words and numbers."""

    words: frozenset[str] = frozenset()
    numbers: frozenset[str] = frozenset()

    @classmethod
    def of(cls, question: str, sources: list[Source]) -> dict[str, Premise]:
        """Per document: the question's words and numbers found in that document's retrieved sentences."""
        q_words, q_numbers = content_words(question), numbers(question)
        texts: dict[str, list[str]] = {}
        for s in sources:
            texts.setdefault(s.document, []).append(s.sentence.text)
        return {doc: cls(frozenset(q_words & content_words(" ".join(t))), frozenset(q_numbers & numbers(" ".join(t))))
                for doc, t in texts.items()}

    @classmethod
    def union(cls, premises: list[Premise]) -> Premise:
        return cls(frozenset().union(*(p.words for p in premises)), frozenset().union(*(p.numbers for p in premises)))


NO_PREMISE = Premise()


def lexical(claim: str, evidence: list[str], premise: Premise = NO_PREMISE) -> float:
    """Share of the claim's content words found in the evidence; 0 if the claim has a number the evidence lacks.

    An answer often restates its question ("Eenasul Fateh is known by his stage name Aladin and …"). Words and
    numbers it takes from the question count as found when the evidence's document has them in another retrieved
    sentence (the ``premise``), provided the claim also says something the question does not: that new part
    must be in the evidence. Other documents do not count: "It costs £8 to attend a Friday open evening at the
    observatory" must not join the observatory's Friday evenings to a festival's £8 ticket.
    """
    joined = " ".join(evidence)
    words = content_words(strip_attribution(claim))
    new = words - premise.words
    # every number of the whole claim, attribution included
    if numbers(claim) - numbers(joined) - (premise.numbers if new else frozenset()):
        return 0.0
    if not words:
        return 1.0
    # A new number gets no credit from the premise: "The orchard grows 42 pear trees" is not made true by
    # "Everything is 42, according to the orchard committee" plus the orchard's other sentences.
    credit = premise.words if new and not numbers(claim) - premise.numbers else frozenset()
    have = content_words(joined) | credit
    return len(words & have) / len(words)


ECHO_SHARE = 0.4  # share of a claim's question words found in no source above which it restates the question


def echoes_question(claim: str, question: str, pool: set[str]) -> bool:
    """Whether the claim takes its wording from the question rather than the sources: at least two (and 40%) of
    the question words it uses appear in no retrieved sentence. "Cherry tomatoes grow best in containers on a
    balcony" for "Which tomato grows best in containers on a balcony?", with sources that never mention
    containers or balconies, is the question's premise attached to a true fact, not an answer.

    >>> echoes_question("Cherry tomatoes grow best in containers on a balcony.",
    ...                 "Which tomato variety grows best in containers on a balcony?", {"cherry", "tomato", "grow"})
    True
    """
    used = content_words(claim) & content_words(question)
    missing = used - pool
    return len(missing) >= 2 and len(missing) >= ECHO_SHARE * len(used)


class Verifier:
    """Checks claims against sources; ``threshold`` is the calibrated support cut-off."""

    def __init__(self, embedder: Embedder, threshold: float, answer_threshold: float = 0.0) -> None:
        self.embedder = embedder
        self.threshold = threshold
        self.answer_threshold = answer_threshold

    def score(self, claim: str, evidence: list[str], cos: float, premise: Premise = NO_PREMISE) -> float:
        """Support in [0, 1]; 0 when a number or most content words of the claim are missing from the evidence."""
        lex = lexical(claim, evidence, premise)
        if lex < MIN_LEXICAL or any(lexical(part, evidence, premise) < MIN_LEXICAL for part in clauses(claim)):
            return 0.0
        return WEIGHT_COS * cos + (1 - WEIGHT_COS) * lex

    def relevance(self, question: str, claim: str, evidence: list[str], cos: float,
                  retrieved: list[str] | None = None) -> float:
        """How well a supported claim answers the question: similarity plus the question's words it covers.

        Each question word weighs 1 / (1 + the retrieved sentences holding it): the topic's words (in most of
        what was retrieved) say little, the question's focus ("architect", "speed limit") decides. A true
        sentence about the topic that lacks the focus does not answer the question. Words that only say what kind
        of answer is wanted ("name", "year") are not counted.
        """
        words = focus_words(question)
        if not words:
            return WEIGHT_COS * cos + (1 - WEIGHT_COS)
        pool = [content_words(t) for t in retrieved or []]
        weight = {w: 1.0 / (1 + sum(w in ws for ws in pool)) for w in words}
        have = content_words(" ".join(evidence))  # not the claim's: a claim can echo the question
        seen = set().union(*pool) if pool else set()
        # words the claim lacks but other retrieved sentences hold count half: the bridge of a two-step question
        # ("the company whose policy Marisol Quenby owns") is found, not stated, in the answer sentence
        covered = sum(weight[w] for w in words & have)
        if words & content_words(claim):  # a claim sharing no word with the question ("42") gets none from elsewhere
            covered += 0.5 * sum(weight[w] for w in (words & seen) - have)
        coverage = covered / sum(weight[w] for w in words)
        return WEIGHT_COS * cos + (1 - WEIGHT_COS) * coverage

    def verify(self, answer: str, sources: list[Source], question: str = "",
               ) -> tuple[list[AnswerSentence], list[Citation], bool]:
        """Checked sentences, the citations they use (renumbered from 1), and whether to decline."""
        sources = [s for s in sources if not _INSTRUCTION.search(s.sentence.text)]
        by_n = {s.n: s for s in sources}
        claims = []
        for c in parse(answer):
            if not c.text:  # a bare marker: the cited sentence itself is the claim
                text = " ".join(by_n[n].sentence.text for n in c.cited if n in by_n)
                c = Claim(" ".join(text.split()), c.cited, bare=True)
            if content_words(c.text) or numbers(c.text):
                claims.append(c)
        if not claims or not sources or all(is_decline(c.text) for c in claims):
            return [], [], True
        texts = [s.sentence.text for s in sources]
        vectors = self.embedder.embed([c.text for c in claims] + texts + [question or answer])
        claim_vecs, source_vecs, q_vec = vectors[: len(claims)], vectors[len(claims) : -1], vectors[-1]
        cos = np.clip(claim_vecs @ source_vecs.T, 0.0, 1.0)  # [claim, source]
        index_of = {s.n: i for i, s in enumerate(sources)}

        pool = set().union(*(content_words(t) for t in texts))
        premises = Premise.of(question, sources) if question else {}

        def premise(ns: list[int]) -> Premise:
            return Premise.union([premises.get(by_n[n].document, NO_PREMISE) for n in ns])

        checked: list[tuple[int, list[int]]] = []
        for ci, claim in enumerate(claims):
            if not is_decline(claim.text):
                echoed = not claim.bare and echoes_question(claim.text, question, pool)
                checked.append((ci, [] if echoed else self._choose(claim, ci, cos, by_n, index_of, sources,
                                                                           premise)))
        if not any(chosen for _, chosen in checked):
            return [], [], True
        if question and self.answer_threshold > 0:
            best = max(
                (self.relevance(question, claims[ci].text, [by_n[n].sentence.text for n in chosen],
                                float(max(q_vec @ claim_vecs[ci], max(q_vec @ source_vecs[index_of[n]] for n in chosen))),
                                texts)
                 for ci, chosen in checked if chosen),
            )
            if best < self.answer_threshold:
                return [], [], True  # true sentences that do not answer this question
            if wants_number(question) and not any(numbers(claims[ci].text) - numbers(question)
                                                  or _NUMBER_WORD.search(claims[ci].text)
                                                  for ci, chosen in checked if chosen):
                return [], [], True  # "how many …?" answered without a number: not an answer

        numbering: dict[int, int] = {}
        citations: list[Citation] = []
        sentences: list[AnswerSentence] = []
        for ci, chosen in checked:
            text = claims[ci].text
            ids = []
            for n in chosen:
                if n not in numbering:
                    numbering[n] = len(numbering) + 1
                    src = by_n[n]
                    s = src.sentence
                    score = self.score(text, [s.text], float(cos[ci, index_of[n]]), premise([n]))
                    citations.append(Citation(numbering[n], src.document, s.text, s.start, s.end, s.page,
                                              round(score, 3)))
                ids.append(numbering[n])
            sentences.append(AnswerSentence(text, ids, bool(chosen)))
        return sentences, citations, False

    def _choose(self, claim: Claim, ci: int, cos: np.ndarray, by_n: dict[int, Source],
                index_of: dict[int, int], sources: list[Source],
                premise: Callable[[list[int]], Premise] = lambda _: NO_PREMISE) -> list[int]:
        """The model's citations that support the claim, else the best supporting retrieved sentence(s)."""
        def single(n: int) -> float:
            return self.score(claim.text, [by_n[n].sentence.text], float(cos[ci, index_of[n]]), premise([n]))

        valid = [n for n in claim.cited if n in by_n]
        if claim.bare and valid:
            return valid  # quoted, not written: nothing to check the sentences against but themselves
        kept = [n for n in valid if single(n) >= self.threshold * 0.8]
        if kept and self._supports(claim, ci, kept, cos, by_n, index_of, premise):
            return [n for n in kept if single(n) >= self.threshold] or kept[:1]
        ranked = sorted((s.n for s in sources), key=single, reverse=True)
        best = ranked[0]
        if single(best) >= self.threshold:
            return [best]
        pair = ranked[:2]
        if len(pair) == 2 and self._supports(claim, ci, pair, cos, by_n, index_of, premise):
            return pair
        return []

    def _supports(self, claim: Claim, ci: int, ns: list[int], cos: np.ndarray, by_n: dict[int, Source],
                  index_of: dict[int, int], premise: Callable[[list[int]], Premise] = lambda _: NO_PREMISE) -> bool:
        best_cos = max(float(cos[ci, index_of[n]]) for n in ns)
        return self.score(claim.text, [by_n[n].sentence.text for n in ns], best_cos, premise(ns)) >= self.threshold


def render(sentences: list[AnswerSentence]) -> str:
    """The answer text with ``[n]`` markers after each supported sentence."""
    if not sentences:
        return DECLINE
    parts = []
    for s in sentences:
        marks = "".join(f"[{n}]" for n in s.citations)
        parts.append(f"{s.text} {marks}".strip() if marks else s.text)
    return " ".join(parts)
