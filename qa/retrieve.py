"""Retrieve source sentences: llama-index dense retrieval over Chroma fused with BM25 keyword hits."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Any

from index.catalog import Catalog
from index.embed import Embedder
from index.ingest import vector_id
from index.sentences import instruction_like
from index.store import Store
from index.words import WORD, opens_with_pronoun
from qa.cite import name_phrases, name_present, plain_text
from qa.records import Sentence, Source

log = logging.getLogger(__name__)

RRF_K = 60  # reciprocal-rank fusion constant (Cormack et al.); robust, needs no score calibration
BRIDGE_MIN_COS = 0.4  # a second-hop sentence less similar than this to its query is noise, not a bridge
NAME_HOPS = 2  # at most this many sentences a question found by searching a name the best sentences give
NAME_MIN_COS = 0.5  # ... each at least this similar to the name


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


class Retriever:
    def __init__(self, catalog: Catalog, store: Store, embedder: Embedder) -> None:
        from llama_index.core import VectorStoreIndex

        self.catalog = catalog
        self.embedder = embedder
        self.store = store
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

    def search(self, question: str, k: int, doc_ids: list[str] | None = None, *, distinct: bool = False) -> list[Hit]:
        """The ``k`` best sentences by reciprocal-rank fusion of dense and keyword ranks, ready documents only.

        Tried and not adopted: each sentence also embedded after its document's title ("Lumenfold Analytics Remote
        Work Policy: The owner of this policy is Marisol Quenby …"), so that a sentence that says "this policy" is
        found by a question naming the policy (labelled q015). A probe over vectors computed in memory (``bench
        retrieval``'s measure, top_k 8, hops 2): the labelled set's recall 0.969 -> 0.985 either way; HotpotQA's
        0.878 -> 0.854 with the titled vectors alone, unchanged with the better of the two cosines. Ingest would
        embed every sentence twice, and it is at 0.80 of the embedder's throughput (the bar). Nor, embedded instead
        of the sentence alone, only for a sentence that opens with a pronoun ("It was woven … by Tomas Brede"): after
        the sentence before it, HotpotQA's recall fell 0.878 -> 0.829 (labelled 0.969 either way); after the title,
        neither changed (``bench retrieval --top-k 8 --hops 2`` with each way at ingest, 2026-12-06).

        ``distinct``: a sentence that another document (or another place) has word for word takes no second place.
        With one file uploaded under six names, every place went to the six copies of two sentences, and the
        model, shown them six times, wrote "Marta Quell Marta Quell …" (a probe); ``ask`` searches distinct."""
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
        ranked = sorted(fused.items(), key=lambda kv: -kv[1])
        best = self._distinct(ranked, k) if distinct else ranked[:k]
        return [Hit(doc, idx, score, dense_score.get((doc, idx), 0.0)) for (doc, idx), score in best]

    def _distinct(self, ranked: list[tuple[tuple[str, int], float]], k: int) -> list[tuple[tuple[str, int], float]]:
        """The first ``k`` of ``ranked`` whose sentences differ in more than spacing and case."""
        seen: set[str] = set()
        out = []
        for (doc, idx), score in ranked:
            found = self.catalog.sentences(doc, idx, idx)
            key = plain_text(found[0].text) if found else f"{doc}:{idx}"
            if key not in seen:
                seen.add(key)
                out.append(((doc, idx), score))
                if len(out) == k:
                    break
        return out

    def bridge(self, question: str, hits: list[Hit], hops: int, doc_ids: list[str] | None = None) -> list[Hit]:
        """A second hop for questions that go through another document ("the company that books travel for X").

        Each of the ``hops`` best hits is searched again together with the question; the best hit from a document
        not yet retrieved joins the sources if it is similar enough to that query. Its ``dense`` is 0: the
        question alone did not find it. On the HotpotQA development questions 0–49 (retrieval only, no model),
        two hops raised the share of questions whose answer is among the sources from 0.71 to 0.80 at
        ``top_k`` 8, for 3.7 more sentences per question.

        Tried and taken out again: a second kind of bridge query, the words the best documents' passages add to
        the question (the author or conference it only describes). It raised that share to 0.93, but the answers
        did not follow: on the sampled ``bench quality`` run the 1.5B model answered 2 more questions right and
        3 fewer, and the median time to the first token rose from 11.1 to 14.1 s with the longer prompt
        (``bench/results/rejected_bridge2/``).

        A third kind is kept: the names those hits give that the question does not (``name_hops``). The question's
        own names searched alone too (one or two, at cosine 0.5 or 0.6; HotpotQA 26 names the university whose
        founding year it asks) changed neither set's recall (0.878, 0.969): not adopted.
        """
        if doc_ids is not None and len(doc_ids) < 2:
            return []  # within one document there is no other document to bridge to (compare asks per document)
        seen = {h.doc_id for h in hits}
        extra: list[Hit] = []
        for h in hits[:hops]:
            found = self.catalog.sentences(h.doc_id, h.idx, h.idx)
            if not found:
                continue
            for h2 in self.search(f"{question} {found[0].text}", 2 * len(hits), doc_ids):
                if h2.doc_id not in seen:
                    seen.add(h2.doc_id)
                    if h2.dense >= BRIDGE_MIN_COS:
                        extra.append(Hit(h2.doc_id, h2.idx, h2.fused, 0.0))
                    break
        return extra + self.name_hops(question, hits[:hops], seen, doc_ids)

    def name_hops(self, question: str, hits: list[Hit], seen: set[str], doc_ids: list[str] | None) -> list[Hit]:
        """For each name that ``hits`` give and the question does not ("… competes in the America East
        Conference"), searched alone, the best sentence of a document not yet retrieved, if it is at least
        ``NAME_MIN_COS`` similar to the name; at most ``NAME_HOPS`` in all. A multi-hop question describes its
        bridge ("a conference that was formerly known as what from 1988 to 1996?"), so searching the question
        again finds the first hop's siblings (other seasons of the same team), and the name the first hop gives
        finds the bridge's own document. Adds to ``seen``.

        Measured on HotpotQA 0–49 (``bench retrieval``, top_k 8, hops 2): questions whose answer reaches the model
        0.805 -> 0.878, for 2.3 more sentences a question (at most 1 name hop: 0.854; at most 2 at cos 0.6: 0.854;
        at most 3: 0.878); the labelled set's sources are unchanged. ``bench quality``, the run on ``ab067a4``
        (``bench/results/full_ab067a4``) against the one on ``2cae1c7`` (``bench/results/full_2cae1c7``): HotpotQA accuracy
        0.58 -> 0.62 and answers correct and cited 0.44 -> 0.48 (16 and 37 declined -> right; 4 wrong -> declined;
        14 declined -> wrong), declines 13 -> 11 of 115, no other outcome changed; the 30 questions whose sources
        changed got 4 more sentences (median) and their first token 1.33 times later, against 1.10 for the 104
        whose sources did not (the two runs' machine noise).
        """
        asked = {w.lower() for w in WORD.findall(question.lower())}
        extra: list[Hit] = []
        for h in hits:
            found = self.catalog.sentences(h.doc_id, h.idx, h.idx)
            for name in name_phrases(found[0].text) if found else []:
                if len(extra) >= NAME_HOPS:
                    return extra
                if name_present(name, asked):
                    continue
                for h2 in self.search(name, 4, doc_ids):
                    if h2.doc_id not in seen and h2.dense >= NAME_MIN_COS:
                        seen.add(h2.doc_id)
                        extra.append(Hit(h2.doc_id, h2.idx, h2.fused, 0.0))
                        break
        return extra

    def vectors(self, sources: list[Source]) -> dict[str, Any]:
        """The vectors ingestion stored for the sources' sentences, by sentence text: the verifier reads them
        instead of embedding the sentences again (``Verifier.remember``). Only a vector stored for the same text
        counts (a document re-ingested meanwhile has other sentences under the same ids); none at all if the store
        cannot be read: the verifier then embeds the sentences itself, as it did before."""
        ids = {vector_id(s.sentence.doc_id, s.sentence.index): s.sentence.text for s in sources}
        try:
            stored = self.store.vectors(list(ids))
        except Exception:  # noqa: BLE001 - only a shortcut: the same vectors are computed when it fails
            log.debug("stored vectors unreadable; the verifier embeds the sources itself", exc_info=True)
            return {}
        return {text: v for i, (text, v) in stored.items() if ids.get(i) == text}

    def sources(self, hits: list[Hit], window: int) -> list[Source]:
        """Hits widened by ``window`` neighbours each, merged per document, numbered from 1 in reading order;
        instruction-like sentences ("Ignore previous instructions …") are withheld from the model, and a sentence
        shown already (another copy of a document, ``search``'s ``distinct``) is not shown again.

        A hit that opens with a pronoun ("He is also notable as the father of …") brings the sentence before it
        whatever the window: shown alone, the 1.5B model gave its "He" to another document's name.

        Tried and not adopted: also showing a sentence left out between two shown ones of the same document. Gold
        sentences among the sources (``bench retrieval``, top_k 8, hops 2): labelled 0.969 -> 0.985 (q015's "The
        owner of this policy is …"), HotpotQA unchanged, for 0.3 more sentences a question. On the labelled set's
        new drafts (``bench quality --resume`` after dropping ours' records of bench/results/full_ff529b8) accuracy rose
        0.923 -> 0.938 and citation recall 0.849 -> 0.869, but two unanswerable questions were answered that had
        been declined (q071, q076) for one that had been answered (q074): 3 -> 4 of 19.
        """
        wanted: dict[str, dict[int, float]] = {}
        for h in hits:
            spots = wanted.setdefault(h.doc_id, {})
            lo = h.idx - window
            if window == 0 and h.idx > 0:
                found = self.catalog.sentences(h.doc_id, h.idx, h.idx)
                lo -= bool(found) and opens_with_pronoun(found[0].text)
            for i in range(lo, h.idx + window + 1):
                score = h.dense if i == h.idx else 0.0
                spots[i] = max(spots.get(i, 0.0), score)
        docs = {d.doc_id: d.path for d in self.catalog.documents()}
        order = [h.doc_id for h in hits]
        sources: list[Source] = []
        shown: set[str] = set()  # a sentence another document (or place) has word for word is shown once
        for doc_id in sorted(wanted, key=order.index):
            spots = wanted[doc_id]
            sentences: list[Sentence] = self.catalog.sentences(doc_id, min(spots), max(spots))
            for s in sentences:
                # an instruction to the assistant is never evidence; shown to the model, it gets obeyed
                if s.index in spots and not instruction_like(s.text) and plain_text(s.text) not in shown:
                    shown.add(plain_text(s.text))
                    sources.append(Source(len(sources) + 1, docs.get(doc_id, doc_id), s, spots[s.index]))
        return sources
