"""Measuring for ``python -m bench scale`` and ``python -m bench keyword``: timed parts, one store under test, the
keyword index's latency, and the machine. Everything goes through the product's public API (``App``, ``Catalog``,
``ChromaStore``, ``index.ingest``): timing wraps parts passed to ``App``, it never patches them."""

from __future__ import annotations

import hashlib
import os
import platform
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from index.catalog import Catalog
from index.ingest import EMBED_BATCH, doc_id_for, make_sentences, vector_id, vector_metadata
from index.records import Sentence
from index.store import ChromaStore, open_store
from qa.settings import REPO_ROOT, Settings

Doc = tuple[str, str, list[tuple[int, int]]]  # (path, text, sentence spans)
NewDocument = tuple[str, str, str, int, str, list[Sentence]]  # what Catalog.add_ready takes


class Clock:
    """Seconds spent inside wrapped calls, by name."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = {}

    def wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.add(name, time.perf_counter() - t)

        return timed

    def add(self, name: str, seconds: float) -> None:
        self.spent[name] = self.spent.get(name, 0.0) + seconds


class TimedEmbedder:
    """An ``Embedder`` whose calls count as ``embed``."""

    def __init__(self, inner: Any, clock: Clock) -> None:
        self.name, self.dim = inner.name, inner.dim
        self.embed = clock.wrap("embed", inner.embed)


class TimedStore:
    """A ``Store`` whose vector upserts (``add``) count as ``chroma``; everything else is the inner store's."""

    def __init__(self, inner: ChromaStore, clock: Clock) -> None:
        self.inner, self.name = inner, inner.name
        self.add = clock.wrap("chroma", inner.add)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class TimedCatalog(Catalog):
    """A ``Catalog`` whose ``commit_many`` (documents' sentences and keyword rows, made ready; ``commit`` too) counts
    as ``catalog``."""

    def __init__(self, path: Path, clock: Clock) -> None:
        super().__init__(path)
        self.clock = clock

    def commit_many(self, documents: list[tuple[str, str, list[Sentence]]]) -> None:
        t = time.perf_counter()
        try:
            super().commit_many(documents)
        finally:
            self.clock.add("catalog", time.perf_counter() - t)


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if values else float("nan")


def rotate(items: list[Any], k: int) -> list[Any]:
    """``items`` starting at position ``k``: who goes first changes from one round to the next."""
    k %= len(items)
    return items[k:] + items[:k]


def new_documents(docs: list[Doc]) -> list[NewDocument]:
    """Generated documents as ``Catalog.add_ready`` takes them, with the ids and sentences ingest gives them."""
    out = []
    for path, text, spans in docs:
        doc_id = doc_id_for(path)
        sentences = [Sentence(doc_id, i, a, b, None, text[a:b]) for i, (a, b) in enumerate(spans)]
        out.append((doc_id, path, hashlib.sha256(text.encode()).hexdigest(), len(text), text, sentences))
    return out


def insert_catalog(catalog: Catalog, docs: list[Doc]) -> None:
    """New documents into the catalog, ready, in one transaction (``Catalog.add_ready``)."""
    catalog.add_ready(new_documents(docs))


def commit_probe(catalog: Catalog, path: str, text: str, spans: list[tuple[int, int]]) -> float:
    """Seconds for ``Catalog.begin`` + ``commit`` of one new document, as ingest does it."""
    ((doc_id, path, sha, size, text, sentences),) = new_documents([(path, text, spans)])
    t = time.perf_counter()
    catalog.begin(doc_id, path, sha, size)
    catalog.commit(doc_id, text, sentences)
    return time.perf_counter() - t


def split(path: Path) -> list[str]:
    """The sentences ingest will make of ``path``."""
    return [s.text for s in make_sentences("x", path.read_text(encoding="utf-8"), lambda _: None)]


def perturb(vectors: np.ndarray, rng: np.random.Generator, sigma: float) -> np.ndarray:
    """``vectors`` plus Gaussian noise of ``sigma`` per dimension, re-normalised."""
    out = vectors + rng.normal(0.0, sigma, vectors.shape).astype(np.float32)
    return out / np.linalg.norm(out, axis=1, keepdims=True)


