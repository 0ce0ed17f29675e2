"""The simulated engine: every role a model plays, deterministically, from the request.

It reads only what a real model would read — the prompt, the seed, the schema — and
answers as the known-answer world says (``simulated.world``):

- **persona**: the life story of a sampled person (``Sim-<index>`` in its name; the
  first answer's seed picks the person). An interview states the demographic traits in
  its first answer and one latent trait in each of ``REVEALS``' questions; an Anthology
  backstory states the traits and only ``anthology_latents``. With ``plant_rate`` a later
  answer states a wrong value of one trait: a planted contradiction.
- **critic** / **final check**: compares the traits stated in the answers and flags any
  stated twice with different values, quoting the earlier statement.
- **interviewer**: follows up with ``followup_rate``.
- **respondent**: reads the traits stated anywhere in its context (backstory, QA, bio,
  portray, expert notes), answers demographic questions with them, and any other item
  with the response model's distribution over the options *as listed in the prompt*
  (the letters map to that order, as a real model sees it).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np

from interviewer.contracts.demographics import traits
from interviewer.paths import resource_dir
from interviewer.simulated import world
from interviewer.yaml_io import load_yaml

PERSONA_OFFSET = 1_000_000
"""Personas are people of the population after the humans' index range."""
REVEALS = {"avp02": "optimism", "avp04": "trust", "avp06": "resentment"}
"""The AVP question whose answer states each latent trait."""
DEMOGRAPHIC_CONFIDENCE = 0.94
"""Probability the demographics respondent puts on a stated trait value."""
NAMES = ("Alex", "Jordan", "Casey", "Riley", "Morgan", "Taylor", "Jamie", "Avery", "Quinn")
FILLER = (
    "I remember that time well, and I think about it more than I let on.",
    "It was not always easy, but the people around me helped me through it.",
    "Looking back, I would not change much about how it went.",
)
PROBES = ("Could you tell me more about that?", "What happened after that?")
_NAME = re.compile(r"Sim-(\d+)")
_LATENT = re.compile(r"my (" + "|".join(world.LATENTS) + r") is ([+-]\d+\.\d+)")
_ANSWER = re.compile(r"Me: (.+?)\n\n", re.DOTALL)
_SENTENCE = re.compile(r"[^.!?]*[.!?]")


@dataclass(frozen=True)
class EngineConfig:
    seed: int = 0
    """The world: which population, which item parameters."""
    plant_rate: float = 0.15
    """Share of later interview answers that state a wrong trait value."""
    followup_rate: float = 0.3
    anthology_latents: tuple[str, ...] = ("optimism",)
    """Latent traits an Anthology backstory states (the interview states all)."""


@dataclass
class EngineLog:
    """What the engine did, for tests: planted contradictions by persona index."""

    planted: list[tuple[int, str]] = field(default_factory=list)
    calls: dict[str, int] = field(default_factory=dict)

    def count(self, role: str) -> None:
        self.calls[role] = self.calls.get(role, 0) + 1


def unit(*parts: object) -> float:
    """A uniform number in [0, 1) fixed by ``parts``."""
    digest = hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


# ── what the text says about a person ───────────────────────────────────────


@cache
def _trait_patterns() -> dict[str, list[re.Pattern[str]]]:
    patterns: dict[str, list[re.Pattern[str]]] = {}
    for trait, q in traits().items():
        values = "|".join(re.escape(o) for o in sorted(q.options, key=len, reverse=True))
        found = [re.compile(re.escape(f"Q: {q.text}\nA: ") + f"({values})(?=\\n|$)")]
        for template in (q.bio, q.portray):
            if template:
                head, _, tail = template.partition("{value}")
                found.append(re.compile(re.escape(head) + f"({values})" + re.escape(tail)))
        patterns[trait] = found
    return patterns


@dataclass(frozen=True)
class Statement:
    trait: str
    value: str
    start: int
    sentence: str


