"""Ingestion at scale: ingest throughput and retrieval latency against corpus size, embedded store vs server.

    python -m bench scale                         # the committed run: bench/results/scale.md, scale_*.png
    python -m bench scale --quick                 # a smoke run of a few minutes (results in a temp dir)
    python -m bench scale --max-sentences 300000  # grow the corpus to this size (or until --minutes is spent)
    python -m bench scale --render bench/results/scale.json --out /tmp/x  # the report again, from measurements

Two stores go through ``App`` as ``qa`` does: ``embedded`` (chromadb's PersistentClient in the data directory) and
``server`` (``chroma run`` on loopback, ``QA_CHROMA_URL``); the keyword index is the catalog's. The corpus is
``bench.scale_corpus``. Up to ``--real-sentences`` every sentence goes through the real ``App.ingest`` (load,
split, embed, Chroma, catalog), and before each document the embedder alone embeds the same sentences in the same
batches (ratio = ingest rate / embedder rate); beyond that, sentences are *inserted*: written straight into
Chroma (``ChromaStore.add``) and the catalog (``Catalog.add_ready``) with the real vectors reused, perturbed by
``SIGMA`` and re-normalised (embedding a million sentences on 2 cores takes most of an hour), and a few real
documents are then ingested on top (*probe*). At each point, per question: the Chroma query (the retriever's
candidate pool ``k``), ``Catalog.keyword_search``, both, and for a few questions the whole ``Retriever.search``
(no generation). The keyword index then grows on alone to ``--max-sentences`` (it needs no vectors). Sweeps:
the embedder's ``batch_size``, the ingest's ``embed_batch`` (``App(embed_batch=)``) and Chroma's upsert batch.
Timed work is interleaved document by document (round by round in the sweeps), so that every store and the
embedder alone see the same load from other processes. Report and plots: ``bench.scale_report``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from bench.peers import chroma_server
from bench.scale_corpus import Corpus, layout
from bench.scale_measure import (
    Backend,
    Clock,
    commit_probe,
    insert_catalog,
    keyword_latency,
    machine,
    perturb,
    rotate,
    split,
)
from bench.scale_report import LABELS, fit, plots, report
from index.ingest import EMBED_BATCH
from qa.settings import REPO_ROOT, Settings

RESULTS = REPO_ROOT / "bench" / "results"
PARTIAL = Path(tempfile.gettempdir()) / "qa-scale-partial.json"
SIGMA = 0.025  # per-dimension noise on reused vectors: cosine to the original ~0.89 in 384 dimensions


def plan(args: argparse.Namespace) -> dict[str, Any]:
    """Sizes, batch sizes and counts of the run (recorded in ``scale.json``)."""
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
            "write_batch": 4096,
            "retriever_queries": 20,
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
        "write_batch": 4096,  # vectors per upsert of the inserted sentences (Chroma's limit here is 5461)
        "retriever_queries": 30,  # whole-retriever timings per point (the rest time the store and keyword only)
    }


def embed_sweep(sample: list[str], batches: list[int], log: Callable[..., None]) -> dict:
    """Sentences/s of an embedder built with each ``batch_size``, in interleaved rounds of 256 sentences."""
    from index.embed import SentenceTransformerEmbedder

    embedders = {b: SentenceTransformerEmbedder(batch_size=b) for b in batches}
    for e in embedders.values():
        e.embed(sample[:16])  # warm up
    spent = dict.fromkeys(batches, 0.0)
    for r, lo in enumerate(range(0, len(sample), 256)):
        for b in rotate(batches, r):
            t = time.perf_counter()
            embedders[b].embed(sample[lo : lo + 256])
            spent[b] += time.perf_counter() - t
    rates = {b: len(sample) / s for b, s in spent.items()}
    log("embedder batch_size: " + ", ".join(f"{b}: {r:.0f}/s" for b, r in rates.items()))
    return {"sentences": len(sample), "rates": rates}


def ingest_sweep(embedder: Any, corpus: Corpus, root: Path, p: dict[str, Any], log: Callable[..., None]) -> dict:
    """Real ingest of long documents (so the batch binds) into one fresh store per ``embed_batch`` value."""
    n_docs, n_sent = p["ingest_docs"]
    (root / "batch-docs").mkdir()
    stores = {
        b: Backend("embedded", Settings(data_dir=root / f"eb{b}", collection="scale"), embedder, embed_batch=b)
        for b in p["ingest_batches"]
    }
    alone, total = Clock(), 0
    for i in range(n_docs):
        sentences = [s for j in range(40) for s in corpus.document(20_000 + 100 * j + i)[1]][:n_sent]
        path = root / "batch-docs" / f"long{i}.txt"
        path.write_text(layout(sentences)[0], encoding="utf-8")
        texts = split(path)
        total += len(texts)
        for b in rotate([None, *stores], i):
            if b is None:
                t = time.perf_counter()
                for lo in range(0, len(texts), EMBED_BATCH):
                    embedder.embed(texts[lo : lo + EMBED_BATCH])
                alone.add("embed", time.perf_counter() - t)
            else:
                stores[b].ingest(path)
    base = total / alone.spent["embed"]
    runs = {}
    for b, be in stores.items():
        r = be.take()
        runs[b] = {**r, "rate": total / r["wall"]}
        be.close()
    log("embed_batch: " + ", ".join(f"{b}: ratio {r['rate'] / base:.2f}" for b, r in runs.items()))
    return {"sentences": total, "embed_rate": base, "runs": runs}


def write_sweep(backends: list[Backend], pool: np.ndarray, p: dict[str, Any], log: Callable[..., None]) -> dict:
    """Vectors/s of Chroma upserts for each batch size, into fresh collections, in interleaved rounds."""
    rng = np.random.default_rng(1)
    n, batches = p["write_n"], p["write_batches"]
    spent: dict[tuple[str, int], float] = {}
    vecs = perturb(pool[rng.integers(0, len(pool), n)], rng, SIGMA)
    meta = {"hnsw:space": "cosine"}
    cols = {
        (be.label, b): be.store.client.create_collection(f"sweep-{b}", metadata=meta, embedding_function=None)
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
            be.store.client.delete_collection(f"sweep-{b}")
    rates = {f"{label}:{b}": n / s for (label, b), s in spent.items()}
    log("write batch: " + ", ".join(f"{k}: {r:.0f}/s" for k, r in rates.items()))
    return {"vectors": n, "rates": rates}


def run(args: argparse.Namespace, log: Callable[..., None]) -> dict[str, Any]:
    from index.embed import SentenceTransformerEmbedder

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
    k = res["k"] = max(4 * top_k, 20)  # the retriever's candidate pool per query

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
                    point[be.label] = be.latency(questions, qvecs, k, top_k, p["retriever_queries"])
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
                    vecs = perturb(pool[np.arange(state["size"], state["size"] + n) % len(pool)], rng, SIGMA)
                    for be in rotate(backends, state["doc"]):
                        be.bulk(docs, vecs, p["write_batch"])
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
        res["embed_sweep"] = embed_sweep(sample, p["embed_batches"], log)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    res["elapsed_s"] = time.perf_counter() - t_start
    res["date"] = f"{datetime.now(UTC):%Y-%m-%d %H:%M}"
    return res


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench scale", description=(__doc__ or "").split("\n")[0])
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
        command = res.get("command", "python -m bench scale")
    else:

        def stop(signum: int, frame: Any) -> None:
            raise KeyboardInterrupt  # so the Chroma server is stopped and the temp dir removed

        signal.signal(signal.SIGTERM, stop)
        log(f"measurements so far are kept in {PARTIAL}")
        res = run(args, log)
        command = " ".join(["python -m bench scale", *(sys.argv[1:] if argv is None else argv)])
        res["command"] = command
    res["extrapolated"] = {lb: fit(res, lb) for lb in LABELS}
    (out / "scale.json").write_text(json.dumps(res, indent=1, default=str), encoding="utf-8")
    plots(res, out)
    text = report(res, command)
    (out / "scale.md").write_text(text, encoding="utf-8")
    print(text)
    print(f"results in {out}")


if __name__ == "__main__":
    main()
