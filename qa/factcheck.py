"""``qa verify``: check a statement against the documents, document by document.

Each document's best sentences for the statement are judged: a sentence *supports* the statement when the
verifier accepts it as evidence (screens, then the judge); it *contradicts* it when the hard screens find it says
otherwise (another number, or the opposite polarity) and it states the statement's *counterpart*: the statement
with the sentence's number (or date) in place of its own, or the statement's opposite, passes the screens and
the judge (``counterpart``); or, with no such difference, when the statement's ``opposite`` is judged at least
``CONTRARY_MARGIN`` likelier than the statement (a toll against "free of charge", "stop running" against "keep
running"). Another number alone is not enough: "The bridge was approved in 2023." shares no claim
with "The bridge will cost £46 million." Number words count as numbers ("four lanes" against "two lanes"). The
judge's own "does the source make the claim false?" scored related true sentences as high as false ones, so it is
not used. Nor is the difference of its P(Yes) to "Is it true that …?" asked for yes and asked for no (which
decides a "No." to a yes/no question, ``qa.judge.polar_messages``): on the samples' six cross-document disputes
(free against a £1.50 toll, four lanes against two, …) it was -0.09 to -0.22, on seven compatible pairs of the
same documents -0.04 to -0.20. The verdict: ``supported``, ``contradicted``, ``disputed`` (documents on both
sides) or ``not_found``.
"""

from __future__ import annotations

import re
import time
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from index.sentences import marked_heading
from index.words import STOP, WORD, stems
from qa.cite import (
    MONTH_NAMES,
    SIGNED_NUMBER,
    YEAR,
    Verifier,
    can_be_evidence,
    denied_words,
    name_phrases,
    name_present,
    negated,
    numbers,
    signed_value,
    with_digits,
)
from qa.judge import clock_24, support_messages
from qa.records import AnswerSentence, Citation, Sentence, Source
from qa.retrieve import Retriever

PER_DOCUMENT = 3  # sentences judged per document
SAME_SUBJECT = 0.55  # cosine of statement and sentence at or above which they are about the same thing
# ``qa verify``: a sentence the screens refuse is judged for the statement's counterpart from this cosine up. At
# SAME_SUBJECT, "Construction of the Kestrel Bridge started on 5 June 2021." was not_found (a probe): its own
# other date and wording put "Construction work began on 3 March 2025." at 0.51. On 20 statements about the
# samples (supported, contradicted, disputed, not found), 0.45 gets 18 verdicts right, 0.55 17, with no false
# contradiction at either: the counterpart's judge, not the cosine, decides. (Answers' disputes keep SAME_SUBJECT.)
COUNTERPART_FROM = 0.45
# ``qa verify``: a sentence that states the statement's opposite says it is false even with no number or negation of
# its own ("Drivers will pay a toll of £1.50 for each crossing." against "Crossing … will be free of charge."). The
# judge reads the two as related, not as opposed: asked whether the sentence states the statement, P(Yes) is low, but
# low for a sentence about something else too. What tells them apart is the same question asked of the statement
# negated (``opposite``): a sentence that says the opposite makes "… will not be free of charge" more likely than the
# statement, by this much at least. Calibrated by ``bench verifier`` on hand-written pairs over the labelled
# documents (``bench/data/contrary.jsonl``): contrary statements against compatible ones (a related true statement, a
# premise pair, a gold sentence against its document's other sentences); see bench/results/verifier.md.
CONTRARY_MARGIN = 0.25
# A sentence judged to state the statement under ``VerifierConfig.backed_support`` (0.7, the bar a model's claim
# with a word nothing shown says must reach) is judged for the statement's opposite too, and is no support when the
# opposite is judged at least as likely (``FactChecker._document``): "The library is closed on Sundays." was
# supported at 0.60 by "The library now opens on Sunday afternoons …", whose opposite it scores 0.76. ``bench
# verifier``'s pairs judged 0.55-0.7 (``q_gray``): 3 of 5 contrary pairs so refused, none of 12 true paraphrases nor
# of 11 premise pairs (the closest true one 0.67 against its opposite's 0.66).

