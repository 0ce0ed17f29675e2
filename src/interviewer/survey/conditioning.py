"""What a respondent is told before each question: its backstory or a demographic profile.

``backstory`` conditions on the persona's own transcript (interview or Anthology). The
demographic-prompting baselines of the papers build a context from a profile instead:
``qa`` ("Q: What is your age? A: 30-49"), ``bio`` (first-person sentences) and
``portray`` (the same in the second person). Baselines take one profile per human in a
human-response file, so all methods are compared on the same people.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from interviewer.contracts.choices import CONDITIONINGS as CONDITIONINGS
from interviewer.contracts.choices import Conditioning as Conditioning
from interviewer.contracts.demographics import party_of, traits
from interviewer.contracts.humans import HumanData
from interviewer.contracts.persona import Persona
from interviewer.interview.layout import persona_prompt
from interviewer.interview.state import TurnDict
from interviewer.prompts import load_prompt


@dataclass(frozen=True)
class Respondent:
    """One virtual respondent: who it is and the context it answers in."""

    id: str
    context: str
    party: str | None
    """Democrat or Republican when known; resolves {IN}/{OUT}."""


def truncated(persona: Persona, questions: int) -> Persona:
    """The persona as if interviewed on its first ``questions`` AVP questions only.

    Keeps every turn (follow-ups included) of those questions and their critic
    verdicts; an Anthology backstory has no AVP questions and is returned unchanged.
    """
    if persona.method != "interview":
        return persona
    asked: list[str] = []
    for turn in persona.transcript:
        if turn.kind == "question" and turn.question_id and turn.question_id not in asked:
            asked.append(turn.question_id)
    keep = set(asked[:questions])
    turns = [t for t in persona.transcript if t.question_id in keep]
    kept = len(turns)
    return persona.model_copy(
        update={
            "transcript": turns,
            "critic": [v for v in persona.critic if v.turn < kept],
            "final_check": None,
            "stats": persona.stats.model_copy(
                update={"words": sum(len(t.text.split()) for t in turns if t.role == "persona")}
            ),
        }
    )


def from_persona(persona: Persona) -> Respondent:
    preamble = load_prompt("interview/preamble").render(seed_line="")
    turns = [
        TurnDict(role=t.role, text=t.text, question_id=t.question_id, kind=t.kind)
        for t in persona.transcript
    ]
    context = persona_prompt(preamble, turns).rstrip()
    return Respondent(persona.id, context, leaning_party(persona.demographics.get("party", {})))


def leaning_party(distribution: Mapping[str, float]) -> str | None:
    """Democrat or Republican, whichever the persona finds more likely.

    Pew counts independents who lean to a party as partisans; a persona "leans" the
    same way. None when it leans to neither: no probability on either party, or an
    exact tie (a tie is no lean; such personas are not asked {IN}/{OUT} questions and
    the survey counts them among those not asked).
    """
    dem, rep = distribution.get("Democrat", 0.0), distribution.get("Republican", 0.0)
    if dem == rep:
        return None
    return "Democrat" if dem > rep else "Republican"


def from_profile(respondent_id: str, profile: dict[str, str], method: Conditioning) -> Respondent:
    questions = traits()
    known = [(questions[t], profile[t]) for t in questions if t in profile]
    if method == "qa":
        lines = [f"Q: {q.text}\nA: {value}" for q, value in known]
    else:
        lines = [
            ((q.bio if method == "bio" else q.portray) or "").replace("{value}", value)
            for q, value in known
        ]
    separator = "\n" if method == "qa" else " "
    return Respondent(respondent_id, separator.join(lines), party_of(profile))


def from_humans(humans: HumanData, method: Conditioning) -> list[Respondent]:
    return [from_profile(rid, humans.profile(row), method) for row, rid in enumerate(humans.ids)]
