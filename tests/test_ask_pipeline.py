"""The ask pipeline with a scripted generator: prompt content, early decline, JSON contract.

These are unit tests of the pipeline's logic; the end-to-end proof with the real model is in test_e2e.py.
"""

import json
import shutil

from qa.app import App, seed_files
from qa.prompt import DECLINE
from tests.conftest import SEEDS, FakeGenerator


def _app(settings, embedder, reply, tmp_path):
    shutil.copytree(SEEDS, tmp_path / "docs")
    app = App(settings, embedder, FakeGenerator(reply))
    app.ingest(seed_files(tmp_path / "docs"))
    return app


def test_prompt_numbers_the_retrieved_sentences(settings, embedder, tmp_path):
    app = _app(settings, embedder, "They agreed to exchange thousands of combatants [2].", tmp_path)
    answer = app.ask("What did both sides agree to exchange?")
    prompt = app._generator.calls[0][1]["content"]
    assert "exchange thousands of combatants" in prompt and "[1]" in prompt
    assert not answer.declined
    assert answer.sentences[0].supported
    (c,) = answer.citations
    assert "exchange thousands of combatants" in c.text
    doc = app.resolve(c.document)
    assert app.text(doc.doc_id)[c.start : c.end] == c.text
    data = json.loads(json.dumps(answer.to_json()))
    assert set(data) == {"answer", "declined", "sentences", "citations", "timings", "declined_because", "near"}
    assert set(data["sentences"][0]) == {"text", "citations", "supported", "verdict", "reason"}
    assert set(data["citations"][0]) == {"id", "document", "text", "start", "end", "page", "score"}
    assert set(data["timings"]) == {"retrieve_s", "first_token_s", "verify_s", "total_s"}


def test_off_topic_question_is_declined_without_the_model(settings, embedder, tmp_path):
    app = _app(settings, embedder, "Quantum chromodynamics explains quarks [1].", tmp_path)
    answer = app.ask("What is the airspeed velocity of an unladen swallow in quantum chromodynamics?")
    assert answer.declined and answer.answer == DECLINE
    assert app._generator.calls == []


def test_model_answer_from_memory_is_declined(settings, embedder, tmp_path):
    app = _app(settings, embedder, "Paris is the capital of France and has the Eiffel Tower [1].", tmp_path)
    answer = app.ask("What did both sides agree to exchange?")
    assert answer.declined and answer.citations == []


def test_document_filter_limits_sources(settings, embedder, tmp_path):
    app = _app(settings, embedder, "The documents do not say.", tmp_path)
    app.ask("What did both sides agree to exchange?", docs=["tomato_growing_guide.pdf"])
    calls = app._generator.calls
    assert not calls or "combatants" not in calls[0][1]["content"]
