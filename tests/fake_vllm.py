"""Stands in for ``vllm serve MODEL ... --host H --port P``: the ASGI load server
(bench/load_server.py) on that port, so a started-engine path can play whole interviews."""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from bench import load_server

    port = sys.argv[sys.argv.index("--port") + 1]
    print(f"fake vllm serving {sys.argv[1]} on port {port}", flush=True)
    sys.argv = [sys.argv[0], "--port", port, "--latency", "0.005"]
    load_server.main()
