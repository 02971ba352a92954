"""The ``qa`` command line. User errors become one line on stderr and a non-zero exit code, here only."""

from __future__ import annotations

import argparse
import contextlib
import json
import shlex
import sys
from collections.abc import Callable
from pathlib import PurePath
from typing import Any

from index.errors import printable
from qa.cite import otherwise
from qa.errors import QAError
from qa.records import Answer, IngestResult
from qa.settings import Settings


def _progress_bar() -> Callable[[str, int, int], None]:
    from tqdm import tqdm

    bars: dict[str, Any] = {}

    def update(name: str, done: int, total: int) -> None:
        bar = bars.get(name)
        if bar is None:
            bar = bars[name] = tqdm(total=total, desc=name[:30], unit="sent", file=sys.stderr, leave=False, disable=total < 500)
        bar.update(done - bar.n)
        if done >= total:
            bar.close()

    return update


def _print_result(r: IngestResult) -> None:
    if r.status == "error":
        print(f"error      {printable(r.path)}: {r.reason}", file=sys.stderr, flush=True)
    else:
        print(f"{r.status:<10} {printable(r.path)} ({r.sentences} sentences)", flush=True)


def _print_answer(answer: Answer) -> None:
    print()
    if answer.declined:
        why = {
            "no_relevant_sources": "nothing in the documents is about this",
            "not_verified": "something related was found, but no answer drawn from it could be checked against it",
            "not_an_answer": "what the documents say here does not answer the question",
        }.get(answer.why, "")
        print(f"Answer: {answer.answer}" + (f" ({why})" if why else ""))
        if answer.near:
            print("Possibly relevant (not checked as an answer):")
            for c in answer.near:
                print(f'  - {PurePath(c.document).name}: "{" ".join(c.text.split())}"')
        return
    print("Answer (checked):")
    if answer.yes_no:  # judged from the checked sentences; the streamed draft's own "Yes,"/"No," is not
        print(f"  {answer.yes_no.capitalize()}.")
    for s in answer.sentences:
        marks = "".join(f"[{n}]" for n in s.citations)
        print(f"  {s.text} {marks}" if s.supported else f"  (dropped, {s.verdict}: {s.reason}) {s.text}")
        if s.disputed_by:
            print(f"    {otherwise(s.disputed_by)}")
    print("Sources:")
    for c in answer.citations:
        page = f", page {c.page}" if c.page else ""
        use = {"link": "links the question to the answer", "contradicts": f"says otherwise {c.score:.2f}"}.get(
            c.role, f"support {c.score:.2f}"
        )
        print(f"  [{c.id}] {PurePath(c.document).name}{page}, chars {c.start}-{c.end}, {use}")
        print(f'      "{c.text}"')
    t = answer.timings
    print(
        f"({t.get('retrieve_s', 0):.2f}s retrieve, {t.get('first_token_s', 0):.1f}s to first token, "
        f"{t.get('total_s', 0):.1f}s total)"
    )


def _checked(text: str, what: str) -> None:
    """Refuse an empty or overlong question or statement before the samples are indexed: it needs no index."""
    from qa.app import checked_text  # loaded with the app already; importing it at the top would slow `qa --help`

    checked_text(text, what)


def cmd_ask(app: Any, args: argparse.Namespace) -> int:
    _checked(args.question, "question")
    app.ensure_seeds()
    answer = None
    streaming = not args.json and sys.stdout.isatty() or args.stream
    labelled = False  # the streamed text is a draft, which the checked answer below may change or decline
    for event in app.ask_stream(args.question, docs=args.doc):
        if event.kind == "token" and streaming:
            print(event.data if labelled else "Draft, not yet checked: " + event.data.lstrip(), end="", flush=True)
            labelled = True
        elif event.kind == "redraft" and streaming:
            print("\n(that only repeated a source; asking again)", flush=True)
            labelled = False
        elif event.kind == "answer":
            answer = event.data
    assert answer is not None
    if args.json:
        print(json.dumps(answer.to_json(), ensure_ascii=False))
    else:
        if not streaming:
            print(answer.answer)
        _print_answer(answer)
        if answer.route == "compare" and not args.doc:  # the chat would have compared: say how to get that here
            named = (a for path in answer.route_documents for a in ("--doc", PurePath(path).name))
            command = shlex.join(["qa", "compare", args.question, *named])
            print(f"(This asks to compare documents: {command} shows each one's answer side by side.)")
    return 0


