"""Benchmark: the survey's orchestration CPU per question, graph vs a plain loop.

A scripted in-process model answers at once (no HTTP, no latency), so what is timed is
the orchestrator alone: (a) the survey as ``run_survey`` runs it, through the LangGraph
survey graph, with a respondent's questions answered in one step (the default) and with
a step per question (``questions_per_step=1``), and (b) a plain loop doing the same work
without the graph: the same fan-out over respondents, the same answering function per
question (``survey.graph.answer_one``: seeds, option orders, draw) and the same JSONL
lines. CPU is ``time.process_time`` per question
answered; each is run ``--repeats`` times, min and median shown.

    python -m bench.survey_overhead [--respondents 200] [--questions 15] [--repeats 5]
"""

from __future__ import annotations

import argparse
import math
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path

from interviewer.contracts.questionnaire import Questionnaire
from interviewer.contracts.responses import SimulatedResponse, append_responses
from interviewer.fanout import fan_out
from interviewer.model import Completion, Model, Request
from interviewer.pool import run_loop
from interviewer.settings import RoleSettings
from interviewer.survey.conditioning import Respondent
from interviewer.survey.graph import AnswerDict, SurveyContext, SurveyState, answer_one
from interviewer.survey.runner import run_survey

CONDITIONING = "backstory"
TOP = ({" A": math.log(0.4), " B": math.log(0.3), " C": math.log(0.2), " D": math.log(0.1)},)


class InstantModel(Model):
    """Every call answers at once with the same next-token logprobs."""

    def __init__(self) -> None:
        super().__init__("respondent", "bench:instant", "bench://instant", RoleSettings())

    async def _generate(self, request: Request) -> Completion:
        return Completion(text=" A", prompt_tokens=1, completion_tokens=1, top_logprobs=TOP)


def questionnaire(questions: int) -> Questionnaire:
    """``questions`` four-option items, each asked as listed and reversed (two orders)."""
    items = [
        {"id": f"q{i:02d}", "text": f"How much do you agree with statement {i}?", "options": OPTS}
        for i in range(questions)
    ]
    return Questionnaire.model_validate(
        {"id": "overhead", "orders": "reversed", "questions": items}
    )


OPTS = ["Strongly agree", "Somewhat agree", "Somewhat disagree", "Strongly disagree"]


def respondents(count: int) -> list[Respondent]:
    return [
        Respondent(f"p{i:05d}", f"I was born in town {i % 40}. I work as a clerk. " * 8, None)
        for i in range(count)
    ]


async def graph_survey(people: list[Respondent], ctx: SurveyContext, out: Path) -> int:
    summary = await run_survey(people, ctx, out, CONDITIONING, concurrency=8)
    return summary.answered


async def plain_survey(people: list[Respondent], ctx: SurveyContext, out: Path) -> int:
    """What the graph does for each respondent, as a for loop over its questions."""
    written: list[int] = []

    async def one(respondent: Respondent) -> None:
        state = SurveyState(
            respondent_id=respondent.id,
            context=respondent.context,
            party=respondent.party,
            question_ids=[q.id for q in ctx.questionnaire.questions],
        )
        history, lines = "", []
        for position in range(len(state.question_ids)):
            answer, history = await answer_one(ctx, state, position, history)
            lines.append(_line(ctx, respondent, answer))
        append_responses(out, lines)
        written.append(len(lines))

    await fan_out(people, one, concurrency=8)
    return sum(written)


def _line(ctx: SurveyContext, respondent: Respondent, answer: AnswerDict) -> SimulatedResponse:
    return SimulatedResponse(
        persona_id=respondent.id,
        question_id=answer["question_id"],
        probs=answer["probs"],
        answer=answer["answer"],
        conditioning=CONDITIONING,
        model=ctx.model.identity,
        letter_mass=answer["letter_mass"],
        mode=answer["mode"],
        questionnaire=ctx.questionnaire.id,
        debias=answer["debias"],
    )


Survey = Callable[[list[Respondent], SurveyContext, Path], Awaitable[int]]


def cpu_per_question(survey: Survey, people: list[Respondent], ctx: SurveyContext) -> float:
    """CPU milliseconds per question answered, one run into a fresh file."""

    async def timed() -> tuple[float, int]:
        with tempfile.TemporaryDirectory() as tmp:
            started = time.process_time()
            answered = await survey(people, ctx, Path(tmp) / "responses.jsonl")
            return time.process_time() - started, answered

    seconds, answered = run_loop(timed())
    if answered != len(people) * len(ctx.questionnaire.questions):
        raise RuntimeError(f"{survey.__name__}: {answered} answers written, expected more")
    return seconds / answered * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--respondents", type=int, default=200)
    parser.add_argument("--questions", type=int, default=15)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    people = respondents(args.respondents)
    ctx = SurveyContext(model=InstantModel(), questionnaire=questionnaire(args.questions))
    stepwise = replace(ctx, questions_per_step=1)
    runs: dict[str, list[float]] = {"graph": [], "graph, 1/step": [], "plain loop": []}
    for _ in range(args.repeats):  # interleaved, so drift on a shared machine hits all
        runs["graph"].append(cpu_per_question(graph_survey, people, ctx))
        runs["graph, 1/step"].append(cpu_per_question(graph_survey, people, stepwise))
        runs["plain loop"].append(cpu_per_question(plain_survey, people, ctx))
    print(
        f"{args.respondents} respondents × {args.questions} questions × 2 orders, "
        f"instant scripted model, {args.repeats} runs; CPU ms per question"
    )
    plain = runs["plain loop"]
    print(f"{'':>14} {'min':>7} {'median':>7}   ratio to the plain loop (of medians)")
    for name, values in runs.items():
        ratio = statistics.median(values) / statistics.median(plain)
        print(f"{name:>14} {min(values):7.3f} {statistics.median(values):7.3f}   {ratio:.2f}")


if __name__ == "__main__":
    main()
