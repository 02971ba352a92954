"""Compare what several documents say: a budgeted, per-document cited answer each, then aligned points.

Each document gets its own retrieval budget and its own answer drawn only from its own sentences, so a
long or very similar document cannot crowd out the others, and no sentence is attributed to the wrong
document. Points are built from the verified claims: two claims on the same aspect either agree (same
numbers and wording) or differ; a claim with no counterpart is ``only_in`` its document.
"""

from __future__ import annotations

import re
import time
from dataclasses import asdict, dataclass, replace
from pathlib import PurePath
from typing import Any

from index.embed import Embedder
from qa.ask import Asker, DocumentNames, named_documents, voiced
from qa.cite import content_words, numbers, plain_text
from qa.prompt import DECLINE, column_messages
from qa.records import Answer, AnswerSentence, Citation, DocumentInfo

SAME_ASPECT = 0.55  # claims at least this similar talk about the same thing
SAME_CLAIM = 0.85  # ... and at least this similar, with the same numbers and content, say the same thing

# Only a question that asks for a comparison: "compare …", "how do X and Y differ", "the difference(s) between",
# "X versus Y". Words that merely occur in ordinary questions ("agree", "both", "different") do not route.
_COMPARE_WORDS = re.compile(
    r"\b(?:compare|comparison|contrast|versus|vs\.)\b|\bdiffer(?:ence|ences)?\s+between\b"
    r"|\bhow\s+(?:do|does|did)\b.{1,80}\b(?:differ|disagree)\b|\bin what ways?\b.{1,80}\b(?:differ|disagree)\b"
    r"|\bwhat\s+(?:is|are)\s+the\s+differences?\b|\bdo\b.{1,80}\b(?:documents|reports|sources)\s+(?:agree|disagree)\b",
    re.IGNORECASE,
)


# what a model puts before its line: a list mark or number, emphasis, a label ("Question for document 1:")
_LINE_LABEL = re.compile(r"^[\s*_#>-]*(?:\d+[.)]\s*)?(?:[^:?]{1,60}:(?!\d)[\s*_]*)?(?:\d+[.)]\s+)?")


@dataclass(frozen=True)
class DocAnswer:
    document: str
    addressed: bool
    answer: Answer

    @property
    def unanswered(self) -> str:
        """Why a column has no answer, in words: nothing about the question, or something unchecked."""
        if self.answer.why in ("not_verified", "not_an_answer"):
            return "found something related, but no answer could be checked against it"
        return "does not address this"

    def to_json(self) -> dict[str, Any]:
        out = {"document": self.document, "addressed": self.addressed, "answer": self.answer.to_json()}
        return out if self.addressed else {**out, "unanswered": self.unanswered}


@dataclass(frozen=True)
class Point:
    kind: str  # "agree" | "differ" | "only_in"
    text: str
    citations: list[int]
    documents: list[str]


@dataclass(frozen=True)
class Comparison:
    question: str
    documents: list[DocAnswer]
    points: list[Point]
    timings: dict[str, float]
    asked: str  # the question each document was asked on its own (``Comparer.column``): ``question`` or its rewrite

    @property
    def citations(self) -> list[Citation]:
        return [c for d in self.documents for c in d.answer.citations]

    def as_answer(self) -> Answer:
        """The comparison as one chat answer: each document's claims, then the points, same citation ids."""
        sentences: list[AnswerSentence] = []
        for d in self.documents:
            name = PurePath(d.document).name
            if not d.addressed:  # a declined column's refused claims are not its answer
                sentences.append(AnswerSentence(f"{name}: {d.unanswered}.", [], True))
                continue
            for s in d.answer.sentences:
                sentences.append(replace(s, text=f"{name}: {s.text}"))
        for p in self.points:
            if p.kind != "only_in":
                sentences.append(AnswerSentence(f"{p.kind.capitalize()}: {p.text}", p.citations, True))
        asked = self.asked
        if not any(d.addressed for d in self.documents):
            # declined as one answer is: which kind of decline, and each column's closest sentences (not citations)
            whys = {d.answer.why for d in self.documents}
            why = next((w for w in ("not_an_answer", "not_verified") if w in whys), "no_relevant_sources")
            shown: dict[str, Citation] = {}
            for c in (c for d in self.documents for c in d.answer.near):
                shown.setdefault(plain_text(c.text), c)
            near = [replace(c, id=i) for i, c in enumerate(shown.values(), 1)]
            return Answer(DECLINE, True, sentences, [], self.timings, self.question, asked, why, near)
        text = " ".join(s.text + "".join(f"[{n}]" for n in s.citations) for s in sentences)
        return Answer(text, False, sentences, self.citations, self.timings, self.question, asked)

    def as_markdown(self) -> str:
        """The comparison as Markdown: each document's cited answer, then the points, with ``[n]`` markers."""
        lines = ["| document | says |", "|---|---|"]
        for d in self.documents:
            said = d.answer.answer if d.addressed else d.unanswered
            lines.append(f"| {PurePath(d.document).name} | {said.replace('|', '/')} |")
        if self.points:
            lines.append("")
            for p in self.points:
                marks = "".join(f"[{n}]" for n in p.citations)
                lines.append(f"- **{p.kind.replace('_', ' ')}**: {p.text} {marks}".rstrip())
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        """The stable ``qa compare --json`` object (see README)."""
        return {
            "question": self.question,
            "documents": [d.to_json() for d in self.documents],
            "points": [asdict(p) for p in self.points],
            "asked": self.asked,
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
        }


