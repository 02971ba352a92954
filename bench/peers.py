"""Start a local peer process (a ``chroma run`` server, llama.cpp's OpenAI-compatible server) for benchmarks and
tests: a free loopback port, wait until it answers, stop it afterwards, show its log if it dies."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running(cmd: list[str], ready_url: str, log: Path, timeout: float, headers: dict[str, str] | None = None) -> Iterator[None]:
    """Run ``cmd`` until the block ends; ready once ``ready_url`` answers 200 (RuntimeError with the log tail if
    it exits or is not ready within ``timeout`` seconds)."""
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{cmd[:3]} exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
            try:
                if httpx.get(ready_url, headers=headers, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{cmd[:3]} not ready after {timeout:.0f}s:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.25)
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def chroma_server(path: Path, timeout: float = 60) -> Iterator[str]:
    """``chroma run`` over ``path`` on a free loopback port; yields its URL (the log goes beside ``path``)."""
    exe = Path(sys.executable).with_name("chroma")
    exe_str = str(exe) if exe.exists() else shutil.which("chroma")
    if not exe_str:
        raise RuntimeError("the `chroma` command of chromadb is not installed")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [exe_str, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)]
    with running(cmd, url + "/api/v2/heartbeat", path.parent / "chroma-server.log", timeout):
        yield url
