"""bench/ uses only the public API of index/ and qa/ (issue 14): no private names, and what it needs is public."""

from __future__ import annotations

import ast
from pathlib import Path

from index.catalog import Catalog
from index.ingest import doc_id_for, vector_id, vector_metadata
from index.records import Sentence
from qa.settings import REPO_ROOT

PRODUCT = ("index", "qa")


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_uses(path: Path) -> list[str]:
    """Private names of index/ or qa/ that ``path`` imports, and private attributes it reads on anything but
    ``self``/``cls`` (an approximation: bench's own objects are ``self`` inside their classes; a private
    attribute of any other object is taken to be the product's, or a library's, and is not bench's to touch)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in PRODUCT:
            found += [f"{path.name}:{node.lineno} imports {node.module}.{a.name}" for a in node.names if _private(a.name)]
        elif isinstance(node, ast.Import):
            found += [
                f"{path.name}:{node.lineno} imports {a.name}"
                for a in node.names
                if a.name.split(".")[0] in PRODUCT and any(_private(part) for part in a.name.split("."))
            ]
        elif isinstance(node, ast.Attribute) and _private(node.attr):
            if not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")):
                found.append(f"{path.name}:{node.lineno} reads .{node.attr}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "setattr", "hasattr")
            and len(node.args) > 1
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
            and _private(node.args[1].value)
        ):
            found.append(f"{path.name}:{node.lineno} {node.func.id}(..., {node.args[1].value!r})")
    return found


def test_bench_touches_no_private_name():
    # bench/baseline.py reads the Chroma collection it created itself, not ChromaVectorStore._collection: no
    # exception is needed for the external llama-index store either.
    found = [hit for path in sorted((REPO_ROOT / "bench").glob("*.py")) for hit in private_uses(path)]
    assert found == []


def test_the_check_itself_can_fail(tmp_path):
    bad = tmp_path / "b.py"
    bad.write_text(
        "from index.catalog import _any\nimport qa._x\n"
        "def f(cat, store):\n    cat._db.execute('x')\n    getattr(store, '_collection')\n"
        "class C:\n    def g(self):\n        return self._own, self.__class__, cat.__dict__\n"
    )
    hits = private_uses(bad)
    assert {h.split(" ", 1)[1] for h in hits} == {  # self._own and dunders are not hits
        "imports index.catalog._any",
        "imports qa._x",
        "reads ._db",
        "getattr(..., '_collection')",
    }


def _sentences(doc_id: str, texts: list[str]) -> list[Sentence]:
    return [Sentence(doc_id, i, 0, len(t), None, t) for i, t in enumerate(texts)]


TEXTS = [
    "The harbour ferry runs every hour.",
    "The kestrel nests on the bridge.",
    "A toll is paid at the bridge.",
]


def test_add_ready_writes_what_begin_and_commit_write(tmp_path):
    bulk, one = Catalog(tmp_path / "bulk.db"), Catalog(tmp_path / "one.db")
    docs = []
    for n in range(3):
        doc_id = doc_id_for(f"/docs/{n}.txt")
        docs.append((doc_id, f"/docs/{n}.txt", f"{n:064x}", 100 + n, " ".join(TEXTS), _sentences(doc_id, TEXTS)))
        one.begin(doc_id, f"/docs/{n}.txt", f"{n:064x}", 100 + n)
        one.commit(doc_id, " ".join(TEXTS), _sentences(doc_id, TEXTS))
    bulk.add_ready(docs)
    for cat in (bulk, one):
        assert cat.sentence_count() == 9
    assert [(d.doc_id, d.path, d.sha256, d.size, d.sentences, d.status) for d in bulk.documents()] == [
        (d.doc_id, d.path, d.sha256, d.size, d.sentences, d.status) for d in one.documents()
    ]
    for q in ("bridge toll", "harbour ferry", "kestrel"):
        assert bulk.keyword_search(q, 5) == one.keyword_search(q, 5)
        assert bulk.keyword_matches(q) == one.keyword_matches(q)
    assert bulk.text(docs[0][0]) == " ".join(TEXTS)
    assert bulk.sentences(docs[1][0]) == docs[1][5]


def test_keyword_helpers_for_the_benchmarks(tmp_path):
    from tests.test_keyword import _catalog, _exact

    cat = _catalog(tmp_path)
    for q in ("Kestrel bridge toll?", "river ferry", "council budget for the harbour tunnel"):
        assert [tuple(r) for r in _exact(cat, q, 10)] == cat.plain_keyword_search(q, 10)
        joined = cat.plain_keyword_search(q, 10, ready_join=True)
        assert [s for *_, s in joined] == [s for *_, s in cat.plain_keyword_search(q, 10)]  # every document is ready
        assert cat.keyword_matches(q) >= len(cat.plain_keyword_search(q, 10_000)) > 0
    assert cat.keyword_matches("the of a") == 0 and cat.plain_keyword_search("the of a", 5) == []
    cat.keyword_search("kestrel bridge", 5)
    cat.forget_term_counts()  # a later search recounts; its results do not change
    assert cat.keyword_search("kestrel bridge", 5) == cat.keyword_search("kestrel bridge", 5)


def test_vector_ids_and_metadata_are_what_ingest_writes():
    assert vector_id("abc", 7) == "abc:7"
    assert vector_metadata("abc", 7, "f" * 64) == {"doc_id": "abc", "idx": 7, "sha": "f" * 16}


class HashEmbedder:
    """A tiny deterministic embedder (words hashed into 32 dimensions): the benchmark's plumbing, not its numbers."""

    name, dim = "hash-32", 32

    def embed(self, texts):
        import zlib

        import numpy as np

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in t.lower().split():
                out[i, zlib.crc32(w.encode()) % self.dim] += 1.0
        out[:, 0] += 1e-3
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def test_scale_measuring_goes_through_the_public_api(tmp_path):
    """``bench.scale_measure`` on a small corpus: real ingest, inserted documents, latency, keyword and commit."""
    import numpy as np

    from bench.scale_corpus import Corpus, layout
    from bench.scale_measure import Backend, commit_probe, insert_catalog, keyword_latency, perturb, split
    from qa.settings import Settings

    corpus = Corpus()
    be = Backend("embedded", Settings(data_dir=tmp_path / "data", collection="scale"), HashEmbedder(), embed_batch=16)
    try:
        assert be.app.ingestor.embed_batch == 16
        name, sentences = corpus.document(0)
        path = tmp_path / name
        path.write_text(layout(sentences[:40])[0], encoding="utf-8")
        be.ingest(path)
        spent = be.take()
        assert be.sentences == len(split(path)) == 40 and {"wall", "embed", "chroma", "catalog"} <= set(spent)
        docs = [(str(tmp_path / "inserted" / corpus.document(i)[0]), *layout(corpus.document(i)[1][:30])) for i in (1, 2)]
        texts = [text[a:b] for _, text, spans in docs for a, b in spans]
        vectors = perturb(HashEmbedder().embed(texts), np.random.default_rng(0), 0.025)
        be.bulk(docs, vectors, batch=25)
        assert be.store.count() == be.app.catalog.sentence_count() == 100 == be.sentences
        assert be.take() == {}  # inserted documents are not ingest time
        questions = corpus.questions(6)
        lat = be.latency(questions, HashEmbedder().embed(questions), 24, 6, retriever_queries=2)
        assert set(lat) == {f"{n}_{q}" for n in ("dense", "keyword", "store_keyword", "retriever") for q in ("p50", "p95")}
        cat = be.app.catalog
        more = [(str(tmp_path / "kw" / corpus.document(i)[0]), *layout(corpus.document(i)[1][:20])) for i in (3, 4)]
        insert_catalog(cat, more)
        assert cat.sentence_count() == 140
        kw = keyword_latency(cat, questions, 24)
        assert kw["matched"] > 0 and kw["keyword_p95"] > 0 and kw["nojoin_p95"] > 0
        name, sentences = corpus.document(5)
        assert commit_probe(cat, str(tmp_path / name), *layout(sentences[:10])) > 0
        assert cat.sentence_count() == 150
    finally:
        be.close()


def test_the_scale_report_renders_from_the_committed_measurements(tmp_path):
    from bench.scale import main

    main(["--render", str(REPO_ROOT / "bench" / "results" / "scale.json"), "--out", str(tmp_path)])
    text = (tmp_path / "scale.md").read_text(encoding="utf-8")
    assert "## Against the target" in text and (tmp_path / "scale_latency.png").exists()