def route(question: str, docs: list[DocumentInfo], *, follow_up: bool = False) -> tuple[str, list[DocumentInfo]]:
    """``("compare", docs)`` for a question that names two or more documents or asks to compare, else ``("ask", [])``.
    ``follow_up``: the question comes after earlier turns, and only naming two documents routes it: "And how do
    they differ?" refers to what was asked before, which ask's rewrite reads and a comparison would not."""
    named = named_documents(question, docs)
    if len(named) >= 2:
        return "compare", named
    if _COMPARE_WORDS.search(question) and len(docs) >= 2 and not follow_up:
        return "compare", []  # one named document is not what is compared: those about the question are
    return "ask", []


# what a comparison is about: the words after "differ on", "say about", "the difference … in", up to the end
_COMPARING = re.compile(
    r"(?i)\b(?:differ|differs|differed|difference|differences|disagree|disagrees|agree|agrees|say|says|said|compare|"
    r"compared|contrast)\b"
)
_ON = re.compile(
    r"(?i)\b(?:on|about|regarding|concerning|over|in\s+terms\s+of|as\s+to|with\s+(?:respect|regard)\s+to"
    r"|when\s+it\s+comes\s+to|in)\s+"
)
# what may stand between the verb and "on"/"about" besides the documents' names: "differ between A and B on …"
_GAP = {"the", "a", "an", "and", "between", "from", "with", "both", "two", "these", "those", "they", "them", "do", "does",
        "of", "s", "documents", "document", "reports", "report", "sources", "files", "file", "texts"}  # fmt: skip
_MANNER = re.compile(r"(?i)^(?:(?:more|much|greater|full|some)\s+)?(?:detail|details|general|short|brief|depth|full)$")
TOPIC_QUESTION = "What is said about {topic}?"
_TOPIC_TAIL = re.compile(r"(?i)\s+(?:between|among|from|across|in|according\s+to)\s+")


