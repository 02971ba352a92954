"""qa: ask questions about your own documents and get answers whose every claim cites its source sentence."""

from typing import Any

from qa.errors import AuthError, IndexStateError, InputError, ModelError, NotIndexedError, QAError
from qa.records import Answer, AnswerSentence, Citation, DocumentInfo, IngestResult, Sentence, Source
from qa.settings import Settings

__all__ = [
    "Answer",
    "AnswerSentence",
    "App",
    "AuthError",
    "Citation",
    "DocumentInfo",
    "IndexStateError",
    "IngestResult",
    "InputError",
    "ModelError",
    "NotIndexedError",
    "QAError",
    "Sentence",
    "Settings",
    "Source",
    "build_app",
]


def __getattr__(name: str) -> Any:
    # The composition root imports index/, which imports qa.records: load it lazily to avoid an import cycle.
    if name in ("App", "build_app"):
        from qa import app

        return getattr(app, name)
    raise AttributeError(name)
