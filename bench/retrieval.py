"""``python -m bench retrieval``: does what a right answer needs reach the model? Retrieval only, no model.

For each set of ``bench quality`` (same corpora, same questions, first turns only) and each ``top_k`` × ``hops``
setting, the share of answerable questions whose needs are among the sources the pipeline would show the model
(``bench.metrics.gold_retrieved``: every gold sentence for the labelled set, every gold document for
tokens_saved, the answer string for HotpotQA's non-yes/no questions), and what that costs in prompt: sentences and
characters per question. Minutes, not hours, so retrieval changes can be tried before a quality run.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import datasets, metrics
from qa.settings import REPO_ROOT

RESULTS = REPO_ROOT / "bench" / "results"


def measure(app: Any, corpus: datasets.Corpus, top_k: int, hops: int) -> dict[str, Any]:
    from qa.ask import Asker

    asker = Asker(app.settings.with_(top_k=top_k, hops=hops), app.retriever, app.verifier, app.generator)
    found = total = n_sources = chars = 0
    for item in corpus.items:
        if not item.answers or item.history:
            continue
        sources = asker.retrieve(item.question, None)
        rec = {
            "set": corpus.name,
            "support": item.support,
            "answers": item.answers,
            "gold_docs": item.gold_docs,
            "retrieved": [{"text": s.sentence.text, "document": corpus.doc_name(s.document)} for s in sources],
        }
        hit = metrics.gold_retrieved(rec)
        if hit is None:
            continue
        total += 1
        found += hit
        n_sources += len(sources)
        chars += sum(len(s.sentence.text) for s in sources)
    return {
        "questions": total,
        "recall": found / total if total else None,
        "sentences": n_sources / total if total else None,
        "chars": chars / total if total else None,
    }


def run(sets: list[str], grid: list[tuple[int, int]], workdir: Path, quick: bool = False) -> list[dict[str, Any]]:
    from qa.app import build_app
    from qa.settings import Settings

    rows = []
    for name in sets:
        corpus = datasets.load(name, workdir, quick=quick)
        app = build_app(Settings.from_env().with_(data_dir=workdir / f"data_{name}"))
        try:
            app.ingest(corpus.files)
            for top_k, hops in grid:
                rows.append({"set": name, "top_k": top_k, "hops": hops, **measure(app, corpus, top_k, hops)})
        finally:
            app.close()
    return rows


def render(rows: list[dict[str, Any]], command: str) -> str:
    lines = [
        f"""# Retrieval: does what the answer needs reach the model?

- Command: `{command}`; {time.strftime("%Y-%m-%d %H:%M:%S")}; no model is loaded.
- Recall: share of answerable first-turn questions whose needs are among the sources shown to the model (labelled:
  every gold sentence; tokens_saved: every gold document; HotpotQA: the answer string, yes/no questions left out).
  Sentences and characters: what the sources add to the prompt, per question.

| set | top_k | hops | questions | recall | sentences | characters |
|---|---|---|---|---|---|---|"""
    ]
    for r in rows:
        rec = "n/a" if r["recall"] is None else f"{r['recall']:.3f}"
        sen = "n/a" if r["sentences"] is None else f"{r['sentences']:.1f}"
        cha = "n/a" if r["chars"] is None else f"{r['chars']:.0f}"
        lines.append(f"| {r['set']} | {r['top_k']} | {r['hops']} | {r['questions']} | {rec} | {sen} | {cha} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    ap = argparse.ArgumentParser(prog="python -m bench retrieval", description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--sets", default=",".join(datasets.SETS))
    ap.add_argument("--top-k", default="6,8", help="comma-separated top_k values")
    ap.add_argument("--hops", default="0,2", help="comma-separated hops values")
    ap.add_argument("--quick", action="store_true", help="the quick subsets of bench quality")
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    grid = [(int(k), int(h)) for k in args.top_k.split(",") for h in args.hops.split(",")]
    sets = [s.strip() for s in args.sets.split(",") if s.strip()]
    with tempfile.TemporaryDirectory(prefix="qa-retrieval-") as tmp:
        rows = run(sets, grid, Path(tmp), quick=args.quick)
    text = render(rows, " ".join(["python -m bench retrieval", *argv]))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "retrieval.md").write_text(text, encoding="utf-8")
    print(text)
    return 0