# what ``_affirmed`` takes out or undoes: a negation word, and a contraction's "n't" ("won't" is "will")
_NEGATION = re.compile(
    r"\b(?:not|no|never)\s+|(?:\b(wo)|\b(ca)|\b(sha))?n['’]t\b|\b(can)not\b|\b(nobody|nothing|nowhere|neither|nor)\b",
    re.IGNORECASE,
)
_AFFIRMED = {"nobody": "somebody", "nothing": "something", "nowhere": "somewhere", "neither": "both", "nor": "and"}
_AUX = re.compile(r"\b(is|are|was|were|will|can|could|has|have|had|does|did|would|should|must|may)\b")


_MONTH = f"(?:{MONTH_NAMES})\\.?"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_DAY_NAMES = "Mon|Tues|Wednes|Thurs|Fri|Satur|Sun"  # a day of the week, capitalised, before "day"
_WEEKDAY = rf"(?:(?:{_DAY_NAMES})day,? (?:the )?)?"  # part of the date it comes before
_WEEKDAYS = re.compile(rf"\b({_DAY_NAMES})day(s?)\b")  # the day's name (group 1) and a plural "s" (group 2)
# "14 September 2027", "14th Sept. 2027", "September 14, 2027", "September 2027", "2027-09-14", "Thursday 14 May 2026"
_DATE = re.compile(
    rf"\b{_WEEKDAY}(?:{_DAY} (?:of )?{_MONTH}(?:,? \d{{4}})?|{_MONTH} {_DAY}(?:,? \d{{4}})?|{_MONTH} \d{{4}}"
    r"|\d{4}-\d{2}-\d{2})(?!\w)"
)


# a word with a digit right after a letter is a name or a code ("Fir50ford", "A380", "MP3"), not a value: another
# such word is another thing, which the name screen and the judge read, never the same thing's other value
# (a token that starts with a letter: "5,000m2" is a value with its unit)
_CODE = re.compile(r"(?<![\w.,])[^\W\d_]\w*?\d[\w.]*")


def values(text: str) -> set[str]:
    """The numbers of a text (``numbers``) that are values, not parts of a name or a code.

    >>> sorted(values("The village of Fir50ford lies 3 km from the A380 hangar, with 1,200 residents."))
    ['1200', '3']
    >>> sorted(values("The hall covers 5,000m2 and 1.5m2 of glass (v2.5)."))  # a unit's "2" as ``numbers`` reads it
    ['1.5', '2', '5000']
    >>> _replace_number("The A380 hangar is 380 m long.", "380", "250")
    'The A380 hangar is 250 m long.'
    """
    return numbers(_CODE.sub(" ", text))


def _replace_number(text: str, number: str, by: str) -> str:
    """``text`` with each occurrence of ``number`` (as ``numbers`` reads it: "1,500" is "1500", "09" is "9") written as
    ``by``, except inside a name or a code (``values``)."""
    codes = [m.span() for m in _CODE.finditer(text)]

    def swap(m: re.Match[str]) -> str:
        inside = any(a <= m.start() < b for a, b in codes)
        return by if signed_value(m) == number and not inside else m.group()

    return SIGNED_NUMBER.sub(swap, text)


def _affirmed(text: str) -> str:
    """The sentence without its negations.

    >>> _affirmed("It will not be free."), _affirmed("The ferry won’t run."), _affirmed("Cars cannot park; vans can't.")
    ('It will be free.', 'The ferry will run.', 'Cars can park; vans can.')
    >>> _affirmed("The bridge isn’t free and doesn't open.")
    'The bridge is free and does open.'
    >>> _affirmed("The ferry no longer runs.")
    'The ferry still runs.'
    >>> _affirmed("Nobody pays; neither cars nor vans stop, and nothing is built."), _affirmed("It is at No. 10.")
    ('Somebody pays; both cars and vans stop, and something is built.', 'It is at No. 10.')
    """

    text = re.sub(r"\b(?:[Nn]o longer)\b", "still", text)  # "The ferry no longer runs." -> "The ferry still runs."

    def undo(m: re.Match[str]) -> str:
        if m[5]:
            word = _AFFIRMED[m[5].lower()]
            return word.capitalize() if m[5][0].isupper() else word
        return "will" if m[1] else "can" if m[2] or m[4] else "shall" if m[3] else ""

    return " ".join(_NEGATION.sub(undo, text).split())


