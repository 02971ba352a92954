"""The vector store: one Chroma collection of sentence vectors, embedded on disk or on a Chroma server."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlparse

import numpy as np

from index.embed import Embedder
from index.errors import IndexStateError

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def _embedding_function(embedder: Embedder) -> Any:
    """Our embedder as a Chroma embedding function, so Chroma never loads (or downloads) its default one."""
    from chromadb.api.types import Documents, EmbeddingFunction, Embeddings

    class _QAEmbeddingFunction(EmbeddingFunction[Documents]):
        def __init__(self) -> None:
            pass

        def __call__(self, input: Documents) -> Embeddings:  # noqa: A002 (Chroma's parameter name)
            return list(embedder.embed(list(input)))

        @staticmethod
        def name() -> str:
            return "qa-local"

        def get_config(self) -> dict[str, Any]:
            return {"model": embedder.name}

        @staticmethod
        def build_from_config(config: dict[str, Any]) -> EmbeddingFunction[Documents]:
            return _QAEmbeddingFunction()

    return _QAEmbeddingFunction()


def make_client(data_dir: Path, chroma_url: str = "", chroma_token: str = "") -> Any:
    """An embedded persistent client under ``data_dir``, or an HTTP client for a Chroma server at ``chroma_url``."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if chroma_url:
        url = urlparse(chroma_url if "://" in chroma_url else "http://" + chroma_url)
        headers = {"Authorization": f"Bearer {chroma_token}"} if chroma_token else None
        try:  # the client checks the server (and the token) right away
            return chromadb.HttpClient(
                host=url.hostname or "127.0.0.1",
                port=url.port or 8000,
                ssl=url.scheme == "https",
                headers=headers,
                settings=chroma_settings,
            )
        except Exception as exc:
            raise IndexStateError(
                f"Cannot use the Chroma server at {chroma_url} ({str(exc)[:200]}). "
                "Check that it is running, and QA_CHROMA_URL and QA_CHROMA_TOKEN."
            ) from None
    path = data_dir / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


class Store(Protocol):
    """Where sentence vectors live, beside ``Embedder`` and ``Generator``: ingest writes through it, ``qa check``
    inspects it, and retrieval reads it as a llama-index vector store. Vector ids are ``f"{doc_id}:{idx}"``, with
    ``doc_id``, ``idx`` and ``sha`` metadata. Implementations: ``EmbeddedChromaStore`` (on disk, the default)
    and ``ChromaServerStore`` (``QA_CHROMA_URL``)."""

    name: str

    def add(self, ids: list[str], vectors: Any, texts: list[str], metadatas: list[dict[str, Any]]) -> None: ...
    def delete_document(self, doc_id: str) -> None: ...
    def ids_of(self, doc_id: str) -> list[str]: ...
    def doc_counts(self) -> dict[str, int]: ...
    def unembedded(self, ids: list[str], page: int = 1000) -> list[str]: ...
    def count(self) -> int: ...
    def reset(self) -> None: ...
    def vectors(self, ids: list[str]) -> dict[str, tuple[str, Any]]: ...
    def vector_store(self) -> Any:
        """A llama-index ``VectorStore`` over these vectors (the retrieval layer queries this)."""
        ...


def open_store(
    embedder: Embedder, *, data_dir: Path, chroma_url: str = "", chroma_token: str = "", collection: str = "qa_sentences"
) -> ChromaStore:
    """The store ``Settings`` describe: a Chroma server when ``chroma_url`` is set, else Chroma on disk."""
    if chroma_url:
        return ChromaServerStore(embedder, chroma_url, chroma_token, collection=collection)
    return EmbeddedChromaStore(embedder, data_dir, collection=collection)


