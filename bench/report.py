"""The quality report: ``quality.md`` with a versions/machine header, targets and metrics, plus PNG charts."""

from __future__ import annotations

import json
import os
import platform
import re
import statistics
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from bench import metrics

PACKAGES = (
    "qa",
    "llama-index-core",
    "llama-index-llms-llama-cpp",
    "llama-index-vector-stores-chroma",
    "llama-index-embeddings-huggingface",
    "chromadb",
    "llama-cpp-python",
    "sentence-transformers",
    "torch",
)

# (key, label, format): "p" share, "s" seconds, "n" number
ROWS = [
    ("acc_hotpot", "answer accuracy: HotpotQA dev 0–49", "p"),
    ("acc_labelled", "answer accuracy: labelled, answerable", "p"),
    ("acc_tokens", "answer accuracy: tokens_saved_v1 (all facts of a turn)", "p"),
    ("acc_all", "answer accuracy: all answerable questions", "p"),
    ("cit_precision_labelled", "citation precision: labelled, sentence-level", "p"),
    ("cit_recall_labelled", "citation recall: labelled, sentence-level", "p"),
    ("cit_precision_tokens", "citation precision: tokens_saved, document-level", "p"),
    ("cit_recall_tokens", "citation recall: tokens_saved, document-level", "p"),
    ("answer_cited_hotpot", "correct HotpotQA answers with a citation containing the answer", "p"),
    ("correct_cited_hotpot", "HotpotQA questions answered correctly and citing a sentence holding the answer", "p"),
    ("cit_len_mean", "mean citation length (characters)", "n"),
    ("cit_per_answer", "citations per non-declined answer", "n"),
    ("false_answer_rate", "false-answer rate: unanswerable questions answered", "p"),
    ("decline_rate", "decline rate: answerable questions declined", "p"),
    ("ttft_median", "time to first token, median (s)", "s"),
    ("ttft_p95", "time to first token, p95 (s)", "s"),
    ("total_median", "total time per question, median (s)", "s"),
    ("total_p95", "total time per question, p95 (s)", "s"),
    ("judge_added", "verification time added to the median total time (median total / median total without it - 1)", "p"),
    ("retry_rate", "questions whose draft only copied a source and was asked again", "p"),
    *[(f"ingest_s_{s}", f"ingest time: {s} (s)", "s") for s in ("hotpot", "labelled", "tokens")],
    *[
        (f"ingest_eff_{s}", f"ingest efficiency: {s} (embedder-only time / ingest time)", "p")
        for s in ("hotpot", "labelled", "tokens")
    ],
    ("ingest_eff_all", "ingest efficiency: all sets", "p"),
    ("peak_rss_mb", "peak RSS while this system ran (MiB)", "n"),
    ("questions", "questions answered", "n"),
    ("errors", "questions that raised an error", "n"),
]
CHART_KEYS = [
    "acc_hotpot",
    "acc_labelled",
    "acc_tokens",
    "acc_all",
    "cit_precision_labelled",
    "cit_recall_labelled",
    "cit_precision_tokens",
    "cit_recall_tokens",
    "answer_cited_hotpot",
    "false_answer_rate",
    "decline_rate",
]


def environment() -> dict[str, Any]:
    versions = {}
    for pkg in PACKAGES:
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = "not installed"
    cpu = platform.processor()
    ram = 0.0
    try:
        cpu = next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            cpu,
        )
        ram = (
            int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")))
            / 2**20
        )
    except (OSError, StopIteration):
        pass
    return {
        "versions": versions,
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "ram_gib": round(ram, 1),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "load_avg": [round(x, 2) for x in os.getloadavg()],
    }


