"""The exception tree (defined in ``index.errors``, the lowest layer that raises them), for ``qa`` callers."""

from index.errors import AuthError, IndexStateError, InputError, ModelError, NotIndexedError, QAError, TooLargeError

__all__ = ["AuthError", "IndexStateError", "InputError", "ModelError", "NotIndexedError", "QAError", "TooLargeError"]
