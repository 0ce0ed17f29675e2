"""Benchmark 1: interview throughput against the load server.

N interviews run through the real pipeline (LangGraph graph, SQLite checkpoints,
the openai SDK over HTTP, persona files) against a load server in another process
that takes L seconds per call and serves C calls at once. Ideal time is
total calls × L / C (the engine never idle); the orchestrator's CPU time per LLM call is
the CPU time of this process and its ``--workers`` processes (the load server's is not
counted) over the calls they made, and its inverse, calls per CPU-second, is what one
orchestrator core can feed an engine.

    python -m bench.interview_throughput [--n 200] [--latency 0.2] [--concurrency 64]
                                         [--workers 1]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path
from typing import Any

from bench.harness import CpuClock, load_server_process, load_server_settings, server_stats
from interviewer.interview.context import InterviewContext
from interviewer.interview.runner import RunPlan, RunSummary, run_interviews
from interviewer.interview.workers import run_with_workers, worker_jobs, workers_for
from interviewer.pool import ModelPool
from interviewer.settings import Settings
from interviewer.usage import Budget, merge, read_usage, usage_files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=200, help="interviews")
    parser.add_argument("--latency", type=float, default=0.2, help="seconds per call (L)")
    parser.add_argument("--concurrency", type=int, default=64, help="engine slots (C)")
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument("--target-words", type=int, default=2500)
    parser.add_argument("--workers", type=int, default=1, help="orchestrator processes")
    parser.add_argument("--out", type=Path, default=None, help="keep the personas here")
    args = parser.parse_args()
    server_args = ["--latency", str(args.latency), "--concurrency", str(args.concurrency)]
    with load_server_process(*server_args) as url, tempfile.TemporaryDirectory() as tmp:
        settings = load_server_settings(
            url,
            http_concurrency=max(args.n, args.concurrency),
            interview={"questions": args.questions, "target_words": args.target_words},
        )
        out = args.out or Path(tmp) / "run"
        with ModelPool(settings, roles=("interviewer", "persona", "critic")) as pool:
            ctx = InterviewContext.from_pool(pool, settings, args.target_words)
            plan = RunPlan(out=out, n=args.n, concurrency=args.n)
            summary, clock = pool.run(_timed(plan, ctx, pool, settings, args.workers))
        calls = sum(e.calls for f in usage_files(out) for e in merge(read_usage(f)))
        stats = server_stats(url)
    report(args, summary.done, calls, stats, clock)


async def _timed(
    plan: RunPlan, ctx: InterviewContext, pool: ModelPool, settings: Settings, workers: int
) -> tuple[RunSummary, CpuClock]:
    """The run, timed from when every process has imported what it needs (one process
    had before it started; in a real run the workers import while the engine starts)."""
    async with workers_for(workers) as team:
        if team is None:
            with CpuClock() as clock:
                return await run_interviews(plan, ctx, {}), clock
        await team.ready()
        jobs = worker_jobs(plan, settings, pool.endpoints, workers, ctx.words_target, Budget())
        with CpuClock(minus_s=team.import_cpu_s) as clock:
            return await run_with_workers(plan, ctx, {}, jobs, team=team), clock


def report(
    args: argparse.Namespace, done: int, calls: int, stats: dict[str, Any], clock: CpuClock
) -> None:
    ideal = calls * args.latency / args.concurrency
    print(
        f"interviews: {done}/{args.n} done, {args.questions} questions, "
        f"target {args.target_words} words"
    )
    print(f"LLM calls: {calls:,} ({calls / max(done, 1):.1f} per interview); server saw {stats}")
    span, full = float(stats["span_s"]), float(stats["full_s"])
    print(
        f"engine batch full {full:.1f} s of its {span:.1f} s busy span ({full / span:.0%}); "
        f"the rest is the ramp-up and the tail (the longest interviews finishing alone)"
    )
    print(f"L = {args.latency * 1000:.0f} ms, C = {args.concurrency}, workers = {args.workers}")
    print(
        f"achieved {clock.wall:.1f} s vs ideal {ideal:.1f} s "
        f"(calls × L / C): {clock.wall / ideal:.3f}× ideal"
    )
    print(
        f"orchestrator CPU: {clock.cpu:.1f} s = {clock.cpu / calls * 1000:.2f} ms per LLM call "
        f"({clock.cpu / clock.wall:.0%} of one core; {args.workers} process(es))"
    )
    print(
        f"calls per second: {calls / clock.wall:.0f} achieved; "
        f"{calls / clock.cpu:.0f} per orchestrator core (calls per CPU-second)"
    )


if __name__ == "__main__":
    asyncio.set_event_loop_policy(None)
    main()