def code_version() -> str:
    """The commit, and whether the pipeline's code differs from it (others edit it while a run goes on)."""
    import subprocess

    def git(*args: str) -> str:
        try:
            return subprocess.run(
                ["git", *args], cwd=Path(__file__).resolve().parents[1], capture_output=True, text=True, timeout=30
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    changed = git("diff", "--name-only", "HEAD", "--", "qa", "index").split()
    return commit + (f" + uncommitted changes in {', '.join(changed)}" if changed else "")


def progress(iterable: Any, desc: str, disable: bool = False, total: int | None = None) -> Any:
    from tqdm import tqdm

    return tqdm(iterable, desc=desc, total=total, disable=disable, dynamic_ncols=True, file=sys.stderr)


def _fmt(value: float | None, kind: str) -> str:
    if value is None:
        return "n/a"
    return {"p": f"{value:.3f}", "s": f"{value:.2f}", "n": f"{value:,.1f}"}[kind]


def _ratio(a: float | None, b: float | None) -> str:
    return "n/a" if a is None or b is None or b == 0 else f"{a / b:.2f}"


def _support_score(sentence: dict[str, Any]) -> float:
    """A supported claim's judge score: its ``score`` field, or in records written before that field existed, the
    number in its reason ("… (judge 0.61)"); a quoted sentence counts 1."""
    if sentence.get("score") is not None:
        return float(sentence["score"])
    found = re.findall(r"judge ([0-9.]+)", sentence["reason"])
    return float(found[0]) if found and "quoted" not in sentence["reason"] else 1.0


def support_sweep(records: list[dict[str, Any]], bars: tuple[float, ...] = (0.55, 0.6, 0.65, 0.7, 0.75)) -> list[str]:
    """How ours' answered questions would fare at other support thresholds, from the claims' judge scores
    (``sentences[].score``): an answer stands at a threshold when its best supported claim scored at least that. An estimate:
    a claim refused at a higher bar would try other sentences, so a few refused answers might be re-cited."""
    scored: list[tuple[float, str]] = []
    for r in records:
        if r.get("type") != "question" or r.get("system") != "ours" or r.get("declined") or "sentences" not in r:
            continue
        ps = [_support_score(s) for s in r["sentences"] if s["verdict"] == "supported"]
        kind = "unanswerable" if not r["answers"] else ("right" if r.get("correct") else "wrong")
        scored.append((max(ps, default=0.0), kind))
    if not scored:
        return []
    lines = [
        "",
        "## Support threshold, from this run's judge scores",
        "",
        "Answered questions that would still be answered at each bar (development data: HotpotQA 0–49, the "
        "labelled set, tokens_saved). The bar is `QA_SUPPORT_THRESHOLD`.",
        "",
        "| support bar | right answers kept | wrong answers kept | unanswerable questions answered |",
        "|---|---|---|---|",
    ]
    for bar in bars:
        kept = [kind for p, kind in scored if p >= bar]
        lines.append(f"| {bar:.2f} | {kept.count('right')} | {kept.count('wrong')} | {kept.count('unanswerable')} |")
    return lines


def write(out: Path) -> Path:
    """Read ``out/quality.jsonl``; write ``out/quality.md`` and the charts; return the report's path."""
    path = out / "quality.jsonl"
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    ours, base = metrics.summarize(records, "ours"), metrics.summarize(records, "baseline")
    runs = [r for r in records if r.get("type") == "run"]
    run = runs[-1] if runs else {"env": environment(), "command": "(not recorded)", "settings": {}}
    lines = _header(run, len(runs), records)
    lines += ["", "## Targets (ours)", "", "| target | ours | bar | met | margin |", "|---|---|---|---|---|"]
    for label, value, bar, met, margin in metrics.targets(ours, base):
        verdict = "n/a" if met is None else ("**met**" if met else "**not met**")
        lines.append(f"| {label} | {_fmt(value, 'p')} | {bar} | {verdict} | {'n/a' if margin is None else f'{margin:+.3f}'} |")
    lines += _why_not_met(records, ours, base)
    lines += support_sweep(records)
    lines += ["", "## Metrics", "", "| metric | ours | baseline | ours / baseline |", "|---|---|---|---|"]
    for key, label, kind in ROWS:
        a, b = ours.get(key), base.get(key)
        lines.append(f"| {label} | {_fmt(a, kind)} | {_fmt(b, kind)} | {_ratio(a, b)} |")
    lines += [
        "",
        "## Where answers are lost",
        "",
        'Questions by failure category (the per-question list is under Failures). "model was right": the '
        "model's raw answer held the gold answer but the citation check declined or dropped it; \"retrieval "
        'miss": what a right answer needs was not among the retrieved sources.',
        "",
        "| failure | ours | baseline |",
        "|---|---|---|",
    ]
    counts: dict[str, dict[str, int]] = {}
    for r in records:
        if r.get("type") == "question" and (why := metrics.failure(r)):
            counts.setdefault(why, {}).setdefault(r["system"], 0)
            counts[why][r["system"]] += 1
    for why, by in sorted(counts.items(), key=lambda kv: -sum(kv[1].values())):
        lines.append(f"| {why} | {by.get('ours', 0)} | {by.get('baseline', 0)} |")
    charts = _charts(out, records, ours, base)
    lines += ["", "## Charts", ""] + [f"![{c.stem}]({c.name})" for c in charts]
    lines += ["", "## Definitions", ""] + DEFINITIONS
    lines += [
        "",
        "## Failures",
        "",
        "Per question, from `quality.jsonl` (`python -m bench quality --report-only` rebuilds this report).",
        "",
        "| system | set | id | kind | failure | answer |",
        "|---|---|---|---|---|---|",
    ]
    for r in records:
        if r.get("type") == "question" and (why := metrics.failure(r)):
            answer = " ".join((r.get("answer") or r.get("error") or "").split())
            answer = (answer[:90] + "…" if len(answer) > 90 else answer).replace("|", "\\|")
            lines.append(f"| {r['system']} | {r['set']} | {r['id']} | {r['kind']} | {why} | {answer} |")
    report = out / "quality.md"
    report.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return report


def _ids_by_failure(rows: list[dict[str, Any]], why: dict[int, str]) -> str:
    """``"right 20; wrong answer (gold retrieved) 3 (hotpot 4, hotpot 12, tokens md-01)"``: each failure category
    (alphabetical), the questions in it."""
    groups: dict[str, list[str]] = {}
    for r in rows:
        groups.setdefault(why[id(r)] or "right", []).append(f"{r['set']} {r['id']}")
    return "; ".join(f"{k} {len(v)}" + (f" ({', '.join(v)})" if k != "right" else "") for k, v in sorted(groups.items()))


def _why_not_met(records: list[dict[str, Any]], ours: dict[str, float | None], base: dict[str, float | None]) -> list[str]:
    """For each target ours misses, what the per-question records say about why (counts, not opinions)."""
    unmet = [label for label, _, _, met, _ in metrics.targets(ours, base) if met is False]
    if not unmet:
        return []
    qs = [r for r in records if r.get("type") == "question" and r["system"] == "ours"]
    why = {id(r): metrics.failure(r) or "" for r in qs}
    answerable = [r for r in qs if r["answers"]]

    def count(rows: list[dict[str, Any]], *starts: str) -> int:
        return sum(1 for r in rows if why[id(r)].startswith(starts))

    out = ["", "Why the targets not met are missed (counts of ours' questions; categories as under Failures):", ""]
    for label in unmet:
        if label.startswith("answer accuracy"):
            by_set = ", ".join(
                f"{s}: {count([r for r in answerable if r['set'] == s], 'declined')} declined, "
                f"{count([r for r in answerable if r['set'] == s], 'wrong', 'verifier dropped')} wrong"
                for s in ("hotpot", "labelled", "tokens")
                if any(r["set"] == s for r in answerable)
            )
            out.append(
                f"- **{label}**: of {len(answerable)} answerable questions ours declined "
                f"{count(answerable, 'declined')} ({count(answerable, 'declined by the verifier, model was right')} "
                f"where the model's own answer was right but no cited sentence supported it, "
                f"{count(answerable, 'declined (retrieval miss')} after a retrieval miss) and answered "
                f"{count(answerable, 'wrong', 'verifier dropped')} wrongly; by set: {by_set}."
            )
        elif label.startswith("citation recall"):
            lab = [r for r in answerable if r["set"] == "labelled"]
            out.append(
                f"- **{label}**: {count(lab, 'declined')} of {len(lab)} answerable labelled questions were "
                f"declined (recall 0) and {count(lab, 'right answer, gold citation missing')} right answers "
                "cite another sentence than the gold one."
            )
        elif label.startswith("citation precision"):
            lab = [r for r in answerable if r["set"] == "labelled"]
            out.append(
                f"- **{label}**: {count(lab, 'right answer, some citations wrong', 'wrong')} labelled answers "
                "cite a sentence that is not gold."
            )
        elif label.startswith("false-answer"):
            ids = [f"{r['set']} {r['id']}" for r in qs if not r["answers"] and why[id(r)]]
            out.append(f"- **{label}**: answered unanswerable questions: {', '.join(ids)}.")
        elif label.startswith("ingest"):
            sets = {k: v for k, v in ours.items() if k.startswith("ingest_eff_") and k != "ingest_eff_all"}
            out.append(
                f"- **{label}**: by set {', '.join(f'{k[11:]} {v:.2f}' for k, v in sets.items() if v)}; "
                "small corpora pay fixed costs (opening the index, extracting PDF and DOCX) that the "
                "embedder-only time does not."
            )
        elif label.startswith(("HotpotQA", "accuracy ≥ baseline: ")):
            name = "hotpot" if label.startswith("HotpotQA") else label.rsplit(" ", 1)[-1]
            rows = [r for r in answerable if r["set"] == name]
            yes_no = sum(1 for r in rows if metrics.is_yes_no(r["answers"]) and not why[id(r)])
            note = (
                f' ({yes_no} right yes/no answers count as not cited: no citation can contain "yes")'
                if "cited" in label and yes_no
                else ""
            )
            out.append(f"- **{label}**: of {len(rows)} answerable {name} questions: {_ids_by_failure(rows, why)}{note}.")
        elif label.startswith("answerable questions declined"):
            rows = [r for r in answerable if why[id(r)].startswith("declined")]
            out.append(f"- **{label}**: {len(rows)} of {len(answerable)} declined: {_ids_by_failure(rows, why)}.")
        elif label.startswith("verification adds"):
            verify = [r["timings"]["verify_s"] for r in qs if (r.get("timings") or {}).get("verify_s") is not None]
            total = [r["total_s"] for r in qs if r.get("total_s")]
            if verify and total:
                out.append(
                    f"- **{label}**: median verification {statistics.median(verify):.1f} s of a median "
                    f"{statistics.median(total):.1f} s in all, over {len(verify)} answers that reached the verifier "
                    "(one judge prompt per claim tried, one for the answer gate, one more for a yes/no verdict)."
                )
        else:
            out.append(f"- **{label}**: see the latency rows below.")
    return out


def _header(run: dict[str, Any], n_runs: int, records: list[dict[str, Any]]) -> list[str]:
    env = run["env"]
    v = env["versions"]
    qs = [r for r in records if r.get("type") == "question" and r["system"] == "ours"] or [
        r for r in records if r.get("type") == "question"
    ]
    counts = {s: sum(1 for r in qs if r["set"] == s) for s in ("hotpot", "labelled", "tokens")}
    unans = sum(1 for r in qs if not r["answers"])
    ingests = {(r["set"], r["system"]): r for r in records if r.get("type") == "ingest"}
    corpus = ", ".join(
        f"{s}: {r['documents']} documents / {r['sentences']} sentences"
        for (s, system), r in ingests.items()
        if system == (run.get("systems") or ["ours"])[0]
    )
    return [
        "# Quality: qa against LlamaIndex CitationQueryEngine",
        "",
        f"- Command: `{run['command']}`" + (f" (results of {n_runs} resumed runs)" if n_runs > 1 else ""),
        f"- Run: {run.get('started', '?')} → {run.get('finished', '?')}",
        f"- Versions: qa {v.get('qa')}, llama-index-core {v.get('llama-index-core')}, "
        f"chromadb {v.get('chromadb')}, llama-cpp-python {v.get('llama-cpp-python')}, "
        f"llama-index-llms-llama-cpp "
        f"{v.get('llama-index-llms-llama-cpp')}, sentence-transformers {v.get('sentence-transformers')}, "
        f"torch {v.get('torch')}",
        f"- Machine: {env['cpus']} CPUs ({env['cpu']}), {env['ram_gib']} GiB RAM, {env['platform']}, "
        f"Python {env['python']}; load average at the end {env['load_avg']} (the CPUs are shared with "
        f"other users of the model: timings are noisy); peak RSS of the process (VmHWM) "
        f"{run.get('vm_hwm_mb', '?')} MiB",
        "- Generator: Qwen2.5-Coder-1.5B-Instruct Q4_K_M (GGUF), one `llama_cpp.Llama` shared by both "
        "systems, temperature 0; embedder: all-MiniLM-L6-v2 (ours: sentence-transformers; baseline: "
        "HuggingFaceEmbedding on the same model folder)",
        f"- Code: {run.get('code', 'not recorded')} (at the start of the run)",
        f"- Ours: `App` with settings {run.get('settings', {})}",
        "- Baseline: `VectorStoreIndex.from_documents` over `ChromaVectorStore` (SentenceSplitter 1024/200), "
        "`CitationQueryEngine.from_args(similarity_top_k=3, citation_chunk_size=512, streaming=True)`, "
        "`LlamaCPP` with ChatML `messages_to_prompt`/`completion_to_prompt`; follow-up turns via "
        "`CondenseQuestionChatEngine`; documents get the same extracted text as ours (`index.load`)",
        f"- Questions: HotpotQA {counts['hotpot']}, labelled {counts['labelled']}, tokens_saved_v1 "
        f"{counts['tokens']} turns; {unans} unanswerable"
        + (" — **quick subset**" if run.get("quick") else "")
        + (f", limit {run['limit']} per set" if run.get("limit") else "")
        + (f", every {run['every']}th question of each set (a sample, not the full sets)" if (run.get("every") or 1) > 1 else ""),
        f"- Corpora: {corpus or 'n/a'}",
        *_runs(records),
    ]


def _runs(records: list[dict[str, Any]]) -> list[str]:
    """When results come from several runs (``--resume``, ``--only``): which run each system's answers are from."""
    runs = [r for r in records if r.get("type") == "run"]
    if len(runs) < 2:
        return []
    lines = [
        "- Results of several runs (later runs resume earlier ones; `--only` reruns one system); each "
        "system's answers come from the last run that included it. Timing ratios across runs are not "
        "measured in one run: the machine's load can differ."
    ]
    for r in runs:
        lines.append(
            f"  - {r.get('started', '?')} → {r.get('finished', '?')}: {', '.join(r.get('systems') or [])}; "
            f"code {r.get('code', '?')}; `{r.get('command', '?')}`; load average at the end "
            f"{r.get('env', {}).get('load_avg', '?')}"
        )
    return lines


DEFINITIONS = [
    "- **Answer accuracy**: SQuAD-normalised (lowercase, no punctuation/articles/`[n]` markers) gold answer "
    "contained in the answer on word boundaries; yes/no questions by the answer's first word; tokens_saved "
    "turns need every required fact (any accepted spelling). Declines are wrong. Over answerable questions.",
    "- **Citation precision / recall (labelled)**: a citation is right if it contains a gold support "
    "sentence (whitespace-normalised); precision = right citations / citations, averaged over non-declined "
    "answerable questions; recall = gold sentences contained in some citation / gold sentences, averaged "
    "over all answerable questions (a decline scores 0). Baseline citations: the chunks its answer cites.",
    "- **Citation precision / recall (tokens_saved)**: the same at the document level against the tasks' `gold_docs`.",
    "- **Answer in citation (HotpotQA, no sentence labels)**: share of correct non-yes/no answers with a "
    "citation that contains the normalised answer string.",
    '- **Declined**: ours: its `declined` flag. Baseline: a decline phrase ("does not", "cannot", '
    '"no information", "not mentioned", …) in an answer that is not correct. False-answer rate = '
    "unanswerable questions not declined; decline rate = answerable questions declined.",
    "- **Time to first token**: from the call to the first streamed text (ours: a decline before generation "
    "counts as its first token); total: until the final answer, including ours' citation check.",
    "- **Ingest efficiency**: the embedder alone on the corpus's sentences (same batches, same run) "
    "divided by the system's ingest time (extraction, splitting, embedding, storing); 1.0 = as fast as "
    "the embedder.",
    "- **Peak RSS**: highest VmRSS sampled every 0.1 s while the system ingested or answered; both systems "
    "live in one process and share the model, so the second includes what the first left allocated.",
]


def _charts(out: Path, records: list[dict[str, Any]], ours: dict[str, Any], base: dict[str, Any]) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = []
    keys = [k for k in CHART_KEYS if ours.get(k) is not None or base.get(k) is not None]
    labels = {k: label for k, label, _ in ROWS}
    fig, ax = plt.subplots(figsize=(9, 0.45 * len(keys) + 1.2))
    ys = range(len(keys))
    ax.barh([y + 0.2 for y in ys], [ours.get(k) or 0 for k in keys], 0.4, label="ours")
    ax.barh([y - 0.2 for y in ys], [base.get(k) or 0 for k in keys], 0.4, label="baseline")
    ax.set_yticks(list(ys), [labels[k].replace(": ", "\n", 1) for k in keys], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.legend(loc="lower right")
    ax.set_title("Answer and citation quality")
    fig.tight_layout()
    paths.append(out / "quality.png")
    fig.savefig(paths[-1], dpi=110)
    plt.close(fig)

    fig, axes = plt.subplots(1, 2, figsize=(9, 3.6))
    for ax, key, title in zip(axes, ("ttft_s", "total_s"), ("time to first token (s)", "total time (s)"), strict=True):
        data = [
            [r[key] for r in records if r.get("type") == "question" and r["system"] == s and r.get(key) is not None]
            for s in metrics.SYSTEMS
        ]
        ax.boxplot([d or [0.0] for d in data], tick_labels=list(metrics.SYSTEMS))
        ax.set_title(title)
    fig.tight_layout()
    paths.append(out / "latency.png")
    fig.savefig(paths[-1], dpi=110)
    plt.close(fig)

    ingests = [r for r in records if r.get("type") == "ingest"]
    if ingests:
        sets = list(dict.fromkeys(r["set"] for r in ingests))
        fig, ax = plt.subplots(figsize=(7, 3.4))
        width = 0.27
        for i, (label, pick) in enumerate((("embedder only", lambda r: r["embed_seconds"]), ("ours", None), ("baseline", None))):
            vals = []
            for s in sets:
                rs = [r for r in ingests if r["set"] == s and (pick or r["system"] == label)]
                vals.append((pick(rs[-1]) if pick else rs[-1]["seconds"]) if rs else 0)
            ax.bar([x + (i - 1) * width for x in range(len(sets))], vals, width, label=label)
        ax.set_xticks(range(len(sets)), sets)
        ax.set_ylabel("seconds")
        ax.set_title("Ingest time per corpus")
        ax.legend()
        fig.tight_layout()
        paths.append(out / "ingest.png")
        fig.savefig(paths[-1], dpi=110)
        plt.close(fig)
    return paths