def topic_question(question: str, docs: list[DocumentInfo]) -> str:
    """What a document is asked when the model's rewrite of a comparison question is not taken (``Comparer.column``):
    "What is said about X?", X being what the question compares the documents on, named by no
    document; "" when no such X is found. On the samples the model kept the documents in its rewrite of "What do
    the council report and the residents newsletter say about tolls?" ("What does the council report say about
    tolls?") and of "What is the difference between the council report and the residents newsletter on the number
    of lanes?" (the question itself): asked as it was, each column wrote about both documents and both declined;
    asked "What is said about the number of lanes?", each answered with its own figure (four, two), a ``differ``
    point. "What does the document say about …?" drew claims that began "The document states that …".

    X follows "on", "about", "in" … right after the comparing verb, or after words that only name the documents
    ("differ between A and B on X"): "… say the bridge will cost in 2030?" compares no "2030" (a review).

    >>> docs = [DocumentInfo(n, f"/d/{n}", "", 0, 0, "", "ready") for n in ("bridge_council_report.md", "newsletter.html")]
    >>> topic_question("What do the council report and the newsletter say about tolls?", docs)
    'What is said about tolls?'
    >>> topic_question("What is the difference between the council report and the newsletter on the number of lanes?", docs)
    'What is said about the number of lanes?'
    >>> topic_question("How do the council report and the newsletter differ in their cost estimates?", docs)
    'What is said about the cost estimates?'
    >>> topic_question("What is the difference in cost between the council report and the newsletter?", docs)
    'What is said about cost?'
    >>> topic_question("How does the council's report differ from the newsletter regarding tolls?", docs)
    'What is said about tolls?'
    >>> [topic_question(q, docs) for q in ("Compare the council report and the newsletter.", "Compare on the newsletter.",
    ...  "What do the report and the newsletter say the bridge will cost in 2030?",
    ...  "Compare the report and the newsletter in detail.",
    ...  "Do the report and the newsletter agree that construction began in March?",
    ...  "Compare the cost figures in both documents.")]
    ['', '', '', '', '', '']
    """
    names = DocumentNames(docs)
    allowed = _GAP | {w for ws in names.words.values() for w in ws}
    for verb in _COMPARING.finditer(question):
        for on in _ON.finditer(question, verb.end()):
            gap = re.findall(r"[^\W_]+", question[verb.end() : on.start()].lower())
            if not set(gap) <= allowed:
                break  # "say the bridge will cost in 2030": what comes after is not what is compared
            topic = re.split(r"[?!]|\.(?:\s|$)", question[on.end() :])[0].strip(" ,;:")
            if names.named(topic):
                topic = _TOPIC_TAIL.split(topic, maxsplit=1)[0]  # "cost between the report and the newsletter": "cost"
            topic = re.sub(r"(?i)^(?:their|its|both|each)\s+", "the ", topic)
            if content_words(topic) and not names.named(topic) and len(topic.split()) <= 16:
                return "" if _MANNER.match(topic) else TOPIC_QUESTION.format(topic=topic)
    return ""


class Comparer:
    def __init__(
        self, asker: Asker, embedder: Embedder, *, per_doc_k: int = 4, max_docs: int = 4, relevance: float = 0.3
    ) -> None:
        self.asker = asker
        self.embedder = embedder
        self.per_doc_k = per_doc_k
        self.max_docs = max_docs
        self.relevance = relevance  # a document whose best sentence is less similar to the question is not about it

    def candidates(self, question: str, docs: list[DocumentInfo]) -> list[DocumentInfo]:
        """With no documents chosen, the (at most ``max_docs``) documents about the question: those whose best
        sentence is as similar to it as ``ask`` requires of a source (``relevance``), most similar first; the two
        most similar when fewer are. Asked "How do the council report and the newsletter differ on the bridge's
        cost?" over the samples, the war article (its best sentence 0.26) no longer gets a column that says
        "does not address this"."""
        best: dict[str, float] = {}
        for h in self.asker.retriever.search(question, 8 * self.max_docs):
            best[h.doc_id] = max(best.get(h.doc_id, 0.0), h.dense)
        ranked = sorted(docs, key=lambda d: -best.get(d.doc_id, 0.0))
        about = [d for d in ranked if best.get(d.doc_id, 0.0) >= self.relevance]
        return (about if len(about) >= 2 else ranked[:2])[: self.max_docs]

    def compare(self, question: str, docs: list[DocumentInfo], *, chosen: bool = True) -> Comparison:
        """Each of ``docs`` answers on its own; ``chosen=False``: ``docs`` are all documents, and only those about
        the question are compared (``candidates``)."""
        t0 = time.perf_counter()
        answers: list[DocAnswer] = []
        next_id = 1
        compared = docs if chosen else self.candidates(question, docs)
        asked = self.column(question, docs)
        for doc in compared:
            # "Do A and B agree on …?" is a yes/no question, but one document's facts do not answer it: no verdict
            answer = self.asker.ask(asked, doc_ids=[doc.doc_id], top_k=self.per_doc_k, yes_no=False)
            answer = replace(answer, question=question) if asked != question else answer
            answer = own_voice(answer, doc, compared)
            answer, next_id = _renumber(answer, next_id)
            answers.append(DocAnswer(doc.path, not answer.declined, answer))
        points = self.points([a for a in answers if a.addressed])
        return Comparison(question, answers, points, {"total_s": time.perf_counter() - t0}, asked)

    def column(self, question: str, docs: list[DocumentInfo]) -> str:
        """The question each document is asked on its own: for one that names documents or asks to compare, the
        model's rewrite without them (``column_messages``: "How do the council report and the residents newsletter
        differ on the cost of the Kestrel Bridge?" -> "What is the cost of the Kestrel Bridge?"), unless the rewrite
        still compares, names a document, is no short question, or more than a third of its content words are not
        the question's; else ``question`` as it is. Asked whole, that
        question drew from each document a claim about both ("The residents newsletter states that the total cost
        … is £46 million, while the council report …", a browser walk-through), which ``own_voice`` then refused:
        both columns declined."""
        if not (_COMPARE_WORDS.search(question) or named_documents(question, docs)):
            return question
        # the model may write one line per document ("Question for document 1: What are the costs?"): the first
        reply = self.asker.complete(column_messages(question), 48)
        lines = [_LINE_LABEL.sub("", line).strip(" \"'*_") for line in reply.splitlines()]
        asked = next((line for line in lines if line), "")
        own = content_words(asked)  # what it asks about comes from the question (not the prompt's example)
        fits = bool(own) and 3 * len(own - content_words(question)) <= len(own)  # at most a third new
        if asked.endswith("?") and len(asked) <= len(question) + 40 and fits and not _COMPARE_WORDS.search(asked):
            if not named_documents(asked, docs):
                return asked
        return topic_question(question, docs) or question

    def points(self, answers: list[DocAnswer]) -> list[Point]:
        claims = [(a.document, s) for a in answers for s in a.answer.sentences if s.supported]
        if not claims:
            return []
        vecs = self.embedder.embed([s.text for _, s in claims])
        sim = vecs @ vecs.T
        used: set[int] = set()
        points: list[Point] = []
        for i, (doc_i, s_i) in enumerate(claims):
            partners = [
                j for j in range(len(claims)) if claims[j][0] != doc_i and j not in used and j != i and sim[i, j] >= SAME_ASPECT
            ]
            # one partner per other document: the most similar claim
            best: dict[str, int] = {}
            for j in partners:
                d = claims[j][0]
                if d not in best or sim[i, j] > sim[i, best[d]]:
                    best[d] = j
            if i in used:
                continue
            if not best:
                continue
            group = [i, *best.values()]
            used.update(group)
            kind = "agree" if all(_same(s_i, claims[j][1], float(sim[i, j])) for j in best.values()) else "differ"
            points.append(_point(kind, [claims[k] for k in group]))
        for i, claim in enumerate(claims):
            if i not in used:
                points.append(_point("only_in", [claim]))
        return points


