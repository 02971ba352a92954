"""Ingest files: load → sentences → embed → Chroma → catalog, atomically per document, skipping unchanged ones."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from index.catalog import Catalog
from index.embed import Embedder
from index.errors import InputError
from index.load import SUPPORTED, load
from index.records import IngestResult, Sentence
from index.sentences import split_spans
from index.store import Store

log = logging.getLogger("qa.ingest")

EMBED_BATCH = 256  # default `embed_batch`; `python -m bench scale` measures others: larger gain <2%, delay progress


@dataclass(frozen=True)
class _Prepared:
    """A document read and split, ready to embed and write."""

    name: str
    doc_id: str
    sha: str
    size: int
    text: str
    sentences: list[Sentence]
    existed: bool


Progress = Callable[[str, int, int], None]  # (file name, sentences done, sentences in file)


def doc_id_for(path: str) -> str:
    """Stable id of a document: a hash of its absolute path (so a changed file replaces itself)."""
    return hashlib.sha1(path.encode("utf-8")).hexdigest()[:16]


def vector_id(doc_id: str, idx: int) -> str:
    """The id of a sentence's vector in the ``Store``: ``doc_id:idx``, so writing a document again overwrites it."""
    return f"{doc_id}:{idx}"


def vector_metadata(doc_id: str, idx: int, sha: str) -> dict[str, Any]:
    """The metadata stored with a sentence's vector (``qa check`` and the retriever read ``doc_id`` and ``idx``)."""
    return {"doc_id": doc_id, "idx": idx, "sha": sha[:16]}


def walk(paths: Iterable[str | Path]) -> tuple[list[Path], list[Path]]:
    """(files to ingest, files of walked folders left out for their type). Folders are walked for supported types,
    hidden files (a dot in any part of the path below the folder) left out silently; other paths are kept to get a
    clear error. The second list lets a caller say what it skipped: a folder's ``notes.xyz`` is not silently ignored."""
    take: list[Path] = []
    left: list[Path] = []
    for raw in paths:
        p = Path(raw).expanduser()
        if not p.is_dir():
            take.append(p)
            continue
        files = sorted(f for f in p.rglob("*") if f.is_file())
        for f in files:
            if not any(part.startswith(".") for part in f.relative_to(p).parts):
                (take if f.suffix.lower() in SUPPORTED else left).append(f)
    return take, left


def expand(paths: Iterable[str | Path]) -> list[Path]:
    """Files to ingest (``walk``)."""
    return walk(paths)[0]


def make_sentences(doc_id: str, text: str, page_at: Callable[[int], int | None]) -> list[Sentence]:
    return [Sentence(doc_id, i, s, e, page_at(s), text[s:e]) for i, (s, e) in enumerate(split_spans(text))]


