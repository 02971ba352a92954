"""Pure scoring: answer matching, citation precision/recall, declines, percentiles, the per-system summary.

Everything here works on the plain dicts written to ``quality.jsonl``, so a report can be recomputed
(with changed definitions) from stored results without running a model.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections.abc import Iterable
from typing import Any

SYSTEMS = ("ours", "baseline")
_MARKERS = re.compile(r"\[(?:Sources?\s*)?\d+(?:\s*(?:,|;|and)\s*(?:Source\s*)?\d+)*\]", re.IGNORECASE)
_POSSESSIVE = re.compile(r"(\w)['’]s\b")
_ARTICLES = re.compile(r"\b(a|an|the)\b")
_MONTH = "january|february|march|april|may|june|july|august|september|october|november|december"
_MONTH_DAY = re.compile(rf"\b({_MONTH}) (\d{{1,2}})(?:st|nd|rd|th)?\b")  # after lowercasing and the commas
# The baseline has no decline flag: these phrases in its answer count as declining.
_DECLINE = re.compile(
    r"\b(no information"
    r"|not (?:mentioned|provided|specified|stated|given|available|included|found|known|clear)"
    r"|does not|do not|doesn't|don't|cannot|can't|unable to|none of the (?:provided )?sources|no mention"
    r"|not enough|there is no|unknown)\b",
    re.IGNORECASE,
)


def normalize(text: str) -> str:
    """SQuAD-style: drop ``[n]`` markers and possessive 's, lowercase, strip punctuation and articles.

    >>> normalize("The Kestrel's span [1], 24 metres!")
    'kestrel span 24 metres'
    >>> normalize("The path is `secret/db`.")
    'path is secretdb'

    A date is written day first, so "April 3, 2028" matches the gold "3 April 2028":

    >>> normalize("It opens on April 3rd, 2028."), normalize("3 April 2028"), normalize("August 19")
    ('it opens on 3 april 2028', '3 april 2028', '19 august')
    """
    text = _POSSESSIVE.sub(r"\1", _MARKERS.sub(" ", text)).lower()
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("P") and ch not in "`^´")
    text = _MONTH_DAY.sub(r"\2 \1", " ".join(text.split()))
    return " ".join(_ARTICLES.sub(" ", text).split())


def contains(text: str, needle: str) -> bool:
    """Whether the normalised ``needle`` occurs in the normalised ``text`` on word boundaries."""
    n = normalize(needle)
    return bool(n) and f" {n} " in f" {normalize(text)} "


def is_yes_no(facts: list[list[str]]) -> bool:
    return len(facts) == 1 and len(facts[0]) == 1 and facts[0][0].strip().lower() in ("yes", "no")


def answer_correct(answer: str, facts: list[list[str]]) -> bool:
    """Every required fact appears (any accepted spelling); yes/no questions are judged by the first word."""
    if not facts:
        return False
    if is_yes_no(facts):
        words = normalize(answer).split()
        return bool(words) and words[0] == facts[0][0].strip().lower()
    return all(any(contains(answer, spelling) for spelling in fact) for fact in facts)


def declined_text(answer: str) -> bool:
    return not answer.strip() or bool(_DECLINE.search(answer))


def baseline_declined(answer: str, facts: list[list[str]]) -> bool:
    """A decline phrase and no correct answer (a correct "does not…" answer is not a decline)."""
    return declined_text(answer) and not answer_correct(answer, facts)


def _ws(text: str) -> str:
    return " ".join(text.split())


def sentence_citation_scores(cited: list[str], gold: list[str]) -> tuple[float | None, float | None]:
    """(precision, recall): a citation is right if it contains a gold sentence (whitespace-normalised)."""
    gold_n = [_ws(g) for g in gold]
    cited_n = [_ws(c) for c in cited]
    precision = sum(any(g in c for g in gold_n) for c in cited_n) / len(cited_n) if cited_n else None
    recall = sum(any(g in c for c in cited_n) for g in gold_n) / len(gold_n) if gold_n else None
    return precision, recall


def doc_citation_scores(cited_docs: list[str], gold_docs: list[str]) -> tuple[float | None, float | None]:
    """(precision, recall) by document: share of citations in gold documents, of gold documents cited."""
    gold = set(gold_docs)
    precision = sum(d in gold for d in cited_docs) / len(cited_docs) if cited_docs else None
    recall = len(gold & set(cited_docs)) / len(gold) if gold else None
    return precision, recall


def answer_in_citation(citations: list[str], facts: list[list[str]]) -> bool:
    return any(contains(c, s) for c in citations for fact in facts for s in fact)


def percentile(values: Iterable[float], q: float) -> float | None:
    """Linear-interpolated percentile (``q`` in 0–100), ``None`` for no values."""
    vs = sorted(values)
    if not vs:
        return None
    pos = (len(vs) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(vs) - 1)
    return vs[lo] + (vs[hi] - vs[lo]) * (pos - lo)


def _mean(values: Iterable[float | None]) -> float | None:
    vs = [v for v in values if v is not None]
    return statistics.fmean(vs) if vs else None


def declined(rec: dict[str, Any]) -> bool:
    if rec["system"] == "ours":
        return bool(rec["declined"])
    return baseline_declined(rec["answer"], rec["answers"])


def score(rec: dict[str, Any]) -> dict[str, Any]:
    """Per-question scores of one question record (also stored in the record for failure analysis)."""
    cites = rec["citations"]
    out: dict[str, Any] = {"correct": answer_correct(rec["answer"], rec["answers"]), "declined": declined(rec)}
    if rec["set"] == "labelled" and rec["answers"]:
        out["cit_precision"], out["cit_recall"] = sentence_citation_scores([c["text"] for c in cites], rec["support"])
    if rec["set"] == "tokens":
        out["cit_precision"], out["cit_recall"] = doc_citation_scores([c["document"] for c in cites], rec["gold_docs"])
    if rec["set"] == "hotpot" and not is_yes_no(rec["answers"]):
        out["answer_cited"] = answer_in_citation([c["text"] for c in cites], rec["answers"])
    return out


def summarize(records: list[dict[str, Any]], system: str) -> dict[str, float | None]:
    """Every metric of one system over the question, ingest and memory records of a run."""
    qs = [r for r in records if r.get("type") == "question" and r["system"] == system and not r.get("error")]
    scored = [(r, score(r)) for r in qs]
    answerable = [(r, s) for r, s in scored if r["answers"]]
    m: dict[str, float | None] = {}
    for name in ("hotpot", "labelled", "tokens"):
        m[f"acc_{name}"] = _mean(float(s["correct"]) for r, s in answerable if r["set"] == name)
    m["acc_all"] = _mean(float(s["correct"]) for _, s in answerable)
    lab = [s for r, s in answerable if r["set"] == "labelled"]
    m["cit_precision_labelled"] = _mean(s["cit_precision"] for s in lab if not s["declined"])
    m["cit_recall_labelled"] = _mean(s["cit_recall"] or 0.0 for s in lab)
    tok = [s for r, s in answerable if r["set"] == "tokens"]
    m["cit_precision_tokens"] = _mean(s["cit_precision"] for s in tok if not s["declined"])
    m["cit_recall_tokens"] = _mean(s["cit_recall"] or 0.0 for s in tok)
    m["answer_cited_hotpot"] = _mean(
        float(s["answer_cited"]) for r, s in answerable if r["set"] == "hotpot" and s["correct"] and "answer_cited" in s
    )
    m["correct_cited_hotpot"] = _mean(
        float(bool(s["correct"] and s.get("answer_cited"))) for r, s in answerable if r["set"] == "hotpot"
    )
    cites = [c for r, s in scored if not s["declined"] for c in r["citations"]]
    m["cit_len_mean"] = _mean(len(c["text"]) for c in cites)
    m["cit_per_answer"] = _mean(len(r["citations"]) for r, s in scored if not s["declined"])
    m["false_answer_rate"] = _mean(float(not s["declined"]) for r, s in scored if not r["answers"])
    m["decline_rate"] = _mean(float(s["declined"]) for _, s in answerable)
    for key in ("ttft_s", "total_s"):
        vals = [r[key] for r in qs if r.get(key) is not None]
        m[key.replace("_s", "_median")] = percentile(vals, 50)
        m[key.replace("_s", "_p95")] = percentile(vals, 95)
    verify = [r["timings"]["verify_s"] for r in qs if (r.get("timings") or {}).get("verify_s") is not None]
    if verify and m["total_median"]:
        without = [r["total_s"] - (r.get("timings") or {}).get("verify_s", 0.0) for r in qs if r.get("total_s") is not None]
        base_median = percentile(without, 50)
        m["judge_added"] = m["total_median"] / base_median - 1 if base_median else None
    m["retry_rate"] = _mean(float("retry_s" in (r.get("timings") or {})) for r in qs) if system == "ours" else None
    ingests = {r["set"]: r for r in records if r.get("type") == "ingest" and r["system"] == system}
    for name, r in ingests.items():
        m[f"ingest_s_{name}"] = r["seconds"]
        m[f"ingest_eff_{name}"] = r["embed_seconds"] / r["seconds"] if r["seconds"] else None
    if ingests:
        total = sum(r["seconds"] for r in ingests.values())
        m["ingest_eff_all"] = sum(r["embed_seconds"] for r in ingests.values()) / total if total else None
    mem = [r for r in records if r.get("type") == "memory" and r["system"] == system]
    m["peak_rss_mb"] = max(r["peak_rss_mb"] for r in mem) if mem else None
    m["questions"] = float(len(qs))
    m["errors"] = float(sum(1 for r in records if r.get("type") == "question" and r["system"] == system and r.get("error")))
    return m


Target = tuple[str, float | None, str, bool | None, float | None]


def targets(ours: dict[str, float | None], base: dict[str, float | None]) -> list[Target]:
    """The issue's targets: (what, ours' value, the bar, met, margin — positive when met by that much)."""

    def ge(value: float | None, bar: float | None) -> tuple[bool | None, float | None]:
        if value is None or bar is None:
            return None, None
        return value >= bar, value - bar

    rows = []
    for label, key, bar in (
        ("citation precision (labelled) ≥ 0.95", "cit_precision_labelled", 0.95),
        ("citation recall (labelled) ≥ 0.85", "cit_recall_labelled", 0.85),
        ("HotpotQA accuracy ≥ 0.50", "acc_hotpot", 0.50),
        ("HotpotQA answers correct and cited ≥ 0.45", "correct_cited_hotpot", 0.45),
    ):
        rows.append((label, ours.get(key), f"{bar:.2f}", *ge(ours.get(key), bar)))
    for name in ("hotpot", "labelled", "tokens"):
        key = f"acc_{name}"
        rows.append((f"accuracy ≥ baseline: {name}", ours.get(key), fmt(base.get(key)), *ge(ours.get(key), base.get(key))))
    dr = ours.get("decline_rate")
    rows.append(("answerable questions declined ≤ 0.10", dr, "0.10", *_le(dr, 0.10)))
    ja = ours.get("judge_added")
    rows.append(("verification adds ≤ 25% to the median total time", ja, "0.25", *_le(ja, 0.25)))
    far = ours["false_answer_rate"]
    rows.append(("false-answer rate ≤ 0.05", far, "0.05", *_le(far, 0.05)))
    rows.append(
        ("answer accuracy ≥ baseline (all sets)", ours["acc_all"], fmt(base["acc_all"]), *ge(ours["acc_all"], base["acc_all"]))
    )
    half = None if base["total_median"] is None else base["total_median"] / 2
    ttft = ours["ttft_median"]
    rows.append(
        (
            "median TTFT ≤ ½ baseline median total time (s)",
            ttft,
            fmt(half),
            None if ttft is None or half is None else ttft <= half,
            None if ttft is None or half is None else half - ttft,
        )
    )
    eff = ours.get("ingest_eff_all")
    rows.append(("ingest ≥ 0.8 × embedder throughput", eff, "0.80", *ge(eff, 0.8)))
    return rows


def _le(value: float | None, bar: float) -> tuple[bool | None, float | None]:
    return (None, None) if value is None else (value <= bar, bar - value)


def fmt(v: float | None) -> str:
    """A figure as the reports print it (three decimals, or n/a)."""
    return "n/a" if v is None else f"{v:.3f}"


def gold_retrieved(rec: dict[str, Any]) -> bool | None:
    """Whether what a right answer needs was among the retrieved sources (``None`` when it cannot be told)."""
    shown = rec.get("retrieved") or []
    if rec["set"] == "labelled" and rec["support"]:
        return all(any(_ws(g) in _ws(s["text"]) for s in shown) for g in rec["support"])
    if rec["set"] == "tokens":
        return set(rec["gold_docs"]) <= {s["document"] for s in shown}
    if rec["set"] == "hotpot" and not is_yes_no(rec["answers"]):
        return answer_in_citation([s["text"] for s in shown], rec["answers"])
    return None


def failure(rec: dict[str, Any]) -> str | None:
    """A one-phrase failure category for a question record, or ``None`` when it is fully right."""
    if rec.get("error"):
        return "error"
    s = score(rec)
    if not rec["answers"]:
        return None if s["declined"] else "answered an unanswerable question"
    found = gold_retrieved(rec)
    where = {True: "gold retrieved", False: "retrieval miss", None: "retrieval unknown"}[found]
    raw_right = rec["system"] == "ours" and answer_correct(rec.get("raw", ""), rec["answers"])
    if s["declined"]:
        if not rec.get("retrieved"):
            return "declined: nothing passed the relevance threshold"
        if raw_right:
            return f"declined by the verifier, model was right ({where})"
        return f"declined ({where})"
    if not s["correct"]:
        if raw_right:
            return f"verifier dropped the right claim ({where})"
        return f"wrong answer ({where})"
    if s.get("cit_recall") is not None and s["cit_recall"] < 1:
        return "right answer, gold citation missing"
    if s.get("cit_precision") is not None and s["cit_precision"] < 1:
        return "right answer, some citations wrong"
    if s.get("answer_cited") is False:
        return "right answer, no citation contains it"
    return None
