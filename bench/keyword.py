"""``python -m bench keyword``: the keyword index at up to a million sentences, plain BM25 OR query vs qa's plan.

Grows an FTS5 catalog with the generated corpus of ``bench.scale_corpus`` (``Catalog.add_ready``; no vectors:
the keyword half alone) and, at each size, times per question: ``Catalog.keyword_search`` as qa runs it
(``keyword_plan``), right after a write (``forget_term_counts``) and with term counts cached, and
``Catalog.plain_keyword_search``, the plain OR query, with and without the JOIN on ready ``documents``. It checks
that the plan's top k score exactly as the plain query's (score recall: share of the plain top k whose score the
plan's top k reaches), and times ``Catalog.begin`` + ``commit`` of a document.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.scale_corpus import Corpus, layout
from bench.scale_measure import insert_catalog, machine, pct
from index.catalog import Catalog
from index.records import Sentence
from qa.settings import REPO_ROOT

RESULTS = REPO_ROOT / "bench" / "results"


def measure(cat: Catalog, questions: list[str], k: int) -> dict[str, Any]:
    for q in questions[:5]:
        cat.keyword_search(q, k)
    times: dict[str, list[float]] = {"plan_cold": [], "plan": [], "plain_join": [], "plain": []}
    recall, matched = [], []
    for q in questions:
        cat.forget_term_counts()
        t0 = time.perf_counter()
        cat.keyword_search(q, k)  # term counts not cached yet: as after a write
        t1 = time.perf_counter()
        ours = cat.keyword_search(q, k)
        t2 = time.perf_counter()
        cat.plain_keyword_search(q, k, ready_join=True)
        t3 = time.perf_counter()
        exact = cat.plain_keyword_search(q, k)
        t4 = time.perf_counter()
        for name, dt in zip(times, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
            times[name].append(dt)
        if exact:
            kth = exact[-1][2]
            recall.append(sum(1 for *_, s in ours if s >= kth - 1e-9) / len(exact))
        matched.append(cat.keyword_matches(q))
    out: dict[str, Any] = {f"{n}_{q}": pct(v, q) for n, v in times.items() for q in (50, 95)}
    out["commit_s"] = commit_seconds(cat)
    out.update(
        score_recall_mean=float(np.mean(recall)),
        score_recall_min=float(np.min(recall)),
        matched=float(np.median(matched)),
        questions=len(questions),
    )
    return out


def commit_seconds(cat: Catalog) -> float:
    """Median seconds for ``Catalog.begin`` + ``commit`` of a 150-sentence document, first new, then replaced (as
    ingest writes a changed file: its old rows are deleted in the same transaction); the document is then removed."""
    texts = [f"Sentence {i} of the commit probe about the harbour ferry." for i in range(150)]
    rows = [Sentence("probe", i, 0, len(t), None, t) for i, t in enumerate(texts)]
    spent = []
    for sha in ("a" * 64, "b" * 64, "c" * 64):
        t = time.perf_counter()
        cat.begin("probe", "/probe.txt", sha, 1)
        cat.commit("probe", "", rows)
        spent.append(time.perf_counter() - t)
    cat.remove("probe")
    return float(np.median(spent))


def report(res: dict[str, Any]) -> str:
    m = res["machine"]
    lines = [
        f"""# Keyword index at scale: qa's query plan vs the plain BM25 OR query

- Command: `{res["command"]}`; {res["date"]} UTC; commit {m["commit"] or "?"} plus the working tree.
- Machine: {m["cpu"]}, {m["cores"]} cores, {m["ram"]} RAM, SQLite {m["sqlite"]}; load average at the end
  {", ".join(f"{x:.1f}" for x in res.get("load", [])) or "not recorded"} (other jobs slow both plans alike:
  the questions interleave them).
- Corpus: `bench.scale_corpus`'s generated documents (small vocabulary: a question's terms match many sentences,
  pessimistic for BM25); {res["questions"]} generated questions per size, k={res["k"]} (what the retriever asks).
- `plan`: `Catalog.keyword_search` now (`keyword_plan`, term counts cached); `plan, cold`: the same right after a
  write (term counts recounted); `plain + JOIN`: the query it replaced; `plain`: the same OR query without the
  JOIN. Score recall: share of the plain query's top k whose BM25 score the plan's top k reaches (1.0 = the
  same ranking up to ties).

`commit`: median seconds for `Catalog.begin` + `commit` of a 150-sentence document, new then replaced.

| sentences | matched (median) | plan p50 / p95 ms | plan, cold p50 / p95 ms | plain + JOIN p50 / p95 ms | plain p50 / p95 ms | score recall mean (min) | commit s |
|---:|---:|---:|---:|---:|---:|---:|---:|"""  # noqa: E501 (a table header is one line)
    ]
    for p in res["points"]:
        commit = f"{p['commit_s']:.3f}" if "commit_s" in p else "n/a"
        lines.append(
            f"| {p['size']:,} | {p['matched']:,.0f} | {p['plan_50'] * 1e3:.0f} / {p['plan_95'] * 1e3:.0f} | "
            f"{p['plan_cold_50'] * 1e3:.0f} / {p['plan_cold_95'] * 1e3:.0f} | "
            f"{p['plain_join_50'] * 1e3:.0f} / {p['plain_join_95'] * 1e3:.0f} | "
            f"{p['plain_50'] * 1e3:.0f} / {p['plain_95'] * 1e3:.0f} | "
            f"{p['score_recall_mean']:.3f} ({p['score_recall_min']:.2f}) | {commit} |"
        )
    last = res["points"][-1]
    lines += [
        "",
        f"At {last['size']:,} sentences the plan's p95 (cold) is {last['plan_cold_95'] * 1e3:.0f} ms against "
        f"{last['plain_join_95'] * 1e3:.0f} ms for the query it replaced "
        f"(ratio {last['plan_cold_95'] / last['plain_join_95']:.2f}). `python -m bench scale --render "
        "bench/results/scale.json` takes the keyword p95 at 1,000,000 from here.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench keyword", description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--sizes", default="100000,300000,1000000", help="comma-separated corpus sizes")
    ap.add_argument("--queries", type=int, default=100)
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    corpus, k = Corpus(), 24
    questions = corpus.questions(args.queries)
    res: dict[str, Any] = {
        "command": " ".join(["python -m bench keyword", *(argv or [])]),
        "k": k,
        "questions": len(questions),
        "machine": machine(),
        "points": [],
        "date": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
    }
    with tempfile.TemporaryDirectory(prefix="qa-keyword-") as tmp:
        cat = Catalog(Path(tmp) / "catalog.db")
        size, doc = 0, 0
        for target in sizes:
            while size < target:
                batch, n = [], 0
                while n < 20_000 and size + n < target:
                    name, sentences = corpus.document(doc)
                    doc += 1
                    text, spans = layout(sentences)
                    batch.append((str(Path(tmp) / name), text, spans))
                    n += len(spans)
                insert_catalog(cat, batch)
                size += n
            point = {"size": size, **measure(cat, questions, k)}
            res["points"].append(point)
            print(
                f"{size:,} sentences: plan p95 {point['plan_cold_95'] * 1e3:.0f} ms (cold), plain + JOIN "
                f"{point['plain_join_95'] * 1e3:.0f} ms, score recall {point['score_recall_mean']:.3f}",
                flush=True,
            )
        cat.close()
    res["load"] = list(os.getloadavg())
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "keyword.json").write_text(json.dumps(res, indent=1), encoding="utf-8")
    (args.out / "keyword.md").write_text(report(res), encoding="utf-8")
    print(f"report: {args.out / 'keyword.md'}")
    return 0
