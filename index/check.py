"""``qa check``: compare the index with the files and the vector store; ``--repair`` makes them agree."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from index.catalog import Catalog
from index.ingest import Ingestor
from index.store import ChromaStore


@dataclass
class CheckReport:
    """Problems found, by kind; each list holds document paths (or ids, for orphans)."""

    missing: list[str] = field(default_factory=list)  # indexed, but the file is gone
    changed: list[str] = field(default_factory=list)  # the file differs from what was indexed
    interrupted: list[str] = field(default_factory=list)  # an ingest or removal that did not finish
    mismatched: list[str] = field(default_factory=list)  # vector count differs from sentence count
    orphans: list[str] = field(default_factory=list)  # vectors of documents the catalog does not know
    repaired: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.changed or self.interrupted or self.mismatched or self.orphans)

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check(catalog: Catalog, store: ChromaStore, ingestor: Ingestor, *, repair: bool = False) -> CheckReport:
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
        elif counts.get(d.doc_id, 0) != d.sentences:
            report.mismatched.append(d.path)
    report.orphans = sorted(doc_id for doc_id in counts if doc_id not in known)
    if not repair:
        return report
    by_path = {d.path: d for d in docs}
    for p in report.missing:
        ingestor.remove(by_path[p].doc_id)
        report.repaired.append(f"removed {p} (file is gone)")
    for p in report.interrupted + report.changed + report.mismatched:
        doc = by_path[p]
        if Path(p).is_file():
            catalog.begin(doc.doc_id, p, "redo", doc.size)  # force a full re-ingest
            result = ingestor.ingest_file(Path(p))
            report.repaired.append(f"re-indexed {p} ({result.status})")
        else:
            ingestor.remove(doc.doc_id)
            report.repaired.append(f"removed {p} (file is gone)")
    for doc_id in report.orphans:
        store.delete_document(doc_id)
        report.repaired.append(f"deleted orphan vectors of {doc_id}")
    return report
