"""The CLI's human-readable answer, and what it refuses before indexing anything (fast: no model)."""

import argparse

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
