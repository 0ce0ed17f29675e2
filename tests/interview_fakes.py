"""Scripted models that play an interview: persona, interviewer and critic."""

from __future__ import annotations

import json
from collections.abc import Callable

from interviewer.interview.context import InterviewContext
from interviewer.model import Request
from interviewer.settings import InterviewSettings, RoleSettings
from tests.fakes import MockModel


def persona_from(answers: Callable[[int, Request], str]) -> MockModel:
    """A persona whose n-th call (0-based) returns ``answers(n, request)``."""
    model = MockModel([""], role="persona", defaults=RoleSettings(max_tokens=200))
    model.replies = [lambda request: answers(len(model.calls) - 1, request)]
    return model


def critic_flagging(word: str) -> MockModel:
    """A critic that calls any answer containing ``word`` a contradiction of turn 1."""

    def reply(request: Request) -> str:
        if "whole interview" in request.prompt:  # the final whole-transcript pass
            return json.dumps({"consistent": True, "contradictions": []})
        new_answer = request.prompt.rsplit("Me:", 1)[1].split("(Fact-check", 1)[0]
        if word in new_answer:
            return json.dumps(
                {
                    "consistent": False,
                    "contradicted_statement": "I was born in Ohio",
                    "reason": "birthplace changed",
                }
            )
        return json.dumps({"consistent": True, "contradicted_statement": "", "reason": ""})

    return MockModel([reply], role="critic", defaults=RoleSettings(temperature=0.0))


def interviewer_never_follows_up() -> MockModel:
    return MockModel([json.dumps({"follow_up": False, "question": ""})], role="interviewer")


def context(
    persona: MockModel,
    critic_model: MockModel | None = None,
    interviewer: MockModel | None = None,
    **settings: object,
) -> InterviewContext:
    return InterviewContext(
        interviewer=interviewer or interviewer_never_follows_up(),
        persona=persona,
        critic=critic_model or critic_flagging("\x00never"),
        settings=InterviewSettings(**settings),
        words_target=300,  # type: ignore[arg-type]
    )
