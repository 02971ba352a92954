"""Ingestion at scale: ingest throughput and retrieval latency against corpus size, embedded store vs server.

    python -m bench.scale                         # the committed run: bench/results/scale.md, scale_*.png
    python -m bench.scale --quick                 # a smoke run of a few minutes (results in a temp dir)
    python -m bench.scale --max-sentences 300000  # grow the corpus to this size (or until --minutes is spent)

The corpus is generated deterministically from templates and vocabulary (no network). Up to
``--real-sentences`` every sentence goes through the real ``App.ingest`` (load, split, embed, Chroma,
catalog); beyond that, sentences are written straight into Chroma and the catalog with the real vectors
reused (perturbed, re-normalised), since embedding a million sentences on 2 cores takes most of an hour.
Timed work is interleaved document by document, so that both stores and the embedder alone see the same
load from other processes. Retrieval latency excludes generation.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from bench.peers import chroma_server
from qa.settings import REPO_ROOT, Settings

RESULTS = REPO_ROOT / "bench" / "results"
PARTIAL = Path(tempfile.gettempdir()) / "qa-scale-partial.json"
TARGET_P95_S = 0.25
SIGMA = 0.025  # per-dimension noise on reused vectors: cosine to the original ~0.89 in 384 dimensions
LABELS = ("embedded", "server")
RETRIEVER_QUERIES = 30  # whole-retriever timings per point (the rest time the store and keyword queries only)

# --- a deterministic corpus ---------------------------------------------------------------------------------

_PRE = (
    "Ash Bram Cal Dun El Fen Gar Har Ket Lan Mar Nor Ock Pen Quen Ros Sel Tarn Ul Wick Yar Brec Cor Drum "
    "Glen Hol Kil Lith Mor Strath Thorn Ald Bex Carr Dray Esk Frog Hask Ivel Kirk Lud Mells Nant Oak Pid "
    "Rush Sand Tew Wend"
).split()
_SUF = ("by ford ham holt moor wick ton mouth field stead dale bridge port well combe ley worth thorpe haven mere").split()
_FIRST = (
    "Alice Amir Beth Bilal Carys Chen Dafydd Dorota Eamon Elena Farah Finn Grace Hamid Imogen Ivan Jana "
    "Joseph Kofi Lena Mairi Mateo Nadia Niall Olga Owen Priya Rhys Rosa Sami Sian Tomas Una Viktor Wen "
    "Yusuf Zara Gwen Hugo Ines"
).split()
_V = {
    "body": "council|parish council|harbour board|planning committee|school governors|water authority".split("|"),
    "project": (
        "new footbridge|flood defences|library extension|harbour wall repairs|cycle path|community "
        "orchard|bus shelter upgrade|market hall roof|sports pavilion|street lighting scheme"
    ).split("|"),
    "role": (
        "chair|treasurer|head librarian|chief engineer|director|secretary|harbour master|head teacher|"
        "curator|site manager|volunteer coordinator|finance officer"
    ).split("|"),
    "org": (
        "Estuary Ferry Company|Friends of the Library|Apple Cooperative|Beekeepers Association|Rowing Club|"
        "Heritage Trust|Allotment Society|Rotary Club|Wildlife Trust|Choral Society|Chamber of Commerce|"
        "Lifeboat Station|Astronomy Society|Cricket Club|Housing Association"
    ).split("|"),
    "structure": "bridge|lighthouse|chapel|town hall|windmill|water tower|pier|viaduct|granary|signal box".split("|"),
    "venue": (
        "village hall|public library|market square|community centre|museum|leisure centre|parish church|"
        "old school|observatory|harbour office"
    ).split("|"),
    "event": (
        "open day|book fair|cider festival|harvest supper|summer fete|public meeting|star party|regatta|"
        "craft market|charity concert|plant sale|history talk"
    ).split("|"),
    "item": "books|audiobooks|jigsaws|seed packets|board games|tools|maps|telescopes|films|sheet music".split("|"),
    "vehicle": "ferry|bus|mobile library|shuttle train|water taxi|community minibus".split("|"),
    "month": ("January February March April May June July August September October November December").split(),
    "weekday": "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split(),
    "crop": "apple|pear|plum|barley|potato|strawberry|cherry|hop|wheat|blackcurrant".split("|"),
    "species": (
        "otters|curlews|grey seals|water voles|barn owls|dragonflies|oystercatchers|brown trout|bats|natterjack toads"
    ).split("|"),
    "river": "Marrow|Tarn|Esk|Wend|Ivel|Calder|Lud|Frome|Ock|Brede".split("|"),
    "cause": (
        "heavy rain|a shortage of steel|high tides|a legal dispute|nesting birds|a design change|"
        "supplier delays|ground conditions|a staff shortage|an electrical fault"
    ).split("|"),
    "service": ("blood tests|vaccinations|hearing checks|physiotherapy|eye tests|a baby clinic|diabetes reviews").split("|"),
    "company": (
        "Brightwater Construction|Harrow Mills|Fenlight Energy|Oldquay Boatyard|Greyfield Dairies|"
        "Kestrel Engineering|Northgate Printing|Saltmarsh Foods|Ironbank Logistics|Meadowsweet Farms"
    ).split("|"),
    "facility": "warehouse|depot|workshop|bakery|solar farm|packing plant|showroom|training centre".split("|"),
    "material": "steel|timber|diesel|electricity|fertiliser|paper|grain|copper".split("|"),
    "concern": (
        "parking|speeding traffic|litter|flooding|noise from the quarry|the closure of the bank|"
        "bus timetables|dog fouling|new housing|the loss of trees"
    ).split("|"),
    "policy": (
        "travel expenses policy|remote work policy|lending policy|safeguarding policy|data protection "
        "policy|volunteer handbook|complaints procedure"
    ).split("|"),
    "defect": "corrosion|cracks|loose bolts|rotten timber|damp|subsidence|worn bearings".split("|"),
    "artefact": ("coins|maps|photographs|fishing nets|ship models|letters|clay pipes|toys|uniforms|farm tools").split("|"),
    "people": "residents|visitors|pupils|volunteers|members|families|stallholders|cyclists".split("|"),
    "honey": "heather|clover|wildflower|borage|lime blossom|orchard".split("|"),
}
_TEMPLATES = [
    "The {town} {body} approved a budget of £{money} for the {project} in {month} {year}.",
    "{person}, the {role} of the {org}, said the {structure} would reopen in {month}.",
    "About {num} {people} attended the {event} at the {venue} in {town}.",
    "The {structure} in {town} was built in {year} and restored in {year2}.",
    "Repairs to the {structure} are expected to cost £{money} and take {n} weeks.",
    "The {org} employs {num} staff across {n} sites around {town}.",
    "Visitors can borrow up to {n} {item} at a time from the {venue} in {town}.",
    "In {year}, {num} {item} were added to the collection at the {town} {venue}.",
    "The {vehicle} runs every {n} minutes between {town} and {town2}.",
    "A single ticket on the {vehicle} costs £{price} for adults and £{price2} for children.",
    "Rainfall in {town} reached {num} millimetres in {month}, the highest since {year}.",
    "{person} led a survey of {species} along the {river} estuary in {month}.",
    "The {crop} harvest at the {town} cooperative rose by {n} per cent compared with {year}.",
    "Members of the {org} meet on the first {weekday} of each month at the {venue}.",
    "The {policy} requires staff to submit claims within {n} days of the journey.",
    "Observers at {town} Observatory recorded {num} meteors during the night of {day} {month}.",
    "The clinic in {town} offers {service} on {weekday} mornings.",
    "Pupils at {town} Primary School planted {num} trees along the {river} path.",
    "{company} opened a new {facility} near {town} in {month} {year}.",
    "Profits at {company} fell to £{money} after the cost of {material} rose.",
    "According to the annual report, {n} per cent of residents in {town} support the {project}.",
    "Work on the {project} in {town} was delayed by {n} weeks because of {cause}.",
    "Volunteers from the {org} repaired {num} {item} during the winter.",
    "Tickets for the {event} in {town} go on sale on {weekday} {day} {month}.",
    "The {event} in {town} celebrated its {n}th year with {num} visitors.",
    "Bees from the {n} hives at {town} produced {num} jars of {honey} honey.",
    "The museum in {town} holds {num} {artefact} from the nineteenth century.",
    "A new {vehicle} for the {town} route is due to enter service in {year}.",
    "The {org} will review its {policy} again in {month} {year}.",
    "Residents of {town} raised concerns about {concern} at a meeting in {month}.",
    "Engineers found {defect} in {n} of the supports of the {structure} at {town}.",
    "The water level in the {river} at {town} rose by {n} centimetres after heavy rain.",
    "Each member pays an annual fee of £{price} to the {org} in {town}.",
    "The {vehicle} carried {num} passengers in {year}, up from {num2} the year before.",
    "{person} has served as {role} of the {org} since {year}.",
    "Grants of up to £{money} are available to groups in {town} for the {project}.",
    "The {venue} in {town} is open from {hour} in the morning until {hour2} in the evening.",
    "{company} signed a contract worth £{money} to supply {material} to {town}.",
    "The {body} in {town} rejected plans for {num} new homes near the {river}.",
    "{person} donated {num} {artefact} to the {town} museum in {year}.",
]
_QUESTIONS = [
    "How much did the {town} {body} approve for the {project}?",
    "Who is the {role} of the {org}?",
    "When was the {structure} in {town} built?",
    "How often does the {vehicle} run between {town} and {town2}?",
    "How much rain fell in {town} in {month}?",
    "Why was work on the {project} delayed?",
    "What does the clinic in {town} offer on {weekday} mornings?",
    "How many {item} can visitors borrow from the {venue}?",
    "What did engineers find in the supports of the {structure}?",
    "When does the {org} meet?",
    "How many jars of {honey} honey did the hives at {town} produce?",
    "What did {company} open near {town}?",
    "Which {species} were surveyed along the {river} estuary?",
    "What are residents of {town} concerned about?",
    "How long do staff have to submit claims under the {policy}?",
]


class Corpus:
    """Documents and questions drawn deterministically from the templates; document ``i`` never changes."""

    def __init__(self, seed: int = 7) -> None:
        self.seed = seed
        self.towns = [p + s for p in _PRE for s in _SUF]
        self.people = [f"{f} {random.Random(i).choice(_PRE)}{random.Random(-i).choice(_SUF)}" for i, f in enumerate(_FIRST * 25)]

    def _fill(self, template: str, rng: random.Random, town: str, org: str) -> str:
        v: dict[str, Any] = {k: rng.choice(words) for k, words in _V.items()}
        v.update(
            town=town if rng.random() < 0.6 else rng.choice(self.towns),
            town2=rng.choice(self.towns),
            person=rng.choice(self.people),
            money=f"{rng.randrange(2, 900) * 1000:,}",
            num=rng.randrange(12, 4000),
            num2=rng.randrange(12, 4000),
            n=rng.randrange(2, 40),
            year=rng.randrange(1850, 2025),
            year2=rng.randrange(1960, 2025),
            price=rng.randrange(2, 90),
            price2=rng.randrange(1, 30),
            day=rng.randrange(1, 29),
            hour=rng.randrange(7, 11),
            hour2=rng.randrange(4, 10),
        )
        v["org"] = org if rng.random() < 0.5 else v["org"]
        return template.format(**v)

    def document(self, i: int) -> tuple[str, list[str]]:
        """``(file name, sentences)``; lengths are log-normal (median ~150, 10 to 2000 sentences)."""
        rng = random.Random(f"{self.seed}:{i}")
        town, org = rng.choice(self.towns), rng.choice(_V["org"])
        n = min(2000, max(10, int(rng.lognormvariate(5.0, 0.8))))
        sentences = [self._fill(rng.choice(_TEMPLATES), rng, town, org) for _ in range(n)]
        return f"{i:06d}_{town.lower()}.txt", sentences

    def questions(self, n: int) -> list[str]:
        rng = random.Random(f"{self.seed}:questions")
        return [self._fill(rng.choice(_QUESTIONS), rng, rng.choice(self.towns), rng.choice(_V["org"])) for _ in range(n)]


def layout(sentences: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """The document text (paragraphs of five sentences) and each sentence's ``(start, end)``."""
    parts, spans, pos = [], [], 0
    for k, s in enumerate(sentences):
        sep = "" if k == 0 else ("\n\n" if k % 5 == 0 else " ")
        parts.append(sep + s)
        spans.append((pos + len(sep), pos + len(sep) + len(s)))
        pos += len(sep) + len(s)
    return "".join(parts), spans


