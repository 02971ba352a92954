"""The local catalog (SQLite): documents, their sentences with offsets, and a BM25 keyword index (FTS5).

The catalog is the source of truth for what is indexed: a document counts only when its row is ``ready``,
which is written in the same transaction as its sentences, after its vectors are in Chroma. A crash at any
point leaves the document ``pending``, and the next ingest redoes it from scratch.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from index.records import DocumentInfo, Sentence
from index.words import terms

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


_KEYWORD_ROWS = "keyword_rows"  # meta key: how keyword rows map to sentences

# A keyword query whose terms match more sentences than this together is split (see ``keyword_plan``): BM25 in
# FTS5 costs ~3 µs per matched sentence, so an OR of common terms over a million sentences took 0.3-0.6 s.
RARE_BUDGET = 10_000


def keyword_terms(text: str) -> list[str]:
    """The distinct content words of ``text``, lower-cased (``index.words``: the verifier's words too)."""
    return terms(text)


def _any(terms: list[str]) -> str:
    return " OR ".join(f'"{t}"' for t in terms)  # quoted, so user text cannot inject FTS5 syntax


def keyword_query(text: str) -> str:
    """An FTS5 OR-query of the content words of ``text``."""
    return _any(keyword_terms(text))


def keyword_plan(counts: dict[str, int], budget: int = RARE_BUDGET) -> tuple[list[str], list[str]]:
    """FTS5 queries whose merged BM25 top-k stands in for the plain OR query's, and the optional ones.

    ``counts``: sentences matching each term. When the terms together match at most ``budget`` sentences (or
    there is one term), the plan is the plain OR query. Otherwise the rarest terms whose counts fit the budget
    (at least one) are *rare*, the rest *common*, and the queries are: rare AND common (sentences with both
    kinds, scored on all their terms), rare alone (sentences without a common term), and all common terms
    together; each names every term at most once, so FTS5 scores a sentence exactly as the OR query does.
    Only sentences that match some common terms and no rare one are not searched: their score is below a
    sentence holding every common term (``python -m bench keyword``: at a million sentences the merged top 24
    scored exactly as the OR query's on all 100 questions, p95 200 ms against 851 ms for the query with the JOIN
    it replaced). A single common term is only needed when the others return fewer than k sentences: it alone
    scores no higher than any rare term.
    """
    terms = sorted((t for t in counts if counts[t] > 0), key=lambda t: (counts[t], t))
    if len(terms) <= 1 or sum(counts[t] for t in terms) <= budget:
        return ([_any(terms)] if terms else []), []
    rare: list[str] = []
    total = 0
    for t in terms:
        if rare and total + counts[t] > budget:
            break
        rare.append(t)
        total += counts[t]
    common = terms[len(rare) :]
    every_common = " AND ".join(f'"{t}"' for t in common)
    plan = [f"({_any(rare)}) AND ({_any(common)})", _any(rare)]
    return (plan + [every_common], []) if len(common) > 1 else (plan, [every_common])


class Catalog:
    """Thread-safe access to ``catalog.db``."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._lock = threading.RLock()
        with self._lock:
            self._db.executescript(_SCHEMA)
            self._keyword_rows_by_sentence_rowid()
        self._counts: dict[str, int] = {}  # sentences matching a keyword term; cleared by every write

    def _keyword_rows_by_sentence_rowid(self) -> None:
        """Each keyword row shares its sentence's rowid, so a document's rows are deleted through the ``sentences``
        index instead of a scan of the whole keyword table (``doc_id`` is not indexed there): 0.58 s per document
        at a million sentences before. Catalogs written before this are rebuilt once, in one transaction."""
        if self.get_meta(_KEYWORD_ROWS) == "sentence-rowid":
            return
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            if self.get_meta(_KEYWORD_ROWS) == "sentence-rowid":  # another process did it while this one waited
                db.execute("COMMIT")
                return
            db.execute("DELETE FROM sentences_fts")
            db.execute("INSERT INTO sentences_fts (rowid, text, doc_id, idx) SELECT rowid, text, doc_id, idx FROM sentences")
            db.execute("INSERT OR REPLACE INTO meta VALUES (?, 'sentence-rowid')", (_KEYWORD_ROWS,))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

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
        self.begin_many([(doc_id, path, sha256, size)])

    def begin_many(self, documents: list[tuple[str, str, str, int]]) -> None:
        """Mark documents ``(doc_id, path, sha256, size)`` pending, in one transaction: ingest's batch of small
        files pays one write to disk for all of them, not one each (a synced commit is milliseconds)."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._transaction() as db:
            db.executemany(
                "INSERT INTO documents (doc_id, path, sha256, size, added_at, status) VALUES (?,?,?,?,?,'pending')"
                " ON CONFLICT(doc_id) DO UPDATE SET sha256=excluded.sha256, size=excluded.size, status='pending',"
                " added_at=excluded.added_at",
                [(doc_id, path, sha256, size, now) for doc_id, path, sha256, size in documents],
            )

    def commit(self, doc_id: str, text: str, sentences: list[Sentence]) -> None:
        """Atomically replace a document's sentences and keyword rows and mark it ready."""
        self.commit_many([(doc_id, text, sentences)])

    def commit_many(self, documents: list[tuple[str, str, list[Sentence]]]) -> None:
        """``commit`` for documents ``(doc_id, text, sentences)``, all in one transaction: all ready, or none."""
        with self._transaction() as db:
            for doc_id, text, sentences in documents:
                self._delete_rows(doc_id)
                db.executemany(
                    'INSERT INTO sentences (doc_id, idx, start, "end", page, text) VALUES (?,?,?,?,?,?)',
                    [(s.doc_id, s.index, s.start, s.end, s.page, s.text) for s in sentences],
                )
                db.execute(
                    "INSERT INTO sentences_fts (rowid, text, doc_id, idx)"
                    " SELECT rowid, text, doc_id, idx FROM sentences WHERE doc_id=?",
                    (doc_id,),
                )
                db.execute(
                    "UPDATE documents SET status='ready', sentences=?, text=? WHERE doc_id=?",
                    (len(sentences), text, doc_id),
                )
            self._counts.clear()

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction under the lock: committed when the block ends, rolled back if it raises."""
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:  # SQLite may have rolled back itself (disk full, I/O error): keep its error
                    db.execute("ROLLBACK")
                raise

    def _delete_rows(self, doc_id: str) -> None:
        self._counts.clear()
        # by rowid through the sentences index; the doc_id test only guards against a catalog rewritten by hand
        self._db.execute(
            "DELETE FROM sentences_fts WHERE rowid IN (SELECT rowid FROM sentences WHERE doc_id=?) AND doc_id=?", (doc_id, doc_id)
        )
        self._db.execute("DELETE FROM sentences WHERE doc_id=?", (doc_id,))

    def add_ready(self, documents: Iterable[tuple[str, str, str, int, str, list[Sentence]]]) -> None:
        """Bulk-load new documents ``(doc_id, path, sha256, size, text, sentences)`` as ready, in one transaction,
        with the rows ``begin`` + ``commit`` write (a benchmark's large corpus; ingest goes through those two).
        The documents must be new: nothing old is deleted."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        docs = list(documents)
        with self._transaction() as db:
            db.executemany(
                "INSERT INTO documents (doc_id, path, sha256, size, sentences, added_at, status, text)"
                " VALUES (?,?,?,?,?,?,'ready',?)",
                [(doc_id, path, sha, size, len(ss), now, text) for doc_id, path, sha, size, text, ss in docs],
            )
            last = db.execute("SELECT coalesce(max(rowid), 0) FROM sentences").fetchone()[0]
            db.executemany(
                'INSERT INTO sentences (doc_id, idx, start, "end", page, text) VALUES (?,?,?,?,?,?)',
                [(s.doc_id, s.index, s.start, s.end, s.page, s.text) for *_, ss in docs for s in ss],
            )
            self._counts.clear()
            db.execute(  # keyword rows share their sentence's rowid, as in commit
                "INSERT INTO sentences_fts (rowid, text, doc_id, idx) SELECT rowid, text, doc_id, idx FROM sentences"
                " WHERE rowid > ?",
                (last,),
            )

    def restore(self, doc_id: str, sha256: str = "") -> None:
        """Mark a document ready again with the sentences it still has (its new file could not be used)."""
        with self._lock:
            self._db.execute("UPDATE documents SET status='ready', sha256=? WHERE doc_id=?", (sha256, doc_id))

    def mark(self, doc_id: str, status: str) -> None:
        with self._lock:
            self._db.execute("UPDATE documents SET status=? WHERE doc_id=?", (status, doc_id))

    def remove(self, doc_id: str) -> None:
        with self._transaction() as db:
            self._delete_rows(doc_id)
            db.execute("DELETE FROM documents WHERE doc_id=?", (doc_id,))

    # sentences
    def sentences(self, doc_id: str, lo: int = 0, hi: int | None = None) -> list[Sentence]:
        hi = 1 << 62 if hi is None else hi
        with self._lock:
            rows = self._db.execute(
                'SELECT doc_id, idx, start, "end", page, text FROM sentences WHERE doc_id=? AND idx BETWEEN ? AND ? ORDER BY idx',
                (doc_id, lo, hi),
            ).fetchall()
        return [Sentence(*r) for r in rows]

    def sentence_count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM sentences").fetchone()[0])

    def keyword_search(self, query: str, k: int, doc_ids: Iterable[str] | None = None) -> list[tuple[str, int, float]]:
        """``(doc_id, idx, score)`` of the ``k`` best BM25 hits among ready documents; higher is better."""
        terms = keyword_terms(query)
        ids = list(doc_ids) if doc_ids is not None else None
        if not terms or (ids is not None and not ids):
            return []
        scope = f" AND doc_id IN ({','.join('?' * len(ids))})" if ids is not None else ""
        sql = (
            "SELECT doc_id, idx, -bm25(sentences_fts) FROM sentences_fts WHERE sentences_fts MATCH ?"
            + scope
            + " ORDER BY bm25(sentences_fts) LIMIT ?"
        )
        with self._lock:
            # documents being (re)written or removed keep old keyword rows: skip them, fetching enough to still fill k
            hidden = dict(self._db.execute("SELECT doc_id, sentences FROM documents WHERE status != 'ready'").fetchall())
            limit = k + sum(hidden.values())
            required, optional = keyword_plan({t: self._count(t) for t in terms}, RARE_BUDGET)
            best: dict[tuple[str, int], float] = {}
            for i, match in enumerate(required + optional):
                if i >= len(required) and len(best) >= k:
                    break
                for doc, idx, score in self._db.execute(sql, [match, *(ids or []), limit]):
                    if doc not in hidden:
                        key = (doc, int(idx))
                        best[key] = max(best.get(key, score), score)
            docs = sorted({doc for doc, _ in best})
            marks = ",".join("?" * len(docs))
            paths = dict(self._db.execute(f"SELECT doc_id, path FROM documents WHERE doc_id IN ({marks})", docs)) if docs else {}
        # equal scores (a title line in several documents, the same sentence twice) in the order of the documents'
        # paths, not of their ids: an id hashes the absolute path, so the same files in another folder ranked their
        # ties another way, and 6 of the 50 HotpotQA questions got other sources in another bench run's temp dir
        ranked = sorted(best.items(), key=lambda kv: (-kv[1], paths.get(kv[0][0], ""), kv[0]))[:k]
        return [(doc, idx, float(score)) for (doc, idx), score in ranked]

    def keyword_matches(self, text: str) -> int:
        """Sentences the FTS5 OR-query of ``text`` matches (``keyword_query``): what BM25 scoring it would cost."""
        match = keyword_query(text)
        if not match:
            return 0
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM sentences_fts WHERE sentences_fts MATCH ?", (match,)).fetchone()[0])

    def plain_keyword_search(self, text: str, k: int, *, ready_join: bool = False) -> list[tuple[str, int, float]]:
        """``(doc_id, idx, score)`` of the plain FTS5 BM25 OR-query of ``text``, best first: the reference
        ``keyword_search``'s plan must score as (``python -m bench keyword``, tests). Unlike ``keyword_search`` it
        has no plan and no status filter; ``ready_join`` adds a JOIN on ready ``documents``, the query the plan
        replaced. Not used to answer questions."""
        match = keyword_query(text)
        if not match:
            return []
        sql = (
            "SELECT f.doc_id, f.idx, -bm25(sentences_fts) FROM sentences_fts f JOIN documents d ON d.doc_id = f.doc_id"
            " AND d.status='ready' WHERE sentences_fts MATCH ? ORDER BY bm25(sentences_fts) LIMIT ?"
            if ready_join
            else "SELECT doc_id, idx, -bm25(sentences_fts) FROM sentences_fts WHERE sentences_fts MATCH ?"
            " ORDER BY bm25(sentences_fts) LIMIT ?"
        )
        with self._lock:
            rows = self._db.execute(sql, (match, k)).fetchall()
        return [(doc, int(idx), float(score)) for doc, idx, score in rows]

    def forget_term_counts(self) -> None:
        """Drop the cached per-term match counts, as every write does: the next ``keyword_search`` recounts."""
        with self._lock:
            self._counts.clear()

    def _count(self, term: str) -> int:
        """Sentences matching ``term`` (counting is ~40× cheaper than BM25 scoring), cached until the next write."""
        if term not in self._counts:
            if len(self._counts) > 50_000:
                self._counts.clear()
            match = f'"{term}"'
            self._counts[term] = int(
                self._db.execute("SELECT count(*) FROM sentences_fts WHERE sentences_fts MATCH ?", (match,)).fetchone()[0]
            )
        return self._counts[term]