def cmd_compare(app: Any, args: argparse.Namespace) -> int:
    _checked(args.question, "question")
    app.ensure_seeds()
    result = app.compare(args.question, docs=args.doc)
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False))
        return 0
    for d in result.documents:
        print(f"\n== {PurePath(d.document).name}")
        print(f"   {d.answer.answer if d.addressed else d.unanswered}")
    if result.points:
        print("\nComparison:")
        for p in result.points:
            print(f"  [{p.kind}] {p.text} {''.join(f'[{n}]' for n in p.citations)}")
    print("\nSources:")
    for c in result.citations:
        page = f", page {c.page}" if c.page else ""
        print(f'  [{c.id}] {PurePath(c.document).name}{page}, chars {c.start}-{c.end}: "{c.text}"')
    return 0


def cmd_verify(app: Any, args: argparse.Namespace) -> int:
    _checked(args.statement, "statement")
    app.ensure_seeds()
    result = app.verify(args.statement, docs=args.doc)
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False))
        return 0
    print(f"Verdict: {result.verdict.replace('_', ' ')}")
    for s in result.citations:
        c = s.citation
        print(f'  [{c.id}] {s.stance:<11} {PurePath(c.document).name}, chars {c.start}-{c.end}: "{c.text}"')
        if s.reason:
            print(f"      why: {s.reason}")
    return 0


def cmd_ingest(app: Any, args: argparse.Namespace) -> int:
    """Each file's line as soon as it is in (an interrupted run has a record of what was), then the files of a
    folder that are not of a type qa reads."""
    from index.ingest import walk  # loaded with the app already; importing it at the top would slow `qa --help`

    files, skipped = walk(args.paths)  # the folders walked once
    results = app.ingest(files, progress=_progress_bar(), done=_print_result, force=args.force)
    for path in skipped:
        print(f"skipped    {printable(str(path))}: not a kind of file qa reads ({path.suffix or 'no extension'})")
    return 2 if any(r.status == "error" for r in results) else 0


def cmd_docs(app: Any, args: argparse.Namespace) -> int:
    docs = app.documents()
    if args.json:
        print(json.dumps([d.to_json() for d in docs], ensure_ascii=False))
        return 0
    if not docs:
        print("No documents indexed yet. Add some with `qa ingest PATH`.")
    for d in docs:
        print(f"{d.sentences:>6} sentences  {d.size:>10,} B  {d.added_at}  {d.path}")
    return 0


def cmd_remove(app: Any, args: argparse.Namespace) -> int:
    for name in args.names:
        doc = app.remove(name)
        print(f"removed    {doc.path}")
    return 0


def cmd_check(app: Any, args: argparse.Namespace) -> int:
    report = app.check(repair=args.repair)
    if args.json:
        print(json.dumps(report.to_json()))
    else:
        for kind in ("missing", "changed", "interrupted", "mismatched", "orphans"):
            for item in getattr(report, kind):
                print(f"{kind:<12} {item}")
        for line in report.repaired:
            print(f"repaired     {line}")
        print(
            "index is consistent"
            if report.ok
            else ("repaired" if args.repair else "problems found: run `qa check --repair` to fix them")
        )
    return 0 if report.ok or args.repair else 1


def cmd_reindex(app: Any, args: argparse.Namespace) -> int:
    total = app.reindex(progress=_progress_bar())
    print(f"re-embedded {total} sentences with {app.embedder.name}")
    return 0


