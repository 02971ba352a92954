"""Ingest files: load → sentences → embed → Chroma → catalog, atomically per document, skipping unchanged ones."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from pathlib import Path

from index.catalog import Catalog
from index.embed import Embedder
from index.load import SUPPORTED, load
from index.sentences import split_spans
from index.store import ChromaStore
from qa.errors import InputError
from qa.records import IngestResult, Sentence

log = logging.getLogger("qa.ingest")

EMBED_BATCH = 256  # measured in bench/ingest: larger batches gain <2% and delay progress updates

Progress = Callable[[str, int, int], None]  # (file name, sentences done, sentences in file)


def doc_id_for(path: str) -> str:
    """Stable id of a document: a hash of its absolute path (so a changed file replaces itself)."""
    return hashlib.sha1(path.encode("utf-8")).hexdigest()[:16]


def expand(paths: Iterable[str | Path]) -> list[Path]:
    """Files to ingest: folders are walked for supported types; other paths are kept to get a clear error."""
    out: list[Path] = []
    for raw in paths:
        p = Path(raw).expanduser()
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUPPORTED
                              and not any(part.startswith(".") for part in f.relative_to(p).parts)))
        else:
            out.append(p)
    return out


def make_sentences(doc_id: str, text: str, page_at: Callable[[int], int | None]) -> list[Sentence]:
    return [Sentence(doc_id, i, s, e, page_at(s), text[s:e]) for i, (s, e) in enumerate(split_spans(text))]


class Ingestor:
    def __init__(self, catalog: Catalog, store: ChromaStore, embedder: Embedder, *, max_bytes: int) -> None:
        self.catalog = catalog
        self.store = store
        self.embedder = embedder
        self.max_bytes = max_bytes

    def ingest(self, paths: Iterable[str | Path], progress: Progress | None = None) -> list[IngestResult]:
        """Ingest every file; a bad file gets an ``error`` result and the others still go in."""
        results = []
        for path in expand(paths):
            try:
                results.append(self.ingest_file(path, progress))
            except InputError as exc:
                log.warning("not indexed: %s", exc)
                results.append(IngestResult(str(path), "error", exc.reason))
        return results

    def ingest_file(self, path: Path, progress: Progress | None = None) -> IngestResult:
        name = str(path.expanduser().resolve()) if path.exists() else str(path)
        extracted_path = Path(name)
        data = extracted_path.read_bytes() if extracted_path.is_file() else b""
        sha = hashlib.sha256(data).hexdigest()
        doc_id = doc_id_for(name)
        existing = self.catalog.document(doc_id)
        if existing and existing.status == "ready" and existing.sha256 == sha:
            return IngestResult(name, "unchanged", sentences=existing.sentences)
        # Everything that can fail on the file's content fails here, before the old version is touched.
        extracted = load(extracted_path, max_bytes=self.max_bytes)
        sentences = make_sentences(doc_id, extracted.text, extracted.page_at)
        if not sentences:
            raise InputError(name, "no sentences could be found in the text")
        self.catalog.begin(doc_id, name, sha, len(data))
        self.store.delete_document(doc_id)
        self.add_vectors(doc_id, sha, sentences, progress, name)
        self.catalog.commit(doc_id, extracted.text, sentences)
        log.info("indexed %s (%d sentences)", name, len(sentences))
        return IngestResult(name, "indexed", sentences=len(sentences))

    def add_vectors(self, doc_id: str, sha: str, sentences: list[Sentence], progress: Progress | None,
                    name: str) -> None:
        """Embed and store a document's sentences in batches; ids ``doc_id:index`` make a retry overwrite."""
        for lo in range(0, len(sentences), EMBED_BATCH):
            batch = sentences[lo : lo + EMBED_BATCH]
            self.store.add(
                ids=[f"{doc_id}:{s.index}" for s in batch],
                vectors=self.embedder.embed([s.text for s in batch]),
                texts=[s.text for s in batch],
                metadatas=[{"doc_id": doc_id, "idx": s.index, "sha": sha[:16]} for s in batch],
            )
            if progress:
                progress(Path(name).name, lo + len(batch), len(sentences))

    def remove(self, doc_id: str) -> None:
        """Mark the document, delete its vectors, then its rows: a crash between leaves it for ``qa check``."""
        self.catalog.mark(doc_id, "removing")
        self.store.delete_document(doc_id)
        self.catalog.remove(doc_id)
