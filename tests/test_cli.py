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
    finally:
        app.close()
