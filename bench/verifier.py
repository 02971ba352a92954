"""``python -m bench verifier``: does the verifier accept true claims and refuse false ones? (contrast set)

Pairs come from the labelled set only (never HotpotQA 50–99). For each answerable question, with its gold
sentences as the evidence:

    verbatim      the gold sentence itself                                          true
    paraphrase    the bundled model's one-sentence answer that contains the gold answer   true
                  (written once into bench/data/paraphrases.jsonl; ``--regen`` rewrites it)
    terse         the gold answer alone ("40 seconds."), as a model often replies            true
    negation      the gold sentence, and the paraphrase, negated                    false
    number        a number of the claim changed                                     false
    date          a year, month or weekday of the claim changed                     false
    entity        the gold answer (a name) replaced by another question's answer    false
    not_answer    a true sentence of the same document that does not hold the answer: the answer gate must refuse it
    other_answer  another question's gold answer alone ("Hanne Voskuijlen." to "How many cars…?"): the gate must
                  refuse it (whether a bare answer is true is the support judge's part; this is its kind)
    premise       hand-written (bench/data/premise.jsonl): a sentence that holds the claim's names and numbers in
                  another relation ("Orla Breckenridge died in 1962" on "It was founded in 1962 by … Orla
                  Breckenridge"), the false answers the screens cannot see; three are real answers of this
                  pipeline (q073, q077, q079), the rest follow their pattern over the labelled documents   false
    contrary      hand-written (bench/data/contrary.jsonl): a statement a labelled sentence says the opposite of
                  with no number or negation of its own ("The library will close while the roof works take
                  place." on "The library will stay open while …")                                          false

``qa verify``'s contradiction by meaning (``qa.factcheck.CONTRARY_MARGIN``) is calibrated on the contrary pairs
against compatible ones: ``related`` (a true, looser statement of a labelled sentence, in contrary.jsonl), the
premise pairs, and ``samedoc`` (a gold sentence against other sentences of its document); only pairs at the
cosine where ``qa verify`` looks for a contradiction (``COUNTERPART_FROM``) count.

Each pair is judged once (the screen, then the judge's P(Yes)); thresholds are then swept offline, so
calibrating costs one pass of the model. ``--sweep`` prints the table; the report is
bench/results/verifier.md with the rates at the configured thresholds (``VerifierConfig``).
"""

from __future__ import annotations

import argparse
import json
import re
import time
from pathlib import Path
from typing import Any

from bench.datasets import BENCH_DATA, labelled
from qa.cite import Verifier, VerifierConfig, can_be_evidence, kind_gap, name_phrases, screen, unasked
from qa.factcheck import CONTRARY_MARGIN, COUNTERPART_FROM, negate, opposite
from qa.judge import answer_messages, support_messages
from qa.settings import REPO_ROOT, Settings

RESULTS = REPO_ROOT / "bench" / "results"
PARAPHRASES = BENCH_DATA / "paraphrases.jsonl"
PREMISES = BENCH_DATA / "premise.jsonl"
CONTRARIES = BENCH_DATA / "contrary.jsonl"
FALSE_KINDS = ("negation", "number", "date", "entity", "premise", "contrary")
VERIFY_KINDS = ("contrary", "related", "premise", "samedoc")  # judged as ``qa verify`` judges a contradiction too
SAMEDOC = 3  # other sentences of a gold sentence's document paired with it (``samedoc``)
GATE_FALSE = ("not_answer", "other_answer")  # judged by the answer gate only
TRUE_KINDS = ("verbatim", "paraphrase", "terse")
# a support judged under this is judged for the claim's opposite as well (``q_gray``, not used by the pipeline): does
# the opposite, judged likelier, tell a weak true support from a contrary or premise pair that passed?
GRAY_TO = 0.7
GRAY_KINDS = ("verbatim", "paraphrase", "contrary", "premise", "negation")
MONTHS = ("January February March April May June July August September October November December").split()
DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")
_NUM = re.compile(r"(?<![\d.,])\d+(?:[.,]\d+)?(?![\d])")


