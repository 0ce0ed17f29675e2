"""The Generative Agent baseline (after Park et al. 2024, "Generative Agent Simulations
of 1,000 People"), as the deep-binding paper compares it.

Expert reflections — a psychologist, a political scientist, a demographer — each
summarise the person's worldview from the transcript, once per persona. Each question
is then answered by short step-by-step reasoning over those reflections; the answer's
distribution is read from the logprobs of the option letter that follows the
reasoning (or from sampled answers where the endpoint has no logprobs), under every
option order, like any other survey answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from interviewer.fanout import fan_out_all
from interviewer.logprobs import OptionScores
from interviewer.model import Model, Request
from interviewer.prompts import load_chat_prompt, load_prompt
from interviewer.survey.answering import LETTERS, Answer, options_block, over_orders, score

EXPERTS = ("psychologist", "political scientist", "demographer")


async def reflect(model: Model, transcript: str, seed: int) -> str:
    """One short worldview summary per expert, joined into the respondent's context."""
    requests = [
        _reflection_request(model, expert, transcript, seed + i) for i, expert in enumerate(EXPERTS)
    ]
    done = await fan_out_all(requests, model.complete)  # one failing cancels the others
    return "\n".join(
        f"{expert.capitalize()}: {completion.text.strip()}"
        for expert, completion in zip(EXPERTS, done, strict=True)
    )


async def ask_with_reasoning(
    model: Model,
    reflections: str,
    question: str,
    options: Sequence[str],
    orders: Sequence[Sequence[int]],
    samples: int = 20,
    seed: int = 0,
) -> Answer:
    letters = LETTERS[: len(options)]

    async def scorer(order: Sequence[int]) -> tuple[OptionScores, str]:
        values = {
            "reflections": reflections,
            "question": question,
            "options": options_block(options, order),
        }
        reasoning_kw: dict[str, Any] = {
            "max_tokens": 96,
            "temperature": 0.7,
            "seed": seed,
            "stop": ("Answer:", "\n\n"),
        }
        if model.chat:
            return await _chat_scored(model, values, reasoning_kw, letters, samples, seed)
        prompt = load_prompt("genagent_answer").render(**values)
        reasoning = await model.complete(model.request(prompt, **reasoning_kw))
        return await score(
            model, f"{prompt} {reasoning.text.strip()}\nAnswer:", letters, samples, seed
        )

    return await over_orders(orders, scorer)


def _reflection_request(model: Model, expert: str, transcript: str, seed: int) -> Request:
    sampling: dict[str, Any] = {"max_tokens": 160, "temperature": 0.7, "seed": seed}
    if model.chat:
        messages = load_chat_prompt("chat/genagent_reflection").render(
            expert=expert, transcript=transcript
        )
        return model.chat_request(messages, **sampling)
    prompt = load_prompt("genagent_reflection").render(expert=expert, transcript=transcript)
    return model.request(prompt, stop=("\n\n",), **sampling)


async def _chat_scored(
    model: Model,
    values: dict[str, str],
    reasoning_kw: dict[str, Any],
    letters: str,
    samples: int,
    seed: int,
) -> tuple[OptionScores, str]:
    """A chat model reasons in its reply; the letter is the first token of its reply to
    a second user message asking for it."""
    messages = load_chat_prompt("chat/genagent_answer").render(**values)
    reasoning_kw = {**reasoning_kw, "stop": ("Answer:",)}  # a paragraph break may open it
    reasoning = await model.complete(model.chat_request(messages, **reasoning_kw))
    ask_letter = (
        ("assistant", reasoning.text.strip()),
        ("user", load_prompt("chat/genagent_letter").render()),
    )
    return await score(model, model.chat_request((*messages, *ask_letter)), letters, samples, seed)