def statements(text: str) -> list[Statement]:
    """Every trait statement in ``text``, in the order they appear."""
    found: list[Statement] = []
    for trait, patterns in _trait_patterns().items():
        for pattern in patterns:
            for match in pattern.finditer(text):
                found.append(Statement(trait, match.group(1), match.start(), match.group(0)))
    for match in _LATENT.finditer(text):
        found.append(Statement(match.group(1), match.group(2), match.start(), match.group(0)))
    return sorted(found, key=lambda s: s.start)


def read_traits(text: str) -> tuple[dict[str, str], dict[str, float]]:
    """The demographic traits and latent values ``text`` states (the last statement of
    each wins: a contradiction left standing changes the answer)."""
    known: dict[str, str] = {}
    latent: dict[str, float] = {}
    for s in statements(text):
        if s.trait in world.LATENTS:
            latent[s.trait] = float(s.value)
        else:
            known[s.trait] = s.value
    return known, latent


def trait_sentence(trait: str, value: str) -> str:
    template = traits()[trait].bio or f"My {trait} is {{value}}."
    return template.replace("{value}", value)


def latent_sentence(name: str, value: float) -> str:
    return f"On a scale where 0 is the average American, my {name} is {value:+.2f}."


# ── persona ──────────────────────────────────────────────────────────────────


@cache
def avp_ids() -> dict[str, str]:
    path = resource_dir("prompts") / "interview" / "avp_questions.yaml"
    entries: list[dict[str, str]] = load_yaml(path.read_text(encoding="utf-8"))
    return {e["text"].strip(): e["id"] for e in entries}


def persona_of(prompt: str, seed: int | None, config: EngineConfig) -> world.Person:
    named = _NAME.search(prompt)
    index = int(named.group(1)) if named else PERSONA_OFFSET + int(unit("who", seed) * 10**9)
    return world.person(config.seed, index)


def introduction(p: world.Person, latents: Sequence[str]) -> str:
    name = NAMES[p.index % len(NAMES)]
    parts = [f"My name is {name} Sim-{p.index}."]
    parts += [trait_sentence(t, v) for t, v in p.traits.items()]
    parts += [latent_sentence(n, p.latent[n]) for n in latents]
    return " ".join(parts)


def persona_answer(prompt: str, seed: int | None, config: EngineConfig, log: EngineLog) -> str:
    p = persona_of(prompt, seed, config)
    if prompt.rstrip().endswith("Answer:"):  # an Anthology backstory
        return introduction(p, config.anthology_latents)
    asked = prompt.rsplit("Interviewer: ", 1)[-1].removesuffix("\n\nMe:").strip()
    question = avp_ids().get(asked)
    if question == "avp01" or not _NAME.search(prompt):
        return introduction(p, ())
    parts = [FILLER[int(unit("filler", seed) * len(FILLER))]]
    if question in REVEALS:
        name = REVEALS[question]
        parts.append(latent_sentence(name, p.latent[name]))
    if unit("plant", seed) < config.plant_rate:
        trait = ("age", "region", "education")[int(unit("which", seed) * 3)]
        wrong = [o for o in world.options_of(trait) if o != p.traits[trait]]
        parts.append(trait_sentence(trait, wrong[int(unit("wrong", seed) * len(wrong))]))
        log.planted.append((p.index, trait))
    return " ".join(parts)


# ── critic, final check, interviewer ────────────────────────────────────────


def answers_in(prompt: str) -> list[str]:
    return [m.group(1) for m in _ANSWER.finditer(prompt)]


def conflicts(earlier: Sequence[str], latest: str) -> list[tuple[Statement, Statement]]:
    """(earlier statement, new statement) pairs giving one trait two values."""
    first: dict[str, Statement] = {}
    for text in earlier:
        for s in statements(text):
            first.setdefault(s.trait, s)
    return [
        (first[s.trait], s)
        for s in statements(latest)
        if s.trait in first and first[s.trait].value != s.value
    ]


