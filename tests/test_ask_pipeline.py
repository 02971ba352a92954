"""The ask pipeline with a scripted generator: prompt content, early decline, JSON contract.

These are unit tests of the pipeline's logic; the end-to-end proof with the real model is in test_e2e.py.
"""

import json
import re
import shutil

import pytest

from qa.app import App, seed_files
from qa.prompt import DECLINE, EXAMPLE_QUESTION, RUNNING_SYSTEM, SYSTEM
from tests.conftest import SEEDS, CountingEmbedder, FakeGenerator, assert_timings


def _app(settings, embedder, reply, tmp_path):
    shutil.copytree(SEEDS, tmp_path / "docs")
    app = App(settings, embedder, FakeGenerator(reply))
    app.ingest(seed_files(tmp_path / "docs"))
    return app


def test_the_default_prompt_is_one_numbered_line_per_source(settings, embedder, tmp_path):
    app = _app(settings, embedder, "They agreed to exchange thousands of combatants [2].", tmp_path)
    app.ask("What did both sides agree to exchange?")
    (system, user) = app._generator.calls[0]
    assert system == {"role": "system", "content": SYSTEM}
    lines = user["content"].split("\n")
    assert lines[0] == "Sources:" and any(re.match(r"\[\d+\] .*exchange thousands of combatants", x) for x in lines)


def test_prompt_numbers_the_retrieved_sentences(settings, embedder, tmp_path):
    app = _app(settings.with_(prompt="running"), embedder, "They agreed to exchange thousands of combatants [2].", tmp_path)
    answer = app.ask("What did both sides agree to exchange?")
    messages = app._generator.calls[0]
    prompt = messages[-1]["content"]
    # running text: each source sentence followed by its marker; the worked example comes before the question
    assert "exchange thousands of combatants who were deceased or critically injured. [" in prompt
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert prompt.endswith("Question: What did both sides agree to exchange?")
    assert not answer.declined
    assert answer.sentences[0].supported
    (c,) = answer.citations
    assert "exchange thousands of combatants" in c.text
    doc = app.resolve(c.document)
    assert app.text(doc.doc_id)[c.start : c.end] == c.text
    data = json.loads(json.dumps(answer.to_json()))
    assert set(data) == {"answer", "declined", "sentences", "citations", "timings", "declined_because", "near", "yes_no", "route"}
    assert data["yes_no"] is None  # not a yes/no question
    assert set(data["sentences"][0]) == {"text", "citations", "supported", "verdict", "reason", "check", "score", "disputed_by"}
    # supported through a citation (the fake's "[2]" may not be the sentence's number): a judged kind and its score
    assert data["sentences"][0]["check"] in {"cited", "recited"} and data["sentences"][0]["score"] >= 0.55
    assert set(data["citations"][0]) == {"id", "document", "text", "start", "end", "page", "score", "role"}
    assert_timings(data["timings"])


def test_a_reply_that_only_copies_a_source_is_asked_again(settings, embedder, tmp_path):
    """The first draft repeats a source sentence that does not answer; the second, in the same conversation, does."""
    drafts: list[str] = []

    def reply(prompt):
        if drafts:
            drafts.append("Brightwater Civil Works is the main contractor for the bridge [2].")
        else:  # copy, in the source list's own format, a source sentence with none of the question's words
            shown = re.findall(r"([^\[\]]+?) \[(\d+)\]", prompt.split("Documents:", 1)[1])
            text, n = next((t.strip(" …"), n) for t, n in shown if not re.search(r"(?i)bridge|contractor|kestrel|main", t))
            drafts.append(f"[{n}] {text}")
        return drafts[-1]

    app = _app(settings.with_(prompt="running"), embedder, reply, tmp_path)
    events = list(app.ask_stream("Who is the main contractor for the Kestrel Bridge?"))
    kinds = [e.kind for e in events]
    assert "redraft" in kinds
    first, second = app._generator.calls
    assert second[: len(first)] == first  # the retry extends the first prompt (a cached prefix)
    assert second[-2] == {"role": "assistant", "content": drafts[0]} and "repeats a source" in second[-1]["content"]
    answer = events[-1].data
    assert not answer.declined and "Brightwater Civil Works" in answer.answer
    assert "retry_s" in answer.timings


