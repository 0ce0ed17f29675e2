"""What a run will take before it runs: calls, tokens, prefix-cache prefill, time, money.

Two sources, both through the real interview graph, prompts and answer budgets:

- ``simulate``: from the settings alone. Up to ``SIMULATED`` personas are interviewed by
  stand-in models that answer instantly under stated ``Assumptions`` (how often the
  interviewer follows up, how often the critic flags, how much of its budget an answer
  fills), and the counts are scaled to N. Nothing is started or sent.
- ``pilot``: K personas interviewed for real by the configured models (into a scratch
  directory); what they spent, per persona, scaled to N. With the response cache on, the
  real run's first K personas (same seeds) are then answered from the cache.

Prefill is what an engine with a prefix cache (vLLM's automatic prefix caching, OpenAI's
prompt caching) would compute: each prompt less its longest already-seen prefix, in blocks
(``PrefixMeter``). Time assumes each persona's calls run one after another, ``concurrency``
personas at a time, each call taking ``latency`` seconds plus ``token_latency`` per
generated token.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from interviewer.contracts.persona_files import load_personas
from interviewer.contracts.questionnaire import Questionnaire
from interviewer.interview.context import InterviewContext
from interviewer.interview.graph import build_interview_graph, step_limit
from interviewer.interview.layout import persona_prompt
from interviewer.interview.runner import RunPlan, run_interviews
from interviewer.interview.state import InterviewInput, Method, TurnDict
from interviewer.model import Completion, Model, ModelContext, Request
from interviewer.prompts import load_prompt
from interviewer.settings import ROLES, Price, RoleName, Settings
from interviewer.survey.answering import LETTERS
from interviewer.survey.conditioning import Respondent, from_persona
from interviewer.survey.graph import SurveyContext, SurveyInput, build_survey_graph
from interviewer.usage import Ledger, RoleUsage, cost, recording

SIMULATED = 20
"""Personas the settings estimate interviews (then scales to N)."""
BLOCK_CHARS = 64
"""Prefix-cache block, in characters (vLLM's is 16 tokens, about 64 characters)."""
INTERVIEW_ROLES: tuple[RoleName, ...] = ("interviewer", "persona", "critic")
_PROSE_TEXT = (
    "when I was young we lived near the river and my father worked long shifts at the "
    "mill while my mother kept the house and later she took classes at night because "
    "she wanted more for us than she had been given herself"
)


@dataclass(frozen=True)
class Assumptions:
    """How the stand-in models behave in a settings estimate (a pilot measures them)."""

    followup_rate: float = 0.5
    """Share of follow-up decisions that probe."""
    flag_rate: float = 0.1
    """Share of answers the critic flags (each flag costs a resample and a check)."""
    answer_fill: float = 1.0
    """Share of an answer's token budget the persona uses (base models run to the cap)."""
    chars_per_token: float = 4.0
    """Prompt text to tokens (English, GPT-style tokenizers)."""

    def __post_init__(self) -> None:
        for name in ("followup_rate", "flag_rate", "answer_fill"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be within [0, 1], got {value}")


@dataclass
class RoleEstimate:
    role: str
    model: str
    calls: float = 0.0
    prompt_tokens: float = 0.0
    completion_tokens: float = 0.0
    prefill_tokens: float = 0.0
    """Prompt tokens an engine with a prefix cache would still compute."""

    def usd(self, prices: Mapping[str, Price]) -> float | None:
        """Cost, with the prefix-cached part at the cached price (where one is given)."""
        usage = RoleUsage(
            self.role,
            self.model,
            prompt_tokens=round(self.prompt_tokens),
            cached_tokens=round(self.prompt_tokens - self.prefill_tokens),
            completion_tokens=round(self.completion_tokens),
        )
        return cost(usage, prices)


@dataclass
class Estimate:
    n: int
    source: str
    """``settings`` or ``pilot of K``."""
    roles: list[RoleEstimate]
    seconds: float
    concurrency: int
    latency: float
    notes: list[str] = field(default_factory=list)
    personas: list[Respondent] = field(default_factory=list)
    """The personas it simulated or piloted, as survey respondents."""
    unit: str = "persona(s)"
    """What ``n`` counts."""

    def then(self, other: Estimate) -> Estimate:
        """This estimate followed by ``other`` (a survey of its personas)."""
        return Estimate(
            self.n,
            self.source,
            [*self.roles, *other.roles],
            self.seconds + other.seconds,
            self.concurrency,
            self.latency,
            [*self.notes, *other.notes],
        )

    @property
    def calls(self) -> float:
        return sum(r.calls for r in self.roles)

    @property
    def prompt_tokens(self) -> float:
        return sum(r.prompt_tokens for r in self.roles)

    @property
    def completion_tokens(self) -> float:
        return sum(r.completion_tokens for r in self.roles)

    @property
    def prefill_tokens(self) -> float:
        return sum(r.prefill_tokens for r in self.roles)


@dataclass(frozen=True)
class Pace:
    """How fast calls go, for the time estimate."""

    concurrency: int = 8
    latency: float | None = None
    """Seconds per call; None: measured (pilot) or 1 s (settings)."""
    token_latency: float = 0.0


class PrefixMeter:
    """An unbounded block prefix cache: which part of each prompt is new."""

    def __init__(self) -> None:
        self._seen: set[bytes] = set()

    def new_chars(self, prompt: str) -> int:
        """Characters of ``prompt`` after its longest cached prefix (whole blocks);
        the prompt's blocks are cached from now on."""
        digest = b""
        cached, hit = 0, True
        for start in range(0, len(prompt), BLOCK_CHARS):
            block = prompt[start : start + BLOCK_CHARS]
            digest = hashlib.blake2b(digest + block.encode(), digest_size=16).digest()
            if hit and digest in self._seen and len(block) == BLOCK_CHARS:
                cached += BLOCK_CHARS
            else:
                hit = False
                self._seen.add(digest)
        return len(prompt) - cached


class _Metered(Model):
    """A model whose sent prompts go through a ``PrefixMeter``, per role."""

    def __init__(self, inner: Model | None, role: RoleName, meter: PrefixMeter, **kw: Any) -> None:
        if inner is not None:
            kw = {
                "identity": inner.identity,
                "endpoint": inner.endpoint,
                "defaults": inner.defaults,
                "context": inner.context,
            }
        super().__init__(role, **kw)
        self.inner = inner
        self.meter = meter
        self.prefill: float = 0.0

    @property
    def model_name(self) -> str:
        return self.inner.model_name if self.inner is not None else self.identity

    def request_variant(self) -> str:
        return self.inner.request_variant() if self.inner is not None else ""

    async def aclose(self) -> None:
        if self.inner is not None:
            await self.inner.aclose()

    async def _generate(self, request: Request) -> Completion:
        assert self.inner is not None
        return await self.inner._generate(request)

    async def _call(self, request: Request) -> Completion:
        # The inner model's own call: its limiter and retries, and a replicated model's
        # routing (which has no single provider call to hand out).
        if self.inner is None:
            return await super()._call(request)
        return await self.inner._call(request)

    async def complete(self, request: Request) -> Completion:
        # Cache hits too: the estimate is of a fresh run, whose engine computes them.
        completion = await super().complete(request)
        share = self.meter.new_chars(request.prompt) / max(len(request.prompt), 1)
        self.prefill += share * completion.prompt_tokens
        return completion


class _Simulated(_Metered):
    """Answers instantly as ``Assumptions`` say: prose for the persona, JSON for the
    interviewer's and critic's decisions, drawn from a hash of the request."""

    def __init__(
        self, role: RoleName, model: str, settings: Settings, how: Assumptions, meter: PrefixMeter
    ) -> None:
        super().__init__(
            None,
            role,
            meter,
            identity=model,
            endpoint="simulated://",
            defaults=settings.role(role),
            context=ModelContext(),
        )
        self.how = how

    async def _generate(self, request: Request) -> Completion:
        if request.json_schema is None:
            tokens = max(1, int(request.max_tokens * self.how.answer_fill))
            text = _prose(tokens * self.how.chars_per_token, f"{request.seed}|{request.prompt}")
        else:
            text = json.dumps(self._decision(request))
            tokens = max(1, math.ceil(len(text) / self.how.chars_per_token))
        prompt_tokens = math.ceil(len(request.prompt) / self.how.chars_per_token)
        return Completion(text, "length", prompt_tokens=prompt_tokens, completion_tokens=tokens)

    def _decision(self, request: Request) -> dict[str, Any]:
        draw = _unit(f"{request.seed}|{request.prompt}")
        properties = json.loads(request.json_schema or "{}").get("properties", {})
        if "follow_up" in properties:
            return {"follow_up": draw < self.how.followup_rate, "question": _PROBE}
        if "contradictions" in properties:
            return {"consistent": True, "contradictions": []}
        if draw >= self.how.flag_rate:
            return {"consistent": True, "contradicted_statement": "", "reason": ""}
        return {"consistent": False, "contradicted_statement": "", "reason": "it differs"}


class _SimulatedRespondent(_Metered):
    """Answers a survey item instantly: even logprobs over the letters (or, with
    ``logprobs`` off, a sampled letter and none)."""

    def __init__(
        self, model: str, settings: Settings, how: Assumptions, meter: PrefixMeter
    ) -> None:
        super().__init__(
            None,
            "respondent",
            meter,
            identity=model,
            endpoint="simulated://",
            defaults=settings.respondent,
            context=ModelContext(),
        )
        self.how = how
        self.logprobs = True

    async def _generate(self, request: Request) -> Completion:
        prompt_tokens = math.ceil(len(request.prompt) / self.how.chars_per_token)
        alternatives: tuple[dict[str, float], ...] = ()
        if self.logprobs and request.top_logprobs:
            letters = LETTERS[: request.top_logprobs]
            alternatives = ({f" {c}": -math.log(len(letters)) for c in letters},)
        text = " A" if request.json_schema is None else json.dumps({"answer": "A"})
        return Completion(
            text,
            "length",
            prompt_tokens=prompt_tokens,
            completion_tokens=1,
            top_logprobs=alternatives,
        )


PARTIES = ("Democrat", "Republican")
"""Simulated personas lean to a party in turn (as after ``interviewer demographics``),
so a questionnaire's {IN}/{OUT} questions are asked of all of them."""
_PROBE = "What happened after that, and how did it change the way you saw things?"


def _prose(chars: float, key: str) -> str:
    """English-like text of about ``chars`` characters, drawn afresh for each ``key``
    (like a sampled answer: no two personas say the same)."""
    vocabulary = _PROSE_TEXT.split()
    pick = random.Random(key)
    words: list[str] = []
    length = 0
    while length < chars:
        word = pick.choice(vocabulary)
        words.append(word)
        length += len(word) + 1
    return " " + " ".join(words)


def _unit(key: str) -> float:
    digest = hashlib.blake2b(key.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def model_names(settings: Settings) -> dict[RoleName, str]:
    """Each role's model name as the price table knows it, without starting anything."""
    from interviewer.backends.embedded import MODEL_NAME

    names: dict[RoleName, str] = {}
    for role in ROLES:
        chosen = settings.role(role)
        names[role] = chosen.model or (
            MODEL_NAME if chosen.backend == "embedded" else chosen.backend
        )
    return names


# ── the two estimates ────────────────────────────────────────────────────────


async def simulate(
    settings: Settings, n: int, method: Method, pace: Pace, how: Assumptions
) -> Estimate:
    """The settings estimate: ``min(n, SIMULATED)`` personas on stand-in models."""
    names = model_names(settings)
    meter = PrefixMeter()
    # One engine: the roles share its prefix cache.
    models = {r: _Simulated(r, names[r], settings, how, meter) for r in INTERVIEW_ROLES}
    ctx = _context(settings, models)
    graph = build_interview_graph()
    simulated = min(n, SIMULATED)
    ledger = Ledger()
    personas: list[Respondent] = []
    with recording(ledger):
        for index in range(simulated):
            start = InterviewInput(
                persona_id=f"s{index}", seed=(settings.persona.seed or 0) + index, method=method
            )
            out = await graph.ainvoke(
                start, {"recursion_limit": step_limit(ctx.settings)}, context=ctx
            )
            personas.append(_respondent(f"s{index}", out["transcript"], PARTIES[index % 2]))
    latency = 1.0 if pace.latency is None else pace.latency
    notes = [
        f"from the settings: {simulated} simulated persona(s) scaled to {n}; assumed "
        f"follow-up rate {how.followup_rate:g}, critic flag rate {how.flag_rate:g}, "
        f"answers fill {how.answer_fill:.0%} of their budget, "
        f"{how.chars_per_token:g} characters a token"
    ]
    estimate = _scaled(n, simulated, "settings", ledger, models.values(), pace, latency, notes)
    estimate.personas = personas
    return estimate


def _respondent(rid: str, transcript: list[TurnDict], party: str) -> Respondent:
    """A simulated persona as the survey sees it (``conditioning.from_persona``)."""
    preamble = load_prompt("interview/preamble").render(seed_line="")
    return Respondent(rid, persona_prompt(preamble, transcript).rstrip(), party)


async def simulate_survey(
    settings: Settings,
    respondents: Sequence[Respondent],
    questionnaire: Questionnaire,
    pace: Pace,
    how: Assumptions,
    *,
    total: int | None = None,
    logprobs: bool = True,
    samples: int = 20,
    carry_answers: bool = False,
) -> Estimate:
    """A survey of ``respondents`` (up to ``SIMULATED`` of them, evenly spread, scaled to
    ``total``) on a stand-in respondent: every question asked, under the orders the
    settings' debias scheme gives; ``logprobs`` False: ``samples`` sampled calls each."""
    total = len(respondents) if total is None else total
    step = max(1, math.ceil(len(respondents) / SIMULATED))
    picked = list(respondents)[::step]
    meter = PrefixMeter()
    model = _SimulatedRespondent(model_names(settings)["respondent"], settings, how, meter)
    model.logprobs = logprobs
    ctx = SurveyContext(
        model=model,
        questionnaire=questionnaire,
        carry_answers=carry_answers,
        samples=samples,
        seed=0,
        debias=settings.survey.debias,
    )
    graph = build_survey_graph()
    ledger = Ledger()
    with recording(ledger):
        for respondent in picked:
            ids = [q.id for q in questionnaire.questions if questionnaire.asks(q, respondent.party)]
            start = SurveyInput(
                respondent_id=respondent.id,
                context=respondent.context,
                party=respondent.party,
                question_ids=ids,
            )
            await graph.ainvoke(start, {"recursion_limit": len(ids) + 5}, context=ctx)
    latency = 1.0 if pace.latency is None else pace.latency
    mode = "logprobs" if logprobs else f"{samples} samples per order (no logprobs)"
    notes = [
        f"survey {questionnaire.id}: {len(picked)} of {total} respondent(s) simulated "
        f"and scaled, by {mode}"
    ]
    estimate = _scaled(total, len(picked), "settings", ledger, [model], pace, latency, notes)
    estimate.unit = "respondent(s)"
    return estimate


async def pilot(
    settings: Settings, models: Mapping[RoleName, Model], n: int, k: int, method: Method, pace: Pace
) -> Estimate:
    """The pilot estimate: ``k`` personas interviewed for real, scaled to ``n``."""
    meter = PrefixMeter()
    metered = {r: _Metered(models[r], r, meter) for r in INTERVIEW_ROLES}
    ctx = _context(settings, metered)
    ledger = Ledger()
    with tempfile.TemporaryDirectory(prefix="interviewer-pilot-") as scratch:
        plan = RunPlan(
            out=Path(scratch),
            n=k,
            method=method,
            concurrency=k,
            base_seed=settings.persona.seed or 0,
        )
        started = time.perf_counter()
        with recording(ledger):
            summary = await run_interviews(plan, ctx, {})
        wall = time.perf_counter() - started
        made = [from_persona(p) for p in load_personas(plan.out)] if summary.done else []
    sent = sum(e.calls - e.cached_calls for e in ledger.entries.values())
    calls = max(sum(e.calls for e in ledger.entries.values()), 1)
    measured = wall * min(k, summary.total) / calls  # one persona's calls run in sequence
    latency = measured if pace.latency is None else pace.latency
    notes = [
        f"from a pilot of {k} persona(s) ({summary.done} made, {summary.failed} failed) "
        f"scaled to {n}; {sent} of {calls} calls sent (the rest from the response cache); "
        f"measured {measured:.2f} s per call"
    ]
    estimate = _scaled(n, k, f"pilot of {k}", ledger, metered.values(), pace, latency, notes)
    # Not asked the demographics yet: each leans to a party in turn, as simulated ones do.
    estimate.personas = [replace(r, party=PARTIES[i % 2]) for i, r in enumerate(made)]
    return estimate


def pilot_estimate(settings: Settings, n: int, k: int, method: Method, pace: Pace) -> Estimate:
    """``pilot`` on the configured models, started here and stopped after."""
    from interviewer.pool import ModelPool

    with ModelPool(settings, roles=INTERVIEW_ROLES) as pool:
        models = {role: pool.model(role) for role in INTERVIEW_ROLES}
        return pool.run(pilot(settings, models, n, k, method, pace))


def _context(settings: Settings, models: Mapping[RoleName, Model]) -> InterviewContext:
    return InterviewContext(
        interviewer=models["interviewer"],
        persona=models["persona"],
        critic=models["critic"],
        settings=settings.interview,
        words_target=settings.interview.words_target(settings.persona.backend),
    )


def _scaled(
    n: int,
    made: int,
    source: str,
    ledger: Ledger,
    models: Iterable[_Metered],
    pace: Pace,
    latency: float,
    notes: list[str],
) -> Estimate:
    scale = n / max(made, 1)
    prefill = {m.role: m.prefill for m in models}
    roles = []
    for (role, model), entry in ledger.entries.items():
        # Calls the response cache answered count as sent: the estimate is of a fresh run.
        prompt = entry.prompt_tokens + entry.saved_prompt_tokens
        metered = prefill.get(role, prompt)
        roles.append(
            RoleEstimate(
                role,
                model,
                calls=entry.calls * scale,
                prompt_tokens=prompt * scale,
                completion_tokens=(entry.completion_tokens + entry.saved_completion_tokens) * scale,
                prefill_tokens=metered * scale,
            )
        )
    per_persona_calls = sum(r.calls for r in roles) / max(n, 1)
    per_persona_tokens = sum(r.completion_tokens for r in roles) / max(n, 1)
    chain = per_persona_calls * latency + per_persona_tokens * pace.token_latency
    seconds = math.ceil(n / pace.concurrency) * chain
    return Estimate(n, source, _in_role_order(roles), seconds, pace.concurrency, latency, notes)


def _in_role_order(roles: Sequence[RoleEstimate]) -> list[RoleEstimate]:
    order: list[str] = list(ROLES)
    return sorted(roles, key=lambda r: order.index(r.role) if r.role in order else len(order))
