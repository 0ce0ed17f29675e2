"""Benchmark 3: survey throughput, persona × question answers per second.

Respondents answer a questionnaire through the real survey graph against the load server
(another process; L seconds per call, C calls at once). Logprob mode scores each option
order with one call; sampling mode (an endpoint without logprobs) draws
``--samples`` answers per order after the logprob call comes back empty: one call per
sample on completions, one call with ``n`` on a chat endpoint that takes it
(``chat-n``), one per sample on one that refuses ``n`` like Anthropic's
(``chat-1``). Each line prints the requests per answer at the server.

    python -m bench.survey_throughput [--respondents 200] [--latency 0.05] [--concurrency 64]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from bench.harness import CpuClock, load_server_process, load_server_settings, server_stats
from interviewer.contracts.questionnaire import load_questionnaire
from interviewer.paths import resource_dir
from interviewer.pool import ModelPool
from interviewer.survey.conditioning import Respondent
from interviewer.survey.graph import SurveyContext
from interviewer.survey.runner import run_survey

STORY = (
    "I was born in {town} in {year}. My father drove a truck and my mother taught third "
    "grade. I left school at {age} to work, married young, and raised two kids. These days "
    "I volunteer at church and worry about what groceries cost. "
)
TOWNS = ("Dayton", "Tulsa", "Fresno", "Albany", "Macon", "Boise", "Provo", "Akron")


def respondents(count: int) -> list[Respondent]:
    return [
        Respondent(
            id=f"p{i:05d}",
            context=STORY.format(town=TOWNS[i % len(TOWNS)], year=1950 + i % 50, age=16 + i % 6)
            * 4,
            party=("Democrat", "Republican")[i % 2],
        )
        for i in range(count)
    ]


SERVER_FLAGS = {
    "logprobs": [],
    "sampling": ["--faults", "nologprobs=1"],
    "chat-n": ["--chat-only", "--faults", "nologprobs=1"],
    "chat-1": ["--chat-only", "--no-chat-logprobs"],
}
"""Each mode's load server: no logprobs, chat only, ``n`` refused."""


def run_mode(args: argparse.Namespace, mode: str) -> None:
    server = ["--latency", str(args.latency), "--concurrency", str(args.concurrency)]
    server += SERVER_FLAGS[mode]
    questionnaire = load_questionnaire(
        resource_dir("evals") / "questionnaires" / f"{args.questionnaire}.yaml"
    )
    people = respondents(args.respondents)
    with load_server_process(*server) as url, tempfile.TemporaryDirectory() as tmp:
        settings = load_server_settings(url, http_concurrency=args.concurrency)
        if mode.startswith("chat"):
            settings.respondent.api = "chat"
        with ModelPool(settings, roles=("respondent",)) as pool:
            ctx = SurveyContext(
                model=pool.model("respondent"), questionnaire=questionnaire, samples=args.samples
            )
            with CpuClock() as clock:
                summary = pool.run(
                    run_survey(
                        people,
                        ctx,
                        Path(tmp) / "responses.jsonl",
                        "backstory",
                        concurrency=args.respondents,
                    )
                )
            calls = pool.model("respondent").usage.calls
        stats = server_stats(url)
    answers = summary.answered
    ideal = calls * args.latency / args.concurrency
    print(
        f"{mode:>8}: {answers:,} answers ({len(people)} respondents × "
        f"{len(questionnaire.questions)} questions, {len(summary.failed)} failed) in "
        f"{clock.wall:.1f} s = {answers / clock.wall:,.1f} answers/s; {calls:,} calls "
        f"({calls / answers:.1f} per answer, {stats['requests']:,} at the server = "
        f"{stats['requests'] / answers:.1f} per answer); "
        f"ideal {ideal:.1f} s ({clock.wall / ideal:.2f}×); "
        f"CPU {clock.cpu / calls * 1000:.2f} ms per call"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--respondents", type=int, default=200)
    parser.add_argument("--questionnaire", default="atp_w92")
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--modes", default=",".join(SERVER_FLAGS), help="comma-separated")
    args = parser.parse_args()
    print(
        f"L = {args.latency * 1000:.0f} ms, C = {args.concurrency}, questionnaire {args.questionnaire}"
    )
    for mode in args.modes.split(","):
        run_mode(args, mode)


if __name__ == "__main__":
    main()