def swap_number(text: str) -> str | None:
    for m in _NUM.finditer(text):
        if _YEAR.fullmatch(m.group()):
            continue
        raw = m.group()
        value = float(raw.replace(",", ""))
        new = value * 2 + 3 if value < 1000 else value + 1000
        shown = f"{new:.2f}" if "." in raw else str(int(new))
        return text[: m.start()] + shown + text[m.end() :]
    return None


def swap_date(text: str) -> str | None:
    m = _YEAR.search(text)
    if m:
        return text[: m.start()] + str(int(m.group()) + 3) + text[m.end() :]
    for names in (MONTHS, DAYS):
        for i, name in enumerate(names):
            if re.search(rf"\b{name}\b", text):
                return re.sub(rf"\b{name}\b", names[(i + 3) % len(names)], text, count=1)
    return None


def _is_name(answer: str) -> bool:
    return bool(answer) and answer[0].isupper() and not any(ch.isdigit() for ch in answer) and answer.lower() not in ("yes", "no")


def pairs(paraphrases: dict[str, str], docs_text: dict[str, list[str]]) -> list[dict[str, Any]]:
    """The contrast pairs: ``{"id", "kind", "truth", "claim", "evidence", "question"}``."""
    items = [it for it in labelled().items if it.answers and it.support]
    names = [it.answers[0][0] for it in items if _is_name(it.answers[0][0])]
    out: list[dict[str, Any]] = []

    def add(item: Any, kind: str, claim: str | None, truth: bool, evidence: str | None = None) -> None:
        if claim:
            out.append(
                {
                    "id": item.id,
                    "kind": kind,
                    "truth": truth,
                    "claim": claim,
                    "question": item.question,
                    "evidence": evidence if evidence is not None else " ".join(item.support),
                }
            )

    for k, item in enumerate(items):
        gold = item.answers[0][0]
        add(item, "verbatim", item.support[0], True, item.support[0])
        para = paraphrases.get(item.id)
        add(item, "paraphrase", para, True)
        if gold.lower() not in ("yes", "no"):
            add(item, "terse", gold.rstrip(".") + ".", True)
            bare = [it.answers[0][0] for it in items if it.answers[0][0].lower() not in ("yes", "no", gold.lower())]
            add(item, "other_answer", bare[(k + 7) % len(bare)].rstrip(".") + ".", False)
        for base in dict.fromkeys([item.support[0], *([para] if para else [])]):  # false variants of both
            add(item, "negation", negate(base), False)
            add(item, "number", swap_number(base), False)
            add(item, "date", swap_date(base), False)
            if _is_name(gold) and gold in base:
                other = next((n for n in names[k + 1 :] + names[:k] if n != gold and n not in base), None)
                add(item, "entity", base.replace(gold, other) if other else None, False)
        # a true sentence of the same document that does not hold the answer, for the answer gate
        doc = next(iter(item.gold_docs), "")
        spare = [
            t for t in docs_text.get(doc, []) if gold.lower() not in t.lower() and t not in item.support and len(t.split()) >= 6
        ]
        if spare:
            add(item, "not_answer", spare[k % len(spare)], False, spare[k % len(spare)])
        others = [t for t in docs_text.get(doc, []) if t not in item.support and len(t.split()) >= 5 and can_be_evidence(t)]
        for other in others[k % 5 :: 5][:SAMEDOC]:
            pair = {"id": item.id, "kind": "samedoc", "truth": True, "claim": item.support[0], "question": ""}
            out.append({**pair, "evidence": other})
    by_id = {it.id: it for it in labelled().items}
    for row in map(json.loads, PREMISES.read_text(encoding="utf-8").splitlines()):
        item = by_id.get(row["id"])
        out.append(
            {
                "id": row["id"],
                "kind": "premise",
                "truth": False,
                "claim": row["claim"],
                "question": item.question if item else "",
                "evidence": row["evidence"],
            }
        )
    for row in map(json.loads, CONTRARIES.read_text(encoding="utf-8").splitlines()):
        out.append({"id": "", "kind": row["kind"], "truth": row["kind"] != "contrary", "claim": row["claim"],
                    "question": "", "evidence": row["evidence"]})  # fmt: skip
    return out


