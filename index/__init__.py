"""Ingestion: load files, split into sentences with offsets, embed, and store in Chroma and the catalog."""

from index.catalog import Catalog
from index.embed import Embedder, SentenceTransformerEmbedder
from index.ingest import EMBED_BATCH, Ingestor, doc_id_for, expand, vector_id, vector_metadata
from index.load import SUPPORTED, Extracted, load
from index.sentences import split_spans
from index.store import ChromaServerStore, ChromaStore, EmbeddedChromaStore, Store, open_store

__all__ = [
    "Catalog",
    "ChromaServerStore",
    "ChromaStore",
    "EMBED_BATCH",
    "EmbeddedChromaStore",
    "Embedder",
    "Extracted",
    "Ingestor",
    "SUPPORTED",
    "SentenceTransformerEmbedder",
    "Store",
    "doc_id_for",
    "expand",
    "load",
    "open_store",
    "split_spans",
    "vector_id",
    "vector_metadata",
]
