"""Ingestion: load files, split into sentences with offsets, embed, and store in Chroma and the catalog."""

from index.catalog import Catalog
from index.embed import Embedder, SentenceTransformerEmbedder
from index.ingest import Ingestor, doc_id_for, expand
from index.load import SUPPORTED, Extracted, load
from index.sentences import split_spans
from index.store import ChromaServerStore, ChromaStore, EmbeddedChromaStore, Store, open_store

__all__ = [
    "Catalog",
    "ChromaServerStore",
    "ChromaStore",
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
]