def _docs_text() -> dict[str, list[str]]:
    from index.load import load
    from index.sentences import split_spans

    out: dict[str, list[str]] = {}
    for path in labelled().files:
        text = load(path, max_bytes=50_000_000).text
        out[Path(path).name] = [" ".join(text[s:e].split()) for s, e in split_spans(text)]
    return out


def _embedder() -> Any:
    from index.embed import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(Settings.from_env().embed_model)


def write_paraphrases(generator: Any) -> dict[str, str]:
    """Ask the model for a one-sentence answer from the gold sentences; keep those that contain the gold answer."""
    kept: dict[str, str] = {}
    for item in (it for it in labelled().items if it.answers and it.support):
        messages = [
            {"role": "system", "content": "Answer in one complete sentence, in your own words."},
            {"role": "user", "content": f"Source: {' '.join(item.support)}\nQuestion: {item.question}"},
        ]
        reply = " ".join("".join(generator.stream(messages, max_tokens=80, temperature=0.0)).split())
        if any(a.lower() in reply.lower() for a in item.answers[0]) and reply not in item.support:
            kept[item.id] = reply
    PARAPHRASES.write_text("".join(json.dumps({"id": k, "claim": v}, ensure_ascii=False) + "\n" for k, v in kept.items()))
    return kept


def stored_paraphrases() -> dict[str, str]:
    if not PARAPHRASES.is_file():
        return {}
    return {r["id"]: r["claim"] for r in map(json.loads, PARAPHRASES.read_text(encoding="utf-8").splitlines())}


def score(rows: list[dict[str, Any]], judge: Any, verifier: Verifier) -> list[dict[str, Any]]:
    """Each pair with its screen reason, the judge's P(Yes) (``p``), the claim's word nothing given says
    (``unbacked``), and the time the judge took."""
    for row in rows:
        t0 = time.perf_counter()
        if row["kind"] in GATE_FALSE:
            row["screen"], row["p"] = "", 0.0
            row["p_answer"] = judge.p_yes(answer_messages(row["question"], row["claim"]))
        elif row["kind"] in ("related", "samedoc"):
            row["screen"], row["p"] = "", None
        else:
            row["screen"] = screen(row["claim"], row["evidence"], row["question"], check_names=verifier.config.names)
            row["p"] = 0.0 if row["screen"] else judge.p_yes(support_messages(row["claim"], row["evidence"]))
            row["unbacked"] = unbacked(row, verifier)
            if row["truth"]:
                row["p_answer"] = judge.p_yes(answer_messages(row["question"], row["claim"]))
        row["judge_s"] = time.perf_counter() - t0
        if row["kind"] in VERIFY_KINDS:
            as_verified(row, judge, verifier)
        if row.get("p") and verifier.config.support <= row["p"] < GRAY_TO and row["kind"] in GRAY_KINDS:
            # a measurement, not a stage: a support this weak, judged for the claim's opposite too (``q_gray``)
            row["q_gray"] = judge.p_yes(support_messages(opposite(row["claim"]), row["evidence"]))
    return rows


