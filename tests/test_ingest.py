"""Ingestion on a real Chroma in a temp dir with the real embedder."""

import shutil

import pytest

from qa.app import seed_files
from tests.conftest import SEEDS


def _copy_seeds(tmp_path):
    folder = tmp_path / "docs"
    shutil.copytree(SEEDS, folder)
    return folder


def test_ingest_all_formats_then_unchanged(app, tmp_path):
    folder = _copy_seeds(tmp_path)
    first = app.ingest(seed_files(folder))
    assert {r.status for r in first} == {"indexed"}, first
    assert {p.rsplit(".", 1)[-1] for p in (r.path for r in first)} >= {"txt", "md", "html", "pdf", "docx"}
    total = sum(r.sentences for r in first)
    assert app.store.count() == total == app.catalog.sentence_count()
    again = app.ingest(seed_files(folder))
    assert {r.status for r in again} == {"unchanged"}
    assert app.store.count() == total


def test_every_stored_sentence_is_verbatim_at_its_offsets(app, tmp_path):
    app.ingest(seed_files(_copy_seeds(tmp_path)))
    for doc in app.documents():
        text = app.text(doc.doc_id)
        sentences = app.sentences(doc.doc_id)
        assert len(sentences) == doc.sentences > 5
        for s in sentences:
            assert text[s.start : s.end] == s.text
        if doc.path.endswith(".pdf"):
            assert {s.page for s in sentences} >= {1, 2}
        else:
            assert {s.page for s in sentences} == {None}


def test_changed_file_replaces_all_old_chunks(app, tmp_path):
    doc = tmp_path / "note.md"
    doc.write_text("The blue heron nests by the lake. It eats small fish.\n\nThe lake freezes in January.\n")
    app.ingest([doc])
    doc.write_text("The heron moved to the river in spring. Its nest is now under the old mill.\n")
    (result,) = app.ingest([doc])
    assert result.status == "indexed" and result.sentences == 2
    (info,) = app.documents()
    assert app.store.count() == 2
    assert sorted(app.store.ids_of(info.doc_id)) == [f"{info.doc_id}:0", f"{info.doc_id}:1"]
    hits = app.retriever.search("When does the lake freeze?", 5)
    texts = [app.sentences(h.doc_id, h.idx, h.idx)[0].text for h in hits]
    assert all("freezes" not in t for t in texts)


def test_remove_deletes_document_and_every_chunk(app, tmp_path):
    app.ingest(seed_files(_copy_seeds(tmp_path)))
    before = app.store.count()
    doc = app.remove("kestrel_bridge_council_report.md")
    assert doc.sentences > 0
    assert app.store.ids_of(doc.doc_id) == []
    assert app.store.count() == before - doc.sentences
    assert all(d.doc_id != doc.doc_id for d in app.documents())
    assert app.catalog.keyword_search("Kestrel council", 50, [doc.doc_id]) == []


