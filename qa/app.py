"""The composition root: ``build_app(settings)`` wires store, embedder, retriever, generator and pipelines.

The CLI, the UI, the HTTP API, the benchmarks and the tests all go through it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path, PurePath
from typing import Any

from index.catalog import Catalog
from index.check import CheckReport, check
from index.embed import Embedder, SentenceTransformerEmbedder
from index.ingest import EMBED_BATCH, Ingestor, Progress, expand
from index.load import SUPPORTED, parse
from index.lock import WriteLock
from index.store import Store, open_store
from qa.ask import Asker
from qa.cite import Verifier, VerifierConfig
from qa.compare import Comparer, Comparison, route
from qa.errors import IndexStateError, InputError, NotIndexedError, TooLargeError
from qa.factcheck import Check, FactChecker
from qa.generate import Generator, LlamaCppGenerator, OpenAIGenerator, probe
from qa.judge import Judge
from qa.models import resolve_model
from qa.records import Answer, DocumentInfo, IngestResult, Sentence
from qa.retrieve import Retriever
from qa.settings import Settings


def seed_files(folder: Path) -> list[Path]:
    """The sample documents in ``folder`` (its README describes them and is not one of them)."""
    return [p for p in expand([folder]) if p.name.lower() != "readme.md"]


MAX_NAME_BYTES = 200  # an uploaded file's name (most file systems allow 255 bytes)
MAX_QUESTION_CHARS = 2000  # a question or statement: its sources must still fit the model's context


def upload_name(name: str) -> str:
    r"""The name an uploaded file is stored under: its base name (no folder of the sender's), without what a file
    name may not hold on common file systems (control characters, ``<>:"/\|?*``, leading dots) but with the rest
    as given: "Rapport été 2024 — final ✓.txt" stays itself (it was stored with "_" for "—" and "✓", and then
    could not be removed by the name it was sent with; "a—b.txt" and "a✓b.txt" of one upload were one name).

    >>> upload_name("../../Rapport été 2024 — final ✓.txt"), upload_name("C:\\Users\\me\\a:b?.txt"), upload_name(".hidden.md")
    ('Rapport été 2024 — final ✓.txt', 'a_b_.txt', 'hidden.md')
    """
    base = unicodedata.normalize("NFC", PurePath(name.replace("\\", "/")).name)  # "é" typed either way is one name
    return "".join("_" if ch in '<>:"|?*' or not ch.isprintable() else ch for ch in base).strip().lstrip(".")


def checked_text(text: str, what: str) -> str:
    """A question or statement that is not empty and within ``MAX_QUESTION_CHARS``."""
    if not text.strip():
        raise InputError(what, f"the {what} is empty")
    if len(text) > MAX_QUESTION_CHARS:
        raise TooLargeError(
            what, f"the {what} is {len(text):,} characters long, over the limit of {MAX_QUESTION_CHARS:,}; shorten it"
        )
    return text


def verifier_config(settings: Settings) -> VerifierConfig:
    return VerifierConfig(support=settings.support_threshold, answer=settings.answer_threshold)


SEEDS_OFFERED = "seeds_offered"  # catalog meta key: the first use of this data folder has passed (``App.ensure_seeds``)


class App:
    def __init__(
        self,
        settings: Settings,
        embedder: Embedder,
        generator: Generator | None = None,
        *,
        judge: Judge | None = None,
        catalog: Catalog | None = None,
        store: Store | None = None,
        allow_model_change: bool = False,
        writer: bool = False,
        embed_batch: int = EMBED_BATCH,
    ) -> None:
        """Every part may be passed in (a test's fake, a bench's shared model); the rest is built from ``settings``.
        ``embed_batch``: sentences per embedder call and per vector upsert when ingesting."""
        self.settings = settings
        self.embedder = embedder
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.lock = WriteLock(settings.data_dir / "qa.lock")
        if writer:  # a writing process takes the lock before it opens the store, and keeps it until close()
            self.lock.acquire()
        self.catalog = catalog or Catalog(settings.data_dir / "catalog.db")
        built_with = self.catalog.get_meta("embed_model")
        if built_with is None:
            self.catalog.set_meta("embed_model", embedder.name)
        elif built_with != embedder.name and not allow_model_change:
            raise IndexStateError(
                f"The index was built with the embedding model '{built_with}' but '{embedder.name}' is configured; "
                "run `qa reindex` to rebuild it with the new model, or set QA_EMBED_MODEL back."
            )
        self.store: Store = store or open_store(
            embedder,
            data_dir=settings.data_dir,
            chroma_url=settings.chroma_url,
            chroma_token=settings.chroma_token,
            collection=settings.collection,
        )
        self.ingestor = Ingestor(
            self.catalog,
            self.store,
            embedder,
            max_bytes=self.max_bytes,
            max_chars=settings.max_chars,
            max_sentences=settings.max_sentences,
            seconds=settings.file_seconds,
            embed_batch=embed_batch,
        )
        self.retriever = Retriever(self.catalog, self.store, embedder)
        self._generator = generator
        self._judge = judge
        self._gen_lock = threading.Lock()
        self.verifier = Verifier(embedder, self.judge, verifier_config(settings))
        self.asker = Asker(settings, self.retriever, self.verifier, self.generator)
        self.comparer = Comparer(self.asker, embedder, relevance=settings.relevance_threshold)
        self.checker = FactChecker(self.retriever, self.verifier, relevance=settings.relevance_threshold)

    # generation is loaded on first use: listing or ingesting documents never pays for the model
    def generator(self) -> Generator:
        with self._gen_lock:
            if self._generator is None:
                s = self.settings
                if s.llm_url:
                    self._generator = OpenAIGenerator(s.llm_url, s.llm_model, s.llm_api_key)
                else:
                    path = resolve_model(s.model_path, s.data_dir)
                    probe(path, n_threads=s.n_threads, stamp_dir=s.data_dir / "models")  # a crash becomes a message
                    self._generator = LlamaCppGenerator(path, n_ctx=s.n_ctx, n_threads=s.n_threads)
            return self._generator

    def judge(self) -> Judge:
        """The yes/no judge of the verifier: the generator's own (``qa.judge``) unless one was passed in."""
        if self._judge is None:
            gen = self.generator()
            self._judge = gen.judge() if hasattr(gen, "judge") else gen  # type: ignore[assignment]
        return self._judge  # type: ignore[return-value]

    @property
    def model_name(self) -> str:
        s = self.settings
        if self._generator is not None:
            return self._generator.name
        return s.llm_model if s.llm_url else (s.model_path.name if s.model_path else "Qwen2.5-Coder-1.5B-Instruct (bundled)")

    # documents
    def ingest(
        self,
        paths: Iterable[str | Path],
        progress: Progress | None = None,
        done: Callable[[IngestResult], None] | None = None,
        *,
        force: bool = False,
    ) -> list[IngestResult]:
        """``Ingestor.ingest`` under the write lock; ``done`` gets each file's result as soon as it is final."""
        with self.writing():
            results = self.ingestor.ingest(paths, progress, done, force=force)
            self._in_use(results)
            return results

    def _in_use(self, results: list[IngestResult]) -> None:
        """Once a document is in, the data folder's first use is past: the samples no longer come unasked
        (``ensure_seeds``). A first command that put nothing in (a mistyped path) does not count."""
        if any(r.status in ("indexed", "unchanged") for r in results) and self.catalog.get_meta(SEEDS_OFFERED) is None:
            self.catalog.set_meta(SEEDS_OFFERED, "1")

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the data directory's write lock (``index.lock``): one writing process at a time."""
        self.lock.acquire()
        try:
            yield
        finally:
            self.lock.release()

    @property
    def max_bytes(self) -> int:
        """The file-size limit in bytes (``QA_MAX_FILE_MB``)."""
        return int(self.settings.max_file_mb * 1e6)

    @property
    def uploads_dir(self) -> Path:
        """Where uploaded files are kept (their stored copy is the document's path)."""
        return (self.settings.data_dir / "uploads").resolve()

    def add_upload(
        self, name: str, data: bytes, progress: Progress | None = None, *, size: int | None = None, batch: set[str] | None = None
    ) -> IngestResult:
        """Store an uploaded file under ``data_dir/uploads`` by its plain base name and ingest it.

        The name cannot leave that folder, the type must be supported, the size within the limit, and the
        content must parse before anything on disk is replaced, so a bad upload never harms what is indexed.
        A name is one document: a different file uploaded under a name already uploaded is its new version
        (``replaced`` in the result, so that the caller can say so), but two files of one upload (``batch``: the
        names of the upload so far) may not share a name, or the first would be lost unseen.
        """
        safe = upload_name(name)
        if not safe:
            return IngestResult(name, "error", "the file name is empty")
        if len(safe.encode()) > MAX_NAME_BYTES:
            return IngestResult(
                safe[:60] + "…",
                "error",
                f"the file name is {len(safe)} characters long, over the limit of {MAX_NAME_BYTES}; rename the file",
            )
        folder = self.uploads_dir
        target = (folder / safe).resolve()
        if target.parent != folder:
            return IngestResult(name, "error", "the file name is not allowed")
        suffix = target.suffix.lower()
        limit = self.max_bytes
        try:
            if suffix not in SUPPORTED:
                raise InputError(safe, f"unsupported file type '{suffix or 'none'}' (supported: {', '.join(SUPPORTED)})")
            if not data:
                raise InputError(safe, "the file is empty")
            if len(data) > limit or (size or 0) > limit:
                true = max(size or 0, len(data))
                shown = f"{true / 1e6:.1f} MB" if size else f"over {limit / 1e6:.0f} MB"
                raise InputError(safe, f"the file is {shown}, over the {limit / 1e6:.0f} MB limit (QA_MAX_FILE_MB)")
            parse(data, suffix, safe)
            if batch is not None and safe.casefold() in batch:  # one file on a case-insensitive file system
                raise InputError(safe, "another file of this upload has the same name; rename one (a name is one document)")
        except InputError as exc:
            return IngestResult(safe, "error", exc.reason)
        if batch is not None:
            batch.add(safe.casefold())
        with self.writing():
            folder.mkdir(parents=True, exist_ok=True)
            replacing = target.is_file() and target.read_bytes() != data
            tmp = folder / f".{safe}.part"
            tmp.write_bytes(data)
            os.replace(tmp, target)
            result = self.ingestor.ingest_file(target, progress)
            self._in_use([result])
            return replace(result, replaced=True) if replacing and result.status == "indexed" else result

    def documents(self) -> list[DocumentInfo]:
        return self.catalog.documents()

    def resolve(self, name: str) -> DocumentInfo:
        """A document by id, full path, file name or unique path suffix."""
        docs = self.catalog.documents(status=None)
        exact = [d for d in docs if name in (d.doc_id, d.path)]
        if exact:
            return exact[0]
        matches = [d for d in docs if PurePath(d.path).name == name or d.path.endswith("/" + name.lstrip("/"))]
        stored = upload_name(name)
        if not matches and stored != name and not re.search(r"[/\\]", name):  # an upload by the name it was sent
            # with ("a:b.txt" is stored as "a_b.txt"); never a path's base name ("~/docs/report.txt" is not ours)
            matches = [d for d in docs if d.path == str(self.uploads_dir / stored)]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise NotIndexedError(f"No indexed document matches '{name}'. `qa docs` lists what is indexed.")
        raise NotIndexedError(
            f"'{name}' matches {len(matches)} documents; give more of the path: " + ", ".join(d.path for d in matches)
        )

    def doc_ids(self, names: Iterable[str] | None) -> list[str] | None:
        names = list(names or [])
        return [self.resolve(n).doc_id for n in names] if names else None

    def remove(self, name: str) -> DocumentInfo:
        """Remove a document from the index, and our own copy of it if it was uploaded (every front end)."""
        doc = self.resolve(name)
        with self.writing():
            self.ingestor.remove(doc.doc_id)
            copy = Path(doc.path)
            if copy.parent == self.uploads_dir and copy.is_file():
                copy.unlink()
        return doc

    def samples(self, docs: list[DocumentInfo] | None = None) -> list[DocumentInfo]:
        """The indexed documents (of ``docs``, when the caller has them) that are the bundled samples (files in
        ``Settings.seeds_dir``; an indexed path is resolved already); none when that folder holds the uploads
        (removing a sample would then delete an upload)."""
        seeds, uploads = self.settings.seeds_dir.resolve(), self.uploads_dir
        if uploads.is_relative_to(seeds) or seeds.is_relative_to(uploads):
            return []
        return [d for d in (self.documents() if docs is None else docs) if PurePath(d.path).is_relative_to(seeds)]

    def remove_samples(self) -> list[DocumentInfo]:
        """Remove every sample document from the index (the files stay; ``ensure_seeds(again=True)`` indexes them
        again): a user's own documents are then the only ones questions are answered from."""
        return [self.remove(d.doc_id) for d in self.samples()]

    def text(self, doc_id: str) -> str:
        return self.catalog.text(doc_id)

    def sentences(self, doc_id: str, lo: int = 0, hi: int | None = None) -> list[Sentence]:
        return self.catalog.sentences(doc_id, lo, hi)

    def ensure_seeds(self, *, again: bool = False) -> list[IngestResult]:
        """On the first use of a data folder with nothing indexed, index the bundled sample documents so a question
        works right away; only then: removing every document later does not bring them back unasked (a probe's
        next `qa verify` indexed them into a folder the user had emptied). ``again``: the user asks for them."""
        if not self.settings.seeds_dir.is_dir():
            return []
        if not again:
            if self.catalog.get_meta(SEEDS_OFFERED) is not None:
                return []
            if self.catalog.documents(status=None):
                # in use already (a folder from before the marker): marked without the write lock, which a
                # running `qa serve` holds, so that a command that only reads does not wait on it
                self.catalog.set_meta(SEEDS_OFFERED, "1")
                return []
        return self.ingest(seed_files(self.settings.seeds_dir))

    # questions
    Route = tuple[str, list[str]]

    def ask(self, question: str, *, docs: Iterable[str] | None = None, routed: Route | None = None, **kwargs: Any) -> Answer:
        """The answer, with its ``route`` (``routed`` when the caller has worked it out already)."""
        answer = self.asker.ask(checked_text(question, "question"), doc_ids=self.doc_ids(docs), **kwargs)
        return self._routed(answer, routed or self.route(question, follow_up=bool(kwargs.get("history"))))

    def ask_stream(
        self, question: str, *, docs: Iterable[str] | None = None, routed: Route | None = None, **kwargs: Any
    ) -> Iterator[Any]:
        stream = self.asker.stream(checked_text(question, "question"), doc_ids=self.doc_ids(docs), **kwargs)
        routed = routed or self.route(question, follow_up=bool(kwargs.get("history")))
        return self._routed_stream(stream, routed)  # a call, not a generator: bad input raises here

    def _routed_stream(self, stream: Iterator[Any], routed: Route) -> Iterator[Any]:
        for event in stream:
            if event.kind == "answer":
                event = replace(event, data=self._routed(event.data, routed))
            yield event

    @staticmethod
    def _routed(answer: Answer, routed: Route) -> Answer:
        """``answer`` with what the chat would do with its question (``route``): the API and ``qa ask`` route as the
        chat does, and say so in the answer rather than change its shape."""
        return replace(answer, route=routed[0], route_documents=routed[1])

    def check(self, *, repair: bool = False) -> CheckReport:
        if not repair:
            return check(self.catalog, self.store, self.ingestor, uploads=self.uploads_dir)
        with self.writing():
            return check(self.catalog, self.store, self.ingestor, repair=True, uploads=self.uploads_dir)

    def reindex(self, progress: Progress | None = None) -> int:
        """Re-embed every indexed sentence with the configured embedder (from the catalog, files not needed)."""
        with self.writing():
            return self._reindex(progress)

    def _reindex(self, progress: Progress | None) -> int:
        self.store.reset()
        total = 0
        for doc in self.catalog.documents():
            sentences = self.catalog.sentences(doc.doc_id)
            self.ingestor.add_vectors(doc.doc_id, doc.sha256, sentences, progress, doc.path)
            total += len(sentences)
        self.catalog.set_meta("embed_model", self.embedder.name)
        return total

    def compare(self, question: str, *, docs: Iterable[str] | None = None) -> Comparison:
        """Per-document cited answers and agree/differ/only-in points; all documents when none are named."""
        names = list(docs or [])
        chosen = [self.resolve(n) for n in names] if names else self.catalog.documents()
        return self.comparer.compare(checked_text(question, "question"), chosen, chosen=bool(names))

    def verify(self, statement: str, *, docs: Iterable[str] | None = None) -> Check:
        """Whether the documents support, contradict or dispute ``statement``, with the sentences that say so."""
        return self.checker.check(checked_text(statement, "statement"), self.doc_ids(docs))

    def route(self, question: str, *, follow_up: bool = False) -> Route:
        """``("compare", paths)`` when a chat question names two or more documents or asks to compare (a follow-up:
        only when it names them, ``qa.compare.route``)."""
        kind, named = route(question, self.catalog.documents(), follow_up=follow_up)
        return kind, [d.path for d in named]

    def close(self) -> None:
        self.catalog.close()
        while self.lock.held:
            self.lock.release()


class _LogFile(logging.FileHandler):
    """``DATA_DIR/qa.log``; a log line that cannot be written (the folder was removed) never fails the caller."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            super().emit(record)
        except OSError:
            pass


def configure_logging(settings: Settings) -> None:
    """Log to the data directory of the app built last (one process may build apps over several folders)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger("qa")
    path = str((settings.data_dir / "qa.log").resolve())
    for old in [h for h in root.handlers if isinstance(h, _LogFile)]:
        if old.baseFilename == path:
            return
        root.removeHandler(old)
        old.close()
    handler = _LogFile(path, encoding="utf-8", delay=True)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())
    root.propagate = False


def build_app(
    settings: Settings | None = None,
    *,
    embedder: Embedder | None = None,
    generator: Generator | None = None,
    judge: Judge | None = None,
    catalog: Catalog | None = None,
    store: Store | None = None,
    allow_model_change: bool = False,
    writer: bool = False,
    embed_batch: int = EMBED_BATCH,
) -> App:
    """Wire every part from ``settings`` (default: ``Settings.from_env()``); pass parts to share or replace them."""
    settings = settings or Settings.from_env()
    configure_logging(settings)
    embedder = embedder or SentenceTransformerEmbedder(settings.embed_model)
    return App(
        settings,
        embedder,
        generator,
        judge=judge,
        catalog=catalog,
        store=store,
        allow_model_change=allow_model_change,
        writer=writer,
        embed_batch=embed_batch,
    )