def as_verified(row: dict[str, Any], judge: Any, verifier: Verifier) -> None:
    """What ``qa verify`` would judge of the pair as a statement and a sentence of a document it is about: its cosine
    (``cos``); if at ``COUNTERPART_FROM`` or more, the screens with the statement's names taken as the document's
    (``screen_v``), and past them the statement's P(Yes) (``p_v``) and its ``opposite``'s (``q``)."""
    vec = verifier.embed([row["claim"], row["evidence"]])
    row["cos"] = float(vec[0] @ vec[1])
    if row["cos"] < COUNTERPART_FROM:
        return
    about = " ".join(name_phrases(row["claim"]))
    row["screen_v"] = screen(row["claim"], row["evidence"], about, check_names=verifier.config.names)
    if row["screen_v"]:
        return
    same = row.get("p") is not None and not row.get("screen")  # the same prompt was judged for the support stage
    row["p_v"] = row["p"] if same else judge.p_yes(support_messages(row["claim"], row["evidence"]))
    if row["p_v"] < verifier.config.support:
        row["q"] = judge.p_yes(support_messages(opposite(row["claim"]), row["evidence"]))


def contradicted(row: dict[str, Any], margin: float) -> bool:
    """Whether ``qa verify`` takes the pair's sentence for one that contradicts its statement by meaning."""
    return "q" in row and row["q"] - row["p_v"] >= margin


def unbacked(row: dict[str, Any], verifier: Verifier) -> str:
    """The claim's word that neither the evidence nor the question says (``Verifier.unbacked``; a question does not
    say what it asks, ``qa.cite.unasked``), or "": such a pair needs the judge at ``VerifierConfig.backed_support``
    (``Verifier.weigh``). The pipeline also looks in the cited documents' other retrieved sentences, which a pair
    does not have: here the rule is as strict as it gets."""
    if row["screen"] or verifier.config.backed <= 0:
        return ""
    return verifier.unbacked(row["claim"], f"{row['evidence']} {unasked(row['question'], row['question'])}")


def accepted(row: dict[str, Any], support: float, backed_support: float) -> bool:
    """Whether the support stage takes a pair at bar ``support``: past the screens, and the judge's P(Yes) at the
    bar, or at ``backed_support`` if that is higher and the claim has a word nothing given says."""
    bar = max(support, backed_support) if row.get("unbacked") else support
    return not row["screen"] and row["p"] >= bar


def gate_passes(row: dict[str, Any], answer: float) -> bool:
    """Whether the answer stage takes a pair: the kind check (an amount or a time asked for, none given), then
    the gate's judge at bar ``answer``; as ``Verifier.verify`` applies them."""
    return not kind_gap(row["question"], [row["claim"]]) and row["p_answer"] >= answer


def rates(rows: list[dict[str, Any]], support: float, answer: float, backed_support: float = 0.0) -> dict[str, float]:
    """Per kind: the share accepted (true kinds) or refused (false kinds) at these thresholds."""
    out: dict[str, float] = {}
    for kind in (*TRUE_KINDS, *FALSE_KINDS):
        got = [r for r in rows if r["kind"] == kind]
        if got:
            took = [accepted(r, support, backed_support) for r in got]
            out[kind] = sum(took) / len(got) if kind in TRUE_KINDS else 1 - sum(took) / len(got)
    for kind in GATE_FALSE:
        gate_false = [r for r in rows if r["kind"] == kind]
        if gate_false:
            out[kind] = sum(not gate_passes(r, answer) for r in gate_false) / len(gate_false)
    for kind, got in gate_true(rows).items():
        if got:
            out[kind] = sum(gate_passes(r, answer) for r in got) / len(got)
    return out


