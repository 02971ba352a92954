"""`qa check --repair` never loses a document; one writer per data directory; removal deletes uploaded copies."""

import os
import shutil
import subprocess
import sys

import pytest

from qa.app import App
from qa.settings import REPO_ROOT, Settings
from tests.conftest import FakeGenerator


def _docs(folder, n=3):
    folder.mkdir()
    for i in range(n):
        (folder / f"note_{i}.txt").write_text(f"Note {i} says the heron nests by lake {i}. The otter swims in pond {i}.\n")
    return folder


def _app(tmp_path, embedder):
    return App(Settings(data_dir=tmp_path / "data"), embedder, FakeGenerator())


def test_an_interrupted_removal_is_finished_not_undone(tmp_path, embedder):
    app = _app(tmp_path, embedder)
    app.ingest([_docs(tmp_path / "in")])
    doomed = app.documents()[0]
    app.catalog.mark(doomed.doc_id, "removing")  # killed after the mark, before the vectors went
    report = app.check(repair=True)
    assert any("finished an interrupted removal" in r for r in report.repaired)
    assert doomed.doc_id not in {d.doc_id for d in app.catalog.documents(status=None)}
    assert app.store.ids_of(doomed.doc_id) == [] and app.check().ok
    app.close()


def test_a_changed_file_that_no_longer_parses_keeps_its_indexed_version_and_others_are_repaired(tmp_path, embedder):
    app = _app(tmp_path, embedder)
    folder = _docs(tmp_path / "in")
    app.ingest([folder])
    bad, good, pending = app.documents()
    (folder / "note_0.txt").write_bytes(b"\x00\x01\x02 binary garbage \xff\xfe")  # no longer parses
    (folder / "note_1.txt").write_text("The kingfisher now fishes at the weir.\n")  # changed, fine
    app.catalog.begin(pending.doc_id, pending.path, "x", pending.size)  # an ingest interrupted
    (folder / "note_2.txt").write_bytes(b"\x00\x00 also broken now")
    report = app.check(repair=True)
    assert any(bad.path in k and "kept the indexed version" in k for k in report.kept), report
    assert any(pending.path in k and "kept the indexed version" in k for k in report.kept), report
    assert any(f"re-indexed {good.path}" in r for r in report.repaired)
    ready = {d.doc_id: d for d in app.documents()}
    assert set(ready) == {bad.doc_id, good.doc_id, pending.doc_id}  # nothing lost
    assert "heron" in app.text(bad.doc_id) and "heron" in app.text(pending.doc_id)
    assert "kingfisher" in app.text(good.doc_id)
    hits = app.retriever.search("Where does the heron nest by lake 0?", 3)
    assert bad.doc_id in {h.doc_id for h in hits}
    assert not app.store.unembedded([f"{pending.doc_id}:{i}" for i in range(pending.sentences)])
    again = app.check()  # still reported, until the user fixes the file
    assert sorted(again.changed) == sorted([bad.path, pending.path])
    app.close()


def test_vectors_without_embeddings_are_found_and_re_embedded(tmp_path, embedder):
    app = _app(tmp_path, embedder)
    app.ingest([_docs(tmp_path / "in")])
    doc = app.documents()[0]
    app.store.collection.delete(ids=[f"{doc.doc_id}:0"])
    assert app.check().mismatched == [doc.path]
    app.check(repair=True)
    assert app.store.unembedded([f"{doc.doc_id}:{i}" for i in range(doc.sentences)]) == []
    assert app.check().ok
    app.close()


def test_remove_deletes_the_uploaded_copy_and_check_cleans_strays(tmp_path, embedder):
    app = _app(tmp_path, embedder)
    result = app.add_upload("notes.md", b"The heron nests by the lake. The otter swims.")
    assert result.status == "indexed"
    app.remove("notes.md")
    assert not (app.uploads_dir / "notes.md").exists()
    (app.uploads_dir / "left_over.md").write_text("A stray file.")
    assert app.check().strays == [str(app.uploads_dir / "left_over.md")]
    app.check(repair=True)
    assert not (app.uploads_dir / "left_over.md").exists() and app.check().ok
    app.close()