def _same(a: AnswerSentence, b: AnswerSentence, sim: float) -> bool:
    if numbers(a.text) != numbers(b.text):
        return False
    wa, wb = content_words(a.text), content_words(b.text)
    return sim >= SAME_CLAIM and len(wa ^ wb) <= max(2, len(wa | wb) // 4)


def _point(kind: str, claims: list[tuple[str, AnswerSentence]]) -> Point:
    docs = list(dict.fromkeys(d for d, _ in claims))
    cites = [n for _, s in claims for n in s.citations]
    if kind == "agree":
        text = f"Both say: {claims[0][1].text}" if len(docs) == 2 else f"All say: {claims[0][1].text}"
    elif kind == "differ":
        text = " — ".join(f"{PurePath(d).name}: {s.text}" for d, s in claims)
    else:
        text = f"Only {PurePath(docs[0]).name}: {claims[0][1].text}"
    return Point(kind, text, list(dict.fromkeys(cites)), docs)


def own_voice(answer: Answer, doc: DocumentInfo, docs: list[DocumentInfo]) -> Answer:
    """One document's answer without the claims it makes in another document's name (``voiced``, with every claim's
    own document ``doc``). Each column of a comparison is drawn from its own document only, so "The council report
    states that the bridge will cost £61 million." in the residents' newsletter's column (a browser walk-through;
    the judge gave it 0.81, since the newsletter does say £61 million) gives the reader the council's figure
    wrong. The newsletter's own "The council report's figure of £46 million is out of date." still speaks for the
    council report, and stays."""
    return voiced(answer, DocumentNames(docs), doc)


def _renumber(answer: Answer, start: int) -> tuple[Answer, int]:
    """Give a document's citations ids that are unique across the whole comparison."""
    mapping = {c.id: start + i for i, c in enumerate(answer.citations)}
    citations = [replace(c, id=mapping[c.id]) for c in answer.citations]
    sentences = [replace(s, citations=[mapping[n] for n in s.citations]) for s in answer.sentences]
    text = re.sub(r"\[(\d+)\]", lambda m: f"[{mapping.get(int(m.group(1)), int(m.group(1)))}]", answer.answer)
    return replace(answer, answer=text, citations=citations, sentences=sentences), start + len(citations)


__all__ = ["Comparer", "Comparison", "DocAnswer", "Point", "named_documents", "own_voice", "route"]
