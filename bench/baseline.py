"""The baseline: LlamaIndex's ``CitationQueryEngine`` over a ``ChromaVectorStore``, set up as its docs show.

``VectorStoreIndex.from_documents`` with the default ``SentenceSplitter`` (1024/200), ``similarity_top_k=3``,
citation chunks of 512 tokens, ``LlamaCPP`` with ChatML prompt functions for Qwen, streaming on. Nothing
falls back to llama-index's global ``Settings``: the LLM and the embedding model are passed everywhere.
Follow-up turns go through ``CondenseQuestionChatEngine``, the documented way to chat over a query engine.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

CHATML_SYSTEM = "You are a helpful assistant."
TOP_K = 3
CHUNK_SIZE, CHUNK_OVERLAP = 1024, 200  # llama-index's defaults, stated so no global setting is read
CITATION_CHUNK_SIZE = 512
# "[2]", "[1, 3]" and, as the 1.5B model often writes, "[Source 2]" or "[Source 1, Source 3]"
_MARKER = re.compile(r"\[(?:Sources?\s*)?(\d+(?:\s*(?:,|;|and)\s*(?:Source\s*)?\d+)*)\]", re.IGNORECASE)
_SOURCE_PREFIX = re.compile(r"^Source \d+:\s*")


def messages_to_prompt(messages: Sequence[Any]) -> str:
    """ChatML for Qwen: ``<|im_start|>role\\ncontent<|im_end|>`` per message, then the assistant's turn."""
    parts = []
    if not messages or str(getattr(messages[0].role, "value", messages[0].role)) != "system":
        parts.append(f"<|im_start|>system\n{CHATML_SYSTEM}<|im_end|>")
    for m in messages:
        role = str(getattr(m.role, "value", m.role))
        parts.append(f"<|im_start|>{role}\n{m.content}<|im_end|>")
    return "\n".join(parts) + "\n<|im_start|>assistant\n"


def completion_to_prompt(completion: str) -> str:
    return f"<|im_start|>system\n{CHATML_SYSTEM}<|im_end|>\n<|im_start|>user\n{completion}<|im_end|>\n<|im_start|>assistant\n"


def make_llm(
    model_path: Path,
    *,
    llama: Any = None,
    max_new_tokens: int = 256,
    temperature: float = 0.0,
    n_ctx: int = 4096,
    n_threads: int = 0,
) -> Any:
    """``LlamaCPP`` with ChatML; a loaded ``llama_cpp.Llama`` passed as ``llama`` is shared, not reloaded."""
    import os

    from llama_index.core.llms.custom import CustomLLM
    from llama_index.llms.llama_cpp import LlamaCPP

    generate_kwargs = {"stop": ["<|im_end|>", "<|endoftext|>"]}
    common: dict[str, Any] = dict(
        temperature=temperature,
        max_new_tokens=max_new_tokens,
        verbose=False,
        messages_to_prompt=messages_to_prompt,
        completion_to_prompt=completion_to_prompt,
    )
    if llama is None:
        return LlamaCPP(
            model_path=str(model_path),
            context_window=n_ctx,
            generate_kwargs=generate_kwargs,
            model_kwargs={"n_threads": n_threads or os.cpu_count() or 1, "seed": 0},
            **common,
        )

    class SharedLlamaCPP(LlamaCPP):
        """LlamaCPP around a model that is already in memory (its own ``__init__`` always loads one)."""

        def __init__(self, model: Any) -> None:
            CustomLLM.__init__(
                self,
                model_path=str(model_path),
                model_url=None,
                context_window=model.n_ctx(),
                generate_kwargs={**generate_kwargs, "temperature": temperature, "max_tokens": max_new_tokens},
                model_kwargs={},
                **common,
            )
            self._model = model

    return SharedLlamaCPP(llama)


def make_embed_model(embedder_path: str) -> Any:
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    return HuggingFaceEmbedding(model_name=embedder_path, device="cpu")


class Baseline:
    """One index over one corpus in ``workdir``; ``ask`` streams and reports the cited chunks."""

    def __init__(self, workdir: Path, llm: Any, embed_model: Any) -> None:
        self.workdir = workdir
        self.llm = llm
        self.embed_model = embed_model
        self.engine: Any = None
        self.chunks = 0

    def ingest(self, files: list[Path], name_of: Callable[[str], str]) -> int:
        """Index ``files`` (text extracted by the same loader as ours, so both see the same words)."""
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from llama_index.core import Document, StorageContext, VectorStoreIndex
        from llama_index.core.node_parser import SentenceSplitter
        from llama_index.core.query_engine import CitationQueryEngine
        from llama_index.vector_stores.chroma import ChromaVectorStore

        from index.load import load

        docs = []
        for path in files:
            name = name_of(str(path))
            docs.append(
                Document(text=load(path, max_bytes=50_000_000).text, metadata={"file_name": Path(name).name, "file_path": name})
            )
        client = chromadb.PersistentClient(path=str(self.workdir / "chroma"), settings=ChromaSettings(anonymized_telemetry=False))
        collection = client.get_or_create_collection("baseline")
        store = ChromaVectorStore(chroma_collection=collection)
        index = VectorStoreIndex.from_documents(
            docs,
            storage_context=StorageContext.from_defaults(vector_store=store),
            embed_model=self.embed_model,
            transformations=[SentenceSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)],
        )
        self.chunks = collection.count()
        self.engine = CitationQueryEngine.from_args(
            index, llm=self.llm, similarity_top_k=TOP_K, citation_chunk_size=CITATION_CHUNK_SIZE, streaming=True
        )
        return len(docs)

    def ask(self, question: str, history: list[tuple[str, str]] | None = None) -> dict[str, Any]:
        """Answer text, cited chunks, shown chunks, time to first token and total time."""
        from llama_index.core.chat_engine import CondenseQuestionChatEngine
        from llama_index.core.llms import ChatMessage

        t0 = time.perf_counter()
        standalone = question
        if history:
            chat_history = [
                ChatMessage(role=role, content=text) for q, a in history for role, text in (("user", q), ("assistant", a))
            ]
            chat = CondenseQuestionChatEngine.from_defaults(query_engine=self.engine, chat_history=chat_history, llm=self.llm)
            response = chat.stream_chat(question)
            if response.sources:
                standalone = response.sources[0].raw_input.get("query", question)
            stream, nodes = response.response_gen, response.source_nodes
        else:
            response = self.engine.query(question)
            stream, nodes = response.response_gen, response.source_nodes
        pieces: list[str] = []
        ttft = None
        for piece in stream:
            if piece and ttft is None:
                ttft = time.perf_counter() - t0
            pieces.append(piece)
        total = time.perf_counter() - t0
        answer = "".join(pieces).strip()
        shown = [self._chunk(n) for n in nodes]
        cited_ns: list[int] = []
        for m in _MARKER.finditer(answer):
            cited_ns.extend(int(x) for x in re.findall(r"\d+", m.group(1)))
        cited = [shown[n - 1] for n in dict.fromkeys(cited_ns) if 1 <= n <= len(shown)]
        return {
            "answer": answer,
            "citations": cited,
            "retrieved": shown,
            "ttft_s": ttft if ttft is not None else total,
            "total_s": total,
            "standalone": standalone,
        }

    @staticmethod
    def _chunk(node: Any) -> dict[str, Any]:
        text = _SOURCE_PREFIX.sub("", node.node.get_content())
        return {"text": text, "document": node.node.metadata.get("file_path", ""), "score": node.score}
