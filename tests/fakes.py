"""Stand-ins for unit tests: a scripted model that records every request, and
simulated-response lines."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from interviewer.contracts.responses import SimulatedResponse
from interviewer.model import Completion, Model, ModelContext, Request
from interviewer.settings import RoleSettings

Reply = str | Completion | BaseException | Callable[[Request], str | Completion]


class MockModel(Model):
    """Answers each call with the next scripted reply (the last one repeats).

    A reply may be text, a full ``Completion``, an exception to raise, or a function of
    the request. ``calls`` records every request that reached the "provider".
    """

    def __init__(
        self,
        replies: Sequence[Reply],
        role: str = "persona",
        defaults: RoleSettings | None = None,
        context: ModelContext | None = None,
        identity: str = "mock:v1",
    ) -> None:
        super().__init__(role, identity, "mock://model", defaults or RoleSettings(), context)
        self.replies = list(replies)
        self.calls: list[Request] = []

    async def _generate(self, request: Request) -> Completion:
        self.calls.append(request)
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        if isinstance(reply, BaseException):
            raise reply
        if callable(reply):
            reply = reply(request)
        if isinstance(reply, Completion):
            return reply
        return Completion(
            text=reply,
            prompt_tokens=len(request.prompt.split()),
            completion_tokens=len(reply.split()),
        )


def simulated(
    persona_id: str,
    question_id: str,
    answer: int,
    probs: list[float],
    conditioning: str = "qa",
    questionnaire: str = "x",
) -> SimulatedResponse:
    """One survey answer as the survey writes it, scored by logprobs."""
    return SimulatedResponse(
        persona_id=persona_id,
        question_id=question_id,
        probs=probs,
        answer=answer,
        conditioning=conditioning,
        model="m",
        letter_mass=1.0,
        mode="logprobs",
        questionnaire=questionnaire,
    )
