"""Kill the ingest process with SIGKILL mid-document, resume, and check nothing is lost, duplicated or orphaned."""

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from qa.app import App
from qa.settings import Settings

pytestmark = pytest.mark.slow

WORDS = "heron otter badger willow harbour lantern meadow quarry beacon orchard ferry granite".split()


def _corpus(folder, n_docs=24, n_sentences=120):
    folder.mkdir()
    for d in range(n_docs):
        lines = [
            f"Report {d} notes that the {WORDS[(d + j) % 12]} near the {WORDS[(d * 3 + j) % 12]} was seen {j} times in week {d}."
            for j in range(n_sentences)
        ]
        (folder / f"report_{d:02}.txt").write_text(" ".join(lines) + "\n")
    return folder


def _statuses(db):
    if not db.exists():
        return []
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.2)
        rows = con.execute("SELECT status FROM documents").fetchall()
        con.close()
        return [r[0] for r in rows]
    except sqlite3.Error:
        return []


def _ingest(env, corpus):
    return subprocess.Popen(
        [sys.executable, "-m", "front.cli", "ingest", str(corpus)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def test_sigkill_during_ingest_then_resume(tmp_path, embedder):
    corpus = _corpus(tmp_path / "corpus")
    data = tmp_path / "data"
    env = {**os.environ, "QA_DATA_DIR": str(data)}
    db = data / "catalog.db"
    # Kill points: right after a document turns pending (mid-embedding), and a little later (mid-write),
    # at different depths of the run.
    for ready_before, delay in [(0, 0.0), (3, 0.3), (8, 0.05), (14, 0.6)]:
        proc = _ingest(env, corpus)
        deadline = time.time() + 240
        while time.time() < deadline and proc.poll() is None:
            st = _statuses(db)
            if st.count("ready") >= ready_before and "pending" in st:
                break
            time.sleep(0.01)
        time.sleep(delay)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert "pending" in _statuses(db) or len(_statuses(db)) < 24  # the kills did interrupt work

    app = App(Settings(data_dir=data), embedder)
    before = app.check()
    assert before.interrupted or len(app.documents()) < 24
    results = app.ingest([corpus])
    assert {r.status for r in results} <= {"indexed", "unchanged"}
    report = app.check()
    assert report.ok, report.to_json()
    docs = app.documents()
    assert len(docs) == 24 and len({d.path for d in docs}) == 24
    counts = app.store.doc_counts()
    for d in docs:
        assert counts[d.doc_id] == d.sentences == 120
        assert sorted(app.store.ids_of(d.doc_id)) == sorted(f"{d.doc_id}:{i}" for i in range(120))
    assert app.store.count() == app.catalog.sentence_count() == 24 * 120
    hits = app.retriever.search("How many times was the heron seen in week 5?", 5)
    assert hits and all(h.doc_id in counts for h in hits)
    assert {r.status for r in app.ingest([corpus])} == {"unchanged"}
    app.close()


def test_check_repair_fixes_each_kind_of_damage(tmp_path, embedder):
    corpus = _corpus(tmp_path / "corpus", n_docs=4, n_sentences=10)
    app = App(Settings(data_dir=tmp_path / "data"), embedder)
    app.ingest([corpus])
    a, b, c, d = app.documents()
    (corpus / "report_00.txt").unlink()  # missing
    (corpus / "report_01.txt").write_text("The otter moved house. It now lives by the mill.\n")  # changed
    app.catalog.mark(c.doc_id, "pending")  # interrupted
    app.store.delete_document(d.doc_id)  # vectors lost
    app.store.add(["ghost:0"], app.embedder.embed(["ghost"]), ["ghost"], [{"doc_id": "ghost", "idx": 0, "sha": "x"}])
    report = app.check()
    assert report.missing == [a.path] and report.changed == [b.path]
    assert report.interrupted == [c.path] and report.mismatched == [d.path] and report.orphans == ["ghost"]
    repaired = app.check(repair=True)
    assert len(repaired.repaired) == 5
    assert app.check().ok
    assert len(app.documents()) == 3 and app.store.count() == app.catalog.sentence_count() == 2 + 10 + 10
    app.close()


def test_a_different_embedder_is_refused_then_reindexed(tmp_path, embedder):
    from qa.errors import IndexStateError

    corpus = _corpus(tmp_path / "corpus", n_docs=2, n_sentences=5)
    settings = Settings(data_dir=tmp_path / "data")
    App(settings, embedder).ingest([corpus])

    class Other:
        name = "other-embedder"

        def embed(self, texts):
            return embedder.embed(texts)[:, ::-1].copy()

    with pytest.raises(IndexStateError, match="qa reindex"):
        App(settings, Other())
    app = App(settings, Other(), allow_model_change=True)
    assert app.reindex() == 10
    assert App(settings, Other()).catalog.get_meta("embed_model") == "other-embedder"
    assert app.check().ok


@pytest.mark.parametrize("holder", ["qa (pid 4242: qa serve)", "qa (pid 4242: qa ingest)"])
def test_a_second_writer_waits_for_a_command_but_not_for_a_server(tmp_path, holder):
    """A probe's `qa ingest` beside `qa serve` said "waiting for qa (pid …: qa serve) to finish writing" and
    waited for as long as the server ran: a server is told at once, a finishing command is waited for."""
    import fcntl

    from index.lock import WriteLock
    from qa.errors import IndexStateError

    path = tmp_path / "qa.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.write(fd, holder.encode())
    said: list[str] = []
    lock = WriteLock(path, timeout=0.6, say=said.append)
    t0 = time.monotonic()
    try:
        with pytest.raises(IndexStateError) as err:
            lock.acquire()
    finally:
        os.close(fd)
    waited = time.monotonic() - t0
    if holder.endswith("serve)"):
        assert "its page or its API" in str(err.value) and not said and waited < 0.5
    else:
        assert said and "to finish writing" in said[0] and waited >= 0.6
    lock.acquire()  # free again: taken
    assert lock.held
    lock.release()
