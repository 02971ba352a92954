"""``python -m bench replay``: the current verifier on the drafts a ``bench quality`` run stored, without generating.

Each ``ours`` question record of a ``quality.jsonl`` keeps the model's draft (``raw``), the sources it was shown
(``retrieved``) and the standalone question. Replaying checks that draft again with the verifier of this checkout
(the real embedder and judge) and scores the result as ``bench quality`` does. A verifier change is so measured on
the same drafts in a few minutes instead of a whole run; the drafts stay those of the stored run's prompt and
model. Timings are not replayed. A redrafted reply (``<redraft>`` in ``raw``) replays its last draft only; an
answer decided before any draft (``decided_early``) is kept as stored. The
judge is always the local GGUF model (``QA_MODEL_PATH`` or the bundled one), whatever ``QA_LLM_URL`` says.

    python -m bench replay --from bench/results/labelled_full/quality.jsonl
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from bench import metrics
from qa.settings import Settings


def sources_of(rec: dict[str, Any]) -> list[Any]:
    """The numbered sources of a stored record. Offsets are not stored: each sentence starts at 0. Records before
    the sentence's ``index`` was stored number the sentences in the order shown."""
    from qa.records import Sentence, Source

    return [
        Source(r["n"], r["document"], Sentence(r["document"], r.get("index", i), 0, len(r["text"]), None, r["text"]), r["score"])
        for i, r in enumerate(rec.get("retrieved") or [])
    ]


def decided_early(rec: dict[str, Any]) -> bool:
    """Whether the pipeline answered before the model drafted a reply (``qa.ask.Asker.same`` and ``choose``): what
    it stored as the draft is the answer itself, every sentence of it quoted or compared. Verified as a draft it
    would be declined, and the replay would report a change the verifier did not make."""
    sentences = rec.get("sentences") or []
    return (
        not rec.get("declined")
        and rec.get("raw") == rec.get("answer")
        and bool(sentences)
        and all(s.get("check") in ("quoted", "compared") for s in sentences)
    )


def replay(rec: dict[str, Any], verifier: Any) -> dict[str, Any]:
    """The record as the current verifier would have left it (answer, citations, sentences, scores)."""
    from bench.quality import checked_fields
    from qa.cite import render
    from qa.prompt import DECLINE

    draft = rec["raw"].split(" <redraft> ")[-1]
    sources = sources_of(rec)
    out = dict(rec)
    if not sources or decided_early(rec):  # nothing the verifier checked: kept as stored
        return out
    checked = verifier.verify(draft, sources, rec.get("standalone") or rec["question"])
    out.update(
        answer=DECLINE if checked.declined else render(checked.sentences, checked.yes_no),
        declined=checked.declined,
        **checked_fields(checked.sentences, checked.citations, checked.why),
    )
    out.update(metrics.score(out))
    return out


def outcome(rec: dict[str, Any]) -> str:
    if not rec["answers"]:
        return "declined" if rec["declined"] else "FALSE ANSWER"
    if rec["declined"]:
        return "declined"
    return "right" if rec["correct"] else "wrong"


KEYS = [
    ("acc_hotpot", "HotpotQA accuracy"),
    ("correct_cited_hotpot", "HotpotQA correct and cited"),
    ("acc_labelled", "labelled accuracy"),
    ("acc_tokens", "tokens_saved accuracy"),
    ("decline_rate", "answerable questions declined"),
    ("false_answer_rate", "unanswerable questions answered"),
    ("cit_precision_labelled", "labelled citation precision"),
    ("cit_recall_labelled", "labelled citation recall"),
]


def summary(old: list[dict[str, Any]], new: list[dict[str, Any]], source: Path, code: str, stored: str = "?") -> str:
    """A Markdown report: the metrics stored and replayed, and every question whose outcome changed."""
    before, after = metrics.summarize(old, "ours"), metrics.summarize(new, "ours")
    lines = [
        "# Replay: this checkout's verifier on a stored run's drafts",
        "",
        f"- Command: `python -m bench replay --from {source}`; verifier of `{code}`.",
        f"- The drafts, sources and questions are the stored run's (code `{stored}`); only the verification and the",
        "  scores are new.",
        "- Timings are not replayed.",
        "",
        "| metric | stored | replayed |",
        "|---|---|---|",
    ]
    lines += [f"| {label} | {metrics.fmt(before.get(k))} | {metrics.fmt(after.get(k))} |" for k, label in KEYS]
    was = {(r["set"], r["id"]): r for r in old}
    changed = [(was[(r["set"], r["id"])], r) for r in new if outcome(was[(r["set"], r["id"])]) != outcome(r)]
    lines += ["", f"Questions whose outcome changed: {len(changed)}", ""]
    lines += [f"- {a['set']} {a['id']}: {outcome(a)} -> {outcome(b)}: {b['answer'][:120]!r}" for a, b in changed]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench replay", description=__doc__.splitlines()[0])
    ap.add_argument("--from", dest="source", type=Path, required=True, help="a quality.jsonl with ours' records")
    ap.add_argument("--sets", default="hotpot,labelled,tokens", help="comma-separated sets to replay")
    ap.add_argument("--out", type=Path, help="write the replayed records to OUT.jsonl and the report to OUT.md")
    args = ap.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from bench import report
    from index.embed import SentenceTransformerEmbedder
    from qa.app import verifier_config
    from qa.cite import Verifier
    from qa.generate import LlamaCppGenerator
    from qa.models import resolve_model

    code = report.code_version()
    s = Settings.from_env()
    generator = LlamaCppGenerator(resolve_model(s.model_path, s.data_dir), n_ctx=s.n_ctx, n_threads=s.n_threads)
    verifier = Verifier(SentenceTransformerEmbedder(s.embed_model), generator.judge(), verifier_config(s))
    sets = args.sets.split(",")
    lines = args.source.read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines if line.strip()]
    old = [
        r for r in records if r.get("type") == "question" and r["system"] == "ours" and r["set"] in sets and not r.get("error")
    ]
    new = []
    for rec in old:
        r = replay(rec, verifier)
        new.append(r)
        mark = "  " if outcome(rec) == outcome(r) else "->"
        print(f"{rec['set']:8} {rec['id']:10} {outcome(rec):12} {mark} {outcome(r):12} {r['answer'][:90]!r}", flush=True)
    stored = next((str(r.get("code", "?")) for r in records if r.get("type") == "run"), "?")
    text = summary(old, new, args.source, code, stored)
    print("\n" + text)
    if args.out:
        args.out.with_suffix(".jsonl").write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in new), encoding="utf-8"
        )
        args.out.with_suffix(".md").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
