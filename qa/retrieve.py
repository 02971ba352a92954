"""Retrieve source sentences: llama-index dense retrieval over Chroma fused with BM25 keyword hits."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from index.catalog import Catalog
from index.embed import Embedder
from index.sentences import instruction_like
from index.store import Store
from index.words import STOP, WORD, stem, terms
from qa.records import Sentence, Source

RRF_K = 60  # reciprocal-rank fusion constant (Cormack et al.); robust, needs no score calibration
BRIDGE_MIN_COS = 0.4  # a second-hop sentence less similar than this to its query is noise, not a bridge
NOVEL_WORDS = 40  # the longest query made of what a document adds to the question (``Retriever.bridge``)


@dataclass(frozen=True)
class Hit:
    doc_id: str
    idx: int
    fused: float
    dense: float  # cosine similarity of question and sentence (0 when only a keyword hit)


def _llama_embedding(embedder: Embedder) -> Any:
    """Our embedder as a llama-index embedding model (no second copy of the weights is loaded)."""
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from pydantic import PrivateAttr

    class _Adapter(BaseEmbedding):
        _embedder: Any = PrivateAttr()

        def __init__(self, inner: Embedder) -> None:
            super().__init__(model_name=inner.name, embed_batch_size=64)
            self._embedder = inner

        def _get_query_embedding(self, query: str) -> list[float]:
            return [float(x) for x in self._embedder.embed([query])[0]]

        def _get_text_embedding(self, text: str) -> list[float]:
            return self._get_query_embedding(text)

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return [[float(x) for x in row] for row in self._embedder.embed(texts)]

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

    return _Adapter(embedder)


def novel_words(text: str, question: str, limit: int = NOVEL_WORDS) -> list[str]:
    """The content words of ``text`` the question lacks, in their first order and spelling, at most ``limit``.

    >>> novel_words("I's is a manga series written and illustrated by Masakazu Katsura.", "Who wrote the manga I's?")
    ['series', 'written', 'illustrated', 'Masakazu', 'Katsura']
    """
    asked = {stem(w) for w in terms(question)}
    out: list[str] = []
    for w in WORD.findall(text):
        low = w.lower()
        if low not in STOP and len(w) > 1 and stem(low) not in asked and w not in out:
            out.append(w)
    return out[:limit]


class Retriever:
    def __init__(self, catalog: Catalog, store: Store, embedder: Embedder) -> None:
        from llama_index.core import VectorStoreIndex

        self.catalog = catalog
        self.embedder = embedder
        self.index = VectorStoreIndex.from_vector_store(store.vector_store(), embed_model=_llama_embedding(embedder))

    def dense(self, question: str, k: int, doc_ids: list[str] | None) -> list[tuple[str, int, float]]:
        from llama_index.core.vector_stores.types import FilterOperator, MetadataFilter, MetadataFilters

        filters = None
        if doc_ids is not None:
            filters = MetadataFilters(filters=[MetadataFilter(key="doc_id", value=doc_ids, operator=FilterOperator.IN)])
        nodes = self.index.as_retriever(similarity_top_k=k, filters=filters).retrieve(question)
        out = []
        for n in nodes:
            meta = n.node.metadata
            # ChromaVectorStore reports exp(-distance); with cosine space distance = 1 - cos.
            cos = 1.0 + math.log(max(n.score or 1e-9, 1e-9))
            out.append((str(meta["doc_id"]), int(meta["idx"]), cos))
        return out

    def search(self, question: str, k: int, doc_ids: list[str] | None = None) -> list[Hit]:
        """The ``k`` best sentences by reciprocal-rank fusion of dense and keyword ranks, ready documents only."""
        if doc_ids is not None and not doc_ids:
            return []
        ready = {d.doc_id: d.sha256[:16] for d in self.catalog.documents()}
        if not ready:
            return []
        pool = max(4 * k, 20)
        fused: dict[tuple[str, int], float] = {}
        dense_score: dict[tuple[str, int], float] = {}
        for rank, (doc, idx, cos) in enumerate(self.dense(question, pool, doc_ids)):
            if doc in ready:
                fused[(doc, idx)] = fused.get((doc, idx), 0.0) + 1.0 / (RRF_K + rank)
                dense_score[(doc, idx)] = cos
        for rank, (doc, idx, _) in enumerate(self.catalog.keyword_search(question, pool, doc_ids)):
            fused[(doc, idx)] = fused.get((doc, idx), 0.0) + 1.0 / (RRF_K + rank)
        best = sorted(fused.items(), key=lambda kv: -kv[1])[:k]
        return [Hit(doc, idx, score, dense_score.get((doc, idx), 0.0)) for (doc, idx), score in best]

    def bridge(self, question: str, hits: list[Hit], hops: int, doc_ids: list[str] | None = None) -> list[Hit]:
        """Second hops for questions that go through another document ("the company that books travel for X").

        Two kinds of query, each adding at most the best hit of a document not yet retrieved:

        - each of the ``hops`` best hits, searched again together with the question; the hit joins the sources
          if it is similar enough to that query (``BRIDGE_MIN_COS``);
        - for each of the ``hops`` best documents, the words its retrieved passages hold that the question does
          not (``novel_words``): what that document adds, such as the name of the author, the conference or the
          president the question only describes ("… written and illustrated by Masakazu Katsura.").

        A bridge hit's ``dense`` is 0: the question alone did not find it. Measured on the HotpotQA development
        questions 0–49 (``python -m bench retrieval``, no model) at ``top_k`` 8: the share of questions whose
        answer is among the sources is 0.71 without bridges, 0.80 with the first kind, 0.93 with both, for 20.7
        and 26.1 sentences per question; the labelled set stays at 0.97 (17.5 → 21.1 sentences) and tokens_saved
        at 0.94 (24.7 → 30.2). The second kind alone reached 0.85.
        """
        if doc_ids is not None and len(doc_ids) < 2:
            return []  # within one document there is no other document to bridge to (compare asks per document)
        seen = {h.doc_id for h in hits}
        extra: list[Hit] = []

        def best_new(query: str, min_cos: float) -> None:
            for h2 in self.search(query, 2 * len(hits), doc_ids):
                if h2.doc_id not in seen:
                    seen.add(h2.doc_id)
                    if h2.dense >= min_cos:
                        extra.append(Hit(h2.doc_id, h2.idx, h2.fused, 0.0))
                    return

        for h in hits[:hops]:
            found = self.catalog.sentences(h.doc_id, h.idx, h.idx)
            if found:
                best_new(f"{question} {found[0].text}", BRIDGE_MIN_COS)
        passages: dict[str, list[str]] = {}
        for h in hits:
            if h.doc_id in passages or len(passages) < hops:
                passages.setdefault(h.doc_id, []).extend(s.text for s in self.catalog.sentences(h.doc_id, h.idx - 1, h.idx + 1))
        for texts in passages.values():
            words = novel_words(" ".join(texts), question)
            if words:
                best_new(" ".join(words), 0.0)
        return extra

    def sources(self, hits: list[Hit], window: int) -> list[Source]:
        """Hits widened by ``window`` neighbours each, merged per document, numbered from 1 in reading order;
        instruction-like sentences ("Ignore previous instructions …") are withheld from the model."""
        wanted: dict[str, dict[int, float]] = {}
        for h in hits:
            spots = wanted.setdefault(h.doc_id, {})
            for i in range(h.idx - window, h.idx + window + 1):
                score = h.dense if i == h.idx else 0.0
                spots[i] = max(spots.get(i, 0.0), score)
        docs = {d.doc_id: d.path for d in self.catalog.documents()}
        order = [h.doc_id for h in hits]
        sources: list[Source] = []
        for doc_id in sorted(wanted, key=order.index):
            spots = wanted[doc_id]
            sentences: list[Sentence] = self.catalog.sentences(doc_id, min(spots), max(spots))
            for s in sentences:
                # an instruction to the assistant is never evidence; shown to the model, it gets obeyed
                if s.index in spots and not instruction_like(s.text):
                    sources.append(Source(len(sources) + 1, docs.get(doc_id, doc_id), s, spots[s.index]))
        return sources
