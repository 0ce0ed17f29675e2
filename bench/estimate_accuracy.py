"""How close ``interviewer estimate`` comes to what a run then spends, on the load server.

N personas are estimated from the settings and from a K-persona pilot, then interviewed
for real (response cache off); calls and tokens of each estimate are printed beside the
run's own usage.json, with the ratio.

    python -m bench.estimate_accuracy [--n 20] [--pilot 3] [--target-words 2500]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.harness import load_server_process, load_server_settings
from interviewer.estimate import Assumptions, Estimate, Pace, pilot_estimate, simulate
from interviewer.interview.context import InterviewContext
from interviewer.interview.runner import RunPlan, run_interviews
from interviewer.pool import ModelPool, run_loop
from interviewer.settings import Settings
from interviewer.usage import read_usage


@dataclass(frozen=True)
class Figures:
    calls: float
    prompt_tokens: float
    completion_tokens: float

    @classmethod
    def of(cls, estimate: Estimate) -> Figures:
        return cls(estimate.calls, estimate.prompt_tokens, estimate.completion_tokens)


def actual(settings: Settings, n: int) -> Figures:
    """Interview ``n`` personas for real; what their usage.json says they spent."""
    with (
        tempfile.TemporaryDirectory() as tmp,
        ModelPool(settings, roles=("interviewer", "persona", "critic")) as pool,
    ):
        ctx = InterviewContext.from_pool(pool, settings)
        plan = RunPlan(out=Path(tmp), n=n, concurrency=n)
        pool.run(run_interviews(plan, ctx, {}))
        entries = read_usage(Path(tmp) / "usage.json")
    return Figures(
        sum(e.calls for e in entries),
        sum(e.prompt_tokens for e in entries),
        sum(e.completion_tokens for e in entries),
    )


def compare(url: str, n: int, k: int, interview: dict[str, Any]) -> dict[str, Figures]:
    """The settings estimate, the pilot estimate and the run, on the server at ``url``."""
    settings = load_server_settings(url, http_concurrency=n, interview=interview)
    pace = Pace(concurrency=n)
    return {
        "settings": Figures.of(run_loop(simulate(settings, n, "interview", pace, Assumptions()))),
        f"pilot {k}": Figures.of(pilot_estimate(settings, n, k, "interview", pace)),
        "actual": actual(settings, n),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=20)
    parser.add_argument("--pilot", type=int, default=3)
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument("--target-words", type=int, default=2500)
    args = parser.parse_args()
    interview = {"questions": args.questions, "target_words": args.target_words}
    with load_server_process() as url:
        figures = compare(url, args.n, args.pilot, interview)
    real = figures["actual"]
    print(f"{args.n} personas, {args.questions} questions, {args.target_words} words (load server)")
    print(f"{'':>10} {'calls':>16} {'prompt tokens':>22} {'completion tokens':>22}")
    for name, f in figures.items():
        cells = [
            f"{value:,.0f} ({value / max(truth, 1):.3f})"
            for value, truth in (
                (f.calls, real.calls),
                (f.prompt_tokens, real.prompt_tokens),
                (f.completion_tokens, real.completion_tokens),
            )
        ]
        print(f"{name:>10} {cells[0]:>16} {cells[1]:>22} {cells[2]:>22}")
    print("(ratio to actual in brackets)")


if __name__ == "__main__":
    asyncio.set_event_loop_policy(None)
    main()
