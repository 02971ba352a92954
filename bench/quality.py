"""``python -m bench quality``: ours vs LlamaIndex's CitationQueryEngine, same documents, embedder and model.

Per set: extract the corpus's sentences and time the embedder alone on them; ingest into ours (``App``) and
the baseline; then ask every question of both, streaming. Each answer is appended to ``quality.jsonl`` as it
comes, so ``--resume`` skips what is done; the report is rebuilt from that file.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import fields
from pathlib import Path
from typing import Any

from bench import datasets, metrics, report
from qa.settings import REPO_ROOT, Settings

DEFAULT_OUT = REPO_ROOT / "bench" / "results"


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench quality", description=__doc__.splitlines()[0])
    p.add_argument(
        "--quick",
        action="store_true",
        help="5 HotpotQA + 8 labelled (2 unanswerable) + 2 tokens_saved tasks, into bench/results/quick/",
    )
    p.add_argument("--limit", type=int, help="only the first N questions of each set")
    p.add_argument(
        "--every",
        type=int,
        default=1,
        help="every N-th question of each set (multi-turn tasks whole): a sample when time is short",
    )
    p.add_argument("--sets", default=",".join(datasets.SETS), help="comma-separated: hotpot,labelled,tokens")
    p.add_argument("--only", choices=metrics.SYSTEMS, help="run one system only")
    p.add_argument("--resume", action="store_true", help="keep quality.jsonl and skip the questions already answered")
    p.add_argument(
        "--redo",
        choices=metrics.SYSTEMS,
        help="drop this system's results from quality.jsonl and run it again, keeping the other's "
        "(implies --resume --only SYSTEM): after a pipeline change, ours without re-running the "
        "baseline",
    )
    p.add_argument("--out", type=Path, help="output folder (default bench/results, or bench/results/quick)")
    p.add_argument("--report-only", action="store_true", help="rebuild the report from quality.jsonl")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    opts = p.parse_args(argv)
    opts.sets = [s.strip() for s in opts.sets.split(",") if s.strip()]
    for s in opts.sets:
        if s not in datasets.SETS:
            p.error(f"unknown set '{s}' (choose from {', '.join(datasets.SETS)})")
    opts.out = opts.out or (DEFAULT_OUT / "quick" if opts.quick else DEFAULT_OUT)
    if opts.redo:
        if opts.only and opts.only != opts.redo:
            p.error("--redo and --only name different systems")
        opts.only, opts.resume = opts.redo, True
    return opts


def drop_system(jsonl: Path, system: str) -> int:
    """Remove one system's records (ingest, questions, memory) from ``jsonl``; run records stay. Returns how many."""
    if not jsonl.exists():
        return 0
    lines = [line for line in jsonl.read_text(encoding="utf-8").splitlines() if line.strip()]
    keep = [line for line in lines if json.loads(line).get("system") != system]
    jsonl.write_text("".join(line + "\n" for line in keep), encoding="utf-8")
    return len(lines) - len(keep)


def rss_mb(field: str = "VmRSS") -> float:
    """Resident memory of this process from /proc (``VmHWM`` is its peak so far), in MiB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class RssSampler(threading.Thread):
    """Samples RSS every 0.1 s, keeping the peak per phase (torch and llama.cpp bypass tracemalloc)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.current: str | None = None
        self.peaks: dict[str, float] = {}
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(0.1):
            if self.current:
                self.peaks[self.current] = max(self.peaks.get(self.current, 0.0), rss_mb())

    @contextmanager
    def phase(self, name: str) -> Any:
        self.current = name
        self.peaks[name] = max(self.peaks.get(name, 0.0), rss_mb())
        try:
            yield
        finally:
            self.peaks[name] = max(self.peaks[name], rss_mb())
            self.current = None

    def stop(self) -> None:
        self._stop_event.set()


