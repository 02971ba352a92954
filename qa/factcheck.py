"""``qa verify``: check a statement against the documents, document by document.

Each document's best sentences for the statement are judged: a sentence *supports* the statement when the
verifier accepts it as evidence (screens, then the judge); it *contradicts* it when it is about the same thing
(similar) and the hard screens find it says otherwise: another number, or the opposite polarity. The judge's
own "does the source make the claim false?" scored related true sentences as high as false ones, so it is not
used. The verdict: ``supported``, ``contradicted``, ``disputed`` (documents on both sides) or
``not_found``.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

from qa.cite import Verifier, can_be_evidence, conflicts
from qa.records import Citation
from qa.retrieve import Retriever

PER_DOCUMENT = 3  # sentences judged per document
SAME_SUBJECT = 0.55  # cosine of statement and sentence at or above which they are about the same thing


@dataclass(frozen=True)
class StanceCitation:
    citation: Citation
    stance: str  # "supports" | "contradicts"

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self.citation), "stance": self.stance}


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
        per_doc: dict[str, list[Any]] = {}
        for h in hits:
            if len(per_doc.setdefault(h.doc_id, [])) < PER_DOCUMENT:
                per_doc[h.doc_id].append(h)
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

    def _document(self, statement: str, doc_id: str, hits: list[Any], path: str, n: int) -> StanceCitation | None:
        """The document's stance: its first sentence that supports the statement, else one that contradicts it."""
        v = self.verifier
        contradiction = None
        for h in hits:
            (s,) = self.retriever.catalog.sentences(doc_id, h.idx, h.idx)
            if not can_be_evidence(s.text):
                continue
            p, reason = v.supports(statement, s.text)
            cite = Citation(n + 1, path, s.text, s.start, s.end, s.page, round(p, 3))
            if p >= v.config.support:
                return StanceCitation(cite, "supports")
            if contradiction is None and h.dense >= SAME_SUBJECT and conflicts(reason, s.text):
                contradiction = StanceCitation(
                    Citation(n + 1, path, s.text, s.start, s.end, s.page, round(1.0 - p, 3)), "contradicts"
                )
        return contradiction
