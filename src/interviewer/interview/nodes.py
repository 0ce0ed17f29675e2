"""The interview's nodes and routers.

ask ─► answer ─► critic ─► accept ─► ask ... ─► final_check
          ▲         │
          └─repair◄─┘   (bounded by interview.max_repairs)
"""

from __future__ import annotations

from typing import Any, Literal, TypeVar

from langgraph.runtime import Runtime
from pydantic import BaseModel

from interviewer.errors import ModelOutputError
from interviewer.interview.context import CHAT_NAMES, InterviewContext, aresolve, resolve
from interviewer.interview.layout import (
    PERSONA_STOPS,
    answer_turn,
    clean_answer,
    locate_statement,
    persona_messages,
    persona_prompt,
    words,
)
from interviewer.interview.replies import CriticReply, FinalReply, FollowUpReply
from interviewer.interview.state import InterviewState, TurnDict, UsageDict, VerdictDict
from interviewer.model import Completion, Model
from interviewer.pool import StudioContext
from interviewer.prompts import Message

R = TypeVar("R", bound=BaseModel)
ANTHOLOGY_QUESTION = "Tell me about yourself."
GENERIC_PROBE = "Could you tell me more about that?"
MIN_ANSWER_TOKENS = 40
TOKENS_PER_WORD = 1.4  # English prose, for budgeting only

Update = dict[str, Any]


# ── nodes ────────────────────────────────────────────────────────────────────


async def ask(state: InterviewState, runtime: Runtime[InterviewContext | StudioContext]) -> Update:
    """The interviewer: a follow-up on the last answer, else the next AVP question."""
    ctx = await aresolve(runtime.context)
    if state.method == "anthology":
        if state.transcript:
            return {"done": True}
        return {"transcript": [_turn("interviewer", ANTHOLOGY_QUESTION, "anthology", "question")]}
    update: Update = {}
    if _may_follow_up(state, ctx):
        probe, completion = await _decide_followup(state, ctx)
        update["usage"] = _usage(ctx.interviewer, completion)
        if probe:
            question_id = state.transcript[-1]["question_id"]
            return {
                **update,
                "followups": state.followups + 1,
                "transcript": [_turn("interviewer", probe, question_id, "followup")],
            }
    index = state.question_index + 1
    if index >= len(ctx.questions):
        return {**update, "done": True}
    question = ctx.questions[index]
    return {
        **update,
        "question_index": index,
        "followups": 0,
        "transcript": [_turn("interviewer", question.text, question.id, "question")],
    }


async def answer(
    state: InterviewState, runtime: Runtime[InterviewContext | StudioContext]
) -> Update:
    """The persona: a base model completes the transcript as the interviewee (a chat
    model answers the interviewer's turns as user messages)."""
    ctx = await aresolve(runtime.context)
    anthology = state.method == "anthology"
    budget = ctx.settings.anthology_tokens if anthology else _budget(state, ctx)
    sampling = {"max_tokens": budget, "stop": PERSONA_STOPS, "seed": _call_seed(state, "persona")}
    if ctx.persona.chat:
        request = ctx.persona.chat_request(_persona_messages(state, ctx), **sampling)
    else:
        prompt = ctx.prompt("anthology").render() if anthology else _document(state, ctx)
        request = ctx.persona.request(prompt, **sampling)
    completion = await ctx.persona.complete(request)
    return {
        "draft": clean_answer(completion.text, completion.finish_reason),
        "draft_tokens": completion.completion_tokens,
        "usage": _usage(ctx.persona, completion),
    }


async def critic(
    state: InterviewState, runtime: Runtime[InterviewContext | StudioContext]
) -> Update:
    """Is the draft consistent with everything the persona said before?"""
    ctx = await aresolve(runtime.context)
    draft = state.draft or ""
    if not draft:
        return {"pending": _verdict(state, False, reason="empty answer")}
    prompt = _role_prompt(ctx.critic, ctx, "critic", _document(state, ctx, draft))
    reply, completion = await _structured(ctx.critic, prompt, CriticReply, state)
    quote = reply.contradicted_statement.strip() or None
    pending = _verdict(
        state,
        reply.consistent,
        contradiction=None if reply.consistent else quote,
        reason=reply.reason.strip() or None,
        contradicted_turn=None
        if reply.consistent or not quote
        else locate_statement(quote, state.transcript),
    )
    return {"pending": pending, "usage": _usage(ctx.critic, completion)}