def test_two_ingests_at_once_take_turns_and_every_vector_is_retrievable(tmp_path, embedder):
    data = tmp_path / "data"
    env = {**os.environ, "QA_DATA_DIR": str(data)}
    folders = [REPO_ROOT / "seeds", REPO_ROOT / "bench" / "data" / "docs"]
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "front.cli", "ingest", str(f)],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for f in folders
    ]
    outs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert any("waiting for" in err for _, err in outs), outs  # the second writer said why it waited
    app = App(Settings(data_dir=data), embedder)
    docs = app.documents()
    assert len(docs) >= 10
    ids = [f"{d.doc_id}:{i}" for d in docs for i in range(d.sentences)]
    assert app.store.unembedded(ids) == [] and app.store.count() == len(ids)
    assert app.check().ok
    app.close()


def test_the_samples_come_only_on_a_data_folders_first_use_or_when_asked(embedder, tmp_path):
    """A probe removed its last document, and the next `qa verify` indexed the samples into the emptied folder."""
    from qa.app import App
    from qa.settings import Settings
    from tests.conftest import SEEDS, FakeGenerator

    shutil.copytree(SEEDS, tmp_path / "seeds")
    app = App(Settings(data_dir=tmp_path / "data", seeds_dir=tmp_path / "seeds"), embedder, FakeGenerator())
    try:
        first = app.ensure_seeds()
        assert first and all(r.status == "indexed" for r in first)
        for d in app.documents():
            app.remove(d.path)
        assert app.ensure_seeds() == [] and app.documents() == []  # emptied by the user: stays empty
        assert [r.status for r in app.ensure_seeds(again=True)] == [r.status for r in first]  # asked for
    finally:
        app.close()
    # a folder whose first use indexed the user's own file never gets them unasked either
    other = App(Settings(data_dir=tmp_path / "data2", seeds_dir=tmp_path / "seeds"), embedder, FakeGenerator())
    try:
        (tmp_path / "mine.txt").write_text("The heron nests by the lake.")
        other.ingest([tmp_path / "mine.txt"])
        other.remove("mine.txt")  # never asked for the samples before: its first use was the ingest
        assert other.ensure_seeds() == [] and other.documents() == []
    finally:
        other.close()
    # a first command that put nothing in (a mistyped path) is no first use
    third = App(Settings(data_dir=tmp_path / "data3", seeds_dir=tmp_path / "seeds"), embedder, FakeGenerator())
    try:
        assert [r.status for r in third.ingest([tmp_path / "typo.txt"])] == ["error"]
        assert len(third.ensure_seeds()) == len(first)
    finally:
        third.close()


def test_a_folder_in_use_is_marked_without_the_write_lock(embedder, tmp_path):
    """A folder from before the marker, with documents: `qa ask` beside a running `qa serve` (which holds the
    write lock) must not wait on the lock just to mark it."""
    from qa.app import SEEDS_OFFERED, App
    from qa.settings import Settings
    from tests.conftest import SEEDS, FakeGenerator

    settings = Settings(data_dir=tmp_path / "data", seeds_dir=SEEDS)
    app = App(settings, embedder, FakeGenerator())
    try:
        (tmp_path / "mine.txt").write_text("The heron nests by the lake.")
        app.ingest([tmp_path / "mine.txt"])
        app.catalog._db.execute("DELETE FROM meta WHERE key=?", (SEEDS_OFFERED,))  # as a folder made before it
        app.lock.acquire()  # as another process's write would be, were it this one's
        app.lock.acquire = lambda *a, **k: pytest.fail("ensure_seeds took the write lock")  # type: ignore[method-assign]
        assert app.ensure_seeds() == [] and app.catalog.get_meta(SEEDS_OFFERED) == "1"
    finally:
        del app.lock.acquire
        app.close()
