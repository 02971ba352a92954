"""Retrieval over the real store: dense (llama-index over Chroma) fused with BM25."""

import shutil

from qa.app import seed_files
from tests.conftest import SEEDS


def _seeded(app, tmp_path):
    shutil.copytree(SEEDS, tmp_path / "docs")
    app.ingest(seed_files(tmp_path / "docs"))


def _texts(app, hits):
    return [app.sentences(h.doc_id, h.idx, h.idx)[0].text for h in hits]


def test_finds_the_sentence_that_answers(app, tmp_path):
    _seeded(app, tmp_path)
    hits = app.retriever.search("What did both sides agree to exchange?", 5)
    assert any("exchange thousands of combatants" in t for t in _texts(app, hits))
    assert hits[0].dense > 0.3


def test_keyword_hits_join_the_fusion(app, tmp_path):
    _seeded(app, tmp_path)
    hits = app.retriever.search("Brightwater Civil Works", 6)
    assert any("Brightwater" in t for t in _texts(app, hits))


def test_filter_to_chosen_documents(app, tmp_path):
    _seeded(app, tmp_path)
    doc = app.resolve("lumenfold_remote_work_policy.docx")
    hits = app.retriever.search("What did both sides agree to exchange?", 5, [doc.doc_id])
    assert hits and {h.doc_id for h in hits} == {doc.doc_id}


def test_sources_are_numbered_windows_in_reading_order(app, tmp_path):
    _seeded(app, tmp_path)
    hits = app.retriever.search("What did both sides agree to exchange?", 3)
    sources = app.retriever.sources(hits, 1)
    assert [s.n for s in sources] == list(range(1, len(sources) + 1))
    for s in sources:
        assert app.text(s.sentence.doc_id)[s.sentence.start : s.sentence.end] == s.sentence.text


def test_a_hit_that_opens_with_a_pronoun_brings_the_sentence_before(app, tmp_path):
    from qa.retrieve import Hit

    doc = tmp_path / "lovelace.txt"
    doc.write_text("Ada Lovelace wrote the first program. She was also a mathematician. The engine was never built.\n")
    app.ingest([doc])
    doc_id = app.resolve("lovelace.txt").doc_id
    texts = [s.sentence.text for s in app.retriever.sources([Hit(doc_id, 1, 1.0, 0.8)], 0)]
    assert texts == ["Ada Lovelace wrote the first program.", "She was also a mathematician."]
    texts = [s.sentence.text for s in app.retriever.sources([Hit(doc_id, 2, 1.0, 0.8)], 0)]
    assert texts == ["The engine was never built."]


def test_a_name_the_best_sentences_give_finds_the_bridge_document(app, tmp_path):
    """Asked "… competes in a conference that had what earlier name?", the team's sentence names the conference, and
    the conference's own document is found by that name, not by the question (which finds the team's seasons)."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "tigers.txt").write_text(
        "The Riverside Tigers men's soccer team competes in the Harbor Valley League. The team was founded in 1971.\n"
    )
    for year in range(1999, 2004):
        (docs / f"tigers_{year}.txt").write_text(
            f"The {year} Riverside Tigers men's soccer team represented Riverside College in the {year} season.\n"
        )
    (docs / "league.txt").write_text(
        "The Harbor Valley League is a collegiate athletic association. Until 1996 it was named the Northern Coast Association.\n"
    )
    app.ingest(sorted(docs.iterdir()))
    league = app.resolve("league.txt").doc_id
    question = "The Riverside Tigers men's soccer team competes in a conference that had what earlier name?"
    hits = app.retriever.search(question, 3)
    assert league not in {h.doc_id for h in hits}  # the question alone does not find it
    found = app.retriever.name_hops(question, hits[:2], {h.doc_id for h in hits}, None)
    assert league in {h.doc_id for h in found}
    assert any("Harbor Valley League" in s.sentence.text for s in app.retriever.sources(found, 0))
    assert league in {h.doc_id for h in app.retriever.bridge(question, hits, 2)}  # the pipeline's second hop
    # a name the question gives is not searched again: the question's own retrieval is about it
    named = "In what year was the Harbor Valley League team Riverside Tigers men's soccer founded?"
    assert league not in {h.doc_id for h in app.retriever.name_hops(named, hits[:2], {h.doc_id for h in hits}, None)}


def test_stored_vectors_count_only_for_the_same_text(app, tmp_path):
    """A document re-ingested meanwhile has other sentences under the same ids: their vectors are not the sources'."""
    from dataclasses import replace

    _seeded(app, tmp_path)
    sources = app.retriever.sources(app.retriever.search("What did both sides agree to exchange?", 3), 0)
    stored = app.retriever.vectors(sources)
    assert set(stored) == {s.sentence.text for s in sources}
    changed = [replace(s, sentence=replace(s.sentence, text=s.sentence.text + " (edited)")) for s in sources]
    assert app.retriever.vectors(changed) == {}


def test_a_sentence_many_copies_hold_takes_one_place_when_distinct(app, tmp_path):
    """One file under six names: every place went to its copies, and the model, shown one sentence six times,
    wrote "Marta Quell Marta Quell …" (a probe). ``ask`` searches distinct."""
    folder = tmp_path / "copies"
    folder.mkdir()
    for i in range(6):
        (folder / f"facts{i}.txt").write_text("The Zorbian lighthouse keeper is Marta Quell. The lamp was lit in 1870.")
    (folder / "other.txt").write_text("The lighthouse keeper's cottage has a red door. Gulls nest on its roof.")
    app.ingest([folder])
    question = "Who is the Zorbian lighthouse keeper?"
    plain = _texts(app, app.retriever.search(question, 4))
    assert plain.count("The Zorbian lighthouse keeper is Marta Quell.") >= 2
    distinct = _texts(app, app.retriever.search(question, 4, distinct=True))
    assert len(distinct) == len(set(distinct)) == 4 and "The Zorbian lighthouse keeper is Marta Quell." in distinct
    assert any("cottage" in t or "Gulls" in t for t in distinct)
    # what the model is shown: the kept hits' neighbours and the bridge hops, from other copies, not again (a review)
    shown = [s.sentence.text for s in app.asker.retrieve(question, None)]
    assert len(shown) == len(set(shown)) and "The Zorbian lighthouse keeper is Marta Quell." in shown, shown
