"""Benchmark: persona files parsed per study, for ``evals/ablations.yaml``.

Runs the ablation suite (scaled down) end to end against the in-process load server and
counts every persona parse (``Persona.model_validate_json``), for a fresh run and for a
rerun that resumes it. The suite has 2 methods that make personas and 7 that reuse them.

    python -m bench.persona_reads [--scale 0.05]
"""

from __future__ import annotations

import argparse
import io
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console

from bench.harness import load_server_settings
from bench.load_server import LoadConfig, serving
from interviewer.contracts.persona import Persona
from interviewer.paths import resource_dir
from interviewer.study import load_suite, run_suite, scaled


def counting_parses() -> tuple[list[int], Callable[[], None]]:
    """Count persona parses until the returned function restores the parser."""
    count = [0]
    original = Persona.model_validate_json  # BaseModel's, bound to Persona

    def counted(*args: Any, **kwargs: Any) -> Persona:
        count[0] += 1
        return original(*args, **kwargs)

    Persona.model_validate_json = staticmethod(counted)  # type: ignore[method-assign]
    return count, lambda: delattr(Persona, "model_validate_json")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.05)
    args = parser.parse_args()
    suite = scaled(load_suite(resource_dir("evals") / "ablations.yaml"), args.scale)
    made = sum(m.n for m in suite.methods if m.personas_from is None)
    quiet = Console(file=io.StringIO())
    with serving(LoadConfig()) as server, tempfile.TemporaryDirectory() as tmp:
        settings = load_server_settings(
            server.base_url, 16, interview={"questions": 10, "target_words": 200}
        )
        for run in ("fresh", "rerun"):
            count, restore = counting_parses()
            try:
                run_suite(suite, settings, Path(tmp), quiet)
            finally:
                restore()
            print(
                f"{run:>5}: {count[0]:4d} persona parses for {made} personas "
                f"({count[0] / made:.1f} per persona), {len(suite.methods)} methods"
            )


if __name__ == "__main__":
    main()