# --- measuring ----------------------------------------------------------------------------------------------


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
    def __init__(self, inner: Any, clock: Clock) -> None:
        self.name, self.dim = inner.name, inner.dim
        self.embed = clock.wrap("embed", inner.embed)


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if values else float("nan")


def rotate(items: list[Any], k: int) -> list[Any]:
    """``items`` starting at position ``k``: who goes first changes from one round to the next."""
    k %= len(items)
    return items[k:] + items[:k]


class Backend:
    """One App (embedded store or Chroma server) with its write path timed."""

    write_batch = 4096  # vectors per upsert for the inserted sentences (Chroma's limit here is 5461)

    def __init__(self, label: str, settings: Settings, embedder: Any) -> None:
        from qa.app import App

        self.label, self.clock = label, Clock()
        self.app = App(settings, TimedEmbedder(embedder, self.clock))
        self.app.store.add = self.clock.wrap("chroma", self.app.store.add)  # type: ignore[method-assign]
        self.app.catalog.commit = self.clock.wrap("catalog", self.app.catalog.commit)  # type: ignore[method-assign]
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

    def bulk(self, docs: list[tuple[str, str, list[tuple[int, int]]]], vectors: np.ndarray) -> None:
        """New documents with precomputed vectors: vectors first, then the catalog, as ingest orders them."""
        t = time.perf_counter()
        ids, texts, metas = [], [], []
        for doc_id, _, sha, _, sents in _rows(docs):
            ids += [f"{doc_id}:{x.index}" for x in sents]
            texts += [x.text for x in sents]
            metas += [{"doc_id": doc_id, "idx": x.index, "sha": sha[:16]} for x in sents]
        b = self.write_batch
        for lo in range(0, len(ids), b):
            self.app.store.collection.upsert(
                ids=ids[lo : lo + b], embeddings=vectors[lo : lo + b], documents=texts[lo : lo + b], metadatas=metas[lo : lo + b]
            )
        insert_catalog(self.app.catalog, docs)
        self.bulk_s += time.perf_counter() - t
        self.bulk_n += len(ids)
        self.sentences += len(ids)

    def latency(self, questions: list[str], qvecs: np.ndarray, k: int, top_k: int) -> dict[str, float]:
        """p50/p95 of the dense store query, the FTS5 query, both, and the whole ``Retriever.search``."""
        col, cat = self.app.store.collection, self.app.catalog
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
            if i < RETRIEVER_QUERIES:  # it embeds the question: slow on a busy CPU, so fewer of them
                self.app.retriever.search(q, top_k)
                times["retriever"].append(time.perf_counter() - t2)
        out = {f"{n}_{q}": pct(xs, float(q[1:])) for n, xs in times.items() for q in ("p50", "p95")}
        return out

    def close(self) -> None:
        self.app.close()