class ChromaStore:
    """Sentence vectors with ``doc_id``/``idx``/``sha`` metadata; all writes for a document are by ``doc_id``.

    The Chroma client decides where they live; see ``EmbeddedChromaStore`` and ``ChromaServerStore``."""

    def __init__(
        self,
        embedder: Embedder,
        *,
        data_dir: Path,
        chroma_url: str = "",
        chroma_token: str = "",
        collection: str = "qa_sentences",
        client: Any = None,
    ) -> None:
        self.client = client if client is not None else make_client(data_dir, chroma_url, chroma_token)
        self.embedder = embedder
        self.name = collection
        self.collection = self._open()

    def _open(self) -> Any:
        return self.client.get_or_create_collection(
            self.name,
            embedding_function=_embedding_function(self.embedder),
            metadata={"hnsw:space": "cosine", "embed_model": self.embedder.name},
        )

    def reset(self) -> None:
        """Drop every vector and start an empty collection (for ``qa reindex``)."""
        try:
            self.client.delete_collection(self.name)
        except Exception:  # noqa: BLE001 - absent already: nothing to drop
            pass
        self.collection = self._open()

    def add(self, ids: list[str], vectors: Any, texts: list[str], metadatas: list[dict[str, Any]]) -> None:
        self.collection.upsert(ids=ids, embeddings=vectors, documents=texts, metadatas=metadatas)

    def delete_document(self, doc_id: str) -> None:
        self.collection.delete(where={"doc_id": doc_id})

    def ids_of(self, doc_id: str) -> list[str]:
        return list(self.collection.get(where={"doc_id": doc_id}, include=[])["ids"])

    def doc_counts(self) -> dict[str, int]:
        """Vectors per ``doc_id`` (for ``qa check``)."""
        counts: dict[str, int] = {}
        offset, page = 0, 5000
        while True:
            got = self.collection.get(include=["metadatas"], limit=page, offset=offset)
            for meta in got["metadatas"] or []:
                key = str((meta or {}).get("doc_id"))
                counts[key] = counts.get(key, 0) + 1
            if len(got["ids"]) < page:
                return counts
            offset += page

    def unembedded(self, ids: list[str], page: int = 1000) -> list[str]:
        """Of ``ids``, those with no retrievable vector (absent, or stored without an embedding)."""
        missing: list[str] = []
        for lo in range(0, len(ids), page):
            want = ids[lo : lo + page]
            try:
                got = self.collection.get(ids=want, include=["embeddings"])
            except Exception:  # noqa: BLE001 - a damaged segment: check one by one
                got = {"ids": [], "embeddings": []}
                for one in want:
                    try:
                        g = self.collection.get(ids=[one], include=["embeddings"])
                        got["ids"] += g["ids"]
                        got["embeddings"] += list(g["embeddings"] if g["embeddings"] is not None else [None])
                    except Exception:  # noqa: BLE001
                        pass
            vectors = got.get("embeddings")
            have = {
                i
                for i, v in zip(got["ids"], vectors if vectors is not None else [None] * len(got["ids"]), strict=False)
                if v is not None and len(v)
            }
            missing.extend(i for i in want if i not in have)
        return missing

    def count(self) -> int:
        return int(self.collection.count())

    def vectors(self, ids: list[str]) -> dict[str, tuple[str, Any]]:
        """The stored text and vector (a float32 array) of each of ``ids``, by id; an id with no vector is left out."""
        if not ids:
            return {}
        got = self.collection.get(ids=ids, include=["embeddings", "documents"])
        vectors, texts = got.get("embeddings"), got.get("documents")
        if vectors is None or texts is None:
            return {}
        return {
            i: (t, np.asarray(v, dtype=np.float32))
            for i, t, v in zip(got["ids"], texts, vectors, strict=False)
            if v is not None and len(v)
        }

    def vector_store(self) -> Any:
        from llama_index.vector_stores.chroma import ChromaVectorStore

        return ChromaVectorStore(chroma_collection=self.collection)


class EmbeddedChromaStore(ChromaStore):
    """Chroma on disk under ``data_dir/chroma``, in this process."""

    def __init__(self, embedder: Embedder, data_dir: Path, *, collection: str = "qa_sentences") -> None:
        super().__init__(embedder, data_dir=data_dir, collection=collection)


class ChromaServerStore(ChromaStore):
    """A collection on a Chroma server (``chroma run``), shared by every machine that points at it."""

    def __init__(self, embedder: Embedder, url: str, token: str = "", *, collection: str = "qa_sentences") -> None:
        super().__init__(embedder, data_dir=Path("."), chroma_url=url, chroma_token=token, collection=collection)
