"""The CLI's human-readable answer, and what it refuses before indexing anything (fast: no model)."""

import argparse
import json
import shlex
from pathlib import PurePath

import pytest

from front import cli
from front.cli import _print_answer
from index.errors import InputError
from qa.records import Answer, AnswerSentence, Citation


def test_the_checked_answer_shows_the_yes_no_verdict_first(capsys):
    text = "The original lens was cleaned but not replaced."
    c = Citation(1, "/docs/tarnholt.md", text, 0, len(text), None, 0.9)
    answer = Answer(f"No. {text} [1]", False, [AnswerSentence(text, [1], True, "supported", "", "cited", 0.9)], [c], yes_no="no")
    _print_answer(answer)
    out = capsys.readouterr().out
    assert out.index("Answer (checked):") < out.index("  No.") < out.index(text)
    _print_answer(Answer(f"{text} [1]", False, answer.sentences, [c]))
    assert "  No." not in capsys.readouterr().out


@pytest.mark.parametrize(("command", "field"), [("verify", "statement"), ("ask", "question"), ("compare", "question")])
def test_an_empty_text_is_refused_before_the_samples_are_indexed(app, command, field):
    args = argparse.Namespace(**{field: "   "}, doc=None, json=True, stream=False)
    with pytest.raises(InputError, match=f"the {field} is empty"):
        getattr(cli, f"cmd_{command}")(app, args)
    assert app.documents() == []  # an empty index stays empty


def test_ask_points_to_compare_when_the_question_asks_for_a_comparison(settings, embedder, capsys):
    """The chat would have compared; `qa ask` answers and says how to get the comparison (--json: in `route`)."""
    from qa.app import App
    from tests.conftest import FakeGenerator

    app = App(settings, embedder, FakeGenerator())
    try:
        asked = "Compare what the council report and the newsletter say about the bridge."
        cli.cmd_ask(app, argparse.Namespace(question=asked, doc=None, json=False, stream=False))
        out = capsys.readouterr().out  # a command to copy, quoted for the shell, with the documents the question names
        docs = "--doc kestrel_bridge_council_report.md --doc kestrel_bridge_residents_newsletter.html"
        assert f"qa compare {shlex.quote(asked)} {docs}" in out
        cli.cmd_ask(app, argparse.Namespace(question=asked, doc=["kestrel_bridge_council_report.md"], json=False, stream=False))
        assert "qa compare" not in capsys.readouterr().out  # one document chosen: nothing to compare
        cli.cmd_ask(app, argparse.Namespace(question="How long is the bridge?", doc=None, json=False, stream=False))
        assert "qa compare" not in capsys.readouterr().out
        cli.cmd_ask(app, argparse.Namespace(question=asked, doc=None, json=True, stream=False))
        out = capsys.readouterr().out
        assert "qa compare" not in out  # the JSON is the answer object, which says how the chat routes the question
        names = [PurePath(p).name for p in json.loads(out)["route"]["documents"]]
        assert json.loads(out)["route"]["kind"] == "compare" and sorted(names) == sorted(docs.split()[1::2])
        cli.cmd_ask(app, argparse.Namespace(question="How long is the bridge?", doc=None, json=True, stream=False))
        assert json.loads(capsys.readouterr().out)["route"] == {"kind": "ask", "documents": []}
        # a streamed draft says it is one before the checked answer (which may differ, or decline)
        cli.cmd_ask(app, argparse.Namespace(question="How long is the bridge?", doc=None, json=False, stream=True))
        out = capsys.readouterr().out
        assert out.startswith("Draft, not yet checked: ") and "\nAnswer: " in out, out
    finally:
        app.close()


def test_ingest_prints_each_file_as_it_is_in_and_names_what_a_folder_walk_skips(settings, embedder, capsys, tmp_path):
    """A probe killed `qa ingest` after 86 of 200 files had gone in and had no line to show for them; a folder's
    notes.xyz was left out without a word."""
    from qa.app import App
    from tests.conftest import FakeGenerator

    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "a.txt").write_text("The heron nests by the lake.")
    (folder / "b.md").write_text("The otter swims in the river.")
    (folder / "empty.txt").write_text("")
    (folder / "notes.xyz").write_text("not read")
    (folder / ".hidden.txt").write_text("hidden files stay out, as before")
    app = App(settings, embedder, FakeGenerator())
    seen = []
    try:
        code = cli.cmd_ingest(app, argparse.Namespace(paths=[str(folder)], force=False))
        out, err = capsys.readouterr()
        assert code == 2 and "empty.txt: the file is empty" in err
        assert [line.split()[0] for line in out.splitlines()] == ["indexed", "indexed", "skipped"]
        assert "notes.xyz: not a kind of file qa reads (.xyz)" in out.splitlines()[-1] and "hidden" not in out
        (folder / "c.txt").write_text("The kingfisher dives.")
        results = app.ingest([folder], done=seen.append)  # each result as it is final, all of them
        assert sorted(r.path for r in seen) == sorted(r.path for r in results) and len(results) == 4
        assert [r.status for r in results if r.path.endswith("a.txt")] == ["unchanged"]
        # --force reads a file that looks unchanged again (after a change to how files are read)
        cli.cmd_ingest(app, argparse.Namespace(paths=[str(folder / "a.txt")], force=True))
        assert capsys.readouterr().out.split()[0] == "indexed"
    finally:
        app.close()