def test_a_copy_of_a_numbered_line_is_asked_again_in_running_text(settings, embedder, tmp_path):
    """After the default numbered-list prompt, a copied line gets the question again in the other style (running
    text and the worked example), where the model writes in its own words; the new draft is what is checked."""

    def reply(prompt):
        if prompt.startswith("Sources:"):  # the numbered list: copy one of its sentences that does not answer
            line = next(x for x in prompt.splitlines() if re.match(r"\[\d+\] [^#]", x) and "contractor" not in x)
            return line
        return "The main contractor for the bridge is Brightwater Civil Works [2]."

    app = _app(settings, embedder, reply, tmp_path)
    events = list(app.ask_stream("Who is the main contractor for the Kestrel Bridge?"))
    assert "redraft" in [e.kind for e in events]
    first, second = app._generator.calls
    assert first[0]["content"] == SYSTEM and second[0]["content"] == RUNNING_SYSTEM
    assert second[1]["content"].endswith(EXAMPLE_QUESTION)  # the worked example, then this question's documents
    assert second[-1]["content"].endswith("Question: Who is the main contractor for the Kestrel Bridge?")
    answer = events[-1].data
    assert not answer.declined and "Brightwater Civil Works" in answer.answer


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
    tomato = app.resolve("tomato_growing_guide.pdf").doc_id
    hits = app.retriever.search("What did both sides agree to exchange?", 8, [tomato])
    assert hits and {h.doc_id for h in hits} == {tomato}
    app.ask("How much sunlight do tomatoes need?", docs=["tomato_growing_guide.pdf"])
    (messages,) = app._generator.calls
    assert "sunlight" in messages[-1]["content"] and "combatants" not in messages[-1]["content"]


def test_the_verifier_reads_the_sources_stored_vectors_instead_of_embedding_them_again(settings, embedder, tmp_path):
    """Ingestion stored each sentence's vector; verification used to embed every retrieved sentence again."""

    counting = CountingEmbedder(embedder)
    reply = "Both sides agreed to exchange thousands of combatants who were deceased or critically injured. [1]"
    app = App(settings, counting, FakeGenerator(reply))
    try:
        shutil.copytree(SEEDS, tmp_path / "docs")
        app.ingest(seed_files(tmp_path / "docs"))
        stored = app.retriever.vectors(app.asker.retrieve("What did both sides agree to exchange?", None))
        fresh = embedder.embed(list(stored))
        assert stored and all(float(v @ f) > 0.999 for v, f in zip(stored.values(), fresh, strict=True))
        counting.texts.clear()
        answer = app.ask("What did both sides agree to exchange?")
        assert not answer.declined, answer
        again = set(counting.texts) & set(stored)
        assert not again, again  # only the question and the claims were embedded
    finally:
        app.close()


def _values(prompt: str) -> str:
    """The fake's value for each document's part of an "agree" question; a full reply otherwise."""
    asked = prompt.rsplit("Question: ", 1)[-1]
    if asked.startswith("According to the council report"):
        return "four" if "lanes" in asked else "Port Verrin" if "towns" in asked else "14 September 2027"
    if asked.startswith("According to the residents newsletter"):
        return "two" if "lanes" in asked else "Oldquay" if "towns" in asked else "unknown"
    return "Yes, both agree. [1]"


def test_an_agree_question_is_decided_by_each_documents_own_value(settings, embedder, tmp_path):
    """Each document's value is asked of its own sentences and found in one of them; the values differ: "No.",
    with the two sentences quoted, whatever a whole reply would have said ("Yes, both agree.")."""
    app = _app(settings, embedder, _values, tmp_path)
    answer = app.ask("Do the council report and the residents newsletter agree on the number of traffic lanes on the bridge?")
    assert answer.yes_no == "no" and answer.answer.startswith("No. ")
    assert [(c.document.rsplit("_", 1)[-1], c.text) for c in answer.citations] == [
        ("report.md", "The bridge will carry four traffic lanes."),
        ("newsletter.html", "According to those figures, the bridge will carry only two traffic lanes."),
    ]
    for c in answer.citations:
        assert app.text(app.resolve(c.document).doc_id)[c.start : c.end] == c.text
    assert all(s.check == "quoted" and "number of traffic lanes" in s.reason for s in answer.sentences)
    # the whole reply was never asked for: two short prompts, one per document, each of that document's sentences
    assert len(app._generator.calls) == 2
    council, news = (call[-1]["content"] for call in app._generator.calls)
    assert "four traffic lanes" in council and "two traffic lanes" not in council and "two traffic lanes" in news


