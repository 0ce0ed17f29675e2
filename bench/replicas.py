"""Benchmark: interviews against R load-server replicas vs 1, at the same per-replica
batch (C slots of L seconds each) and the role's ``concurrency`` = C per replica.

Each replica is its own load-server process; the interviews go to them as a list of
``base_url`` (``interviewer.replicas``: each persona on one replica). Work and interviews
in flight grow with R (``--per-replica`` interviews each, ``--waves`` × as many in all),
so ideal throughput is R × C / L calls per second and the ratio R × 1. L is long enough
that the orchestrator (2.5-4 ms of CPU per call) stays far from a full core at R × C / L
calls a second: the engines, not this process, must be the bottleneck.

``--pure-hash`` runs the R replicas once more without the load bound (each persona on
its rendezvous first choice, whatever the load), to show what the bound buys.

    python -m bench.replicas [--replicas 4] [--latency 0.5] [--concurrency 8] [--pure-hash]
"""

from __future__ import annotations

import argparse
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.harness import CpuClock, load_server_processes, load_server_settings, server_stats
from interviewer import replicas as routing
from interviewer.interview.context import InterviewContext
from interviewer.interview.runner import RunPlan, run_interviews
from interviewer.pool import ModelPool
from interviewer.settings import RoleName

ROLES: tuple[RoleName, ...] = ("interviewer", "persona", "critic")


@dataclass(frozen=True)
class Outcome:
    replicas: int
    interviews: int
    done: int
    calls: int
    wall: float
    cpu: float
    per_replica: list[int]
    """Requests each server answered."""

    @property
    def rate(self) -> float:
        return self.calls / self.wall


def run(args: argparse.Namespace, replicas: int) -> Outcome:
    server = ["--latency", str(args.latency), "--concurrency", str(args.concurrency)]
    n = replicas * args.per_replica * args.waves
    with (
        load_server_processes(replicas, *server) as servers,
        tempfile.TemporaryDirectory() as tmp,
    ):
        urls = [url for url, _ in servers]
        settings = load_server_settings(
            urls if replicas > 1 else urls[0],
            http_concurrency=args.concurrency,  # per replica
            interview={"questions": args.questions, "target_words": args.target_words},
        )
        with ModelPool(settings, roles=ROLES) as pool:
            ctx = InterviewContext.from_pool(pool, settings, args.target_words)
            plan = RunPlan(out=Path(tmp) / "run", n=n, concurrency=replicas * args.per_replica)
            with CpuClock() as clock:
                summary = pool.run(run_interviews(plan, ctx, {}))
            calls = sum(pool.model(r).usage.calls for r in ROLES)
        answered = [int(server_stats(url)["requests"]) for url in urls]
    return Outcome(replicas, n, summary.done, calls, clock.wall, clock.cpu, answered)


def show(outcome: Outcome, args: argparse.Namespace) -> None:
    ideal = outcome.replicas * args.concurrency / args.latency
    print(
        f"{outcome.replicas} replica(s): {outcome.done}/{outcome.interviews} interviews, "
        f"{outcome.calls:,} calls in {outcome.wall:.1f} s = {outcome.rate:.1f} calls/s "
        f"(ideal {ideal:.0f}: {outcome.rate / ideal:.0%}); orchestrator CPU "
        f"{outcome.cpu / outcome.calls * 1000:.2f} ms per call, "
        f"{outcome.cpu / outcome.wall:.0%} of one core; per server {outcome.per_replica}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--replicas", type=int, default=4)
    parser.add_argument("--latency", type=float, default=0.5, help="seconds per call (L)")
    parser.add_argument("--concurrency", type=int, default=8, help="slots per replica (C)")
    parser.add_argument(
        "--per-replica", type=int, default=16, help="interviews in flight per replica"
    )
    parser.add_argument("--waves", type=int, default=4, help="interviews = this × in flight")
    parser.add_argument("--questions", type=int, default=3)
    parser.add_argument("--target-words", type=int, default=300)
    parser.add_argument("--pure-hash", action="store_true", help="also without the bound")
    args = parser.parse_args()
    print(
        f"L = {args.latency * 1000:.0f} ms, C = {args.concurrency} per replica, "
        f"{args.per_replica} interviews in flight per replica, {args.questions} questions"
    )
    single = run(args, 1)
    show(single, args)
    many = run(args, args.replicas)
    show(many, args)
    print(
        f"throughput ratio {args.replicas} vs 1 replica: {many.rate / single.rate:.2f}× "
        f"(ideal {args.replicas}×); busiest server {max(many.per_replica):,} requests, "
        f"idlest {min(many.per_replica):,}"
    )
    if args.pure_hash:
        routing.LOAD_BOUND = float("inf")  # every persona on its first choice
        pure = run(args, args.replicas)
        show(pure, args)
        print(f"without the load bound: {pure.rate / single.rate:.2f}× (ideal {args.replicas}×)")


if __name__ == "__main__":
    main()
