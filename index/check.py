"""``qa check``: compare the index with the files and the vector store; ``--repair`` makes them agree.

Repair never loses a document: an interrupted removal is finished; a changed or interrupted document whose file
no longer parses keeps (or gets back) its indexed version, and is reported; vectors that are missing or have no
embedding are re-embedded from the catalog's sentences (no file needed); one bad file never stops the others.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from index.catalog import Catalog
from index.errors import InputError, QAError
from index.ingest import Ingestor, vector_id
from index.records import DocumentInfo
from index.store import Store


@dataclass
class CheckReport:
    """Problems found, by kind; each list holds document paths (or ids, for orphans)."""

    missing: list[str] = field(default_factory=list)  # indexed, but the file is gone
    changed: list[str] = field(default_factory=list)  # the file differs from what was indexed
    interrupted: list[str] = field(default_factory=list)  # an ingest or removal that did not finish
    mismatched: list[str] = field(default_factory=list)  # sentences without a retrievable vector
    orphans: list[str] = field(default_factory=list)  # vectors of documents the catalog does not know
    strays: list[str] = field(default_factory=list)  # files in uploads/ that no indexed document uses
    repaired: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # documents whose indexed version was kept, and why

    @property
    def ok(self) -> bool:
        return not (self.missing or self.changed or self.interrupted or self.mismatched or self.orphans or self.strays)

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check(
    catalog: Catalog, store: Store, ingestor: Ingestor, *, repair: bool = False, uploads: Path | None = None
) -> CheckReport:
    report = CheckReport()
    counts = store.doc_counts()
    docs = catalog.documents(status=None)
    known = {d.doc_id for d in docs}
    for d in docs:
        path = Path(d.path)
        if d.status != "ready":
            report.interrupted.append(d.path)
        elif not path.is_file():
            report.missing.append(d.path)
        elif _sha(path) != d.sha256:
            report.changed.append(d.path)
        elif counts.get(d.doc_id, 0) != d.sentences or store.unembedded([vector_id(d.doc_id, i) for i in range(d.sentences)]):
            report.mismatched.append(d.path)
    report.orphans = sorted(doc_id for doc_id in counts if doc_id not in known)
    if uploads is not None and uploads.is_dir():
        used = {str(Path(d.path).resolve()) for d in docs}
        report.strays = sorted(
            str(p) for p in uploads.iterdir() if p.is_file() and not p.name.startswith(".") and str(p.resolve()) not in used
        )
    if not repair:
        return report
    by_path = {d.path: d for d in docs}
    for p in report.missing:
        _attempt(report, p, lambda d=by_path[p]: _remove(ingestor, d, "file is gone"))
    for p in report.interrupted + report.changed:
        _attempt(report, p, lambda d=by_path[p]: _redo(catalog, ingestor, d, report))
    for p in report.mismatched:
        _attempt(report, p, lambda d=by_path[p]: _reembed(catalog, store, ingestor, d))
    for doc_id in report.orphans:
        store.delete_document(doc_id)
        report.repaired.append(f"deleted orphan vectors of {doc_id}")
    for stray in report.strays:
        Path(stray).unlink(missing_ok=True)
        report.repaired.append(f"deleted {Path(stray).name} from uploads (no indexed document uses it)")
    return report


def _attempt(report: CheckReport, path: str, action: Any) -> None:
    """One document's repair; an error is reported and the others still run."""
    try:
        report.repaired.append(action())
    except QAError as exc:
        report.kept.append(f"{path}: not repaired ({exc})")


def _remove(ingestor: Ingestor, doc: DocumentInfo, why: str) -> str:
    ingestor.remove(doc.doc_id)
    return f"removed {doc.path} ({why})"


def _reembed(catalog: Catalog, store: Store, ingestor: Ingestor, doc: DocumentInfo) -> str:
    """New vectors from the catalog's own sentences: the file is not needed."""
    sentences = catalog.sentences(doc.doc_id)
    catalog.mark(doc.doc_id, "pending")
    store.delete_document(doc.doc_id)
    ingestor.add_vectors(doc.doc_id, doc.sha256, sentences, None, doc.path)
    catalog.restore(doc.doc_id, doc.sha256)
    return f"re-embedded {doc.path} ({len(sentences)} sentences)"


def _redo(catalog: Catalog, ingestor: Ingestor, doc: DocumentInfo, report: CheckReport) -> str:
    if doc.status == "removing":  # the user asked for it to go: finish that, never bring it back
        return _remove(ingestor, doc, "finished an interrupted removal")
    path = Path(doc.path)
    if not path.is_file():
        return _remove(ingestor, doc, "file is gone")
    try:
        result = ingestor.ingest_file(path, force=True)
    except InputError as exc:
        # the new file cannot be used: keep (or restore) what was indexed, and say so every time until it is fixed
        if not catalog.sentences(doc.doc_id, 0, 0):
            return _remove(ingestor, doc, f"its file no longer parses and nothing of it was indexed: {exc.reason}")
        if doc.status != "ready":
            _reembed(catalog, ingestor.store, ingestor, doc)
        catalog.restore(doc.doc_id, "")  # unknown: the next check reports it as changed again
        report.kept.append(f"{doc.path}: kept the indexed version ({exc.reason})")
        return f"kept the indexed version of {doc.path}"
    return f"re-indexed {doc.path} ({result.status})"