def test_an_agree_question_falls_back_when_a_value_is_not_found(settings, embedder, tmp_path):
    """One document's value is "unknown": no verdict from the parts, and the question is answered as any other."""
    app = _app(settings, embedder, _values, tmp_path)
    question = "Do the council report and the residents newsletter agree on the opening date of the bridge?"
    assert app.asker.same(question, app.asker.retrieve(question, None)) is None
    assert len(app._generator.calls) == 2  # both values asked; the newsletter's was "unknown"
    answer = app.ask(question)
    assert len(app._generator.calls) == 5  # two values again, then the whole reply
    assert answer.sentences and not any(s.check == "quoted" for s in answer.sentences)


def test_values_said_of_both_things_are_not_a_difference(settings, embedder, tmp_path):
    """ "Port Verrin" and "Oldquay" share no word, but each document's sentences give both (the bridge links the
    two): the values do not differ as the documents tell them. No verdict; answered as any other question. The
    two sentences are alike (``PARALLEL`` is not what refuses them)."""
    from qa.cite import PARALLEL, same_value

    app = _app(settings, embedder, _values, tmp_path)
    question = "Do the council report and the residents newsletter agree on which towns the Kestrel Bridge will link?"
    assert same_value("Port Verrin", "Oldquay") is False
    assert app.asker.same(question, app.asker.retrieve(question, None)) is None
    assert len(app._generator.calls) == 2
    council, news = (call[-1]["content"] for call in app._generator.calls)
    assert "between the town of Port Verrin and the village of Oldquay" in council and "link Oldquay with" in news
    a, b = embedder.embed(
        [
            "The Kestrel Bridge will cross the Marrow Estuary between the town of Port Verrin and the village of Oldquay.",
            "The Kestrel Bridge will link Oldquay with the town of Port Verrin across the Marrow Estuary.",
        ]
    )
    assert float(a @ b) >= PARALLEL


BIOS = {
    "ada_lovelace.txt": "Ada Lovelace (born 10 December 1815) was an English mathematician. She wrote on the Engine.",
    "charles_babbage.txt": "Charles Babbage (born 26 December 1791) was an English polymath. He designed the Analytical Engine.",
}


def _bios_app(settings, embedder, tmp_path, reply):
    (tmp_path / "bios").mkdir()
    for name, text in BIOS.items():
        (tmp_path / "bios" / name).write_text(text)
    app = App(settings, embedder, FakeGenerator(reply))
    app.ingest([tmp_path / "bios" / name for name in BIOS])
    return app


def _born(prompt: str) -> str:
    asked = prompt.rsplit("Question: ", 1)[-1]
    if asked.startswith("When was Ada Lovelace born"):
        return "10 December 1815"
    if asked.startswith("When was Charles Babbage born"):
        return "26 December 1791"
    return "Ada Lovelace is older. [1]"


@pytest.mark.parametrize(("question", "picked"), [("Who is older", "Charles Babbage"), ("Who is younger", "Ada Lovelace")])
def test_a_choice_by_date_is_decided_by_each_things_year(settings, embedder, tmp_path, question, picked):
    """Each person's birth date is asked of their own sentences and found there; the years decide (1791 before
    1815), whatever a whole reply would have said ("Ada Lovelace is older.")."""
    app = _bios_app(settings, embedder, tmp_path, _born)
    answer = app.ask(f"{question}, Ada Lovelace or Charles Babbage?")
    assert answer.answer.startswith(picked) and not answer.declined
    (claim,) = answer.sentences
    assert claim.check == "compared" and claim.supported and len(claim.citations) == 2
    assert sorted(c.text.split(" (")[0] for c in answer.citations) == ["Ada Lovelace", "Charles Babbage"]
    for c in answer.citations:
        assert app.text(app.resolve(c.document).doc_id)[c.start : c.end] == c.text
    assert len(app._generator.calls) == 2