def repair(state: InterviewState) -> Update:
    """Reject the draft, keep it on record, and resample with a fresh seed."""
    assert state.pending is not None
    rejected = VerdictDict(**{**state.pending, "action": "repaired", "rejected_text": state.draft})
    return {"verdicts": [rejected], "pending": None, "draft": None, "attempt": state.attempt + 1}


def accept(state: InterviewState) -> Update:
    """Put the draft into the transcript (flagged, if repairs ran out)."""
    if not state.draft:
        raise ModelOutputError(
            f"the persona model gave {state.attempt + 1} empty answer(s) in a row "
            f"to {state.transcript[-1]['question_id']}"
        )
    question_id = state.transcript[-1]["question_id"]
    update: Update = {
        "transcript": [_turn("persona", state.draft, question_id, "answer")],
        "tokens": state.draft_tokens,
        "draft": None,
        "draft_tokens": 0,
        "attempt": 0,
        "pending": None,
    }
    if state.pending is not None:
        update["verdicts"] = [VerdictDict(**{**state.pending, "action": "kept"})]
    return update


async def final_check(
    state: InterviewState, runtime: Runtime[InterviewContext | StudioContext]
) -> Update:
    """One pass over the whole transcript for contradictions the per-answer checks missed."""
    ctx = await aresolve(runtime.context)
    prompt = _role_prompt(ctx.critic, ctx, "final_check", _document(state, ctx))
    reply, completion = await _structured(ctx.critic, prompt, FinalReply, state)
    found = [c.strip() for c in reply.contradictions if c.strip()]
    return {
        "final_check": {"consistent": reply.consistent and not found, "contradictions": found},
        "usage": _usage(ctx.critic, completion),
    }


# ── routers ──────────────────────────────────────────────────────────────────


def after_ask(
    state: InterviewState, runtime: Runtime[InterviewContext | StudioContext]
) -> Literal["answer", "final_check", "__end__"]:
    if not state.done:
        return "answer"
    settings = resolve(runtime.context).settings
    # The final pass is the critic's too: critic off (the H3 ablation) means no checking.
    final = state.method == "interview" and settings.final_check and settings.critic
    return "final_check" if final else "__end__"


def after_answer(
    state: InterviewState, runtime: Runtime[InterviewContext | StudioContext]
) -> Literal["critic", "accept"]:
    use_critic = state.method == "interview" and resolve(runtime.context).settings.critic
    return "critic" if use_critic else "accept"


def after_critic(
    state: InterviewState, runtime: Runtime[InterviewContext | StudioContext]
) -> Literal["repair", "accept"]:
    assert state.pending is not None
    if (
        state.pending["consistent"]
        or state.attempt >= resolve(runtime.context).settings.max_repairs
    ):
        return "accept"
    return "repair"


# ── helpers ──────────────────────────────────────────────────────────────────


def _may_follow_up(state: InterviewState, ctx: InterviewContext) -> bool:
    last = state.transcript[-1] if state.transcript else None
    return bool(last and last["kind"] == "answer" and state.followups < ctx.settings.max_followups)


async def _decide_followup(
    state: InterviewState, ctx: InterviewContext
) -> tuple[str | None, Completion]:
    reply = state.transcript[-1]["text"]
    prompt = _role_prompt(ctx.interviewer, ctx, "followup", _document(state, ctx), words(reply))
    decision, completion = await _structured(ctx.interviewer, prompt, FollowUpReply, state)
    if not decision.follow_up:
        return None, completion
    probe = decision.question.strip()
    # A decision to probe with no usable question still probes, generically.
    return (probe if words(probe) >= 3 and probe.endswith("?") else GENERIC_PROBE), completion