def negate(text: str) -> str:
    """The sentence negated at its first auxiliary, else as a whole.

    >>> negate("The bridge will open in 2027."), negate("Smoke calms the bees.")
    ('The bridge will not open in 2027.', 'It is not true that smoke calms the bees.')
    >>> negate("Rupert Vane's stitches need removing."), negate("The Kestrel Bridge links two towns.")
    ("It is not true that Rupert Vane's stitches need removing.", 'It is not true that the Kestrel Bridge links two towns.')
    """
    m = _AUX.search(text)
    if m:
        return text[: m.end()] + " not" + text[m.end() :]
    words = text.split()
    first = words[0].removesuffix("'s").removesuffix("’s").lower() if words else ""
    # the first word of a name ("Rupert Vane's …": the next word capitalised too, or a possessive) keeps its capital;
    # a function word does not ("The Kestrel Bridge …"), "I" does
    name = len(words) > 1 and first not in STOP and (words[1][:1].isupper() or words[0].endswith(("'s", "’s")))
    return "It is not true that " + (text if name or first == "i" else text[0].lower() + text[1:])


def opposite(statement: str) -> str:
    """The statement with its polarity turned: a negated one without its negations, any other one negated.

    >>> opposite("The ferry will keep running."), opposite("The ferry won't keep running.")
    ('The ferry will not keep running.', 'The ferry will keep running.')
    """
    return _affirmed(statement) if negated(statement) else negate(statement)


@dataclass(frozen=True)
class StanceCitation:
    citation: Citation
    stance: str  # "supports" | "contradicts"
    reason: str = ""  # why, for the user: what the sentence was judged to state, and the judge's P(Yes)

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self.citation), "stance": self.stance, "reason": self.reason}