def cmd_serve(app: Any, args: argparse.Namespace) -> int:
    from front.server import serve

    serve(app, host=args.host or app.settings.host, port=args.port or app.settings.port)
    return 0


def cmd_mcp(app: Any, args: argparse.Namespace) -> int:
    """Serve MCP over stdin/stdout: stdout carries only the protocol, so nothing else may print to it."""
    from front.mcp_server import build_mcp

    with contextlib.redirect_stdout(sys.stderr):  # the SDK claims the real stdout when it starts serving
        app.ensure_seeds()
        server = build_mcp(app)
    server.run("stdio")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="qa", description="Ask questions about your documents; every claim is cited.")
    sub = p.add_subparsers(dest="command", required=True)
    a = sub.add_parser("ask", help="answer a question from the indexed documents")
    a.add_argument("question")
    a.add_argument("--json", action="store_true", help="print one JSON object (see README)")
    a.add_argument("--doc", action="append", help="search only this document (repeatable)")
    a.add_argument("--stream", action="store_true", help="stream tokens even when not on a terminal")
    a.set_defaults(func=cmd_ask)
    c = sub.add_parser("compare", help="compare what documents say, side by side, with citations")
    c.add_argument("question")
    c.add_argument("--doc", action="append", help="a document to compare (repeatable; default: all relevant)")
    c.add_argument("--json", action="store_true", help="print one JSON object (see README)")
    c.set_defaults(func=cmd_compare)
    v = sub.add_parser("verify", help="fact-check a statement against the documents")
    v.add_argument("statement")
    v.add_argument("--doc", action="append", help="check only against this document (repeatable)")
    v.add_argument("--json", action="store_true", help="print one JSON object (see README)")
    v.set_defaults(func=cmd_verify)
    i = sub.add_parser("ingest", help="index files or folders (.txt .md .html .pdf .docx)")
    i.add_argument("paths", nargs="+")
    i.add_argument("--force", action="store_true", help="read and index again files that look unchanged")
    i.set_defaults(func=cmd_ingest)
    d = sub.add_parser("docs", help="list indexed documents")
    d.add_argument("--json", action="store_true")
    d.set_defaults(func=cmd_docs)
    r = sub.add_parser("remove", help="remove documents and all their chunks from the index")
    r.add_argument("names", nargs="+")
    r.set_defaults(func=cmd_remove)
    k = sub.add_parser("check", help="check the index against the files and the vector store")
    k.add_argument("--repair", action="store_true", help="fix what the check finds")
    k.add_argument("--json", action="store_true")
    k.set_defaults(func=cmd_check)
    x = sub.add_parser("reindex", help="rebuild all vectors with the configured embedding model")
    x.set_defaults(func=cmd_reindex)
    s = sub.add_parser("serve", help="start the chat UI (loopback only unless --host is given)")
    s.add_argument("--host")
    s.add_argument("--port", type=int)
    s.set_defaults(func=cmd_serve)
    m = sub.add_parser("mcp", help="serve the Model Context Protocol over stdio (for desktop assistants)")
    m.set_defaults(func=cmd_mcp)
    return p


WRITERS = ("ingest", "remove", "reindex", "serve")  # take the data directory's write lock for their whole run


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        from qa.app import build_app

        writer = args.command in WRITERS or (args.command == "check" and args.repair)
        # `qa mcp` speaks the protocol on stdout: whatever loading the app prints goes to stderr instead
        quiet = contextlib.redirect_stdout(sys.stderr) if args.command == "mcp" else contextlib.nullcontext()
        with quiet:
            app = build_app(Settings.from_env(), allow_model_change=args.command == "reindex", writer=writer)
        return int(args.func(app, args))
    except QAError as exc:
        print(f"qa: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("qa: interrupted; run the same command again to resume.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
