"""``python -m bench load``: N concurrent clients drive a real ``qa serve`` on loopback for a bounded time.

Each client uploads its own small document holding a code only it knows, then asks for that code, mixed
with questions about the seed documents. Every answer must carry its own question's citations: the
client's code from the client's own document, never another client's (cross-talk), and zero errors.
Writes ``bench/results/load.md`` and ``load.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

RESULTS = Path(__file__).resolve().parent / "results"
COLOURS = "amber cobalt crimson jade ochre saffron teal umber violet ivory".split()
LOCKERS = "quince walrus marimba tundra lichen obsidian kestrel nutmeg paprika zephyr".split()
SEED_QUESTIONS = [
    ("What did both sides agree to exchange?", "000_fcbddb13c552a77e.txt"),
    ("Who is the main contractor for the Kestrel Bridge?", "kestrel_bridge"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "QA_DATA_DIR": str(data_dir)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "front.cli", "serve", "--port", str(port)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 180
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError("qa serve did not start within 180 s")


def client(base: str, n: int, until: float, records: list[dict[str, object]], lock: threading.Lock) -> None:
    code = f"{COLOURS[n % len(COLOURS)]}-{n}{n}{n}"
    name = f"client_{n}_locker.txt"
    locker = LOCKERS[n % len(LOCKERS)]
    text = f"The access code of the {locker} locker is {code}. Only the {locker} team may open that locker.\n"
    http = httpx.Client(base_url=base, timeout=900)
    turn = 0
    while time.time() < until:
        t0 = time.perf_counter()
        rec: dict[str, object] = {"client": n, "turn": turn}
        try:
            if turn == 0:
                rec["kind"] = "upload"
                r = http.post("/api/documents", files=[("files", (name, text.encode()))])
                rec["ok"] = r.status_code == 200 and r.json()[0]["status"] in ("indexed", "unchanged")
            elif turn % 2 == 1:
                rec["kind"] = "own"
                r = http.post("/api/ask", json={"question": f"What is the access code of the {locker} locker?"})
                a = r.json()
                docs = sorted({c["document"].rsplit("/", 1)[-1] for c in a.get("citations", [])})
                foreign = [c for c in COLOURS if c != code.split("-")[0] and c in a.get("answer", "")]
                rec.update(answer=a.get("answer", ""), cited=docs)
                rec["ok"] = r.status_code == 200
                rec["answered"] = not a.get("declined", True)
                # cross-talk: another client's note cited, or another client's code in this client's answer
                rec["crosstalk"] = any(d.startswith("client_") and d != name for d in docs) or bool(foreign)
                rec["own_cited"] = name in docs and code in " ".join(c["text"] for c in a.get("citations", []))
            else:
                q, expect = SEED_QUESTIONS[(turn // 2) % len(SEED_QUESTIONS)]
                rec["kind"] = "seed"
                r = http.post("/api/ask", json={"question": q})
                a = r.json()
                docs = sorted({c["document"].rsplit("/", 1)[-1] for c in a.get("citations", [])})
                rec.update(answer=a.get("answer", ""), cited=docs)
                rec["ok"] = r.status_code == 200
                rec["answered"] = not a.get("declined", True)
                rec["crosstalk"] = any(d.startswith("client_") for d in docs)
                rec["own_cited"] = any(expect in d for d in docs)
        except Exception as exc:  # noqa: BLE001 - every failure is counted as an error in the report
            rec["ok"] = False
            rec["error"] = f"{type(exc).__name__}: {exc}"[:200]
        rec["latency_s"] = time.perf_counter() - t0
        with lock:
            records.append(rec)
        turn += 1


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench load", description=__doc__)
    p.add_argument("--clients", type=int, default=4)
    p.add_argument("--seconds", type=float, default=240)
    p.add_argument("--out", type=Path, default=RESULTS)
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        server = start_server(Path(tmp), port)
        base = f"http://127.0.0.1:{port}"
        try:
            seeds = Path(__file__).resolve().parents[1] / "seeds"
            files = [
                ("files", (f.name, f.read_bytes()))
                for f in sorted(seeds.iterdir())
                if f.suffix in (".txt", ".md", ".html", ".pdf", ".docx") and f.name != "README.md"
            ]
            httpx.post(base + "/api/documents", files=files, timeout=600).raise_for_status()
            records: list[dict[str, object]] = []
            lock = threading.Lock()
            t0 = time.time()
            until = t0 + args.seconds
            threads = [threading.Thread(target=client, args=(base, n, until, records, lock)) for n in range(args.clients)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall = time.time() - t0
        finally:
            server.terminate()
            server.wait(timeout=30)
    asks = [r for r in records if r.get("kind") in ("own", "seed")]
    lat = [float(r["latency_s"]) for r in asks]  # type: ignore[arg-type]
    summary = {
        "clients": args.clients,
        "seconds": round(wall, 1),
        "requests": len(records),
        "questions": len(asks),
        "throughput_per_min": round(60 * len(records) / wall, 2),
        "p50_s": round(statistics.median(lat), 2) if lat else None,
        "p95_s": round(pct(lat, 0.95), 2),
        "errors": sum(1 for r in records if not r.get("ok")),
        "crosstalk": sum(1 for r in asks if r.get("crosstalk")),
        "answered": sum(1 for r in asks if r.get("answered")),
        "own_citations": sum(1 for r in asks if r.get("own_cited")),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "load.json").write_text(json.dumps({"summary": summary, "records": records}, indent=1))
    md = [
        "# Load benchmark",
        "",
        f"Command: `python -m bench load --clients {args.clients} --seconds {args.seconds:g}`  ",
        f"Machine: {platform.platform()}, {os.cpu_count()} cores. One `qa serve` on loopback, the bundled model.",
        "",
        "| metric | value |",
        "|---|---|",
        *[f"| {k} | {v} |" for k, v in summary.items()],
        "",
        "Each client uploads its own note with a private code and asks for it, alternating with questions on the",
        "seed documents. `crosstalk` counts answers citing another client's note or naming another client's code;",
        "`own_citations` counts answers citing the sentence that holds the answer (the client's own code, or the",
        "expected seed document). Latency includes waiting in the queue for the one shared model.",
    ]
    (args.out / "load.md").write_text("\n".join(md) + "\n")
    print("\n".join(md))
    return 0 if summary["errors"] == 0 and summary["crosstalk"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