def test_a_choice_falls_back_when_a_value_is_not_in_the_things_sentences(settings, embedder, tmp_path):
    """A year the sentences do not give (the fake's 1816 for Ada Lovelace) decides nothing: the question is
    answered as any other, from the whole reply."""

    def reply(prompt: str) -> str:
        return "1816" if prompt.rsplit("Question: ", 1)[-1].startswith("When was Ada") else _born(prompt)

    app = _bios_app(settings, embedder, tmp_path, reply)
    answer = app.ask("Who is older, Ada Lovelace or Charles Babbage?")
    assert len(app._generator.calls) == 2  # the value, then the whole reply
    assert not any(s.check == "compared" for s in answer.sentences)


def _speaks_for(claim: str):
    """The whole reply: ``claim`` cited to the newsletter's toll sentence; each document's own value: unknown."""

    def reply(prompt: str) -> str:
        if prompt.rsplit("Question: ", 1)[-1].startswith("What does the"):
            return "unknown"
        (n,) = re.findall(r"\[(\d+)\] Drivers will pay a toll", prompt)
        return f"{claim} [{n}]"

    return reply


TOLL = "Do the council report and the residents newsletter agree on whether drivers will pay to cross the Kestrel Bridge?"


def test_a_claim_may_not_speak_for_a_document_it_does_not_cite(settings, embedder, tmp_path):
    """Asked about two documents by name, the model's "The report: drivers will pay a toll …" cites the residents
    newsletter alone (the council report says crossing is free). The fake judge passes it (it has the sentence's
    words), but it speaks for the council report without a sentence from it: refused, and the sentence it cited
    is shown as possibly relevant instead."""
    app = _app(settings, embedder, _speaks_for("The report: drivers will pay a toll of £1.50 for each crossing."), tmp_path)
    answer = app.ask(TOLL)
    assert answer.declined and answer.why == "not_verified" and answer.citations == [] and answer.yes_no == ""
    (claim,) = answer.sentences
    assert not claim.supported and claim.check == "screen" and "kestrel_bridge_council_report.md" in claim.reason
    assert [c.text for c in answer.near] == ["Drivers will pay a toll of £1.50 for each crossing."]
    # the same claim in the newsletter's own name stands
    app._generator.reply = _speaks_for("The newsletter: drivers will pay a toll of £1.50 for each crossing.")
    kept = app.ask(TOLL)
    assert not kept.declined and kept.sentences[0].supported
    assert [c.text for c in kept.citations][:1] == ["Drivers will pay a toll of £1.50 for each crossing."]
    # a question that names one document at most is not screened so: the same reply stands
    app._generator.reply = _speaks_for("The report: drivers will pay a toll of £1.50 for each crossing.")
    assert not app.ask("Will drivers pay a toll to cross the Kestrel Bridge?").declined


def test_a_when_question_is_answered_by_an_event(settings, embedder, tmp_path):
    """ "When should tomato seedlings be planted outside?" is answered by the guide's "once night temperatures stay
    above 10 degrees Celsius": an event, not a date, but an answer to "when" (it was declined as not an answer)."""

    def reply(prompt: str) -> str:
        (n,) = re.findall(r"\[(\d+)\] Plants can be\s+moved outside", prompt)
        return f"Plants can be moved outside once night temperatures stay above 10 degrees Celsius. [{n}]"

    app = _app(settings, embedder, reply, tmp_path)
    answer = app.ask("When should tomato seedlings be planted outside?")
    assert not answer.declined and answer.sentences[0].supported
    said = "Plants can be moved outside once night temperatures stay above 10 degrees Celsius."
    assert answer.citations[0].text.split() == said.split()


LOGICIANS = {
    "ada_lovelace.txt": "Ada Lovelace (born 10 December 1815) was an English mathematician.",
    "kurt_goedel.txt": "Kurt Gödel (born 28 April 1906) was not English: he was an Austrian logician and mathematician.",
}
PICK = "Which mathematician was from England, Ada Lovelace or Kurt Gödel?"


