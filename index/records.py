"""Plain frozen records that flow through the pipeline, and the one serialiser to the JSON contract."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Sentence:
    """One sentence of a document: ``text == extracted_text[start:end]``."""

    doc_id: str
    index: int
    start: int
    end: int
    page: int | None
    text: str


@dataclass(frozen=True)
class Source:
    """A numbered source sentence shown to the model, with its retrieval score."""

    n: int
    document: str
    sentence: Sentence
    score: float


@dataclass(frozen=True)
class Citation:
    id: int
    document: str
    text: str
    start: int
    end: int
    page: int | None
    score: float
    # "link": an answer's citation that names what the question names and links the question to a multi-hop
    # answer, not judged (``score`` 0); "contradicts": another document's sentence that gives another value for a
    # claim of the answer (``score``: the judge's P(Yes) that it states that counterpart; see
    # ``qa.factcheck.disputes``); "states" for every other citation (``score`` as its producer describes)
    role: str = "states"


@dataclass(frozen=True)
class AnswerSentence:
    text: str
    citations: list[int]
    supported: bool
    verdict: str = "supported"  # supported | contradicted | unsupported | not_an_answer
    reason: str = ""  # why the verifier decided so, in words
    # how, as data: "cited" (the model's own citation states it), "recited" (another retrieved sentence does),
    # "quoted" (a bare marker: the sentence itself), "compared" (the thing a choice picks, by the values its cited
    # sentences give, or their yes and no to the question asked of each), "screen" (a hard screen refused it), "judge" (the judge
    # scored it below the bar), "gate" (true, but not an answer), "instruction"; "" where nothing was checked
    check: str = ""
    # the judge's P(Yes) that the chosen evidence states the claim (refused: the best judged; "gate": P(answers
    # the question)); 1.0 for "quoted" and "compared", and for a claim that is its sentence word for word (no judge asked);
    # None where no judge was asked (every try failed a screen, or "instruction")
    score: float | None = None
    # ids of the answer's "contradicts" citations: sentences of other documents that give another value for it
    disputed_by: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Answer:
    answer: str
    declined: bool
    sentences: list[AnswerSentence]
    citations: list[Citation]
    timings: dict[str, float] = field(default_factory=dict)
    question: str = ""
    rewritten: str = ""
    why: str = ""  # when declined: "no_relevant_sources", "not_verified" or "not_an_answer"
    near: list[Citation] = field(default_factory=list)  # when declined after retrieval: possibly relevant sentences
    yes_no: str = ""  # to a yes/no question: "yes" or "no", judged from the supported claims; "" otherwise
    # what the chat does with the question: "compare" when it asks for a comparison (then ``route_documents`` are
    # the documents it names, if any; ``qa compare`` and ``POST /api/compare`` give it), else "ask"
    route: str = "ask"
    route_documents: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The stable ``qa ask --json`` object (see README); fields are only ever added."""
        return {
            "answer": self.answer,
            "declined": self.declined,
            "sentences": [asdict(s) for s in self.sentences],
            "citations": [asdict(c) for c in self.citations],
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
            "declined_because": self.why or None,
            "near": [asdict(c) for c in self.near],
            "yes_no": self.yes_no or None,
            "route": {"kind": self.route, "documents": list(self.route_documents)},
        }


@dataclass(frozen=True)
class DocumentInfo:
    doc_id: str
    path: str
    sha256: str
    size: int
    sentences: int
    added_at: str
    status: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class IngestResult:
    """Outcome for one file: ``indexed``, ``unchanged``, ``error`` (with ``reason``); ``replaced``: an upload that
    took the place of an earlier, different upload of the same name (that name's document is now this file)."""

    path: str
    status: str
    reason: str = ""
    sentences: int = 0
    replaced: bool = False

    def to_json(self) -> dict[str, Any]:
        return asdict(self)
