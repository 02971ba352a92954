"""The local catalog (SQLite): documents, their sentences with offsets, and a BM25 keyword index (FTS5).

The catalog is the source of truth for what is indexed: a document counts only when its row is ``ready``,
which is written in the same transaction as its sentences, after its vectors are in Chroma. A crash at any
point leaves the document ``pending``, and the next ingest redoes it from scratch.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from qa.records import DocumentInfo, Sentence

_SCHEMA = """
PRAGMA journal_mode=WAL;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY, path TEXT NOT NULL UNIQUE, sha256 TEXT NOT NULL, size INTEGER NOT NULL,
    sentences INTEGER NOT NULL DEFAULT 0, added_at TEXT NOT NULL, status TEXT NOT NULL, text TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS sentences (
    doc_id TEXT NOT NULL, idx INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL, page INTEGER,
    text TEXT NOT NULL, PRIMARY KEY (doc_id, idx)
);
CREATE VIRTUAL TABLE IF NOT EXISTS sentences_fts USING fts5(
    text, doc_id UNINDEXED, idx UNINDEXED, tokenize = 'porter unicode61'
);
"""

_STOP = frozenset(
    "a an and are as at be by did do does for from had has have how in is it its of on or that the this to was"
    " were what when where which who whom why will with would about into than then there their they them"
    " he she his her we our you your i me my not no yes can could should may might".split()
)
_WORD = re.compile(r"\w+", re.UNICODE)


def keyword_query(text: str) -> str:
    """An FTS5 OR-query of the content words of ``text`` (quoted, so user text cannot inject syntax)."""
    words = [w.lower() for w in _WORD.findall(text)]
    terms = sorted({w for w in words if w not in _STOP and len(w) > 1})
    return " OR ".join(f'"{w}"' for w in terms)


class Catalog:
    """Thread-safe access to ``catalog.db``."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._lock = threading.RLock()
        with self._lock:
            self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # meta
    def get_meta(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    # documents
    def document(self, doc_id: str) -> DocumentInfo | None:
        with self._lock:
            row = self._db.execute(
                "SELECT doc_id, path, sha256, size, sentences, added_at, status FROM documents WHERE doc_id=?",
                (doc_id,),
            ).fetchone()
        return DocumentInfo(*row) if row else None

    def documents(self, *, status: str | None = "ready") -> list[DocumentInfo]:
        sql = "SELECT doc_id, path, sha256, size, sentences, added_at, status FROM documents"
        args: tuple[str, ...] = ()
        if status:
            sql += " WHERE status=?"
            args = (status,)
        with self._lock:
            rows = self._db.execute(sql + " ORDER BY path", args).fetchall()
        return [DocumentInfo(*r) for r in rows]

    def text(self, doc_id: str) -> str:
        with self._lock:
            row = self._db.execute("SELECT text FROM documents WHERE doc_id=?", (doc_id,)).fetchone()
        return row[0] if row else ""

    def begin(self, doc_id: str, path: str, sha256: str, size: int) -> None:
        """Mark a document pending before its vectors are touched."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._lock:
            self._db.execute(
                "INSERT INTO documents (doc_id, path, sha256, size, added_at, status) VALUES (?,?,?,?,?,'pending')"
                " ON CONFLICT(doc_id) DO UPDATE SET sha256=excluded.sha256, size=excluded.size, status='pending',"
                " added_at=excluded.added_at",
                (doc_id, path, sha256, size, now),
            )

    def commit(self, doc_id: str, text: str, sentences: list[Sentence]) -> None:
        """Atomically replace a document's sentences and keyword rows and mark it ready."""
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                self._delete_rows(doc_id)
                db.executemany(
                    'INSERT INTO sentences (doc_id, idx, start, "end", page, text) VALUES (?,?,?,?,?,?)',
                    [(s.doc_id, s.index, s.start, s.end, s.page, s.text) for s in sentences],
                )
                db.executemany(
                    "INSERT INTO sentences_fts (text, doc_id, idx) VALUES (?,?,?)",
                    [(s.text, s.doc_id, s.index) for s in sentences],
                )
                db.execute(
                    "UPDATE documents SET status='ready', sentences=?, text=? WHERE doc_id=?",
                    (len(sentences), text, doc_id),
                )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def _delete_rows(self, doc_id: str) -> None:
        self._db.execute("DELETE FROM sentences WHERE doc_id=?", (doc_id,))
        self._db.execute("DELETE FROM sentences_fts WHERE doc_id=?", (doc_id,))

    def mark(self, doc_id: str, status: str) -> None:
        with self._lock:
            self._db.execute("UPDATE documents SET status=? WHERE doc_id=?", (status, doc_id))

    def remove(self, doc_id: str) -> None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            self._delete_rows(doc_id)
            self._db.execute("DELETE FROM documents WHERE doc_id=?", (doc_id,))
            self._db.execute("COMMIT")

    # sentences
    def sentences(self, doc_id: str, lo: int = 0, hi: int | None = None) -> list[Sentence]:
        hi = 1 << 62 if hi is None else hi
        with self._lock:
            rows = self._db.execute(
                'SELECT doc_id, idx, start, "end", page, text FROM sentences WHERE doc_id=? AND idx BETWEEN ? AND ?'
                " ORDER BY idx",
                (doc_id, lo, hi),
            ).fetchall()
        return [Sentence(*r) for r in rows]

    def sentence_count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM sentences").fetchone()[0])

    def keyword_search(self, query: str, k: int, doc_ids: Iterable[str] | None = None) -> list[tuple[str, int, float]]:
        """``(doc_id, idx, score)`` of the ``k`` best BM25 hits among ready documents; higher is better."""
        match = keyword_query(query)
        if not match:
            return []
        sql = (
            "SELECT f.doc_id, f.idx, -bm25(sentences_fts) AS s FROM sentences_fts f"
            " JOIN documents d ON d.doc_id = f.doc_id AND d.status='ready' WHERE sentences_fts MATCH ?"
        )
        args: list[object] = [match]
        ids = list(doc_ids) if doc_ids is not None else None
        if ids is not None:
            if not ids:
                return []
            sql += f" AND f.doc_id IN ({','.join('?' * len(ids))})"
            args.extend(ids)
        sql += " ORDER BY bm25(sentences_fts) LIMIT ?"
        args.append(k)
        with self._lock:
            rows = self._db.execute(sql, args).fetchall()
        return [(r[0], int(r[1]), float(r[2])) for r in rows]