def test_a_choice_by_a_property_picks_the_thing_whose_sentence_says_yes(settings, embedder, tmp_path):
    """Each mathematician is asked of alone ("Is it true that Kurt Gödel was from England?") on the sentence naming
    them; the fake judge says no to a negated sentence. The one saying yes is the answer, whatever the reply
    said, citing both sentences."""
    (tmp_path / "people").mkdir()
    for name, text in LOGICIANS.items():
        (tmp_path / "people" / name).write_text(text)
    app = App(settings, embedder, FakeGenerator("Kurt Gödel was an Austrian logician and mathematician. [2]"))
    app.ingest([tmp_path / "people" / name for name in LOGICIANS])
    answer = app.ask(PICK)
    assert answer.answer.startswith("Ada Lovelace.") and not answer.declined
    (claim,) = answer.sentences
    assert claim.check == "compared" and "for Kurt Gödel: no" in claim.reason and "for Ada Lovelace: yes" in claim.reason
    assert sorted(c.text[:3] for c in answer.citations) == ["Ada", "Kur"]
    asked = [m[-1]["content"] for m in app._generator.judged]
    assert any("Is it true that Kurt Gödel was from England?" in a for a in asked)
    # both sentences say yes: nothing is picked, and the reply is verified as any other
    (tmp_path / "people" / "kurt_goedel.txt").write_text("Kurt Gödel (born 28 April 1906) was an English logician.")
    app.ingest([tmp_path / "people" / "kurt_goedel.txt"])
    again = app.ask(PICK)
    assert not any(s.check == "compared" for s in again.sentences)


def test_only_a_question_that_points_back_is_rewritten(settings, embedder, tmp_path):
    """A follow-up that stands alone is searched as asked: no rewriting prompt, no "rewritten" step."""
    app = _app(settings, embedder, "They agreed to exchange thousands of combatants [2].", tmp_path)
    past = [("Who headed the Ukrainian delegation?", "Rustem Umerov headed it.")]
    kinds = [e.kind for e in app.ask_stream("What did both sides agree to exchange?", history=past)]
    assert "rewritten" not in kinds and not any("Standalone question" in str(c) for c in app._generator.calls)
    kinds = [e.kind for e in app.ask_stream("And what did they agree to exchange?", history=past)]
    assert kinds[0] == "rewritten" and any("Standalone question" in str(c) for c in app._generator.calls)


ATHLETES = {
    "kasper_hvidt.txt": "Kasper Hvidt (born 6 February 1976 in Copenhagen) is a Danish retired handball goalkeeper.",
    "catharina_felser.txt": "Catharina Felser (born October 2, 1982) is a German race car driver born in Siegburg.",
}


def test_a_same_question_on_unlike_sentences_is_decided_when_each_answers_its_own_question(settings, embedder, tmp_path):
    """The two sentences are about unlike people (less alike than ``PARALLEL``), yet each gives its person's
    nationality: the answer gate asked of each sentence with its own question decides that they do, and the
    values decide "No."; before, the question fell back to a whole reply."""
    from qa.cite import PARALLEL

    a, b = embedder.embed(list(ATHLETES.values()))
    assert float(a @ b) < PARALLEL

    def reply(prompt: str) -> str:
        asked = prompt.rsplit("Question: ", 1)[-1]
        return "Danish" if "Kasper Hvidt?" in asked else "German" if "Catharina Felser?" in asked else "Yes. [1]"

    (tmp_path / "people").mkdir()
    for name, text in ATHLETES.items():
        (tmp_path / "people" / name).write_text(text)
    app = App(settings, embedder, FakeGenerator(reply))
    try:
        app.ingest([tmp_path / "people" / name for name in ATHLETES])
        answer = app.ask("Are Kasper Hvidt and Catharina Felser of the same nationality?")
        assert answer.yes_no == "no" and answer.answer.startswith("No. ") and not answer.declined
        assert sorted(c.text for c in answer.citations) == sorted(ATHLETES.values())
        assert all(s.check == "quoted" for s in answer.sentences)
        assert len(app._generator.calls) == 2  # the two values; no whole reply
        gates = [m[-1]["content"] for m in app._generator.judged if "Reply: " in m[-1]["content"]]
        assert any("What is the nationality of Kasper Hvidt?" in g for g in gates)
        assert any("What is the nationality of Catharina Felser?" in g for g in gates)
    finally:
        app.close()
