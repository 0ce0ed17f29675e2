"""The survey graph: one respondent answers a questionnaire, question by question.

START ──► [reflect_once] ──► answer_question ──► answer_question … ──► END

A step of ``answer_question`` answers ``SurveyContext.questions_per_step`` questions in
order (all of them by default; 1 for a state update per answer). The answers are the same
at any step size; what differs is LangGraph's cost per step, nearly as much CPU as
answering a question on an instant model (bench/survey_overhead.py).

Each node routes on with a ``Command`` (its ``goto``) rather than through a conditional
edge: LangGraph runs a conditional edge as a traced runnable of its own, a sync one on a
thread-pool executor, which was a fifth of the survey's CPU per question. Only START
keeps a conditional edge, once per respondent.

Each answer is a distribution over the options; the drawn ``answer`` uses a seed
derived from (run seed, respondent, question), so it does not depend on run order.
"""

from __future__ import annotations

import hashlib
import operator
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, TypedDict

import numpy as np
from langgraph.graph import START, StateGraph
from langgraph.runtime import Runtime
from langgraph.types import Command

from interviewer.contracts.questionnaire import Questionnaire
from interviewer.model import Model
from interviewer.settings import DebiasScheme
from interviewer.survey.answering import ask, option_orders
from interviewer.survey.genagent import ask_with_reasoning, reflect


class AnswerDict(TypedDict):
    question_id: str
    probs: list[float]
    answer: int
    letter_mass: float
    mode: str
    debias: str


@dataclass(kw_only=True)
class SurveyInput:
    """One respondent and the questions still to ask it."""

    respondent_id: str
    context: str
    """Backstory or demographic profile, put before every question."""
    party: str | None = None
    """Resolves the {IN}/{OUT} placeholders."""
    question_ids: list[str]


@dataclass(kw_only=True)
class SurveyState(SurveyInput):
    position: int = 0
    """Index into ``question_ids`` of the next question."""
    history: str = ""
    """Earlier questions and drawn answers, when the run carries them."""
    reflections: str | None = None
    """GenAgent only: the expert reflections, built once per respondent."""
    answers: Annotated[list[AnswerDict], operator.add] = field(default_factory=list)
    """One entry per question answered, in order."""


@dataclass(kw_only=True)
class SurveyOutput:
    respondent_id: str
    answers: list[AnswerDict]


@dataclass(frozen=True)
class SurveyContext:
    model: Model
    questionnaire: Questionnaire
    carry_answers: bool = False
    """Show each respondent its earlier answers (sequential survey)."""
    samples: int = 20
    """Sampled answers per order when the endpoint has no logprobs."""
    seed: int = 0
    genagent: bool = False
    """Answer through expert reflections and reasoning (the GenAgent baseline)."""
    debias: DebiasScheme | None = None
    """Option-order scheme (``scoring.option_orders``); None: the questionnaire's."""
    questions_per_step: int | None = None
    """Questions one step of the graph answers, in order; None: all of them. 1 makes each
    answer a step of its own (a state update in streams and Studio); the answers are the
    same either way, and all at once spends about 60% of the CPU per question of a step
    each (bench/survey_overhead.py)."""

    def __post_init__(self) -> None:
        if self.questions_per_step is not None and self.questions_per_step < 1:
            raise ValueError(
                f"questions_per_step must be at least 1, got {self.questions_per_step}"
            )


Next = Literal["answer_question", "__end__"]


async def reflect_once(state: SurveyState, runtime: Runtime[SurveyContext]) -> Command[Next]:
    seed = derived_seed(runtime.context.seed, state.respondent_id, "reflections")
    reflections = await reflect(runtime.context.model, state.context, seed)
    return Command(update={"reflections": reflections}, goto=more_questions(state.position, state))


async def answer_question(state: SurveyState, runtime: Runtime[SurveyContext]) -> Command[Next]:
    """The next ``questions_per_step`` questions, one after another (the history of each
    shows the answers before it)."""
    ctx = runtime.context
    total = len(state.question_ids)
    step = total if ctx.questions_per_step is None else ctx.questions_per_step
    last = min(state.position + step, total)
    history, answers = state.history, []
    for position in range(state.position, last):
        answer, history = await answer_one(ctx, state, position, history)
        answers.append(answer)
    update: dict[str, Any] = {"position": last, "answers": answers}
    if ctx.carry_answers:
        update["history"] = history
    return Command(update=update, goto=more_questions(last, state))


async def answer_one(
    ctx: SurveyContext, state: SurveyState, position: int, history: str
) -> tuple[AnswerDict, str]:
    """Question ``position`` of ``state``, after ``history``; the answer and the history
    that follows it."""
    question = ctx.questionnaire.by_id[state.question_ids[position]]
    text = question.resolve(state.party)
    seed = derived_seed(ctx.seed, state.respondent_id, question.id)
    orders, debias = option_orders(
        ctx.questionnaire,
        question,
        ctx.debias,
        derived_seed(ctx.seed, state.respondent_id, f"{question.id}|orders"),
    )
    if ctx.genagent:
        result = await ask_with_reasoning(
            ctx.model, state.reflections or "", text, question.options, orders, ctx.samples, seed
        )
    else:
        result = await ask(
            ctx.model, state.context, history, text, question.options, orders, ctx.samples, seed
        )
    probs = np.asarray(result.probs, dtype=float)
    probs = probs / probs.sum()
    drawn = int(np.random.default_rng(seed).choice(len(probs), p=probs))
    answer = AnswerDict(
        question_id=question.id,
        probs=probs.tolist(),
        answer=drawn,
        letter_mass=result.letter_mass,
        mode=result.mode,
        debias=debias,
    )
    if ctx.carry_answers:
        history = f"{history}Question: {text}\nAnswer: {question.options[drawn]}\n\n"
    return answer, history


def more_questions(position: int, state: SurveyState) -> Next:
    """Where to go with ``position`` the index of the next question."""
    return "answer_question" if position < len(state.question_ids) else "__end__"


async def start(
    state: SurveyState, runtime: Runtime[SurveyContext]
) -> Literal["reflect_once", "answer_question", "__end__"]:
    # async: LangGraph would run a sync router on a thread-pool executor.
    if runtime.context.genagent and state.reflections is None and state.question_ids:
        return "reflect_once"
    return more_questions(state.position, state)


def derived_seed(seed: int, respondent_id: str, question_id: str) -> int:
    digest = hashlib.sha256(f"{seed}|{respondent_id}|{question_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


def build_survey_graph() -> Any:
    builder = StateGraph(
        SurveyState,
        context_schema=SurveyContext,
        input_schema=SurveyInput,
        output_schema=SurveyOutput,
    )
    builder.add_node("reflect_once", reflect_once)
    builder.add_node("answer_question", answer_question)
    builder.add_conditional_edges(START, start)
    return builder.compile(name="survey")
