"""The child process that extracts text for ``index.load.parse_within``: requests and replies are pickled,
each prefixed by its length, on stdin and stdout. Run as ``python -m index.load_worker`` (our own module, so the
caller's ``__main__`` is never re-imported, as multiprocessing's spawn would)."""

from __future__ import annotations

import pickle
import struct
import sys


def main() -> None:
    from index.errors import InputError
    from index.load import parse

    src, out = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but replies on the pipe
    while True:
        head = src.read(8)
        if len(head) < 8:
            return
        data, suffix, name = pickle.loads(src.read(struct.unpack("<Q", head)[0]))
        try:
            reply: tuple[object, ...] = ("ok", parse(data, suffix, name))
        except InputError as exc:
            reply = ("error", exc.reason)
        except Exception as exc:  # noqa: BLE001 - reported to the parent as a damaged file
            reply = ("error", f"it could not be read ({type(exc).__name__})")
        body = pickle.dumps(reply)
        out.write(struct.pack("<Q", len(body)) + body)
        out.flush()


if __name__ == "__main__":
    main()
