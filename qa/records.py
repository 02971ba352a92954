"""The pipeline's records (defined in ``index.records``, the lowest layer that makes them), for ``qa`` callers."""

from index.records import Answer, AnswerSentence, Citation, DocumentInfo, IngestResult, Sentence, Source

__all__ = ["Answer", "AnswerSentence", "Citation", "DocumentInfo", "IngestResult", "Sentence", "Source"]