class Runner:
    def __init__(self, opts: argparse.Namespace) -> None:
        self.opts = opts
        self.systems = [opts.only] if opts.only else list(metrics.SYSTEMS)
        self.jsonl = opts.out / "quality.jsonl"
        if getattr(opts, "redo", None):
            drop_system(self.jsonl, opts.redo)
        self.records: list[dict[str, Any]] = []
        if opts.resume and self.jsonl.exists():
            lines = self.jsonl.read_text(encoding="utf-8").splitlines()
            self.records = [json.loads(line) for line in lines if line.strip()]
        self.done = {
            (r["set"], r["id"], r["system"]): r for r in self.records if r.get("type") == "question" and not r.get("error")
        }
        self.sampler = RssSampler()
        self._models: dict[str, Any] = {}

    def _append(self, record: dict[str, Any]) -> None:
        self.records.append(record)
        with self.jsonl.open("a", encoding="utf-8") as f:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")

    # models: loaded once, on first need, and shared by both systems
    def model(self, name: str) -> Any:
        if name not in self._models:
            from bench.baseline import make_embed_model, make_llm
            from index.embed import SentenceTransformerEmbedder, bundled_embed_model
            from qa.generate import LlamaCppGenerator
            from qa.models import bundled_model

            s = Settings.from_env()
            if name == "embedder":
                self._models[name] = SentenceTransformerEmbedder(s.embed_model)
            elif name == "model_path":
                self._models[name] = s.model_path or bundled_model(Settings().data_dir)
            elif name == "generator":
                self._models[name] = LlamaCppGenerator(self.model("model_path"), n_ctx=s.n_ctx, n_threads=s.n_threads)
            elif name == "llm":
                # share the generator's llama_cpp.Llama (one copy of the weights); load another if unreachable
                llama = getattr(self.model("generator"), "llama", None)
                self._models[name] = make_llm(
                    self.model("model_path"),
                    llama=llama,
                    n_ctx=s.n_ctx,
                    max_new_tokens=s.max_tokens,
                    temperature=s.temperature,
                    n_threads=s.n_threads,
                )
            elif name == "embed_model":
                self._models[name] = make_embed_model(s.embed_model or bundled_embed_model())
        return self._models[name]

    def run(self) -> None:
        opts = self.opts
        opts.out.mkdir(parents=True, exist_ok=True)
        if not opts.resume:
            self.jsonl.write_text("", encoding="utf-8")
        started = time.strftime("%Y-%m-%d %H:%M:%S")
        code = report.code_version()  # what this process loads (the pipeline is imported right after)
        self.sampler.start()
        with tempfile.TemporaryDirectory(prefix="qa-bench-") as tmp:
            for name in opts.sets:
                self.run_set(datasets.load(name, Path(tmp), quick=opts.quick, limit=opts.limit, every=opts.every), Path(tmp))
        self.sampler.stop()
        for system in self.systems:
            if system in self.sampler.peaks:
                peak = round(self.sampler.peaks[system], 1)
                self._append({"type": "memory", "system": system, "peak_rss_mb": peak})
        settings = Settings.from_env()
        tuned = {
            f.name: getattr(settings, f.name)
            for f in fields(settings)
            if (type(getattr(settings, f.name)) in (int, float) and f.name != "port") or f.name == "prompt"
        }
        self._append(
            {
                "type": "run",
                "command": self.opts.command,
                "started": started,
                "finished": time.strftime("%Y-%m-%d %H:%M:%S"),
                "quick": opts.quick,
                "limit": opts.limit,
                "every": opts.every,
                "sets": opts.sets,
                "systems": self.systems,
                "vm_hwm_mb": round(rss_mb("VmHWM"), 1),
                "env": report.environment(),
                "settings": tuned,
                "code": code,
            }
        )

    def run_set(self, corpus: datasets.Corpus, tmp: Path) -> None:
        pending = {s: [i for i in corpus.items if (corpus.name, i.id, s) not in self.done] for s in self.systems}
        systems = [s for s in self.systems if pending[s]]
        if not systems:
            return
        self.model("generator")  # loaded before any timing; the baseline shares its weights
        if "baseline" in systems:
            self.model("llm"), self.model("embed_model")
        embed_s, n_sentences = self.embed_only(corpus)
        built: dict[str, Any] = {}
        for system in systems:
            with self.sampler.phase(system):
                t0 = time.perf_counter()
                ingest = self.ingest_ours if system == "ours" else self.ingest_baseline
                built[system], extra = ingest(corpus, tmp)
                seconds = time.perf_counter() - t0
            self._append(
                {
                    "type": "ingest",
                    "set": corpus.name,
                    "system": system,
                    "seconds": round(seconds, 3),
                    "embed_seconds": round(embed_s, 3),
                    "sentences": n_sentences,
                    "documents": len(corpus.files),
                    **extra,
                }
            )
        bar = report.progress(corpus.items, f"{corpus.name}: questions", self.opts.no_progress)
        for item in bar:
            for system in systems:
                if item not in pending[system]:
                    continue
                with self.sampler.phase(system):
                    rec = self.ask(system, built[system], corpus, item)
                self.done[(corpus.name, item.id, system)] = rec
                self._append(rec)
                if item.answers:
                    verdict = "right" if rec.get("correct") else "wrong"
                else:
                    verdict = "declined" if rec.get("declined") else "answered (unanswerable)"
                bar.set_postfix_str(f"{system} {item.id}: {verdict} {rec.get('total_s') or 0:.0f}s")
        if "ours" in built:
            built["ours"].close()

    def embed_only(self, corpus: datasets.Corpus) -> tuple[float, int]:
        """The embedder's own time on exactly the sentences ingest will embed (same batches)."""
        from index.ingest import EMBED_BATCH, make_sentences
        from index.load import load

        texts: list[str] = []
        for path in corpus.files:
            extracted = load(path, max_bytes=50_000_000)
            texts.extend(s.text for s in make_sentences("x", extracted.text, extracted.page_at))
        embedder = self.model("embedder")
        embedder.embed(texts[:32])  # warm-up
        t0 = time.perf_counter()
        for lo in range(0, len(texts), EMBED_BATCH):
            embedder.embed(texts[lo : lo + EMBED_BATCH])
        return time.perf_counter() - t0, len(texts)

    def ingest_ours(self, corpus: datasets.Corpus, tmp: Path) -> tuple[Any, dict[str, Any]]:
        from qa.app import App

        app = App(
            Settings.from_env().with_(data_dir=tmp / f"ours_{corpus.name}"), self.model("embedder"), self.model("generator")
        )
        bar = report.progress(None, f"{corpus.name}: ingest ours", self.opts.no_progress, total=len(corpus.files))
        results = app.ingest(corpus.files, lambda _n, done, total: bar.update(1) if done == total else None)
        bar.close()
        errors = [r for r in results if r.status == "error"]
        return app, {"indexed_sentences": sum(r.sentences for r in results), "errors": len(errors)}

    def ingest_baseline(self, corpus: datasets.Corpus, tmp: Path) -> tuple[Any, dict[str, Any]]:
        from bench.baseline import Baseline

        b = Baseline(tmp / f"baseline_{corpus.name}", self.model("llm"), self.model("embed_model"))
        b.ingest(corpus.files, corpus.doc_name)
        return b, {"chunks": b.chunks}

    def history(self, system: str, item: datasets.Item) -> list[tuple[str, str]]:
        turns = [self.done.get((item.set, h, system)) for h in item.history]
        return [(t["question"], t["answer"]) for t in turns if t]

    def ask(self, system: str, target: Any, corpus: datasets.Corpus, item: datasets.Item) -> dict[str, Any]:
        rec: dict[str, Any] = {
            "type": "question",
            "set": item.set,
            "id": item.id,
            "system": system,
            "question": item.question,
            "kind": item.kind,
            "task": item.task,
            "answers": item.answers,
            "support": item.support,
            "gold_docs": item.gold_docs,
        }
        history = self.history(system, item)
        try:
            rec.update(
                self.ask_ours(target, corpus, item.question, history) if system == "ours" else target.ask(item.question, history)
            )
        except Exception as exc:  # one failed question must not end a multi-hour run
            rec.update(answer="", declined=True, citations=[], error=f"{type(exc).__name__}: {exc}")
            return rec
        rec.update(metrics.score(rec))
        return rec

    @staticmethod
    def ask_ours(app: Any, corpus: datasets.Corpus, question: str, history: list[tuple[str, str]]) -> dict[str, Any]:
        t0 = time.perf_counter()
        ttft = None
        raw: list[str] = []
        retrieved: list[dict[str, Any]] = []
        answer = None
        for event in app.ask_stream(question, history=history or None):
            if event.kind == "token":
                ttft = time.perf_counter() - t0 if ttft is None else ttft
                raw.append(event.data)
            elif event.kind == "sources":
                retrieved = [
                    {
                        "n": s.n,
                        "text": s.sentence.text,
                        "document": corpus.doc_name(s.document),
                        "index": s.sentence.index,
                        "score": round(s.score, 3),
                    }
                    for s in event.data
                ]
            elif event.kind == "redraft":
                raw.append(" <redraft> ")
            elif event.kind == "answer":
                answer = event.data
        total = time.perf_counter() - t0
        assert answer is not None
        return {
            "answer": answer.answer,
            "declined": answer.declined,
            "raw": "".join(raw),
            **checked_fields(answer.sentences, answer.citations, answer.why, corpus.doc_name),
            "retrieved": retrieved,
            "ttft_s": ttft if ttft is not None else total,
            "total_s": total,
            "timings": {k: round(v, 3) for k, v in answer.timings.items()},
            "standalone": answer.rewritten,
        }


def checked_fields(sentences: Any, citations: Any, why: str, doc_name: Any = str) -> dict[str, Any]:
    """What a question record keeps of a checked answer: its citations, sentences and why it was declined
    (``bench replay`` writes the same fields for a draft it checks again)."""

    def kept(c: Any) -> dict[str, Any]:
        return {"text": c.text, "document": doc_name(c.document), "score": c.score}

    return {
        # another document's other value for a claim (role "contradicts") is no citation of the answer's
        "citations": [kept(c) for c in citations if c.role != "contradicts"],
        "disputes": [kept(c) for c in citations if c.role == "contradicts"],
        "unsupported": sum(1 for s in sentences if not s.supported),
        "sentences": [
            {"text": s.text, "verdict": s.verdict, "reason": s.reason, "check": s.check, "score": s.score} for s in sentences
        ],
        "declined_because": why or None,
    }


def main(argv: list[str]) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    opts = parse_args(argv)
    opts.command = " ".join(["python -m bench quality", *argv])
    if not opts.report_only:
        Runner(opts).run()
    path = report.write(opts.out)
    print(f"report: {path}")
    return 0
