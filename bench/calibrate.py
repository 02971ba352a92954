"""``python -m bench calibrate``: choose the verifier's thresholds on the labelled set, from answers already given.

Generation is greedy and the verifier's thresholds do not change the prompt, so a benchmark run's stored raw
answers and retrieved sentences (``quality.jsonl``) can be checked again under other thresholds without asking
the model again. For each (support, answer) pair it prints citation precision and recall, accuracy, false
answers on unanswerable questions and declines on answerable ones, over the labelled set only (HotpotQA is
never used for tuning). The relevance gate before generation is reported as the margin between answerable and
unanswerable questions' best retrieval score.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from bench import metrics
from qa.settings import REPO_ROOT

SUPPORT = (0.35, 0.40, 0.45, 0.50, 0.55)
ANSWER = (0.0, 0.35, 0.40, 0.45, 0.47, 0.50, 0.55)


class Cached:
    """The embedder with a cache: every setting re-checks the same claims against the same sentences."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.name = inner, inner.name
        self._memo: dict[str, Any] = {}

    def embed(self, texts: list[str]) -> Any:
        import numpy as np

        todo = [t for t in dict.fromkeys(texts) if t not in self._memo]
        if todo:
            self._memo.update(zip(todo, self.inner.embed(todo), strict=True))
        return np.stack([self._memo[t] for t in texts])


def recheck(rec: dict[str, Any], verifier: Any) -> dict[str, Any]:
    """``rec`` as the pipeline would have answered with ``verifier``'s thresholds."""
    from qa.cite import render
    from qa.records import Sentence, Source

    if not rec.get("raw"):  # declined before generation: thresholds after it change nothing
        return rec
    sources = [Source(r["n"], r["document"], Sentence(r["document"], r["n"], 0, len(r["text"]), None, r["text"]),
                      r["score"]) for r in rec["retrieved"]]
    sentences, citations, declined = verifier.verify(rec["raw"], sources, rec.get("standalone") or rec["question"])
    out = dict(rec, declined=declined, answer=render([] if declined else sentences),
               citations=[{"text": c.text, "document": c.document, "score": c.score} for c in citations])
    return out


def summary(records: list[dict[str, Any]]) -> dict[str, float | None]:
    m = metrics.summarize(records, "ours")
    return {"precision": m["cit_precision_labelled"], "recall": m["cit_recall_labelled"],
            "accuracy": m["acc_labelled"], "false_answers": m["false_answer_rate"], "declines": m["decline_rate"]}


def write_recheck(jsonl: Path) -> int:
    """recheck.md: the run's answers of ours re-checked by the verifier as it is now (same generations)."""
    from bench.report import ROWS
    from index.embed import SentenceTransformerEmbedder
    from qa.cite import Verifier
    from qa.settings import Settings

    records = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines() if line.strip()]
    s = Settings.from_env()
    verifier = Verifier(Cached(SentenceTransformerEmbedder(s.embed_model)), s.support_threshold, s.answer_threshold)
    ours = [r for r in records if r.get("type") == "question" and r["system"] == "ours" and not r.get("error")]
    rechecked = [recheck(r, verifier) for r in ours]
    changed = sum(a["declined"] != b["declined"] or a["answer"] != b["answer"] for a, b in zip(ours, rechecked,
                                                                                                strict=True))
    run: dict[str, Any] = next((r for r in reversed(records) if r.get("type") == "run"), {})
    measured = metrics.summarize(records, "ours")
    now = metrics.summarize(rechecked, "ours")
    base = metrics.summarize(records, "baseline")
    lines = [f"""# Re-check of the stored answers with the current verifier

- Command: `python -m bench calibrate --recheck {jsonl.name}`; answers from the run `{run.get('command', '?')}`
  ({run.get('started', '?')}, code {run.get('code', '?')}).
- Generation is greedy and the prompt does not depend on the verifier, so the model's raw answers and the
  retrieved sentences stored for each question are exactly what the pipeline would get again; only the
  citation check and the decision to decline are redone, with support {s.support_threshold} and answer
  {s.answer_threshold}. {changed} of {len(ours)} answers of ours changed. Times are not re-measured.

| metric | ours as measured | ours re-checked | baseline | re-checked / baseline |
|---|---|---|---|---|"""]
    for key, label, kind in ROWS:
        if kind != "p" or key.startswith("ingest"):
            continue
        a, b, c = measured.get(key), now.get(key), base.get(key)
        ratio = f"{b / c:.2f}" if b is not None and c else "n/a"
        lines.append(f"| {label} | {fmt(a, 0).strip()} | {fmt(b, 0).strip()} | {fmt(c, 0).strip()} | {ratio} |")
    out = jsonl.parent / "recheck.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(out.read_text(encoding="utf-8"))
    return 0


def fmt(value: float | None, width: int) -> str:
    return f"{value:{width}.3f}" if value is not None else " " * (width - 3) + "n/a"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench calibrate", description=(__doc__ or "").split("\n")[0])
    ap.add_argument("jsonl", nargs="?", type=Path, default=REPO_ROOT / "bench" / "results" / "quality.jsonl")
    ap.add_argument("--recheck", action="store_true",
                    help="write recheck.md beside the jsonl: every set's stored answers of ours checked by the "
                         "current verifier and settings, against the baseline as measured")
    args = ap.parse_args(argv)
    if args.recheck:
        return write_recheck(args.jsonl)
    from index.embed import SentenceTransformerEmbedder
    from qa.cite import Verifier
    from qa.settings import Settings

    lines = args.jsonl.read_text(encoding="utf-8").splitlines()
    recs = [r for r in map(json.loads, filter(str.strip, lines)) if r.get("type") == "question"
            and r["system"] == "ours" and r["set"] == "labelled" and not r.get("error")]
    if not recs:
        print(f"no labelled answers of ours in {args.jsonl}")
        return 2
    s = Settings.from_env()
    embedder = Cached(SentenceTransformerEmbedder(s.embed_model))
    print(f"{len(recs)} labelled questions; now: support {s.support_threshold}, answer {s.answer_threshold}")
    print("support answer | precision recall accuracy | false-answers declines")
    rows = []
    for sup in SUPPORT:
        for ans in ANSWER:
            m = summary([recheck(r, Verifier(embedder, sup, ans)) for r in recs])
            rows.append((sup, ans, m))
            print(f"{sup:7.2f} {ans:6.2f} | {fmt(m['precision'], 9)} {fmt(m['recall'], 6)} {fmt(m['accuracy'], 8)} | "
                  f"{fmt(m['false_answers'], 13)} {fmt(m['declines'], 8)}", flush=True)
    best = [(sup, ans, m) for sup, ans, m in rows
            if (m["false_answers"] or 0.0) <= 0.05 and (m["precision"] or 0.0) >= 0.9]
    if best:
        sup, ans, m = max(best, key=lambda x: ((x[2]["accuracy"] or 0.0) + (x[2]["recall"] or 0.0), -x[0]))
        print(f"best with false answers <= 0.05 and precision >= 0.90: support {sup}, answer {ans}: {m}")
    gate = [(max((x["score"] for x in r["retrieved"]), default=0.0), bool(r["answers"])) for r in recs]
    low = min((g for g, a in gate if a), default=0.0)
    high = max((g for g, a in gate if not a), default=0.0)
    print(f"best retrieval score: answerable min {low:.3f}, unanswerable max {high:.3f}")
    return 0
