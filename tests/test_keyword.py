"""The keyword index: the split query plan for common terms must rank exactly as the plain BM25 OR query."""

import random

import pytest

import index.catalog as catalog_mod
from index.catalog import Catalog, keyword_plan, keyword_query
from qa.records import Sentence

VOCAB = "bridge river council ferry toll budget harbour tunnel engineer survey crossing estuary".split()
RARE = "kestrel marrow verrin oldquay".split()


def _catalog(tmp_path, n_docs=30, per_doc=60):
    rng = random.Random(3)
    cat = Catalog(tmp_path / "catalog.db")
    for d in range(n_docs):
        doc_id = f"doc{d:03d}"
        sents = []
        for i in range(per_doc):
            words = rng.sample(VOCAB, rng.randint(2, 6)) + ([rng.choice(RARE)] if rng.random() < 0.03 else [])
            rng.shuffle(words)
            text = " ".join(words).capitalize() + "."
            sents.append(Sentence(doc_id, i, 0, len(text), None, text))
        cat.begin(doc_id, f"/docs/{doc_id}.txt", f"{d:064x}", 1)
        cat.commit(doc_id, "", sents)
    return cat


def _exact(cat, query, k):
    sql = (
        "SELECT doc_id, idx, -bm25(sentences_fts) FROM sentences_fts WHERE sentences_fts MATCH ?"
        " ORDER BY bm25(sentences_fts) LIMIT ?"
    )
    return cat._db.execute(sql, (keyword_query(query), k)).fetchall()


def test_plan_is_the_or_query_under_budget():
    assert keyword_plan({"bridge": 3, "river": 4}, budget=10) == (['"bridge" OR "river"'], [])
    assert keyword_plan({"bridge": 0, "river": 40}, budget=10) == (['"river"'], [])
    assert keyword_plan({"bridge": 0}, budget=10) == ([], [])


def test_plan_splits_rare_and_common_terms():
    required, optional = keyword_plan({"kestrel": 5, "bridge": 400, "river": 300, "toll": 200}, budget=10)
    assert required == ['("kestrel") AND ("toll" OR "river" OR "bridge")', '"kestrel"', '"toll" AND "river" AND "bridge"']
    assert optional == []
    required, optional = keyword_plan({"kestrel": 5, "bridge": 400}, budget=10)
    assert required == ['("kestrel") AND ("bridge")', '"kestrel"'] and optional == ['"bridge"']


@pytest.mark.parametrize("budget", [5, 60, 100_000])
def test_split_plan_ranks_as_the_or_query(tmp_path, monkeypatch, budget):
    cat = _catalog(tmp_path)
    monkeypatch.setattr(catalog_mod, "RARE_BUDGET", budget)
    queries = [
        "Kestrel bridge toll?",
        "Which engineer surveyed the Marrow estuary crossing?",
        "council budget for the harbour tunnel",
        "river ferry",
        "Oldquay",
        "Verrin council ferry budget",
    ]
    for q in queries:
        k = 10
        ours = cat.keyword_search(q, k)
        exact = _exact(cat, q, k)
        assert [round(s, 9) for *_, s in ours] == [round(s, 9) for *_, s in exact], q
    # the plan really split for the small budgets (else this test would prove nothing)
    counts = {t: cat._count(t) for t in ["kestrel", "bridge", "toll"]}
    assert len(keyword_plan(counts, budget)[0]) == (1 if budget == 100_000 else 3)


def test_documents_being_rewritten_are_not_keyword_hits(tmp_path):
    cat = _catalog(tmp_path, n_docs=3)
    before = {d for d, *_ in cat.keyword_search("bridge river", 500)}
    assert before == {"doc000", "doc001", "doc002"}
    cat.begin("doc001", "/docs/doc001.txt", "f" * 64, 1)  # re-ingest started: old rows still on disk
    hits = cat.keyword_search("bridge river", 20)
    assert len(hits) == 20 and all(d != "doc001" for d, *_ in hits)
    assert "bridge" in cat._counts
    cat.commit("doc001", "", [Sentence("doc001", 0, 0, 12, None, "Bridge river.")])
    assert cat._counts == {}  # term counts are stale after a write
    assert ("doc001", 0) in {(d, i) for d, i, _ in cat.keyword_search("bridge river", 500)}


def _rowids(cat):
    fts = cat._db.execute("SELECT rowid, doc_id, idx FROM sentences_fts ORDER BY rowid").fetchall()
    sentences = cat._db.execute("SELECT rowid, doc_id, idx FROM sentences ORDER BY rowid").fetchall()
    return fts, sentences


def test_keyword_rows_follow_sentences_through_replace_and_remove(tmp_path):
    cat = _catalog(tmp_path, n_docs=4, per_doc=20)
    cat.begin("doc001", "/docs/doc001.txt", "e" * 64, 1)
    cat.commit("doc001", "", [Sentence("doc001", i, 0, 9, None, f"Zephyrine {i}.") for i in range(5)])
    cat.remove("doc002")
    fts, sentences = _rowids(cat)
    assert fts == sentences and len(fts) == 20 + 5 + 20
    assert {d for d, *_ in cat.keyword_search("zephyrine", 50)} == {"doc001"}
    assert not [h for h in cat.keyword_search("bridge river toll", 500) if h[0] in ("doc001", "doc002")]


def test_catalog_written_before_is_rebuilt_once(tmp_path):
    cat = _catalog(tmp_path, n_docs=3, per_doc=10)
    db = cat._db  # rewrite the keyword rows as older versions did: their own rowids
    db.execute("DELETE FROM sentences_fts")
    db.execute("INSERT INTO sentences_fts (rowid, text, doc_id, idx) SELECT rowid + 1000, text, doc_id, idx FROM sentences")
    db.execute("DELETE FROM meta WHERE key='keyword_rows'")
    cat.close()
    again = Catalog(tmp_path / "catalog.db")
    fts, sentences = _rowids(again)
    assert fts == sentences and len(fts) == 30
    again.remove("doc000")
    assert {d for d, *_ in again.keyword_search("bridge river", 100)} == {"doc001", "doc002"}


def test_equal_scores_rank_in_the_order_of_paths_whatever_the_folder(tmp_path):
    """Two documents with the same sentence tie on BM25. Their ids hash the absolute path, so id order flips between
    folders; the ranking must follow the paths, so the same files give the same sources wherever they live."""
    from index.ingest import doc_id_for

    def ids(folder: str) -> list[str]:
        return [doc_id_for(f"{folder}/{name}.txt") for name in ("alpha", "beta")]

    folders = [f"/data/run{n}" for n in range(50)]
    flipped = next(f for f in folders if (ids(f)[0] < ids(f)[1]) != (ids(folders[0])[0] < ids(folders[0])[1]))
    orders = []
    for n, folder in enumerate((folders[0], flipped)):
        cat = Catalog(tmp_path / f"catalog{n}.db")
        for doc_id, name in zip(ids(folder), ("alpha", "beta"), strict=True):
            text = "The ferry crosses the estuary at dawn."
            cat.begin(doc_id, f"{folder}/{name}.txt", doc_id * 4, 1)
            cat.commit(doc_id, text, [Sentence(doc_id, 0, 0, len(text), None, text)])
        hits = cat.keyword_search("estuary ferry", 2)
        assert hits[0][2] == hits[1][2]  # a tie, else this test proves nothing
        path_of = {d.doc_id: d.path for d in cat.documents()}
        orders.append([path_of[d].rsplit("/", 1)[1] for d, *_ in hits])
    assert orders == [["alpha.txt", "beta.txt"], ["alpha.txt", "beta.txt"]]
