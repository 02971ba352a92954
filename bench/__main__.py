"""``python -m bench <subcommand> [options]``: each subcommand is a module with ``main(argv)``, loaded on use.

python -m bench quality --quick      # ours vs the LlamaIndex baseline on a small subset
python -m bench quality --help
"""

from __future__ import annotations

import importlib
import sys

SUBCOMMANDS = {
    "quality": "bench.quality",  # answer and citation quality, latency, ingest, memory against a baseline
    "scale": "bench.scale",  # ingest and retrieval latency against corpus size
    "keyword": "bench.keyword",  # the keyword index's query plan against the plain BM25 query, to 1M sentences
    "retrieval": "bench.retrieval",  # whether what an answer needs reaches the model, per top_k and hops (no model)
    "verifier": "bench.verifier",  # the verifier on a contrast set: true claims accepted, false ones refused
    "load": "bench.load",  # concurrent clients against a running `qa serve`
    "replay": "bench.replay",  # the current verifier on a stored run's drafts (no generation)
    "statements": "bench.statements",  # `qa verify` on hand-written statements with their expected verdicts
}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] not in SUBCOMMANDS:
        print("usage: python -m bench {" + ",".join(SUBCOMMANDS) + "} [options]\n", file=sys.stderr)
        for name, module in SUBCOMMANDS.items():
            print(f"  {name:<10} {module}", file=sys.stderr)
        return 0 if args and args[0] in ("-h", "--help") else 2
    rc = importlib.import_module(SUBCOMMANDS[args[0]]).main(args[1:])
    return int(rc or 0)


if __name__ == "__main__":
    sys.exit(main())
