"""Every error a user can cause, under one base class, with a message that says what to do.

QAError
 ├── InputError        a file or argument we cannot use (names the file and the reason)
 │    └── TooLargeError   over a size limit (the message names it)
 ├── NotIndexedError   a document the user named is not in the index
 ├── ModelError        the generator or embedder is missing, corrupt or unreachable
 ├── IndexStateError   the index was built differently (other embedder) or is damaged
 └── AuthError         a missing or wrong API token
"""

from __future__ import annotations


class QAError(Exception):
    """Base of all errors meant for the user; ``str(err)`` is one readable line."""

    exit_code = 1


class InputError(QAError):
    """A file or argument that cannot be used."""

    exit_code = 2

    def __init__(self, path: str, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{printable(self.path)}: {reason}")


class TooLargeError(InputError):
    """An input over a size limit (a question, a file name); the message names the limit."""


def printable(name: str) -> str:
    """A file name on one line: control characters (a newline in a name) shown as escapes such as ``\\n``."""
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in name)


class NotIndexedError(QAError):
    exit_code = 3


class ModelError(QAError):
    exit_code = 4


class IndexStateError(QAError):
    exit_code = 5


class AuthError(QAError):
    exit_code = 6
