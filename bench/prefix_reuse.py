"""Benchmark 2: what a prefix-caching engine must prefill per interview.

Interviews run one after another against the load server, which records every prompt
and reply. A simulated engine cache (vLLM's scheme: full blocks of 16 tokens, each keyed
by its tokens and everything before it; one cache for the model all roles share; large
enough to keep a run) then counts the tokens each request must prefill. Tokens are
approximated by words, numbers, punctuation and spaces (the ratios, not the absolute
counts, are the point). Two engines are simulated: one that caches prompts only, and one
that also caches the blocks a reply filled (vLLM V1 does).

With ``--replicas R`` (> 1) the same requests are replayed again through R engines, each
with its own cache, routed two ways: by persona (``interviewer.replicas``' rendezvous
order, what a list of ``base_url`` does) and round robin (what a plain load balancer in
front of replicas does).

    python -m bench.prefix_reuse [--n 20] [--questions 10] [--target-words 2500] [--replicas 4]
"""

from __future__ import annotations

import argparse
import re
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.harness import load_server_settings
from bench.load_server import LoadConfig, serving
from interviewer.contracts.persona import Persona
from interviewer.interview.context import InterviewContext
from interviewer.interview.layout import persona_prompt
from interviewer.interview.runner import RunPlan, run_interviews
from interviewer.interview.state import TurnDict
from interviewer.pool import ModelPool
from interviewer.replicas import rendezvous_order

BLOCK = 16
_TOKEN = re.compile(r"\w+|[^\w\s]|\s+")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


@dataclass
class PrefixCache:
    """Block hashes seen so far; ``prefill`` counts what a request must compute."""

    blocks: set[int] = field(default_factory=set)

    def prefill(self, sequence: list[str]) -> int:
        cached, parent = 0, 0
        for start in range(0, len(sequence) - BLOCK + 1, BLOCK):
            parent = hash((parent, *sequence[start : start + BLOCK]))
            if parent not in self.blocks:
                break
            cached += BLOCK
        return len(sequence) - cached

    def store(self, sequence: list[str]) -> None:
        parent = 0
        for start in range(0, len(sequence) - BLOCK + 1, BLOCK):
            parent = hash((parent, *sequence[start : start + BLOCK]))
            self.blocks.add(parent)


@dataclass
class Tally:
    sent: int = 0
    prefill_prompts: int = 0
    prefill_with_replies: int = 0
    by_role: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def simulate(
    interviews: list[list[dict[str, Any]]], replicas: int = 1, route: str = "affinity"
) -> list[Tally]:
    """Per interview, its requests replayed in order through both simulated caches, one
    pair per replica; ``route``: ``affinity`` (each interview on its persona's replica)
    or ``round_robin`` (request i on replica i mod ``replicas``)."""
    names = [f"replica-{r}" for r in range(replicas)]
    caches = [(PrefixCache(), PrefixCache()) for _ in names]
    tallies, sent = [], 0
    for index, records in enumerate(interviews):
        home = rendezvous_order(f"p{index:05d}", names)[0]
        tally = Tally()
        for record in records:
            replica = home if route == "affinity" else sent % replicas
            sent += 1
            prompts_only, with_replies = caches[replica]
            prompt = tokens(record["prompt"])
            tally.sent += len(prompt)
            need = prompts_only.prefill(prompt)
            tally.prefill_prompts += need
            tally.by_role[role_of(record["prompt"])] += need
            tally.prefill_with_replies += with_replies.prefill(prompt)
            prompts_only.store(prompt)
            with_replies.store(prompt + tokens(record["text"]))
        tallies.append(tally)
    return tallies


def role_of(prompt: str) -> str:
    if "JSON:" in prompt[-200:]:
        return "critic" if "contradict" in prompt else "interviewer"
    return "persona"


def record_interviews(args: argparse.Namespace) -> tuple[list[list[dict[str, Any]]], list[int]]:
    """Run ``args.n`` interviews one by one; their records and final transcript sizes."""
    with (
        serving(LoadConfig(record=True, seed=args.seed)) as server,
        tempfile.TemporaryDirectory() as tmp,
    ):
        settings = load_server_settings(
            server.base_url,
            http_concurrency=4,
            interview={"questions": args.questions, "target_words": args.target_words},
        )
        out = Path(tmp)
        records = server.server.stats.records
        interviews, transcripts = [], []
        with ModelPool(settings, roles=("interviewer", "persona", "critic")) as pool:
            ctx = InterviewContext.from_pool(pool, settings, args.target_words)
            for i in range(args.n):
                before = len(records)
                plan = RunPlan(out=out, n=i + 1, concurrency=1, resume=i > 0)
                pool.run(run_interviews(plan, ctx, {}))
                interviews.append(records[before:])
                persona = Persona.model_validate_json((out / f"p{i:05d}.json").read_bytes())
                turns = [TurnDict(**t.model_dump()) for t in persona.transcript]  # type: ignore[typeddict-item]
                transcripts.append(len(tokens(persona_prompt("", turns))))
    return interviews, transcripts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=20)
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument("--target-words", type=int, default=2500)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--replicas", type=int, default=4, help="engines, each its own cache")
    args = parser.parse_args()
    interviews, transcripts = record_interviews(args)
    tallies = simulate(interviews)
    # The first interview also fills the cache with what every interview shares.
    steady = tallies[1:] or tallies
    steady_transcripts = transcripts[1:] or transcripts
    n = len(steady)
    mean_transcript = sum(steady_transcripts) / n
    sent = sum(t.sent for t in steady) / n
    prompts = sum(t.prefill_prompts for t in steady) / n
    replies = sum(t.prefill_with_replies for t in steady) / n
    calls = sum(len(r) for r in interviews[1:] or interviews) / n
    print(f"{args.n} interviews, {args.questions} questions, target {args.target_words} words")
    print(f"per interview (mean of {n} after the first): {calls:.1f} calls")
    print(f"  final transcript        {mean_transcript:9,.0f} tokens")
    print(f"  tokens sent             {sent:9,.0f}  ({sent / mean_transcript:.2f}× transcript)")
    print(
        f"  prefill, prompt cache   {prompts:9,.0f}  ({prompts / mean_transcript:.2f}× transcript)"
    )
    print(
        f"  prefill, + reply blocks {replies:9,.0f}  ({replies / mean_transcript:.2f}× transcript)"
    )
    roles: dict[str, int] = defaultdict(int)
    for tally in steady:
        for role, count in tally.by_role.items():
            roles[role] += count
    shares = ", ".join(f"{role} {count / n:,.0f}" for role, count in sorted(roles.items()))
    print(f"  prefill by role (prompt cache): {shares}")
    if args.replicas > 1:
        report_replicas(interviews, args.replicas, mean_transcript)


def report_replicas(
    interviews: list[list[dict[str, Any]]], replicas: int, transcript: float
) -> None:
    """Prefill per interview with a cache per replica: affinity vs round robin."""
    print(f"{replicas} replicas, a prefix cache each (mean per interview after the first):")
    for route in ("affinity", "round_robin"):
        tallies = simulate(interviews, replicas, route)
        steady = tallies[1:] or tallies
        prompts = sum(t.prefill_prompts for t in steady) / len(steady)
        replies = sum(t.prefill_with_replies for t in steady) / len(steady)
        print(
            f"  {route:<12} prefill, prompt cache {prompts:9,.0f} ({prompts / transcript:.2f}×); "
            f"+ reply blocks {replies:9,.0f} ({replies / transcript:.2f}× transcript)"
        )


if __name__ == "__main__":
    main()
