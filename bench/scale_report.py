"""The report of ``python -m bench scale``: ``scale.md`` and its plots, drawn only from the measurements in
``scale.json`` (and ``keyword.json`` beside it); how they were taken is in ``bench/scale.py``'s docstring."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

LABELS = ("embedded", "server")
TARGET_P95_S = 0.25  # store + keyword p95 at 1,000,000 sentences


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
        label="plain keyword OR query p95",
    )
    first_inserted = next((p["size"] for p in pts if p["synthetic"]), None)
    if first_inserted:
        ax.axvspan(first_inserted, xs[-1], color="grey", alpha=0.1, label="vectors inserted, not embedded")
    ax.axhline(TARGET_P95_S * 1e3, color="red", ls=":", label=f"target: p95 < {TARGET_P95_S * 1e3:.0f} ms at 1M")
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


def _ms(x: float) -> str:
    return f"{x * 1e3:.1f}"


def report(res: dict[str, Any], command: str) -> str:
    m, p = res["machine"], res["plan"]
    ing, es, ws, ins = res["ingest"], res["embed_sweep"], res["write_sweep"], res["ingest_sweep"]
    date = res.get("date") or f"{datetime.now(UTC):%Y-%m-%d %H:%M}"
    out = [
        f"""# Ingestion at scale

- Command: `{command}`; {res["elapsed_s"] / 60:.1f} min; {date} UTC; commit {m["commit"] or "?"} plus the working tree.
- Versions: Python {m["python"]}, chromadb {m["chromadb"]}, sentence-transformers {m["sentence_transformers"]},
  torch {m["torch"]}, numpy {m["numpy"]}, SQLite {m["sqlite"]}.
- Machine: {m["cpu"]}, {m["cores"]} cores (torch uses {m["torch_threads"]} threads), {m["ram"]} RAM, {m["platform"]};
  1-minute load average over the run: {" → ".join(f"{x:.1f}" for x in res["load"])}.
- How it was measured: the docstring of `bench/scale.py`; the corpus: `bench/scale_corpus.py`.

## Ingest throughput

Embedder alone in batches of {res["embed_batch"]}; ratio = ingest /s ÷ embedder alone /s on the same sentences;
*probe*: real ingest on top of inserted sentences.

| corpus after step | sentences in step | embedder alone /s | store | ingest /s | ratio | embed s | Chroma s | catalog s | other s |
|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|"""  # noqa: E501 (a table header is one line)
    ]
    for st in ing:
        for lb in LABELS:
            r = st[lb]
            other = r["wall"] - r.get("embed", 0) - r.get("chroma", 0) - r.get("catalog", 0)
            size = f"{st['size']:,}" + (" (probe)" if st.get("probe") else "")
            out.append(
                f"| {size} | {st['sentences']:,} | {st['embed_rate']:.0f} | {lb} | {r['rate']:.0f} | **{r['ratio']:.2f}** "
                f"| {r.get('embed', 0):.1f} | {r.get('chroma', 0):.1f} | {r.get('catalog', 0):.2f} | {other:.1f} |"
            )
    real = [st for st in ing if not st.get("probe")]
    alone_s, n_all = sum(st["embed_s"] for st in real), sum(st["sentences"] for st in real)
    summary = []
    for lb in LABELS:
        wall = sum(st[lb]["wall"] for st in real)
        part = {x: sum(st[lb].get(x, 0) for st in real) / wall for x in ("embed", "chroma", "catalog")}
        summary.append(
            f"{lb}: {n_all / wall:.0f} sentences/s, ratio **{alone_s / wall:.2f}** (embedding {part['embed']:.0%}, "
            f"Chroma {part['chroma']:.0%}, catalog {part['catalog']:.0%})"
        )
    out.append(f"""
All {n_all:,} sentences of the real-ingest steps (embedder alone {n_all / alone_s:.0f}/s): {"; ".join(summary)}.

![ingest throughput](scale_ingest.png)

## Batch sizes

Embedder `batch_size`, {es["sentences"]:,} sentences:

| batch_size | sentences/s |
|---:|---:|""")
    out += [f"| {b} | {r:.0f} |" for b, r in es["rates"].items()]
    out.append(f"""
Ingest `embed_batch`, {ins["sentences"]:,} sentences (embedder alone {ins["embed_rate"]:.0f}/s):

| embed_batch | ingest /s | ratio | embed s | Chroma s |
|---:|---:|---:|---:|---:|""")
    out += [
        f"| {b} | {r['rate']:.0f} | {r['rate'] / ins['embed_rate']:.2f} | {r.get('embed', 0):.1f} | {r.get('chroma', 0):.1f} |"
        for b, r in ins["runs"].items()
    ]
    out.append(f"""