@dataclass(frozen=True)
class Check:
    statement: str
    verdict: str  # supported | contradicted | disputed | not_found
    citations: list[StanceCitation]
    timings: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The stable ``qa verify --json`` object (see README)."""
        return {
            "statement": self.statement,
            "verdict": self.verdict,
            "citations": [c.to_json() for c in self.citations],
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
        }


class FactChecker:
    def __init__(self, retriever: Retriever, verifier: Verifier, *, top_k: int = 12, relevance: float = 0.3) -> None:
        self.retriever = retriever
        self.verifier = verifier
        self.top_k = top_k
        self.relevance = relevance

    def check(self, statement: str, doc_ids: list[str] | None = None) -> Check:
        t0 = time.perf_counter()
        statement = " ".join(statement.split())
        hits = [h for h in self.retriever.search(statement, self.top_k, doc_ids) if h.dense >= self.relevance]
        per_doc: dict[str, list[tuple[Any, Sentence]]] = {}  # each document's hits with their sentences, read once
        for h in hits:
            # a heading or an instruction takes no place of a sentence that can be evidence (a probe: the report's
            # title and the newsletter's heading took two of three places from "Construction work began on …"); nor
            # does a Markdown heading line that states a value ("# Product Recall: Brisa 3-in-1 Air Purifier" and
            # the notice's other title took two places from its "£149.99" sentence, a probe), though it is judged
            taken = per_doc.setdefault(h.doc_id, [])
            if sum(not marked_heading(s.text) for _, s in taken) < PER_DOCUMENT:
                (s,) = self.retriever.catalog.sentences(h.doc_id, h.idx, h.idx)
                if can_be_evidence(s.text):
                    taken.append((h, s))
        paths = {d.doc_id: d.path for d in self.retriever.catalog.documents()}
        stances: list[StanceCitation] = []
        for doc_id, doc_hits in per_doc.items():
            found = self._document(statement, doc_id, doc_hits, paths.get(doc_id, doc_id), len(stances))
            if found:
                stances.append(found)
        kinds = {s.stance for s in stances}
        verdict = (
            "disputed"
            if kinds == {"supports", "contradicts"}
            else "supported"
            if kinds == {"supports"}
            else "contradicted"
            if kinds == {"contradicts"}
            else "not_found"
        )
        return Check(statement, verdict, stances, {"total_s": time.perf_counter() - t0})

    def _document(
        self, statement: str, doc_id: str, hits: list[tuple[Any, Sentence]], path: str, n: int
    ) -> StanceCitation | None:
        """The document's stance: its first sentence that supports the statement, else one that contradicts it;
        when it has both, the one more similar to the statement (a walk-through's "The tenant may sublet the flat."
        was supported by "The flat has two bedrooms …" (judge 0.59, cosine 0.5) in the document that says "The
        tenant may not sublet the flat.").

        A contradicting citation's ``score`` is the judge's P(Yes) that the sentence states the counterpart."""
        v = self.verifier
        hits = sorted(hits, key=lambda hit: -hit[0].dense)  # closest first: the first support found is the closest
        support: tuple[float, StanceCitation] | None = None
        contradiction: tuple[float, StanceCitation] | None = None
        unjudged: list[tuple[Sentence, float]] = []  # sentences that pass the screens but not the judge, with P(Yes)
        # the statement's names the document has are what it is about, not a claim each sentence must repeat:
        # "The bridge will carry four traffic lanes." in the Kestrel Bridge's report states it of that bridge
        text = self.retriever.catalog.text(doc_id)
        have = {w.lower() for w in WORD.findall(text.lower())}
        about = " ".join([*(name for name in name_phrases(statement) if name_present(name, have)), *labels(statement, text)])
        flipped = opposite(statement)
        for h, s in hits:
            if support is not None and h.dense <= support[0]:
                continue  # only a sentence closer to the statement than the supporting one can overrule it
            # a user's statement, not the model's: judged as before ``Verifier.weigh`` (its words are the user's)
            p, reason = v.supports(statement, s.text, about, weighed=False)
            if v.config.support <= p < max(v.config.backed_support, v.config.support) and flipped != statement:
                q = v.judge.p_yes(support_messages(flipped, s.text))
                if q >= p:  # the opposite reads at least as well: the sentence does not state the statement
                    # (a heading says no statement is false; a sentence far from the statement is about another)
                    says_otherwise = not marked_heading(s.text) and h.dense >= COUNTERPART_FROM
                    if contradiction is None and says_otherwise and q - p >= CONTRARY_MARGIN:
                        contradiction = (h.dense, _rather(flipped, s, path, n, p, q))
                    continue
            if p >= v.config.support:
                if support is None:
                    cite = Citation(n + 1, path, s.text, s.start, s.end, s.page, round(p, 3))
                    support = (h.dense, StanceCitation(cite, "supports", f"it states the statement: judge {p:.2f}"))
                continue
            if marked_heading(s.text):  # it may support a statement of its own number, not say another is false
                continue
            # another day of the week is another value, also where the screens pass it (the document names the
            # statement's day elsewhere, so ``about`` excuses it)
            if contradiction is None and (reason or _other_days(statement, s.text)) and h.dense >= COUNTERPART_FROM:
                q, variant = counterpart_of(v, statement, s.text, about)
                if q >= v.config.support:
                    cite = Citation(n + 1, path, s.text, s.start, s.end, s.page, round(q, 3))
                    why = f'it states "{variant}" instead: judge {q:.2f}'
                    contradiction = (h.dense, StanceCitation(cite, "contradicts", why))
                    continue
            if not reason and h.dense >= COUNTERPART_FROM:
                unjudged.append((s, p))
        if support is not None:
            return contradiction[1] if contradiction is not None and contradiction[0] > support[0] else support[1]
        if contradiction is not None:
            return contradiction[1]
        if flipped == statement:  # a negation ``_affirmed`` cannot undo ("without"): no opposite to judge
            return None
        for s, p in unjudged:  # one prompt prefix: the statement's opposite, judged against each sentence in turn
            q = v.judge.p_yes(support_messages(flipped, s.text))
            if q - p >= CONTRARY_MARGIN:
                return _rather(flipped, s, path, n, p, q)
        return None

    def counterpart(self, statement: str, sentence: str, about: str = "") -> float:
        return counterpart(self.verifier, statement, sentence, about)


def _rather(flipped: str, s: Sentence, path: str, n: int, p: float, q: float) -> StanceCitation:
    """Sentence ``s`` as one that contradicts the statement by stating its opposite ``flipped`` (judged ``q``
    against the statement's ``p``), the document's citation number ``n + 1``."""
    why = f'it states "{flipped}" rather than the statement: judge {q:.2f} against {p:.2f}'
    return StanceCitation(Citation(n + 1, path, s.text, s.start, s.end, s.page, round(q, 3)), "contradicts", why)


def counterpart(verifier: Verifier, statement: str, sentence: str, about: str = "") -> float:
    """``counterpart_of``'s score."""
    return counterpart_of(verifier, statement, sentence, about)[0]


def counterpart_of(verifier: Verifier, statement: str, sentence: str, about: str = "") -> tuple[float, str]:
    """How well ``sentence`` states the statement's counterpart (0 when it has none): the statement with one of
    the sentence's numbers in place of the one the sentence lacks (with the sentence's date in place of its own,
    when the two have one date each and the numbers it lacks are all in its date; with another day of the week in
    place of its own, when it lacks no number: ``_other_days``), or, when only one is negated,
    the statement's ``opposite``, against the sentence as it is. (Both without their negations, as before, made a
    sentence that also says something else self-contradictory: "… will not ship in version 2.0 and is postponed to
    version 2.1" read "… will ship in version 2.0 and is postponed …", 0.28 against "… will ship in version 2.0",
    a walk-through's dispute missed.) The verifier's screens and judge decide, as for support, but without
    ``Verifier.weigh``: a detail only the statement gives ("Thirty-eight *mature oak* trees will be cut down" against
    "Twelve trees will be felled") does not make the two values agree (with it, that dispute of the samples passed
    at 0.56 or failed by a hair). ``about``: names the sentence's document has, which it need not repeat (no
    numbers: the screens would excuse them). With the score, the counterpart judged best ("" when there is none)."""
    claim, evidence = clock_24(with_digits(statement)), clock_24(with_digits(sentence))  # "4 pm" is another "15:00"
    if negated(claim) != negated(evidence):
        flipped = opposite(claim)
        p, reason = verifier.supports(flipped, evidence, about, weighed=False)
        return (0.0, "") if reason else (p, flipped)
    # a number of a label the document has ("Year 5", "Tiller 3.2.0": ``about``) names the thing, it is no value;
    # a sentence with the same label word and another number ("Year 6 pupils …") is about another thing
    for label in _LABEL.finditer(about):
        word, *_, number = label[0].split()
        if any(m[1] != number for m in re.finditer(rf"\b{re.escape(word)}\s+(\d[\w.]*)", evidence)):
            return 0.0, ""
    missing = sorted(values(claim) - values(evidence) - values(about))
    dates, their_dates = _DATE.findall(claim), _DATE.findall(evidence)
    if len(dates) == 1 and len(their_dates) == 1 and set(missing) <= numbers(dates[0]) and missing:
        # a date differs in more than one number ("14 September 2027" against "3 April 2028"): the whole date
        variants = [claim.replace(dates[0], their_dates[0])]
    elif len(missing) == 1:
        variants = [_replace_number(claim, missing[0], other) for other in _rivals(missing[0], claim, evidence)]
    elif not missing:
        variants = _other_days(claim, evidence)
    else:
        return 0.0, ""
    best = (0.0, "")
    for variant in variants:
        p, reason = verifier.supports(variant, evidence, about, weighed=False)
        best = max(best, (0.0, "") if reason else (p, variant))
    return best


def _other_days(claim: str, evidence: str) -> list[str]:
    """The claim with its one day of the week that the evidence lacks written as each day the evidence has instead:
    a day is a value, as a number is ("The museum is closed on Wednesdays." against "… closed on Mondays …", a
    probe's not_found).

    >>> _other_days("The museum is closed on Wednesdays.", "It is closed on Mondays and on Fridays in winter.")
    ['The museum is closed on Mondays.', 'The museum is closed on Fridays.']
    >>> _other_days("The trip is on a Friday.", "The trip is on Thursday 14 May."), _other_days("Open on Monday.", "Monday")
    (['The trip is on a Thursday.'], [])
    >>> _other_days("The café is open on Mondays.", "It is open Mon–Sat and closed on Sundays.")
    []
    """
    mine = {m[1] for m in _WEEKDAYS.finditer(claim)}
    theirs = list(dict.fromkeys(m[1] for m in _WEEKDAYS.finditer(evidence) if m[1] not in mine))
    lacked = [d for d in mine if not re.search(rf"\b{d[:3]}(?:\w*day\w*|s?\.?)\b", evidence)]  # "Mon–Sat" has Monday
    if len(lacked) != 1:
        return []

    def written_as(day: str) -> str:
        return _WEEKDAYS.sub(lambda m: f"{day}day{m[2]}" if m[1] == lacked[0] else m[0], claim)

    return [written_as(day) for day in theirs]


# a capitalised word and the number it is named by: "Year 9", "Ward 7B", "Flat 4", "Tidepool 4.2"; not a date's
# month and day ("June 20") nor a year ("Spring 2025": a year is a value the sentence must state)
_LABEL = re.compile(rf"\b(?!(?:{MONTH_NAMES})\b)[A-Z][\w'’-]*\s+\d{{1,3}}(?:\.\d+)*[A-Za-z]?\b")


_NOT_LABELS = STOP | frozenset("since until over around nearly only after before under above almost just some".split())


def labels(statement: str, text: str) -> list[str]:
    """The statement's names with a number ("Year 9 pupils", "Flat 4") that the document's ``text`` has too: like
    a name, what the statement is about, not a value each sentence must repeat. A probe's "Pupils on the Year 9 trip
    do not need to bring any money." was not found (the number 9 is not in "Pupils do not need to bring money."),
    and "The monthly rent for Flat 4 is £1,150." in the agreement titled "… Flat 4, 27 Harrow Lane" the same.

    >>> labels("Pupils on the Year 9 trip pay nothing in June 2025.", "Year 9 trip to York, 12 June 2025")
    ['Year 9']
    >>> labels("Flat 5 costs £1,150 from June 20.", "Tenancy Agreement — Flat 4"), labels("It opens in Spring 2025.", "2025")
    ([], [])
    >>> labels("Ward 7 is open.", "Ward 7B and Ward 70"), labels("Tidepool 4 ships.", "Tidepool 4.2 ships.")
    ([], [])

    A word that opens a sentence before its number names nothing, and a label is written as the document writes it:

    >>> labels("On 12 March it opened.", "It opened on 12 June."), labels("About 40 trees.", "about 40 trees")
    ([], [])
    """
    plain = " ".join(text.split())
    found = (" ".join(m[0].split()) for m in _LABEL.finditer(statement))
    named = (label for label in found if label.split()[0].lower() not in _NOT_LABELS)  # "On 12 March", "About 40 trees"
    return [label for label in named if re.search(rf"(?<!\w){re.escape(label)}(?![\w.]\w|\w)", plain)]


def _year(number: str, text: str) -> bool:
    """Whether ``number`` (as ``values`` reads it) is written as a year in ``text`` (``qa.cite.YEAR``).

    >>> _year("1886", "It was laid in 1886."), _year("1200", "It is 1,200 metres long."), _year("1500", "It cost £1500.")
    (True, False, False)
    """
    return number in YEAR.findall(text) or bool(re.search(rf"\b{number}s\b", text))  # "the 1880s" too


def _rivals(number: str, claim: str, evidence: str) -> list[str]:
    """The evidence's values that may stand for the claim's ``number`` as another value of the same thing: not its
    claim's own, not a year for what is not one (or the reverse), and not a day of a date unless the claim's
    number is in a date too. A probe's "Harrowgate Rowing Club has 180 members." was contradicted by "Crews from the
    club raced at 14 regattas during 2024 …" (as "… has 2024 members", judge 0.58), and "The racing eight Kittiwake
    cost £38,500." by "… Kittiwake, which was delivered on 12 June 2024." (as "… cost £12").

    >>> _rivals("180", "The club has 180 members.", "Crews raced at 14 regattas during 2024 and won 9 events.")
    ['14', '9']
    >>> _rivals("38500", "It cost £38,500.", "It was delivered on 12 June 2024.")
    []
    >>> _rivals("2027", "Opens in 2027.", "Opens on 3 April 2028.")
    ['2028']
    >>> _rivals("1200", "The bridge is 1,200 metres long.", "The bridge is 980 metres long.")
    ['980']
    """
    in_dates = set().union(*(numbers(d) for d in _DATE.findall(evidence)))
    dated = any(number in numbers(d) for d in _DATE.findall(claim))
    year = _year(number, claim)
    return [
        other
        for other in sorted(values(evidence) - values(claim))
        if _year(other, evidence) == year and (dated or year or other not in in_dates)
    ]


def _denies(a: str, b: str) -> bool:
    """Whether the negated one of two sentences denies a word the other says: "… will not ship in version 2.0"
    against "… will ship in version 2.0", not "… and no toll will be charged" against "The bridge will open in 2027."
    (the judge does not read the negation, so only such a pair is judged).

    >>> _denies("The feature will ship in 2.0.", "Ravi said the feature will not ship in 2.0.")
    True
    >>> _denies("The bridge will open in 2027.", "The bridge will open in 2027, and no toll will be charged.")
    False
    """
    neg, other = (a, b) if negated(a) else (b, a)
    return any(w in stems(other) for w, _ in denied_words(neg))


DISPUTE_CALLS = 3  # judge calls an answer may spend looking for other documents' values


def disputes(
    verifier: Verifier, sentences: list[AnswerSentence], citations: list[Citation], sources: list[Source]
) -> tuple[list[AnswerSentence], list[Citation]]:
    """An answer's sentences and citations with, for a supported sentence, the retrieved sentence of *another*
    document that gives another value for its number or date, or says it with the other polarity ("… will not
    ship in version 2.0" against "… will ship in version 2.0"), and so states the sentence's ``counterpart``
    (judged as ``qa verify`` judges a contradiction), as a "contradicts" citation, listed in the sentence's
    ``disputed_by``. Asked "How much will the Kestrel Bridge cost?", the answer's "£46 million" (the
    council report) is shown with the residents' newsletter's "£61 million", as ``qa verify`` shows it: one side
    of a disputed fact is not the answer.

    Only sentences of other documents than the claim's own citations, with a number the claim lacks and another
    of their own or the other polarity, at least ``SAME_SUBJECT`` similar to the claim, most similar first, are judged; at most
    ``DISPUTE_CALLS`` judge calls an answer. ``qa.cite.render`` then adds "(another document says otherwise: [n])"
    after the sentence."""
    kept = [(i, s) for i, s in enumerate(sentences) if s.supported]
    by_id = {c.id: c for c in citations}
    given = {x.n: values(x.sentence.text) for x in sources if can_be_evidence(x.sentence.text)}
    # a heading says no value is false (``FactChecker._document``)
    pool = [
        x for x in sources if x.n in given and (given[x.n] or negated(x.sentence.text)) and not marked_heading(x.sentence.text)
    ]
    if not kept or not pool:
        return sentences, citations
    vectors = verifier.embed([s.text for _, s in kept] + [x.sentence.text for x in pool])
    sim = vectors[: len(kept)] @ vectors[len(kept) :].T
    words_of: dict[str, set[str]] = {}
    for x in sources:
        words_of.setdefault(x.document, set()).update(w.lower() for w in WORD.findall(x.sentence.text.lower()))
    out, cites, calls = list(sentences), list(citations), 0
    for row, (i, s) in enumerate(kept):
        own = {by_id[n].document for n in s.citations if n in by_id}
        mine, denied = values(s.text), negated(s.text)
        for j in sim[row].argsort()[::-1]:
            x = pool[int(j)]
            theirs = given[x.n]
            if sim[row, j] < SAME_SUBJECT or calls >= DISPUTE_CALLS:
                break
            other_value = bool(mine - theirs and theirs - mine)
            if x.document in own or not (
                other_value or (negated(x.sentence.text) != denied and _denies(s.text, x.sentence.text))
            ):
                continue
            about = " ".join(n for n in name_phrases(s.text) if name_present(n, words_of[x.document]))
            p = counterpart(verifier, s.text, x.sentence.text, about)
            calls += 1
            if p >= verifier.config.support:
                c = Citation(len(cites) + 1, x.document, x.sentence.text, x.sentence.start, x.sentence.end, x.sentence.page,
                             round(p, 3), "contradicts")  # fmt: skip
                cites.append(c)
                out[i] = replace(out[i], disputed_by=[*out[i].disputed_by, c.id])
                break
    return out, cites