def matched_rows(catalog: Any, questions: list[str]) -> float:
    """Median number of sentences the FTS5 OR-query of a question matches (what BM25 has to score)."""
    from index.catalog import keyword_query

    with catalog._lock:
        counts = [
            catalog._db.execute("SELECT count(*) FROM sentences_fts WHERE sentences_fts MATCH ?", (keyword_query(q),)).fetchone()[
                0
            ]
            for q in questions[:30]
        ]
    return float(np.median(counts))


_NO_JOIN = (
    "SELECT doc_id, idx, -bm25(sentences_fts) FROM sentences_fts WHERE sentences_fts MATCH ? ORDER BY bm25(sentences_fts) LIMIT ?"
)


def keyword_latency(catalog: Any, questions: list[str], k: int) -> dict[str, float]:
    """p50/p95 of ``Catalog.keyword_search`` and of the same FTS5 query without its JOIN on ``documents``."""
    from index.catalog import keyword_query

    for q in questions[:5]:
        catalog.keyword_search(q, k)
    ours, bare = [], []
    for q in questions:
        t0 = time.perf_counter()
        catalog.keyword_search(q, k)
        t1 = time.perf_counter()
        with catalog._lock:
            catalog._db.execute(_NO_JOIN, (keyword_query(q), k)).fetchall()
        bare.append(time.perf_counter() - t1)
        ours.append(t1 - t0)
    return {
        "keyword_p50": pct(ours, 50),
        "keyword_p95": pct(ours, 95),
        "nojoin_p50": pct(bare, 50),
        "nojoin_p95": pct(bare, 95),
        "matched": matched_rows(catalog, questions),
    }


Doc = tuple[str, str, list[tuple[int, int]]]  # (path, text, sentence spans)


def _rows(docs: list[Doc]) -> Iterator[tuple[str, str, str, str, list[Any]]]:
    from index.ingest import doc_id_for
    from qa.records import Sentence

    for path, text, spans in docs:
        doc_id = doc_id_for(path)
        sents = [Sentence(doc_id, i, a, b, None, text[a:b]) for i, (a, b) in enumerate(spans)]
        yield doc_id, path, hashlib.sha256(text.encode()).hexdigest(), text, sents


def insert_catalog(catalog: Any, docs: list[Doc]) -> None:
    """New documents into the catalog with the rows ``Catalog.begin`` and ``commit`` write, in one transaction,
    minus ``commit``'s delete of a document's old rows (a new document has none; ``commit_probe`` times a whole
    ``commit``)."""
    now = f"{datetime.now(UTC):%Y-%m-%dT%H:%M:%S}+00:00"
    rows = list(_rows(docs))
    with catalog._lock:
        db = catalog._db
        db.execute("BEGIN IMMEDIATE")
        db.executemany(
            "INSERT INTO documents (doc_id, path, sha256, size, sentences, added_at, status, text)"
            " VALUES (?,?,?,?,?,?,'ready',?)",
            [(d, path, sha, len(text), len(ss), now, text) for d, path, sha, text, ss in rows],
        )
        last = db.execute("SELECT coalesce(max(rowid), 0) FROM sentences").fetchone()[0]
        db.executemany(
            'INSERT INTO sentences (doc_id, idx, start, "end", page, text) VALUES (?,?,?,?,?,?)',
            [(x.doc_id, x.index, x.start, x.end, x.page, x.text) for *_, ss in rows for x in ss],
        )
        db.execute(
            "INSERT INTO sentences_fts (rowid, text, doc_id, idx) SELECT rowid, text, doc_id, idx FROM sentences WHERE rowid > ?",
            (last,),
        )  # keyword rows share their sentence's rowid, as Catalog.commit writes
        db.execute("COMMIT")


def commit_probe(catalog: Any, path: str, text: str, spans: list[tuple[int, int]]) -> float:
    """Seconds for ``Catalog.begin`` + ``commit`` of one new document, as ingest does it."""
    ((doc_id, path, sha, text, sents),) = _rows([(path, text, spans)])
    t = time.perf_counter()
    catalog.begin(doc_id, path, sha, len(text))
    catalog.commit(doc_id, text, sents)
    return time.perf_counter() - t


def split(path: Path) -> list[str]:
    """The sentences ingest will make of ``path``."""
    from index.ingest import make_sentences

    return [s.text for s in make_sentences("x", path.read_text(encoding="utf-8"), lambda _: None)]