class Backend:
    """One ``App`` (embedded store or Chroma server) whose write path is timed: its embedder, store and catalog
    are timed wrappers passed in, and ``embed_batch`` is the ingest parameter."""

    def __init__(self, label: str, settings: Settings, embedder: Any, *, embed_batch: int = EMBED_BATCH) -> None:
        from qa.app import App

        self.label, self.clock = label, Clock()
        timed = TimedEmbedder(embedder, self.clock)
        self.store = open_store(
            timed,
            data_dir=settings.data_dir,
            chroma_url=settings.chroma_url,
            chroma_token=settings.chroma_token,
            collection=settings.collection,
        )
        catalog = TimedCatalog(settings.data_dir / "catalog.db", self.clock)
        self.app = App(settings, timed, catalog=catalog, store=TimedStore(self.store, self.clock), embed_batch=embed_batch)
        self.sentences = 0
        self.bulk_s, self.bulk_n = 0.0, 0

    def ingest(self, path: Path) -> None:
        t = time.perf_counter()
        (r,) = self.app.ingest([path])
        self.clock.add("wall", time.perf_counter() - t)
        assert r.status == "indexed", r
        self.sentences += r.sentences

    def take(self) -> dict[str, float]:
        spent, self.clock.spent = self.clock.spent, {}
        return spent

    def bulk(self, docs: list[Doc], vectors: np.ndarray, batch: int) -> None:
        """New documents with precomputed vectors, ``batch`` per upsert: vectors first, then the catalog, as ingest
        orders them (untimed by the clock: ``bulk_s`` counts them)."""
        t = time.perf_counter()
        rows = new_documents(docs)
        ids = [vector_id(doc_id, s.index) for doc_id, *_, ss in rows for s in ss]
        texts = [s.text for *_, ss in rows for s in ss]
        metas = [vector_metadata(doc_id, s.index, sha) for doc_id, _, sha, *_, ss in rows for s in ss]
        for lo in range(0, len(ids), batch):
            self.store.add(ids[lo : lo + batch], vectors[lo : lo + batch], texts[lo : lo + batch], metas[lo : lo + batch])
        self.app.catalog.add_ready(rows)
        self.bulk_s += time.perf_counter() - t
        self.bulk_n += len(ids)
        self.sentences += len(ids)

    def latency(self, questions: list[str], qvecs: np.ndarray, k: int, top_k: int, retriever_queries: int) -> dict[str, float]:
        """p50/p95 of the dense store query, the keyword query, both, and the whole ``Retriever.search`` (for the
        first ``retriever_queries`` questions: it embeds the question, slow on a busy CPU)."""
        col, cat = self.store.collection, self.app.catalog
        include = ["metadatas", "documents", "distances"]
        for q, v in zip(questions[:5], qvecs[:5], strict=False):  # warm caches and the HNSW index
            col.query(query_embeddings=[v], n_results=k, include=include)
            cat.keyword_search(q, k)
        times: dict[str, list[float]] = {"dense": [], "keyword": [], "store_keyword": [], "retriever": []}
        for i, (q, v) in enumerate(zip(questions, qvecs, strict=True)):
            t0 = time.perf_counter()
            col.query(query_embeddings=[v], n_results=k, include=include)
            t1 = time.perf_counter()
            cat.keyword_search(q, k)
            t2 = time.perf_counter()
            times["dense"].append(t1 - t0)
            times["keyword"].append(t2 - t1)
            times["store_keyword"].append(t2 - t0)
            if i < retriever_queries:
                self.app.retriever.search(q, top_k)
                times["retriever"].append(time.perf_counter() - t2)
        return {f"{n}_{q}": pct(xs, float(q[1:])) for n, xs in times.items() for q in ("p50", "p95")}

    def close(self) -> None:
        self.app.close()


def keyword_latency(catalog: Catalog, questions: list[str], k: int) -> dict[str, float]:
    """p50/p95 of ``Catalog.keyword_search`` and of ``plain_keyword_search`` (``nojoin``: the plain BM25 OR query),
    and the median sentences a question's OR query matches (of the first 30)."""
    for q in questions[:5]:
        catalog.keyword_search(q, k)
    ours, bare = [], []
    for q in questions:
        t0 = time.perf_counter()
        catalog.keyword_search(q, k)
        t1 = time.perf_counter()
        catalog.plain_keyword_search(q, k)
        bare.append(time.perf_counter() - t1)
        ours.append(t1 - t0)
    return {
        "keyword_p50": pct(ours, 50),
        "keyword_p95": pct(ours, 95),
        "nojoin_p50": pct(bare, 50),
        "nojoin_p95": pct(bare, 95),
        "matched": float(np.median([catalog.keyword_matches(q) for q in questions[:30]])),
    }


def machine() -> dict[str, Any]:
    import sqlite3

    import chromadb
    import sentence_transformers
    import torch

    def first(path: str, key: str) -> str:
        p = Path(path)
        lines = p.read_text().splitlines() if p.exists() else []
        return next((ln.split(":", 1)[1].strip() for ln in lines if ln.startswith(key)), "")

    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    return {
        "python": platform.python_version(),
        "chromadb": chromadb.__version__,
        "sentence_transformers": sentence_transformers.__version__,
        "torch": torch.__version__,
        "numpy": np.__version__,
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
        "cpu": first("/proc/cpuinfo", "model name") or platform.processor(),
        "cores": os.cpu_count(),
        "ram": f"{int((first('/proc/meminfo', 'MemTotal') or '0').split()[0]) / 2**20:.0f} GB",
        "torch_threads": torch.get_num_threads(),
        "commit": commit,
    }