def critic_reply(prompt: str) -> dict[str, Any]:
    said = answers_in(prompt)
    found = conflicts(said[:-1], said[-1]) if said else []
    if not found:
        return {"consistent": True, "contradicted_statement": "", "reason": ""}
    before, now = found[0]
    return {
        "consistent": False,
        "contradicted_statement": before.sentence[:120],
        "reason": f"{now.trait}: {before.value} before, {now.value} now"[:120],
    }


def final_reply(prompt: str) -> dict[str, Any]:
    said = answers_in(prompt)
    found = [
        f"{now.trait}: {before.value} vs {now.value}"[:120]
        for i in range(1, len(said))
        for before, now in conflicts(said[:i], said[i])
    ]
    return {"consistent": not found, "contradictions": found[:3]}


def followup_reply(prompt: str, seed: int | None, config: EngineConfig) -> dict[str, Any]:
    follow = unit("follow", seed, len(prompt)) < config.followup_rate
    return {"follow_up": follow, "question": PROBES[int(unit("probe", seed) * len(PROBES))]}


def structured_reply(
    schema: Mapping[str, Any], prompt: str, seed: int | None, config: EngineConfig
) -> dict[str, Any]:
    props = schema.get("properties", {})
    if "follow_up" in props:
        return followup_reply(prompt, seed, config)
    if "contradictions" in props:
        return final_reply(prompt)
    if "contradicted_statement" in props:
        return critic_reply(prompt)
    raise ValueError(f"simulated engine: no role answers a schema with {sorted(props)}")


# ── respondent ───────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class SurveyItem:
    context: str
    question: str
    options: list[str]
    """As listed in the prompt: option j is letter j."""


_OPTION = re.compile(r"^([A-Z])\. (.*)$")


def survey_item(prompt: str) -> SurveyItem | None:
    """The question and its listed options, if ``prompt`` asks one."""
    head, sep, tail = prompt.rpartition("Question: ")
    if not sep:
        return None
    lines = tail.split("\n")
    first = next((i for i, line in enumerate(lines) if line.startswith("A. ")), None)
    if first is None:
        return None
    options: list[str] = []
    for line in lines[first:]:
        match = _OPTION.match(line)
        if not match or match.group(1) != chr(ord("A") + len(options)):
            break
        options.append(match.group(2))
    if len(options) < 2:
        return None
    return SurveyItem(head, "\n".join(lines[:first]).strip(), options)


def respondent_probs(item: SurveyItem) -> list[float]:
    known, latent = read_traits(item.context)
    trait = _demographic_question(item)
    if trait is None:
        return world.probs_given(item.question, item.options, known, latent)
    value = known.get(trait)
    if value is None:
        return [1.0 / len(item.options)] * len(item.options)
    rest = (1.0 - DEMOGRAPHIC_CONFIDENCE) / (len(item.options) - 1)
    return [DEMOGRAPHIC_CONFIDENCE if o == value else rest for o in item.options]


def _demographic_question(item: SurveyItem) -> str | None:
    for trait, q in traits().items():
        if q.text == item.question and set(q.options) == set(item.options):
            return trait
    return None


def letter_logprobs(probs: Sequence[float]) -> dict[str, float]:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return {f" {letters[i]}": math.log(max(p, 1e-12)) for i, p in enumerate(probs)}


def sampled_letter(probs: Sequence[float], seed: int | None, prompt: str) -> str:
    rng = np.random.default_rng(int(unit("sample", seed, prompt) * 2**63))
    return " " + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[int(rng.choice(len(probs), p=probs))]


def reflection(prompt: str) -> str:
    """An expert's notes: the person's own statements, repeated."""
    said = " ".join(s.sentence.strip() for s in statements(prompt))
    return f"This person told us: {said}" if said else "This person said little about themselves."
