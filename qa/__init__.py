"""qa: ask questions about your own documents and get answers whose every claim cites its source sentence."""

from qa.app import App, build_app
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
