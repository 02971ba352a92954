"""The CLI's human-readable answer (fast: no model)."""

from front.cli import _print_answer
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