Chroma upsert batch, {ws["vectors"]:,} vectors:

| store | batch | vectors/s |
|---|---:|---:|""")
    out += [f"| {key.split(':')[0]} | {key.split(':')[1]} | {r:.0f} |" for key, r in ws["rates"].items()]
    k = f", k={res['k']}" if "k" in res else ""
    retriever = f" (first {p['retriever_queries']} questions)" if "retriever_queries" in p else ""
    inserted = ""
    if any(pt["synthetic"] for pt in res["points"]):
        inserted = f"; *inserted*: the {res['pool']:,} real vectors reused with noise σ={res['sigma']}"
        inserted += f", upserts of {p['write_batch']}" if "write_batch" in p else ""
    out.append(f"""
## Retrieval latency against corpus size

{p["queries"]} questions per point{k}; `retriever`: `Retriever.search`{retriever}; one question's embedding alone
{res["query_embed_s"] * 1e3:.0f} ms; `matched`: median sentences a question's keyword OR query matches{inserted}.

| sentences | vectors | matched | store | store p50 / p95 ms | keyword p50 / p95 ms | **store + keyword p50 / p95 ms** | retriever p50 / p95 ms |
|---:|---|---:|---|---:|---:|---:|---:|""")  # noqa: E501 (a table header is one line)
    for pt in res["points"]:
        for lb in LABELS:
            r = pt[lb]
            out.append(
                f"| {pt['size']:,} | {'inserted' if pt['synthetic'] else 'embedded'} | {pt['matched']:,.0f} | {lb} "
                f"| {_ms(r['dense_p50'])} / {_ms(r['dense_p95'])} | {_ms(r['keyword_p50'])} / {_ms(r['keyword_p95'])} "
                f"| **{_ms(r['store_keyword_p50'])} / {_ms(r['store_keyword_p95'])}** "
                f"| {r['retriever_p50'] * 1e3:.0f} / {r['retriever_p95'] * 1e3:.0f} |"
            )
    kws = res.get("keyword_only", [])
    out.append("""
Keyword index (`Catalog.keyword_search`; `plain`: `Catalog.plain_keyword_search`), growing on alone past the vectors:

| sentences | matched | keyword p50 / p95 ms | plain p50 / p95 ms | begin + commit of a new document |
|---:|---:|---:|---:|---:|""")
    rows = [(q["size"], q["matched"], q["embedded"], q, "") for q in res["points"]]
    rows += [(q["size"], q["matched"], q, q, f"{q['commit_s']:.2f} s") for q in kws]
    out += [
        f"| {n:,} | {matched:,.0f} | {_ms(kw['keyword_p50'])} / {_ms(kw['keyword_p95'])} "
        f"| {_ms(bare['nojoin_p50'])} / {_ms(bare['nojoin_p95'])} | {commit} |"
        for n, matched, kw, bare, commit in rows
    ]
    out.append(f"""
![retrieval latency](scale_latency.png)

## Against the target: store + keyword p95 < {TARGET_P95_S * 1e3:.0f} ms at 1,000,000 sentences
""")
    last = res["points"][-1]
    if res["stopped"]:
        out.append(f"- Vectors: the run {res['stopped']}.")
    for lb in LABELS:
        e = res["extrapolated"][lb]
        verdict = "within" if e["store_keyword"] < TARGET_P95_S else "above"
        measured = f"{last[lb]['dense_p95'] * 1e3:.0f} ms measured at {last['size']:,}"
        store = f"store {measured}" if last["size"] >= 1_000_000 else f"store {e['dense'] * 1e3:.0f} ms (fitted; {measured})"
        how = "measured" if e["keyword_measured"] else "fitted"
        if e.get("keyword_source"):
            how = f"measured, [{e['keyword_source']}]({e['keyword_source']})"
        out.append(
            f"- {lb}: p95 at 1,000,000 = {store} + keyword {e['keyword'] * 1e3:.0f} ms ({how}) = "
            f"**{e['store_keyword'] * 1e3:.0f} ms** ({verdict} the target)."
        )
    out.append("- Fits (`fit`): store p95 = a + b·ln N over the points ≥ 10,000; keyword p95 = a + b·N when not measured.")
    if any(pt["synthetic"] for pt in res["points"]):
        rates = ", ".join(f"{lb} {last[lb]['bulk_rate']:.0f}/s" for lb in LABELS)
        out.append(f"- Write rate of the inserted sentences (Chroma upsert + catalog, no embedding): {rates}.")
    return "\n".join(out) + "\n"