def _role_prompt(
    model: Model, ctx: InterviewContext, name: str, document: str, length: int | None = None
) -> str | tuple[Message, ...]:
    """The interviewer's or critic's prompt: the document with the ``name`` note after
    it, or for a chat model a system message and the document with a shorter note.
    ``length``: the last answer's words, which the follow-up note names."""
    values = {} if length is None else {"words": length}
    if model.chat:
        return ctx.chat_prompt(CHAT_NAMES[name]).render(transcript=document, **values)
    return document + ctx.prompt(name).render(**values)


def _persona_messages(state: InterviewState, ctx: InterviewContext) -> tuple[Message, ...]:
    if state.method == "anthology":
        return ctx.chat_prompt("anthology").render()
    system = ctx.prompt_file("chat/persona.system").render(seed_line=_seed_line(state.seed_text))
    return persona_messages(system, state.transcript)


async def _structured(
    model: Model, prompt: str | tuple[Message, ...], schema: type[R], state: InterviewState
) -> tuple[R, Completion]:
    """A structured call; one sampled retry if the first reply does not parse.

    Seeded like every call in an interview, so a replayed interview asks the same
    requests and the response cache answers them."""
    seed = _call_seed(state, model.role)
    try:
        parsed = await model.structured(prompt, schema, seed=seed)
    except ModelOutputError:
        parsed = await model.structured(prompt, schema, temperature=0.7, seed=seed + 1)
    return parsed.value, parsed.completion


def _document(state: InterviewState, ctx: InterviewContext, draft: str | None = None) -> str:
    """The interview so far as one document, which every role's prompt starts with.

    The persona continues it; the interviewer and critic read it with a staff note
    appended. Each call's prompt thus extends the last one's up to the newest answer, and
    a prefix-caching engine prefills each answer once, not once per role
    (bench/prefix_reuse.py)."""
    preamble = ctx.prompt("preamble").render(seed_line=_seed_line(state.seed_text))
    document = persona_prompt(preamble, state.transcript)
    return document + answer_turn(draft) if draft is not None else document


def _budget(state: InterviewState, ctx: InterviewContext) -> int:
    said = sum(words(t["text"]) for t in state.transcript if t["role"] == "persona")
    slots_left = max(len(ctx.questions) - state.question_index, 1)
    per_slot = max(ctx.words_target - said, 0) / slots_left * TOKENS_PER_WORD
    return int(min(max(per_slot, MIN_ANSWER_TOKENS), ctx.persona.defaults.max_tokens))


def _call_seed(state: InterviewState, role: str) -> int:
    # Deterministic per persona, turn, attempt and role: a resumed run replays the
    # same calls (and hits the response cache) instead of sampling new ones.
    salt = sum(map(ord, role))
    return (state.seed * 1_000_003 + len(state.transcript) * 101 + state.attempt * 7 + salt) % (
        2**31
    )


def _seed_line(seed_text: str | None) -> str:
    return f" This interviewee is {seed_text.strip().rstrip('.')}." if seed_text else ""


def _turn(
    role: Literal["interviewer", "persona"],
    text: str,
    question_id: str | None,
    kind: Literal["question", "followup", "answer"],
) -> TurnDict:
    return TurnDict(role=role, text=text, question_id=question_id, kind=kind)


def _verdict(
    state: InterviewState,
    consistent: bool,
    *,
    contradiction: str | None = None,
    contradicted_turn: int | None = None,
    reason: str | None = None,
) -> VerdictDict:
    return VerdictDict(
        turn=len(state.transcript),
        attempt=state.attempt,
        consistent=consistent,
        contradiction=contradiction,
        contradicted_turn=contradicted_turn,
        reason=reason,
        action="kept",
        rejected_text=None,
    )


def _usage(model: Model, completion: Completion) -> dict[str, UsageDict]:
    return {
        model.role: UsageDict(
            calls=1,
            prompt_tokens=completion.prompt_tokens,
            completion_tokens=completion.completion_tokens,
        )
    }
