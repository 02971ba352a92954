"""Coverage-guided fuzzing (atheris/libFuzzer) of the loaders and the sentence splitter, with a time budget.

    .venv/bin/pip install atheris                                   # a prebuilt wheel on Linux x86-64
    .venv/bin/python -m bench.fuzz_atheris --target pdf --seconds 300
    .venv/bin/python -m bench.fuzz_atheris --target split --seconds 60 --out /tmp/qa-fuzz

Targets: ``pdf``, ``docx``, ``html``, ``text`` (``index.load.parse`` on that type; the seeds of that type are the
starting corpus) and ``split`` (``index.sentences.split_spans``). The property is the one tests/test_fuzz.py checks
with hypothesis: ``parse`` returns text or raises ``InputError`` naming the file, and sentence spans are exact,
ordered, capped and lose no text. Any other exception is a crash; an input slower than ``--timeout`` seconds is a
hang (libFuzzer's ``-timeout``). Crashing inputs are written to ``--out`` as ``crash-*`` / ``timeout-*`` files;
replay one with ``--target pdf path/to/crash-…``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["index.load", "index.sentences", "pypdf", "docx", "html", "_markupbase"]):
    import docx  # noqa: F401  (index.load imports these lazily: import them here so they are instrumented)
    import pypdf  # noqa: F401

    from index.load import parse
    from index.sentences import MAX_SENTENCE, split_spans
    from qa.errors import InputError

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
SUFFIX = {"pdf": ".pdf", "docx": ".docx", "html": ".html", "text": ".md"}
CORPUS = {"pdf": (".pdf",), "docx": (".docx",), "html": (".html", ".htm"), "text": (".txt", ".md"), "split": (".txt", ".md")}
NAME = "/fuzz/input"


def check_spans(text: str) -> None:
    prev = 0
    for s, e in split_spans(text):
        if not (prev <= s < e <= len(text)) or e - s > MAX_SENTENCE:
            raise AssertionError(f"bad span {(s, e)} after {prev} in a text of {len(text)}")
        if text[s:e] != text[s:e].strip() or text[prev:s].strip():
            raise AssertionError(f"span {(s, e)} is not trimmed, or text before it was lost")
        prev = e
    if text[prev:].strip():
        raise AssertionError("text after the last span was lost")


def one_input(target: str):
    suffix = SUFFIX.get(target, "")

    def test(data: bytes) -> None:
        if target == "split":
            check_spans(atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(len(data)))
            return
        try:
            result = parse(data, suffix, NAME + suffix)
        except InputError as exc:
            if NAME not in str(exc) or not exc.reason:
                raise AssertionError(f"an InputError that does not name the file: {exc}") from None
            return
        if not result.text.strip():
            raise AssertionError("parse returned no text without an error")
        check_spans(result.text)

    return test


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.fuzz_atheris", description=__doc__.split("\n")[0])
    ap.add_argument("--target", choices=[*SUFFIX, "split"], default="pdf")
    ap.add_argument("--seconds", type=int, default=60, help="total time budget (libFuzzer -max_total_time)")
    ap.add_argument("--timeout", type=int, default=10, help="seconds one input may take before it is a hang")
    ap.add_argument("--rss-mb", type=int, default=2048, help="memory limit (libFuzzer -rss_limit_mb)")
    ap.add_argument("--out", type=Path, default=None, help="folder for the corpus and crash files (default: a temp dir)")
    ap.add_argument("replay", nargs="*", help="run these inputs once instead of fuzzing")
    args = ap.parse_args(sys.argv[1:] if argv is None else argv)

    out = args.out or Path(tempfile.mkdtemp(prefix=f"qa-fuzz-{args.target}-"))
    corpus = out / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for seed in sorted(SEEDS.iterdir()):
        if seed.suffix.lower() in CORPUS[args.target]:
            (corpus / seed.name).write_bytes(seed.read_bytes())
    flags = [f"-timeout={args.timeout}", f"-rss_limit_mb={args.rss_mb}", f"-artifact_prefix={out}/"]
    if args.replay:
        flags += args.replay
    else:
        flags += [f"-max_total_time={args.seconds}", str(corpus)]
        print(f"fuzzing {args.target} for {args.seconds} s; corpus and crashes in {out}", file=sys.stderr)
    atheris.Setup([sys.argv[0], *flags], one_input(args.target))
    atheris.Fuzz()  # exits the process: 0 when the budget ran out with no crash
    return 0


if __name__ == "__main__":
    sys.exit(main())
