"""One writer per data directory: an exclusive ``flock`` on ``DATA_DIR/qa.lock``, held by every writing command.

Chroma's embedded store is not safe for two writing processes: two ``qa ingest`` runs (or ``qa ingest`` beside
``qa serve``) left vectors without embeddings while both exited 0. The lock is taken before the store is opened
for writing and held until the process is done; a second writer waits, saying who holds it, up to ``timeout``
seconds, then stops with a clear error. Re-entrant within a process.
"""

from __future__ import annotations

import fcntl
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from index.errors import IndexStateError


def _say(text: str) -> None:
    print(f"qa: {text}", file=sys.stderr, flush=True)


class WriteLock:
    def __init__(self, path: Path, *, timeout: float = 600.0, say: Callable[[str], None] = _say) -> None:
        self.path = path
        self.timeout = timeout
        self.say = say
        self._fd: int | None = None
        self._depth = 0
        self._guard = threading.RLock()

    def holder(self) -> str:
        try:
            return self.path.read_text().strip() or "another qa process"
        except OSError:
            return "another qa process"

    def acquire(self) -> None:
        with self._guard:
            if self._depth:
                self._depth += 1
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            deadline = time.monotonic() + self.timeout
            told = False
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    holder = self.holder()
                    if holder.endswith(" serve)"):  # it writes for as long as it runs: waiting would never end
                        os.close(fd)
                        raise IndexStateError(
                            f"{holder} is serving {self.path.parent} and holds its write lock while it runs; add "
                            "files through its page or its API (POST /api/documents), or stop it and run this again."
                        ) from None
                    if not told:
                        self.say(f"waiting for {self.holder()} to finish writing to {self.path.parent} …")
                        told = True
                    if time.monotonic() >= deadline:
                        os.close(fd)
                        raise IndexStateError(
                            f"{self.holder()} is writing to {self.path.parent}; only one qa process can change an "
                            "index at a time. Wait for it to finish (or stop `qa serve` and add files through its "
                            "page or API instead), then run this again."
                        ) from None
                    time.sleep(0.2)
            os.ftruncate(fd, 0)
            os.write(fd, f"qa (pid {os.getpid()}: {' '.join(Path(a).name for a in sys.argv[:2])})".encode())
            self._fd = fd
            self._depth = 1

    def release(self) -> None:
        with self._guard:
            if not self._depth:
                return
            self._depth -= 1
            if self._depth == 0 and self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
                os.close(self._fd)
                self._fd = None

    @property
    def held(self) -> bool:
        return self._depth > 0

    def __enter__(self) -> WriteLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