class Ingestor:
    def __init__(
        self,
        catalog: Catalog,
        store: Store,
        embedder: Embedder,
        *,
        max_bytes: int,
        max_chars: int = 2_000_000,
        max_sentences: int = 20_000,
        seconds: float | None = None,
        embed_batch: int = EMBED_BATCH,
    ) -> None:
        self.catalog = catalog
        self.store = store
        self.embedder = embedder
        self.max_bytes = max_bytes
        self.max_chars = max_chars  # bounded work per file: a small file can extract to a huge text
        self.max_sentences = max_sentences
        self.seconds = seconds  # time limit to extract one file's text (None: no child process)
        self.embed_batch = embed_batch  # sentences per embedder call and per Chroma upsert

    def ingest(
        self,
        paths: Iterable[str | Path],
        progress: Progress | None = None,
        done: Callable[[IngestResult], None] | None = None,
        *,
        force: bool = False,
    ) -> list[IngestResult]:
        """Ingest every file; a bad file gets an ``error`` result and the others still go in. ``done`` is called
        with each file's result as soon as it is final (written, unchanged or refused), not in the files' order.
        ``force``: read again and re-index files that look unchanged (after a change to how files are read).

        Small documents are embedded together (one embedder call per ``embed_batch`` sentences) on a worker
        thread, while this thread reads and splits the next files and writes the batch embedded before: the
        embedder, the pipeline's limit, is kept busy. Each batch goes to Chroma in one upsert; every document
        is marked pending before its vectors are written and ready only after, so an interruption leaves
        pending documents that the next ingest (or ``qa check --repair``) redoes, never a half-indexed ready one.
        """
        results: list[IngestResult | None] = []
        batch: list[tuple[int, _Prepared]] = []
        embedding: tuple[list[tuple[int, _Prepared]], Future[np.ndarray]] | None = None

        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="qa-embed") as pool:

            def settle(slot: int, result: IngestResult) -> None:
                results[slot] = result
                if done is not None:
                    done(result)

            def write(job: tuple[list[tuple[int, _Prepared]], Future[np.ndarray]]) -> None:
                slots, future = job
                for slot, result in zip(slots, self._write_many([p for _, p in slots], future.result(), progress), strict=True):
                    settle(slot[0], result)

            def flush() -> None:
                nonlocal embedding
                texts = [s.text for _, p in batch for s in p.sentences]
                job = (list(batch), pool.submit(self.embedder.embed, texts))
                batch.clear()
                previous, embedding = embedding, job
                if previous:
                    write(previous)

            for path in expand(paths):
                results.append(None)
                try:
                    prep = self._prepare(path, force=force)
                except InputError as exc:
                    log.warning("not indexed: %s", exc)
                    settle(len(results) - 1, IngestResult(str(path), "error", exc.reason))
                    continue
                if isinstance(prep, IngestResult):
                    settle(len(results) - 1, prep)
                elif len(prep.sentences) >= self.embed_batch:
                    # commit the small files read so far first: an interrupted big one must not take them along
                    if batch:
                        flush()
                    if embedding:
                        write(embedding)
                        embedding = None
                    settle(len(results) - 1, self._write(prep, progress))
                else:
                    batch.append((len(results) - 1, prep))
                    if sum(len(p.sentences) for _, p in batch) >= self.embed_batch:
                        flush()
            if batch:
                flush()
            if embedding:
                write(embedding)
        return [r for r in results if r is not None]

    def ingest_file(self, path: Path, progress: Progress | None = None, *, force: bool = False) -> IngestResult:
        """One file; ``force`` re-indexes it even when it looks unchanged (repair)."""
        prep = self._prepare(path, force=force)
        return prep if isinstance(prep, IngestResult) else self._write(prep, progress)

    def _prepare(self, path: Path, *, force: bool = False) -> _Prepared | IngestResult:
        """Read, hash, extract and split; everything that can fail on the file's content fails here,
        before the indexed version is touched."""
        name = str(path.expanduser().resolve()) if path.exists() else str(path)
        source = Path(name)
        data = source.read_bytes() if source.is_file() else b""
        sha = hashlib.sha256(data).hexdigest()
        doc_id = doc_id_for(name)
        existing = self.catalog.document(doc_id)
        if existing and existing.status == "ready" and existing.sha256 == sha and not force:
            return IngestResult(name, "unchanged", sentences=existing.sentences)
        extracted = load(source, max_bytes=self.max_bytes, seconds=self.seconds)
        if len(extracted.text) > self.max_chars:
            raise InputError(
                name,
                f"its text is {len(extracted.text):,} characters, over the limit of "
                f"{self.max_chars:,} per file (QA_MAX_CHARS); split it into smaller files",
            )
        sentences = make_sentences(doc_id, extracted.text, extracted.page_at)
        if not sentences:
            raise InputError(name, "no sentences could be found in the text")
        if len(sentences) > self.max_sentences:
            raise InputError(
                name,
                f"it has {len(sentences):,} sentences, over the limit of {self.max_sentences:,} "
                "per file (QA_MAX_SENTENCES); split it into smaller files",
            )
        return _Prepared(name, doc_id, sha, len(data), extracted.text, sentences, existing is not None)

    def _write(self, prep: _Prepared, progress: Progress | None) -> IngestResult:
        """Pending → old vectors out → new vectors in → sentences committed and ready (see index/catalog.py)."""
        self._begin(prep)
        self.add_vectors(prep.doc_id, prep.sha, prep.sentences, progress, prep.name)
        return self._commit(prep)[0]

    def _write_many(self, preps: list[_Prepared], vectors: np.ndarray, progress: Progress | None) -> list[IngestResult]:
        """Several small documents embedded together: all pending (one transaction), one upsert, then all ready
        (one transaction): one synced catalog write per batch, not two per document."""
        self._begin(*preps)
        self._store([(p.doc_id, p.sha, s) for p in preps for s in p.sentences], vectors)
        out = self._commit(*preps)
        if progress:
            for prep in preps:
                progress(Path(prep.name).name, len(prep.sentences), len(prep.sentences))
        return out

    def _begin(self, *preps: _Prepared) -> None:
        self.catalog.begin_many([(p.doc_id, p.name, p.sha, p.size) for p in preps])
        for prep in preps:
            if prep.existed:  # a new document has no old vectors: skip the (slow) filtered delete
                self.store.delete_document(prep.doc_id)

    def _commit(self, *preps: _Prepared) -> list[IngestResult]:
        self.catalog.commit_many([(p.doc_id, p.text, p.sentences) for p in preps])
        for prep in preps:
            log.info("indexed %s (%d sentences)", prep.name, len(prep.sentences))
        return [IngestResult(p.name, "indexed", sentences=len(p.sentences)) for p in preps]

    def _store(self, rows: list[tuple[str, str, Sentence]], vectors: np.ndarray) -> None:
        """Upsert (doc_id, sha, sentence) rows with their vectors; ids ``doc_id:index`` make a retry overwrite."""
        self.store.add(
            ids=[vector_id(doc_id, s.index) for doc_id, _, s in rows],
            vectors=vectors,
            texts=[s.text for _, _, s in rows],
            metadatas=[vector_metadata(doc_id, s.index, sha) for doc_id, sha, s in rows],
        )

    def add_vectors(self, doc_id: str, sha: str, sentences: list[Sentence], progress: Progress | None, name: str) -> None:
        """Embed and store a document's sentences in batches; ids ``doc_id:index`` make a retry overwrite."""
        for lo in range(0, len(sentences), self.embed_batch):
            batch = sentences[lo : lo + self.embed_batch]
            self._store([(doc_id, sha, s) for s in batch], self.embedder.embed([s.text for s in batch]))
            if progress:
                progress(Path(name).name, lo + len(batch), len(sentences))

    def remove(self, doc_id: str) -> None:
        """Mark the document, delete its vectors, then its rows: a crash between leaves it for ``qa check``."""
        self.catalog.mark(doc_id, "removing")
        self.store.delete_document(doc_id)
        self.catalog.remove(doc_id)