def test_bad_files_do_not_stop_the_others_and_lose_nothing(app, tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("Otters hold hands while they sleep. They live in rivers.\n")
    app.ingest([good])
    bad_empty = tmp_path / "empty.txt"
    bad_empty.write_bytes(b"")
    bad_bin = tmp_path / "binary.txt"
    bad_bin.write_bytes(b"\x00\x01\x02" * 100)
    other = tmp_path / "other.md"
    other.write_text("Badgers dig long tunnels called setts.\n")
    results = app.ingest([bad_empty, tmp_path / "missing.pdf", bad_bin, other])
    status = {r.path.rsplit("/", 1)[-1]: (r.status, r.reason) for r in results}
    assert status["empty.txt"][0] == "error" and "empty" in status["empty.txt"][1]
    assert status["missing.pdf"][0] == "error" and "no such file" in status["missing.pdf"][1]
    assert status["binary.txt"][0] == "error"
    assert status["other.md"][0] == "indexed"
    # A good document that turns bad keeps its indexed version.
    good.write_bytes(b"\x00\x01\x00garbage")
    (r,) = app.ingest([good])
    assert r.status == "error"
    assert {d.path.rsplit("/", 1)[-1] for d in app.documents()} == {"good.txt", "other.md"}
    assert app.store.count() == 3


def test_interrupted_ingest_is_redone(app, tmp_path):
    doc = tmp_path / "a.txt"
    doc.write_text("Alpha is first. Beta is second.\n")
    # Simulate a crash after vectors were written but before the catalog commit.
    from index.ingest import doc_id_for

    doc_id = doc_id_for(str(doc.resolve()))
    app.catalog.begin(doc_id, str(doc.resolve()), "0" * 64, 10)
    app.store.add([f"{doc_id}:7"], app.embedder.embed(["orphan"]), ["orphan"], [{"doc_id": doc_id, "idx": 7, "sha": "x"}])
    assert app.documents() == []  # pending documents are not searchable
    (r,) = app.ingest([doc])
    assert r.status == "indexed"
    assert sorted(app.store.ids_of(doc_id)) == [f"{doc_id}:0", f"{doc_id}:1"]


def test_a_failed_batch_write_leaves_its_documents_pending_and_the_next_ingest_redoes_them(
    settings, embedder, tmp_path, monkeypatch
):
    """Small documents are embedded in batches on a worker thread and written one batch at a time: a write that
    fails leaves that batch's documents pending (not searchable), earlier batches ready, and nothing duplicated."""
    import pytest

    from qa.app import App

    app = App(settings, embedder, embed_batch=4)
    assert app.ingestor.embed_batch == 4
    files = []
    for i in range(6):
        f = tmp_path / f"doc{i}.txt"
        f.write_text(f"Animal number {i} is a heron. It eats {i + 2} fish a day.\n")
        files.append(f)
    real_add, calls = app.store.add, []

    def flaky_add(*args, **kwargs):
        calls.append(len(kwargs["ids"] if "ids" in kwargs else args[0]))
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real_add(*args, **kwargs)

    monkeypatch.setattr(app.store, "add", flaky_add)
    with pytest.raises(RuntimeError, match="disk full"):
        app.ingest(files)
    assert calls == [4, 4]  # one upsert per batch of two documents
    assert sorted(d.path.rsplit("/", 1)[-1] for d in app.documents()) == ["doc0.txt", "doc1.txt"]
    assert app.store.count() == 4
    monkeypatch.setattr(app.store, "add", real_add)
    status = {r.path.rsplit("/", 1)[-1]: r.status for r in app.ingest(files)}
    assert status == {
        "doc0.txt": "unchanged",
        "doc1.txt": "unchanged",
        "doc2.txt": "indexed",
        "doc3.txt": "indexed",
        "doc4.txt": "indexed",
        "doc5.txt": "indexed",
    }
    assert app.store.count() == 12 == app.catalog.sentence_count()
    assert len(app.retriever.search("heron fish", 12)) == 12
    app.close()


def test_per_file_limits_give_their_own_error_and_keep_the_others(settings, embedder, tmp_path):
    from qa.app import App

    app = App(settings.with_(max_chars=2000, max_sentences=20), embedder)
    (tmp_path / "long.txt").write_text("The heron waits. " * 200)  # 3,400 characters
    (tmp_path / "many.txt").write_text("\n\n".join(f"Line {i} is short." for i in range(30)))
    (tmp_path / "fine.txt").write_text("The otter swims in the pond.")
    results = {
        r.path.rsplit("/", 1)[-1]: r for r in app.ingest([tmp_path / "long.txt", tmp_path / "many.txt", tmp_path / "fine.txt"])
    }
    assert "QA_MAX_CHARS" in results["long.txt"].reason and "QA_MAX_SENTENCES" in results["many.txt"].reason
    assert results["fine.txt"].status == "indexed"
    app.close()


def test_small_files_are_committed_before_a_big_one_embeds(app, tmp_path, monkeypatch):
    """An ingest interrupted while a big file embeds keeps every small file read before it."""
    for i in range(3):
        (tmp_path / f"small_{i}.txt").write_text(f"Small note {i} is about herons. It is short.")
    (tmp_path / "zz_big.txt").write_text(" ".join(f"Sentence {i} of the big file." for i in range(400)))

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt  # the user pressed Ctrl+C while the big file was embedding

    monkeypatch.setattr(app.ingestor, "add_vectors", interrupted)
    with pytest.raises(KeyboardInterrupt):
        app.ingest([tmp_path])
    ready = sorted(d.path.rsplit("/", 1)[-1] for d in app.documents())
    assert ready == ["small_0.txt", "small_1.txt", "small_2.txt"]


def test_a_batch_is_made_ready_in_one_transaction_all_or_none(settings, embedder, tmp_path):
    """A batch of small documents is marked pending in one catalog transaction and ready in one more (a synced
    commit costs milliseconds, two per document before); if any document of the batch cannot be written, none
    of it is ready."""
    from index.records import Sentence
    from qa.app import App

    app = App(settings, embedder, embed_batch=64)
    files = []
    for i in range(5):
        f = tmp_path / f"note{i}.txt"
        f.write_text(f"Note {i} says the heron eats {i + 2} fish a day.\n")
        files.append(f)
    writes, open_ = [], [False]  # write transactions: each COMMIT, and each write outside BEGIN … COMMIT

    def trace(sql: str) -> None:
        head = sql.split(None, 1)[0].upper()
        if head == "BEGIN":
            open_[0] = True
        elif head in ("COMMIT", "ROLLBACK"):
            open_[0] = False
            writes.append(sql)
        elif head in ("INSERT", "UPDATE", "DELETE") and not open_[0]:
            writes.append(sql)

    app.catalog._db.set_trace_callback(trace)
    assert [r.status for r in app.ingest(files)] == ["indexed"] * 5
    app.catalog._db.set_trace_callback(None)
    assert len([w for w in writes if "meta" not in w]) == 2, writes  # pending, then ready (the first-use mark aside)
    assert app.catalog.sentence_count() == 5

    good = [("a" * 16, "Fine.", [Sentence("a" * 16, 0, 0, 5, None, "Fine.")])]
    bad = [("b" * 16, "x", [Sentence("b" * 16, 0, 0, 1, None, None)])]  # NOT NULL text: the write fails
    app.catalog.begin_many([("a" * 16, "/a.txt", "0" * 64, 5), ("b" * 16, "/b.txt", "1" * 64, 1)])
    import sqlite3

    import pytest

    with pytest.raises(sqlite3.IntegrityError):
        app.catalog.commit_many(good + bad)
    assert {d.doc_id: d.status for d in app.catalog.documents(status=None)}["a" * 16] == "pending"
    assert app.catalog.sentence_count() == 5
    app.close()
