"""``python -m bench statements``: ``qa verify`` on hand-written statements with the verdict a reader expects.

The set (``bench/data/statements/``) is five documents the pipeline was not written against (a school trip letter
as .docx, a parents' newsletter that disagrees with it on the date, the price and the number of helpers, a gym
membership agreement, a museum guide as HTML, software release notes) and 26 statements about them, written by a
new-user probe before any change it led to: 7 supported (paraphrased), 7 contradicted (another number, date, name,
polarity, day of the week), 4 disputed (the letter against the newsletter) and 8 not found (related, not stated).
It is development data: tune on it knowing that. The report is ``statements.md`` (and ``statements.jsonl``) in
``--out``: each statement's expected and returned verdict with the citations' stances and reasons.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from bench.datasets import BENCH_DATA
from qa.settings import REPO_ROOT, Settings

STATEMENTS = BENCH_DATA / "statements"
VERDICTS = ("supported", "contradicted", "disputed", "not_found")


def load_statements(folder: Path = STATEMENTS) -> list[dict[str, Any]]:
    """The statements, each ``{"id", "statement", "expected", "why"}``."""
    rows = [json.loads(line) for line in (folder / "statements.jsonl").read_text(encoding="utf-8").splitlines() if line]
    for row in rows:
        if row["expected"] not in VERDICTS:
            raise ValueError(f"{row['id']}: expected verdict {row['expected']!r} is not one of {VERDICTS}")
    return rows


def report(rows: list[dict[str, Any]]) -> str:
    """The table of verdicts and the right ones per expected verdict; ``rows`` carry ``got`` and ``citations``."""
    right = Counter(r["expected"] for r in rows if r["got"] == r["expected"])
    total = Counter(r["expected"] for r in rows)
    lines = [
        "# `qa verify` on hand-written statements",
        "",
        f"`python -m bench statements`: {sum(right.values())} of {len(rows)} verdicts as expected ("
        + ", ".join(f"{v} {right[v]} of {total[v]}" for v in VERDICTS if total[v])
        + ").",
        "",
        "| id | statement | expected | got | citations (stance: reason) |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        cites = "; ".join(f"{c['stance']}: {c['reason']}" for c in r["citations"]).replace("|", "/")
        mark = "" if r["got"] == r["expected"] else " **(wrong)**"
        lines.append(f"| {r['id']} | {r['statement']} | {r['expected']} | {r['got']}{mark} | {cites} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench statements", description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=REPO_ROOT / "bench" / "results")
    args = ap.parse_args(argv)
    from qa.app import build_app

    rows = load_statements()
    with tempfile.TemporaryDirectory(prefix="qa-statements-") as tmp:
        app = build_app(Settings.from_env().with_(data_dir=Path(tmp)))
        try:
            failed = [r for r in app.ingest([STATEMENTS / "docs"]) if r.status == "error"]
            if failed:
                raise SystemExit(f"not indexed: {failed}")
            for row in rows:
                check = app.verify(row["statement"])
                row["got"] = check.verdict
                row["citations"] = [c.to_json() for c in check.citations]
                print(f"{row['id']}: expected {row['expected']}, got {row['got']}", flush=True)
        finally:
            app.close()
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "statements.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    text = report(rows)
    (args.out / "statements.md").write_text(text)
    print(text)
    return 0
