"""The runners fan out through ``fanout.fan_out``: a fatal error leaves nothing running."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from interviewer.contracts.persona_files import load_persona
from interviewer.errors import EndpointUnreachable, ModelOutputError
from interviewer.model import Completion, Request
from interviewer.survey.answering import ask, sample_letters
from interviewer.survey.conditioning import from_persona
from interviewer.survey.fill_demographics import fill_demographics
from interviewer.survey.genagent import reflect
from interviewer.survey.runner import run_survey
from tests.fakes import MockModel
from tests.test_survey_run import always_a, context, persona_run, respondents


def still_running() -> list[asyncio.Task[object]]:
    return [t for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()]


class OneRespondentFails(MockModel):
    """The first call about ``fatal`` (text of one respondent's context) finds no endpoint,
    after the siblings are mid-call; its other option orders answer at once (so only
    other respondents' calls are left to cancel); every other call takes long and unwinds slowly.
    """

    def __init__(self, fatal: str) -> None:
        super().__init__([always_a])
        self.fatal = fatal
        self.failed = False
        self.stalled = 0
        self.unwound = 0

    async def _generate(self, request: Request) -> Completion:
        if self.fatal in request.prompt:
            if not self.failed:
                self.failed = True
                await asyncio.sleep(0.01)
                raise EndpointUnreachable("http://nowhere", "connection refused")
            return await super()._generate(request)
        self.stalled += 1
        try:
            await asyncio.sleep(10)
        finally:
            await asyncio.sleep(0.01)  # still unwinding: the runner must wait for this
            self.unwound += 1
        return await super()._generate(request)


async def test_a_fatal_survey_error_leaves_no_respondent_running(tmp_path: Path) -> None:
    model = OneRespondentFails("I am a nurse.")
    with pytest.raises(EndpointUnreachable):
        await run_survey(
            respondents(), context(model), tmp_path / "r.jsonl", "backstory", concurrency=3
        )
    assert still_running() == []
    assert model.unwound == model.stalled > 0  # the others' calls all unwound first


def first_context(run: Path) -> str:
    """What only the first persona's prompts contain."""
    return from_persona(load_persona(sorted(run.glob("p*.json"))[0])).context


async def test_a_fatal_demographics_error_starts_no_further_persona(tmp_path: Path) -> None:
    run = persona_run(tmp_path)
    first = first_context(run)
    model = MockModel([EndpointUnreachable("http://nowhere", "connection refused"), always_a])
    with pytest.raises(EndpointUnreachable):
        await fill_demographics(run, model, concurrency=1)
    await asyncio.sleep(0.05)  # time enough for a sibling left running to ask something
    assert model.calls and all(first in c.prompt for c in model.calls)
    assert still_running() == []
    assert all(load_persona(p).demographics == {} for p in run.glob("p*.json"))


async def test_a_fatal_demographics_error_waits_for_running_siblings(tmp_path: Path) -> None:
    run = persona_run(tmp_path)
    model = OneRespondentFails(first_context(run))
    with pytest.raises(EndpointUnreachable):
        await fill_demographics(run, model, concurrency=2)
    assert still_running() == []
    assert model.unwound == model.stalled > 0  # the second persona's calls
    assert all(load_persona(p).demographics == {} for p in run.glob("p*.json"))


class OneCallFails(MockModel):
    """The call whose prompt contains ``fatal`` (or whose seed is ``fatal_seed``) fails
    after its siblings are mid-call; every other call waits for ever and unwinds slowly."""

    def __init__(self, fatal: str | None = None, fatal_seed: int | None = None) -> None:
        super().__init__([always_a])
        self.fatal, self.fatal_seed = fatal, fatal_seed
        self.stalled = 0
        self.unwound = 0

    async def _generate(self, request: Request) -> Completion:
        if (self.fatal is not None and self.fatal in request.prompt) or (
            self.fatal_seed is not None and request.seed == self.fatal_seed
        ):
            await asyncio.sleep(0.01)
            raise ModelOutputError("the model said nothing usable")
        self.stalled += 1
        try:
            await asyncio.Event().wait()
        finally:
            await asyncio.sleep(0.01)  # still unwinding: the caller must wait for this
            self.unwound += 1
        return await super()._generate(request)


async def test_a_failing_option_order_cancels_and_awaits_its_siblings() -> None:
    model = OneCallFails(fatal="A. Yes")  # the listed order; the reversed one shows "A. No"
    with pytest.raises(ModelOutputError, match="nothing usable"):
        await ask(model, "I am.", "", "Fair?", ["Yes", "Somewhat", "No"], [[0, 1, 2], [2, 1, 0]])
    assert model.stalled == 1 and model.unwound == 1
    assert still_running() == []


async def test_a_failing_sampled_answer_cancels_and_awaits_its_siblings() -> None:
    model = OneCallFails(fatal_seed=7)
    with pytest.raises(ModelOutputError, match="nothing usable"):
        await sample_letters(model, "Fair?\nAnswer:", "ABC", samples=4, seed=5)  # seeds 5..8
    assert model.stalled == 3 and model.unwound == 3
    assert still_running() == []


async def test_a_failing_reflection_cancels_and_awaits_its_siblings() -> None:
    model = OneCallFails(fatal="psychologist")
    with pytest.raises(ModelOutputError, match="nothing usable"):
        await reflect(model, "I am a nurse.", seed=1)
    assert model.stalled == 2 and model.unwound == 2
    assert still_running() == []