def perturb(vectors: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    out = vectors + rng.normal(0.0, SIGMA, vectors.shape).astype(np.float32)
    return out / np.linalg.norm(out, axis=1, keepdims=True)


# --- the run ------------------------------------------------------------------------------------------------


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


def plan(args: argparse.Namespace) -> dict[str, Any]:
    if args.quick:
        return {
            "real": [400, 1200],
            "synthetic": [5000],
            "keyword_only": [20_000],
            "probe": 150,
            "queries": 20,
            "embed_sample": 256,
            "embed_batches": [32, 64],
            "ingest_batches": [64, 256],
            "ingest_docs": (2, 300),
            "write_n": 2048,
            "write_batches": [256, 1024],
        }
    steps = (1000, 3000, 10000, 30000, 100000)
    real = [n for n in steps if n < args.real_sentences] + [args.real_sentences]
    big = [n for n in (100_000, 200_000, 300_000, 500_000, 1_000_000) if real[-1] < n < args.max_sentences]
    kw_only = sorted({n for n in (300_000, 1_000_000) if n < args.max_sentences} | {args.max_sentences})
    return {
        "real": real,
        "synthetic": big + ([args.max_sentences] if args.max_sentences > real[-1] else []),
        "keyword_only": kw_only,
        "probe": 450,
        "queries": args.queries,
        "embed_sample": 768,
        "embed_batches": [16, 32, 64, 128],
        "ingest_batches": [64, 256, 1024],
        "ingest_docs": (3, 500),
        "write_n": 8192,
        "write_batches": [256, 1024, 4096],
    }


def embed_sweep(embedder: Any, sample: list[str], batches: list[int], log: Callable[..., None]) -> dict:
    """Sentences/s of the embedder for each ``batch_size``, in interleaved rounds of 256 sentences."""
    spent = dict.fromkeys(batches, 0.0)
    for r, lo in enumerate(range(0, len(sample), 256)):
        for b in rotate(batches, r):
            embedder.batch_size = b
            t = time.perf_counter()
            embedder.embed(sample[lo : lo + 256])
            spent[b] += time.perf_counter() - t
    embedder.batch_size = 64
    rates = {b: len(sample) / s for b, s in spent.items()}
    log("embedder batch_size: " + ", ".join(f"{b}: {r:.0f}/s" for b, r in rates.items()))
    return {"sentences": len(sample), "rates": rates}


def ingest_sweep(embedder: Any, corpus: Corpus, root: Path, p: dict[str, Any], log: Callable[..., None]) -> dict:
    """Real ingest of long documents (so the batch binds) into one fresh store per ``EMBED_BATCH`` value."""
    import index.ingest as ingest_mod

    n_docs, n_sent = p["ingest_docs"]
    (root / "batch-docs").mkdir()
    stores = {
        b: Backend("embedded", Settings(data_dir=root / f"eb{b}", collection="scale"), embedder) for b in p["ingest_batches"]
    }
    alone = Clock()
    default, total = ingest_mod.EMBED_BATCH, 0
    try:
        for i in range(n_docs):
            sentences = [s for j in range(40) for s in corpus.document(20_000 + 100 * j + i)[1]][:n_sent]
            path = root / "batch-docs" / f"long{i}.txt"
            path.write_text(layout(sentences)[0], encoding="utf-8")
            texts = split(path)
            total += len(texts)
            for b in rotate([None, *stores], i):
                if b is None:
                    t = time.perf_counter()
                    for lo in range(0, len(texts), default):
                        embedder.embed(texts[lo : lo + default])
                    alone.add("embed", time.perf_counter() - t)
                else:
                    ingest_mod.EMBED_BATCH = b
                    stores[b].ingest(path)
    finally:
        ingest_mod.EMBED_BATCH = default
    base = total / alone.spent["embed"]
    runs = {}
    for b, be in stores.items():
        r = be.take()
        runs[b] = {**r, "rate": total / r["wall"]}
        be.close()
    log("EMBED_BATCH: " + ", ".join(f"{b}: ratio {r['rate'] / base:.2f}" for b, r in runs.items()))
    return {"sentences": total, "embed_rate": base, "runs": runs}


def write_sweep(backends: list[Backend], pool: np.ndarray, p: dict[str, Any], log: Callable[..., None]) -> dict:
    """Vectors/s of Chroma upserts for each batch size, into fresh collections, in interleaved rounds."""
    rng = np.random.default_rng(1)
    n, batches = p["write_n"], p["write_batches"]
    spent: dict[tuple[str, int], float] = {}
    vecs = perturb(pool[rng.integers(0, len(pool), n)], rng)
    meta = {"hnsw:space": "cosine"}
    cols = {
        (be.label, b): be.app.store.client.create_collection(f"sweep-{b}", metadata=meta, embedding_function=None)
        for be in backends
        for b in batches
    }
    for r, lo in enumerate(range(0, n, 4096)):
        for key in rotate(list(cols), r):
            b = key[1]
            t = time.perf_counter()
            for at in range(lo, min(n, lo + 4096), b):
                rows = range(at, min(n, lo + 4096, at + b))
                cols[key].upsert(
                    ids=[f"s{i}" for i in rows],
                    embeddings=vecs[rows.start : rows.stop],
                    documents=[f"Sentence {i} of the write sweep." for i in rows],
                    metadatas=[{"doc_id": f"d{i // 150}", "idx": i, "sha": "x"} for i in rows],
                )
            spent[key] = spent.get(key, 0.0) + time.perf_counter() - t
    for be in backends:
        for b in batches:
            be.app.store.client.delete_collection(f"sweep-{b}")
    rates = {f"{label}:{b}": n / s for (label, b), s in spent.items()}
    log("write batch: " + ", ".join(f"{k}: {r:.0f}/s" for k, r in rates.items()))
    return {"vectors": n, "rates": rates}


def run(args: argparse.Namespace, log: Callable[..., None]) -> dict[str, Any]:
    from index.embed import SentenceTransformerEmbedder
    from index.ingest import EMBED_BATCH

    p, t_start = plan(args), time.perf_counter()

    def left() -> float:  # of the growth budget (real ingest and inserted sentences)
        return args.minutes * 60 - (time.perf_counter() - t_start)

    root = Path(tempfile.mkdtemp(prefix="qa-scale-"))
    corpus = Corpus()
    questions = corpus.questions(p["queries"])
    embedder = SentenceTransformerEmbedder()
    res: dict[str, Any] = {
        "machine": machine(),
        "plan": p,
        "load": [os.getloadavg()[0]],
        "ingest": [],
        "points": [],
        "keyword_only": [],
        "embed_batch": EMBED_BATCH,
        "sigma": SIGMA,
        "stopped": "",
    }
    top_k = Settings().top_k
    k = max(4 * top_k, 20)  # the retriever's candidate pool per query

    def save() -> None:  # what is measured so far, in case the run is stopped
        PARTIAL.write_text(json.dumps(res, indent=1, default=str), encoding="utf-8")

    try:
        embedder.embed(questions)  # warm up
        qvecs = embedder.embed(questions)
        t = time.perf_counter()
        for q in questions[:20]:
            embedder.embed([q])
        res["query_embed_s"] = (time.perf_counter() - t) / len(questions[:20])
        with chroma_server(root / "server-db") as url:
            s = Settings(collection="scale")
            backends = [
                Backend("embedded", s.with_(data_dir=root / "embedded"), embedder),
                Backend("server", s.with_(data_dir=root / "server", chroma_url=url), embedder),
            ]
            (root / "corpus").mkdir()
            alone, vectors, state = Clock(), [], {"doc": 0, "size": 0}

            def next_document() -> tuple[str, str, list[tuple[int, int]]]:
                name, sentences = corpus.document(state["doc"])
                state["doc"] += 1
                return (name, *layout(sentences))

            def ingest_real(until: int, probe: bool) -> None:
                """Real ingest, document by document: the embedder alone, then each store (order rotates)."""
                n0 = state["size"]
                while state["size"] < until:
                    name, text, _ = next_document()
                    path = root / "corpus" / name
                    path.write_text(text, encoding="utf-8")
                    texts = split(path)
                    for who in rotate([None, *backends], state["doc"]):
                        if who is None:
                            t = time.perf_counter()
                            for lo in range(0, len(texts), EMBED_BATCH):
                                vectors.append(embedder.embed(texts[lo : lo + EMBED_BATCH]))
                            alone.add("step", time.perf_counter() - t)
                        else:
                            who.ingest(path)
                    state["size"] += len(texts)
                step: dict[str, Any] = {
                    "size": state["size"],
                    "sentences": state["size"] - n0,
                    "probe": probe,
                    "embed_s": alone.spent.pop("step"),
                }
                alone.add("embed", step["embed_s"])
                step["embed_rate"] = step["sentences"] / step["embed_s"]
                for be in backends:
                    assert be.sentences == state["size"], (be.label, be.sentences, state["size"])
                    r = be.take()
                    step[be.label] = {**r, "rate": step["sentences"] / r["wall"], "ratio": step["embed_s"] / r["wall"]}
                res["ingest"].append(step)
                log(
                    f"{'ingest probe' if probe else 'real ingest'} to {state['size']:,}: embedder alone "
                    f"{step['embed_rate']:.0f}/s; "
                    + ", ".join(f"{lb} {step[lb]['rate']:.0f}/s (ratio {step[lb]['ratio']:.2f})" for lb in LABELS)
                )

            def measure(synthetic: bool) -> None:
                kw = keyword_latency(backends[0].app.catalog, questions, k)
                point: dict[str, Any] = {
                    "size": state["size"],
                    "synthetic": synthetic,
                    "matched": kw["matched"],
                    "nojoin_p50": kw["nojoin_p50"],
                    "nojoin_p95": kw["nojoin_p95"],
                }
                for be in rotate(backends, len(res["points"])):
                    point[be.label] = be.latency(questions, qvecs, k, top_k)
                    be.take()  # the retriever embedded the questions: not ingest time
                res["points"].append(point)
                res["load"].append(os.getloadavg()[0])
                save()
                log(
                    f"latency at {state['size']:,}{' (inserted)' if synthetic else ''}: "
                    + ", ".join(
                        f"{lb} p50 {point[lb]['store_keyword_p50'] * 1e3:.1f} / p95 {point[lb]['store_keyword_p95'] * 1e3:.1f} ms"
                        for lb in LABELS
                    )
                    + f"; FTS5 matches {point['matched']:.0f} rows per question"
                )

            for target in p["real"]:
                rate = state["size"] / alone.spent["embed"] if state["size"] else 400.0
                if state["size"] and (target - state["size"]) * 3.5 / rate > left() - 300:
                    res["stopped"] = f"real ingest stopped at {state['size']:,} sentences (time budget)"
                    break
                ingest_real(target, probe=False)
                measure(False)
            pool = np.concatenate(vectors)
            res["pool"] = len(pool)

            rng = np.random.default_rng(0)
            for target in p["synthetic"]:
                done = sum(be.bulk_n for be in backends)
                rate = done / sum(be.bulk_s for be in backends) if done else 800.0
                probe_s = p["probe"] * 3.5 * alone.spent["embed"] / state["size"]
                if (target - state["size"]) * len(backends) / rate + probe_s > left():
                    res["stopped"] = (
                        f"stopped at {state['size']:,} sentences: growing to {target:,} would pass "
                        f"the {args.minutes:g}-minute budget at the measured {rate:.0f} sentences/s"
                    )
                    break
                while state["size"] < target - p["probe"]:
                    docs, n = [], 0
                    while n < 4096 and state["size"] + n < target - p["probe"]:
                        name, text, spans = next_document()
                        docs.append((str(root / "inserted" / name), text, spans))
                        n += len(spans)
                    vecs = perturb(pool[np.arange(state["size"], state["size"] + n) % len(pool)], rng)
                    for be in rotate(backends, state["doc"]):
                        be.bulk(docs, vecs)
                    state["size"] += n
                for be in backends:
                    be.take()
                ingest_real(state["size"] + p["probe"], probe=True)  # real documents on top: ingest speed here
                measure(True)
                for lb, be in zip(LABELS, backends, strict=True):
                    res["points"][-1][lb]["bulk_rate"] = be.bulk_n / be.bulk_s
            for be in backends:
                assert be.app.store.count() == be.app.catalog.sentence_count() == state["size"]

            # FTS5 needs no vectors, so the keyword half is measured at full size even when Chroma could not
            # be filled in time: the embedded backend's catalog alone grows on to --max-sentences.
            cat = backends[0].app.catalog
            for target in [n for n in p["keyword_only"] if n > state["size"]]:
                t = time.perf_counter()
                while state["size"] < target:
                    batch, n = [], 0
                    while n < 20_000 and state["size"] + n < target:
                        name, text, spans = next_document()
                        batch.append((str(root / "keyword-only" / name), text, spans))
                        n += len(spans)
                    insert_catalog(cat, batch)
                    state["size"] += n
                write_s = time.perf_counter() - t
                name, text, spans = next_document()
                res["keyword_only"].append(
                    {
                        "size": state["size"],
                        "write_rate": (state["size"] - n) / write_s,
                        "commit_s": commit_probe(cat, str(root / name), text, spans),
                        **keyword_latency(cat, questions, k),
                    }
                )
                state["size"] += len(spans)
                kw = res["keyword_only"][-1]
                save()
                log(
                    f"keyword index alone at {kw['size']:,}: p50 {kw['keyword_p50'] * 1e3:.0f} / p95 "
                    f"{kw['keyword_p95'] * 1e3:.0f} ms; Catalog.commit of one new document {kw['commit_s']:.2f} s"
                )

            save()
            res["write_sweep"] = write_sweep(backends, pool, p, log)
            save()
            for be in backends:
                be.close()
        res["ingest_sweep"] = ingest_sweep(embedder, corpus, root, p, log)
        save()
        sample = [s for i in range(10_000, 10_100) for s in corpus.document(i)[1]][: p["embed_sample"]]
        res["embed_sweep"] = embed_sweep(embedder, sample, p["embed_batches"], log)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    res["elapsed_s"] = time.perf_counter() - t_start
    res["date"] = f"{datetime.now(UTC):%Y-%m-%d %H:%M}"
    res["extrapolated"] = {lb: fit(res, lb) for lb in LABELS}
    return res


# --- the report ---------------------------------------------------------------------------------------------


def fit(res: dict[str, Any], label: str, at: float = 1_000_000) -> dict[str, Any]:
    """p95 at ``at`` sentences: store fitted as a + b·ln N on the points with vectors (those >= 10k, if two or
    more), keyword measured there when the keyword index reached it, else fitted as a + b·N."""
    pts = [p for p in res["points"] if p["size"] >= 10_000]
    pts = pts if len(pts) >= 2 else res["points"]
    n = np.array([p["size"] for p in pts], dtype=float)
    y = np.array([p[label]["dense_p95"] for p in pts])
    b, a = np.polyfit(np.log(n), y, 1) if len(pts) > 1 else (0.0, float(y[0]))
    out: dict[str, Any] = {"dense": float(a + b * math.log(at)) if b > 0 else float(y.max())}
    reached = [k for k in res.get("keyword_only", []) if k["size"] >= at]
    plan = [k for k in res.get("keyword_plan", []) if k["size"] >= at]  # python -m bench keyword (newer code)
    if plan:
        out["keyword"], out["keyword_measured"], out["keyword_source"] = plan[0]["plan_cold_95"], True, "keyword.md"
    elif reached:
        out["keyword"], out["keyword_measured"] = reached[0]["keyword_p95"], True
    else:
        kpts = [(p["size"], p[label]["keyword_p95"]) for p in res["points"]]
        kpts += [(k["size"], k["keyword_p95"]) for k in res.get("keyword_only", [])]
        big = [xy for xy in kpts if xy[0] >= 10_000]
        kpts = big if len(big) >= 2 else kpts
        kb, ka = np.polyfit([x for x, _ in kpts], [y for _, y in kpts], 1)
        out["keyword"], out["keyword_measured"] = float(ka + max(kb, 0.0) * at), False
    out["store_keyword"] = out["dense"] + out["keyword"]
    return out


def plots(res: dict[str, Any], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ing = res["ingest"]
    sizes = [s["size"] for s in ing]
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4))
    a1.plot(sizes, [s["embed_rate"] for s in ing], "k--o", label="embedder alone")
    for lb in LABELS:
        a1.plot(sizes, [s[lb]["rate"] for s in ing], "-o", label=f"ingest, {lb} store")
        a2.plot(sizes, [s[lb]["ratio"] for s in ing], "-o", label=f"{lb} store")
    a2.axhline(0.8, color="grey", ls=":", label="aim 0.8")
    for ax, title, ylabel in (
        (a1, "Ingest throughput (each step)", "sentences/s"),
        (a2, "Ingest throughput / embedder throughput", "ratio"),
    ):
        ax.set(xscale="log", xlabel="corpus size after the step (sentences)", ylabel=ylabel, title=title)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    a1.set_ylim(bottom=0)
    a2.set_ylim(0, 1.1)
    fig.tight_layout()
    fig.savefig(out / "scale_ingest.png", dpi=110)
    plt.close(fig)

    pts, kws = res["points"], res.get("keyword_only", [])
    xs = [p["size"] for p in pts]
    fig, ax = plt.subplots(figsize=(8.5, 5.5))
    for lb, color in zip(LABELS, ("tab:blue", "tab:orange"), strict=True):
        for q, style in (("p95", "-o"), ("p50", "--o")):
            ax.plot(
                xs, [p[lb][f"store_keyword_{q}"] * 1e3 for p in pts], style, color=color, ms=4, label=f"{lb}: store + keyword {q}"
            )
        ax.plot(xs, [p[lb]["dense_p95"] * 1e3 for p in pts], ":s", color=color, ms=3, label=f"{lb}: store p95")
        e = res["extrapolated"][lb]
        if xs[-1] < 1_000_000:
            ax.plot([xs[-1], 1_000_000], [pts[-1][lb]["dense_p95"] * 1e3, e["dense"] * 1e3], ":", color=color)
            ax.plot(
                [1_000_000],
                [e["store_keyword"] * 1e3],
                "X",
                color=color,
                ms=9,
                label=f"{lb}: store (fitted) + keyword at 1M, p95",
            )
    ax.plot(
        xs + [k["size"] for k in kws],
        [p["embedded"]["keyword_p95"] * 1e3 for p in pts] + [k["keyword_p95"] * 1e3 for k in kws],
        "-^",
        color="black",
        ms=4,
        label="keyword (FTS5) p95",
    )
    ax.plot(
        xs + [k["size"] for k in kws],
        [p["nojoin_p95"] * 1e3 for p in pts] + [k["nojoin_p95"] * 1e3 for k in kws],
        ":^",
        color="grey",
        ms=4,
        label="keyword p95 without the JOIN on documents",
    )
    first_inserted = next((p["size"] for p in pts if p["synthetic"]), None)
    if first_inserted:
        ax.axvspan(first_inserted, xs[-1], color="grey", alpha=0.1, label="vectors inserted, not embedded")
    ax.axhline(TARGET_P95_S * 1e3, color="red", ls=":", label="target: p95 < 250 ms at 1M")
    ax.set(
        xscale="log",
        yscale="log",
        xlabel="corpus size (sentences)",
        ylabel="ms per question",
        title="Retrieval latency: Chroma query + FTS5 query (no generation)",
    )
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out / "scale_latency.png", dpi=110)
    plt.close(fig)