def gate_true(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The true pairs the answer gate judged: whole sentences (verbatim, paraphrase) and bare answers (terse)."""
    judged = [r for r in rows if r["truth"] and "p_answer" in r]
    return {
        "answers (gate)": [r for r in judged if r["kind"] != "terse"],
        "terse answers (gate)": [r for r in judged if r["kind"] == "terse"],
    }


def report(rows: list[dict[str, Any]], config: VerifierConfig) -> str:
    from collections import Counter

    counts = Counter(r["kind"] for r in rows)
    got = rates(rows, config.support, config.answer, config.backed_support)
    lines = [
        "# Verifier contrast benchmark",
        "",
        f"`python -m bench verifier` on {len(rows)} pairs from the labelled set (support {config.support}, "
        f"answer gate {config.answer}, name screen {'on' if config.names else 'off'}; a claim with a word neither the "
        f"evidence nor the question says, at word cosine under {config.backed}, needs {config.backed_support}: "
        "`Verifier.weigh`: the higher of the two bars in the sweep below).",
        "",
        "| kind | pairs | rate | target | |",
        "|---|---|---|---|---|",
    ]
    for kind, rate in got.items():
        true = kind in TRUE_KINDS or kind.endswith("(gate)")
        target = 0.90 if true else 0.95
        what = "accepted" if true else "refused"
        n = counts.get(kind, 0) or len(gate_true(rows).get(kind, []))
        lines.append(f"| {kind} | {n} | {rate:.3f} {what} | {target:.2f} | {'met' if rate >= target else 'NOT met'} |")
    screened = Counter(r["kind"] for r in rows if r.get("screen"))
    kind_screened = Counter(r["kind"] for r in rows if "p_answer" in r and kind_gap(r["question"], [r["claim"]]))
    lines += [
        "",
        "Refused by a hard screen before the judge (a number or name missing from the evidence, or a number "
        "counting something else): " + ", ".join(f"{k} {v}" for k, v in sorted(screened.items())) + ".",
        "",
        "Refused by the kind check before the answer gate's judge (a how-many question answered without an amount "
        "of what it counts, a how-long one without a duration or length, a when question without the point in time "
        "it asks for; `qa.cite.kind_gap`): " + (", ".join(f"{k} {v}" for k, v in sorted(kind_screened.items())) or "none") + ".",
        "",
        "## Threshold sweep (support threshold: true accepted / each false kind refused)",
        "",
        "| support | " + " | ".join((*TRUE_KINDS, *FALSE_KINDS)) + " |",
        "|---|" + "---|" * (len(TRUE_KINDS) + len(FALSE_KINDS)),
    ]
    for t in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        r = rates(rows, t, config.answer, config.backed_support)
        lines.append(f"| {t:.1f} | " + " | ".join(f"{r.get(k, float('nan')):.2f}" for k in (*TRUE_KINDS, *FALSE_KINDS)) + " |")
    gate = ("answers (gate)", "terse answers (gate)", "not_answer", "other_answer")
    lines += [
        "",
        "| answer gate | true answers accepted | bare answers accepted | not-answers refused | other answers refused |",
        "|---|---|---|---|---|",
    ]
    for t in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7):
        r = rates(rows, config.support, t, config.backed_support)
        lines.append(f"| {t:.1f} | " + " | ".join(f"{r.get(k, float('nan')):.2f}" for k in gate) + " |")
    lines += verify_table(rows)
    lines += gray_table(rows)
    judged = [r["judge_s"] for r in rows if not r.get("screen") and r.get("p") is not None]
    if judged:
        judged.sort()
        lines += [
            "",
            f"Judge time per call: median {judged[len(judged) // 2]:.2f} s over {len(judged)} calls "
            "(one claim against its evidence; the added time per answer is in the quality report).",
        ]
    return "\n".join(lines) + "\n"


def verify_table(rows: list[dict[str, Any]]) -> list[str]:
    """The sweep of ``CONTRARY_MARGIN``: contrary pairs found, compatible pairs wrongly found."""
    if not any("q" in r for r in rows):
        return []
    kinds = {k: [r for r in rows if r["kind"] == k] for k in VERIFY_KINDS}
    near = {k: sum(r.get("cos", 0.0) >= COUNTERPART_FROM for r in v) for k, v in kinds.items()}
    lines = [
        "",
        "## `qa verify`: a contradiction with no number or negation of its own",
        "",
        f"A sentence contradicts a statement when the statement's opposite is judged at least the margin likelier than "
        f"the statement (`qa.factcheck.CONTRARY_MARGIN`, now {CONTRARY_MARGIN}). Pairs at cosine {COUNTERPART_FROM} or "
        "more, where `qa verify` looks: "
        + ", ".join(f"{k} {near[k]} of {len(v)}" for k, v in kinds.items())
        + ". Contrary pairs found (the more the better); compatible ones wrongly found (related, premise, samedoc):",
        "",
        "| margin | contrary found | related | premise | samedoc |",
        "|---|---|---|---|---|",
    ]
    for m in (0.1, 0.15, 0.2, 0.25, 0.3, 0.35):
        got = {k: sum(contradicted(r, m) for r in v) for k, v in kinds.items()}
        lines.append(f"| {m:.2f} | " + " | ".join(f"{got[k]} of {len(kinds[k])}" for k in VERIFY_KINDS) + " |")
    return lines


def gray_table(rows: list[dict[str, Any]]) -> list[str]:
    """Pairs judged between the support bar and ``GRAY_TO``, and how many of them the claim's opposite is judged
    at least as likely for (``q_gray``): what ``qa.factcheck.FactChecker._document`` refuses in ``qa verify``."""
    gray = [r for r in rows if "q_gray" in r]
    if not gray:
        return []
    lines = [
        "",
        f"## `qa verify`: a support under {GRAY_TO} against the statement's opposite",
        "",
        "A sentence judged to state the statement under the bar is no support when the statement's opposite is judged "
        "at least as likely (`qa.factcheck`, the bar `VerifierConfig.backed_support`). Pairs so judged, and those "
        "the opposite refuses (the fewer true ones the better, the more false ones the better):",
        "",
        "| kind | judged under the bar | opposite at least as likely |",
        "|---|---|---|",
    ]
    for kind in GRAY_KINDS:
        got = [r for r in gray if r["kind"] == kind]
        if got:
            lines.append(f"| {kind} | {len(got)} | {sum(r['q_gray'] >= r['p'] for r in got)} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench verifier", description=__doc__.splitlines()[0])
    ap.add_argument("--regen", action="store_true", help="write bench/data/paraphrases.jsonl again with the model")
    ap.add_argument("--limit", type=int, default=0, help="only the first N pairs (a smoke run)")
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument(
        "--rescore",
        action="store_true",
        help="apply the current screens, word check and thresholds to the stored "
        "judge scores in verifier.jsonl (the embedder, no language model; valid while the screens only add refusals)",
    )
    args = ap.parse_args(argv)
    if args.rescore:
        from qa.app import verifier_config as config_of

        cfg = config_of(Settings.from_env())
        checker = Verifier(_embedder(), lambda: None, cfg)  # type: ignore[arg-type,return-value]  # no judge asked
        rows = [json.loads(line) for line in (args.out / "verifier.jsonl").read_text().splitlines()]
        for row in rows:
            if row["kind"] not in GATE_FALSE:
                row["screen"] = screen(row["claim"], row["evidence"], row["question"], check_names=cfg.names)
                if row["screen"]:
                    row["p"] = 0.0
                row["unbacked"] = unbacked(row, checker)
        text = report(rows, cfg)
        (args.out / "verifier.md").write_text(text)
        print(text)
        return 0
    from qa.app import verifier_config
    from qa.generate import LlamaCppGenerator
    from qa.models import resolve_model

    s = Settings.from_env()
    config = verifier_config(s)
    generator = LlamaCppGenerator(resolve_model(s.model_path, s.data_dir), n_ctx=2048, n_threads=s.n_threads)
    paraphrases = write_paraphrases(generator) if args.regen or not PARAPHRASES.is_file() else stored_paraphrases()
    rows = pairs(paraphrases, _docs_text())
    if args.limit:
        rows = rows[: args.limit]
    rows = score(rows, generator.judge(), Verifier(_embedder(), generator.judge, config))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "verifier.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    text = report(rows, config)
    (args.out / "verifier.md").write_text(text)
    print(text)
    return 0