def report(res: dict[str, Any], command: str) -> str:
    m, ms = res["machine"], 1e3
    ing, es, ws, ins = res["ingest"], res["embed_sweep"], res["write_sweep"], res["ingest_sweep"]
    load = " → ".join(f"{x:.1f}" for x in res["load"])
    date = res.get("date") or f"{datetime.now(UTC):%Y-%m-%d %H:%M}"
    out = [
        f"""# Ingestion at scale

- Command: `{command}`; {res["elapsed_s"] / 60:.1f} min; {date} UTC;
  commit {m["commit"] or "?"} plus the working tree.
- Versions: Python {m["python"]}, chromadb {m["chromadb"]}, sentence-transformers {m["sentence_transformers"]},
  torch {m["torch"]}, numpy {m["numpy"]}, SQLite {m["sqlite"]}.
- Machine: {m["cpu"]}, {m["cores"]} cores (torch uses {m["torch_threads"]} threads), {m["ram"]} RAM,
  {m["platform"]}. The cores were shared with other jobs: the 1-minute load average went {load}
  over the run, so absolute rates are noisy. Timed work is interleaved document by document (round by round
  in the sweeps), so the ratios compare like with like.
- Stores: `embedded` is chromadb's PersistentClient in the data directory; `server` is `chroma run` on
  loopback through chromadb's HttpClient (`QA_CHROMA_URL`). Both go through `App` as `qa` does; the keyword
  index is the catalog's SQLite FTS5 table.
- Corpus: documents generated deterministically from 40 sentence templates, 1,000 place names, 1,000 people
  and ~300 other terms (log-normal lengths, median ~150 sentences). Its vocabulary is much smaller than natural
  text, so a question's keywords match more sentences than in real documents: pessimistic for FTS5 (the
  matched rows are listed below).

## Ingest throughput (real `App.ingest`: read, split, embed, Chroma upsert, catalog)

For every document the embedder alone first embeds exactly the sentences ingest will embed, in the same batches
(`EMBED_BATCH={res["embed_batch"]}`), then each store ingests the document (the order rotates). Ratio = ingest
throughput / embedder-alone throughput on the same sentences. Time inside ingest is split into embedding,
Chroma upsert and catalog commit; `other` is reading, splitting and bookkeeping. Rows marked *probe* are a few
real documents ingested on top of a store grown with inserted sentences (below): ingest speed at that size.

| corpus after step | sentences in step | embedder alone /s | store | ingest /s | ratio | embed s | Chroma s | catalog s | other s |
|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|"""  # noqa: E501 (a table header is one line)
    ]
    for st in ing:
        for lb in LABELS:
            r = st[lb]
            other = r["wall"] - r.get("embed", 0) - r.get("chroma", 0) - r.get("catalog", 0)
            size = f"{st['size']:,}" + (" (probe)" if st.get("probe") else "")
            out.append(
                f"| {size} | {st['sentences']:,} | {st['embed_rate']:.0f} | {lb} "
                f"| {r['rate']:.0f} | **{r['ratio']:.2f}** | {r.get('embed', 0):.1f} "
                f"| {r.get('chroma', 0):.1f} | {r.get('catalog', 0):.2f} | {other:.1f} |"
            )
    real = [st for st in ing if not st.get("probe")]
    alone_s, n_all = sum(st["embed_s"] for st in real), sum(st["sentences"] for st in real)
    summary = []
    for lb in LABELS:
        wall = sum(st[lb]["wall"] for st in real)
        part = {x: sum(st[lb].get(x, 0) for st in real) / wall for x in ("embed", "chroma", "catalog")}
        summary.append(
            f"{lb}: {n_all / wall:.0f} sentences/s, ratio **{alone_s / wall:.2f}** (of ingest "
            f"time: embedding {part['embed']:.0%}, Chroma {part['chroma']:.0%}, catalog "
            f"{part['catalog']:.0%})"
        )
    out.append(f"""
The {n_all:,} sentences of the real-ingest steps (embedder alone {n_all / alone_s:.0f}/s):
{"; ".join(summary)}.

![ingest throughput](scale_ingest.png)

## Batch sizes

Embedder `batch_size` (`SentenceTransformerEmbedder`, default 64), {es["sentences"]:,} sentences in
interleaved rounds of 256:

| batch_size | sentences/s |
|---:|---:|""")
    out += [f"| {b} | {r:.0f} |" for b, r in es["rates"].items()]
    out.append(f"""
`EMBED_BATCH` in `index/ingest.py` (sentences per embed call and per Chroma upsert): real ingest of
{ins["sentences"]:,} sentences in long documents (so the batch binds) into a fresh embedded store per value,
interleaved per document with the embedder alone ({ins["embed_rate"]:.0f}/s):

| EMBED_BATCH | ingest /s | ratio | embed s | Chroma s |
|---:|---:|---:|---:|---:|""")
    out += [
        f"| {b} | {r['rate']:.0f} | {r['rate'] / ins['embed_rate']:.2f} | {r.get('embed', 0):.1f} | {r.get('chroma', 0):.1f} |"
        for b, r in ins["runs"].items()
    ]
    out.append(f"""
Chroma write batch (vectors per upsert): {ws["vectors"]:,} real vectors, perturbed, into a fresh
collection per value, interleaved in rounds of 4,096:

| store | batch | vectors/s |
|---|---:|---:|""")
    out += [f"| {key.split(':')[0]} | {key.split(':')[1]} | {r:.0f} |" for key, r in ws["rates"].items()]
    synthetic = [p for p in res["points"] if p["synthetic"]]
    inserted = (
        f"""
Points marked *inserted* go beyond the real ingest: their text is new generated text; their vectors are the
{res["pool"]:,} real vectors reused with Gaussian noise (σ={res["sigma"]} per dimension, cosine ≈ 0.89 to
the original) and re-normalised, written straight into Chroma (upserts of {Backend.write_batch}) and into the
catalog/FTS5 with the rows ingest writes (`insert_catalog`). Each inserted point then gets a real *probe* ingest
of a few documents on top.
"""
        if synthetic
        else ""
    )
    out.append(f"""
## Retrieval latency against corpus size

{res["plan"]["queries"]} generated questions per point after 5 warm-up queries, stores in rotating order.
`store`: the Chroma query for the question vector (n_results=24 with documents and metadata, as the retriever
asks); `keyword`: `Catalog.keyword_search` (FTS5 BM25, k=24); **store + keyword**: both, per question;
`retriever`: the whole `Retriever.search` for the first {RETRIEVER_QUERIES} questions (question embedding,
llama-index, both queries, fusion; embedding one question alone took {res["query_embed_s"] * ms:.0f} ms). `matched`: median sentences matched by a question's FTS5
OR-query, which BM25 has to score.
{inserted}
| sentences | vectors | matched | store | store p50 / p95 ms | keyword p50 / p95 ms | **store + keyword p50 / p95 ms** | retriever p50 / p95 ms |
|---:|---|---:|---|---:|---:|---:|---:|""")  # noqa: E501 (a table header is one line)
    for pt in res["points"]:
        for lb in LABELS:
            r = {key: v * ms for key, v in pt[lb].items()}
            kind = "inserted" if pt["synthetic"] else "embedded"
            out.append(
                f"| {pt['size']:,} | {kind} | {pt['matched']:,.0f} | {lb} "
                f"| {r['dense_p50']:.1f} / {r['dense_p95']:.1f} | {r['keyword_p50']:.1f} / "
                f"{r['keyword_p95']:.1f} | **{r['store_keyword_p50']:.1f} / "
                f"{r['store_keyword_p95']:.1f}** "
                f"| {r['retriever_p50']:.0f} / {r['retriever_p95']:.0f} |"
            )
    kws = res.get("keyword_only", [])
    out.append("""
The keyword index grows on alone (no vectors needed) to the full size. `as qa queries` is
`Catalog.keyword_search`; `without JOIN` is the same FTS5 BM25 query without its join on `documents`
(ready-only filtering would then happen in Python, as `Retriever.search` already does for dense hits).

| sentences | matched | keyword p50 / p95 ms (as qa queries) | without JOIN p50 / p95 ms | Catalog.commit of a new document |
|---:|---:|---:|---:|---:|""")  # noqa: E501 (a table header is one line)
    rows = [
        (
            p["size"],
            p["matched"],
            p["embedded"]["keyword_p50"],
            p["embedded"]["keyword_p95"],
            p["nojoin_p50"],
            p["nojoin_p95"],
            "",
        )
        for p in res["points"]
    ]
    rows += [
        (k["size"], k["matched"], k["keyword_p50"], k["keyword_p95"], k["nojoin_p50"], k["nojoin_p95"], f"{k['commit_s']:.2f} s")
        for k in kws
    ]
    out += [
        f"| {n:,} | {m:,.0f} | {a * ms:.1f} / {b * ms:.1f} | {c * ms:.1f} / {d * ms:.1f} | {e} |" for n, m, a, b, c, d, e in rows
    ]
    if kws:
        out.append("""
`Catalog.commit` first deletes the document's old keyword rows with `DELETE FROM sentences_fts WHERE doc_id=?`;
`doc_id` is an UNINDEXED FTS5 column, so that is a scan of the whole keyword table for every document ingested,
new or not: its cost grows linearly with the corpus (the last column; the catalog rows of the inserted sentences
were written without it, see `insert_catalog`).""")
    out.append("""
![retrieval latency](scale_latency.png)

## Against the target: store + keyword p95 < 250 ms at 1,000,000 sentences
""")
    last = res["points"][-1]
    if res["stopped"]:
        out.append(f"- Vectors: the run {res['stopped']}.")
    for lb in LABELS:
        e = res["extrapolated"][lb]
        verdict = "within" if e["store_keyword"] < TARGET_P95_S else "above"
        store = (
            f"store {last[lb]['dense_p95'] * ms:.0f} ms measured at {last['size']:,}"
            if last["size"] >= 1_000_000
            else f"store {e['dense'] * ms:.0f} ms (fitted; {last[lb]['dense_p95'] * ms:.0f} ms measured at {last['size']:,})"
        )
        how = "measured" if e["keyword_measured"] else "fitted"
        if e.get("keyword_source"):
            how = (
                f"measured by `python -m bench keyword` with qa's current keyword query plan, see "
                f"[{e['keyword_source']}]({e['keyword_source']}); the keyword columns above are the older plain "
                f"OR query"
            )
        keyword = f"keyword {e['keyword'] * ms:.0f} ms ({how})"
        out.append(
            f"- {lb}: p95 at 1,000,000 = {store} + {keyword} = **{e['store_keyword'] * ms:.0f} ms** ({verdict} the target)."
        )
    out.append(
        "- Fits: store p95 = a + b·ln N (HNSW search grows with log N) over the points with vectors ≥ 10,000;\n"
        "  keyword p95 = a + b·N when not measured. Adding two p95s overstates the p95 of their sum. The\n"
        "  keyword index is the local catalog in both modes, so its half is the same for both."
    )
    if synthetic:
        rates = ", ".join(f"{lb} {last[lb]['bulk_rate']:.0f}/s" for lb in LABELS)
        out.append(f"- Bulk write rate of the inserted sentences (Chroma upsert + catalog, no embedding): {rates}.")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.scale", description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--max-sentences", type=int, default=1_000_000, help="grow the corpus to this size")
    ap.add_argument("--real-sentences", type=int, default=10_000, help="really ingest up to this size")
    ap.add_argument(
        "--minutes",
        type=float,
        default=18.0,
        help="time for growing the stores (the keyword-only phase and the sweeps come after)",
    )
    ap.add_argument("--queries", type=int, default=100, help="questions per latency point")
    ap.add_argument("--quick", action="store_true", help="a small smoke run; results go to a temp dir")
    ap.add_argument("--out", type=Path, default=None, help="results folder (default: bench/results)")
    ap.add_argument("--render", type=Path, help="only redraw the report and plots from this scale.json")
    args = ap.parse_args(argv)
    args.real_sentences = min(args.real_sentences, args.max_sentences)
    out = args.out or (Path(tempfile.mkdtemp(prefix="qa-scale-quick-")) if args.quick else RESULTS)
    out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    t0 = time.perf_counter()

    def log(msg: str) -> None:
        print(f"[{time.perf_counter() - t0:5.0f}s] {msg}", flush=True)

    if args.render:
        res = json.loads(args.render.read_text(encoding="utf-8"))
        kw = args.render.parent / "keyword.json"
        if kw.exists():  # the keyword index measured again after its query plan changed
            res["keyword_plan"] = json.loads(kw.read_text(encoding="utf-8"))["points"]
        res["extrapolated"] = {lb: fit(res, lb) for lb in LABELS}
        command = res.get("command", "python -m bench.scale")
    else:

        def stop(signum: int, frame: Any) -> None:
            raise KeyboardInterrupt  # so the Chroma server is stopped and the temp dir removed

        signal.signal(signal.SIGTERM, stop)
        log(f"measurements so far are kept in {PARTIAL}")
        res = run(args, log)
        command = " ".join(["python -m bench.scale", *(sys.argv[1:] if argv is None else argv)])
        res["command"] = command
    (out / "scale.json").write_text(json.dumps(res, indent=1, default=str), encoding="utf-8")
    plots(res, out)
    text = report(res, command)
    (out / "scale.md").write_text(text, encoding="utf-8")
    print(text)
    print(f"results in {out}")


if __name__ == "__main__":
    main()
