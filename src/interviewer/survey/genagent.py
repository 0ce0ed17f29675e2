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

from interviewer.fanout import fan_out_all
from interviewer.logprobs import OptionScores
from interviewer.model import Model
from interviewer.prompts import load_prompt
from interviewer.survey.answering import LETTERS, Answer, options_block, over_orders, score

EXPERTS = ("psychologist", "political scientist", "demographer")


async def reflect(model: Model, transcript: str, seed: int) -> str:
    """One short worldview summary per expert, joined into the respondent's context."""
    template = load_prompt("genagent_reflection")
    requests = [
        model.request(
            template.render(expert=expert, transcript=transcript),
            max_tokens=160,
            temperature=0.7,
            seed=seed + i,
            stop=("\n\n",),
        )
        for i, expert in enumerate(EXPERTS)
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
    template = load_prompt("genagent_answer")

    async def scorer(order: Sequence[int]) -> tuple[OptionScores, str]:
        prompt = template.render(
            reflections=reflections, question=question, options=options_block(options, order)
        )
        reasoning = await model.complete(
            model.request(
                prompt, max_tokens=96, temperature=0.7, seed=seed, stop=("Answer:", "\n\n")
            )
        )
        return await score(
            model, f"{prompt} {reasoning.text.strip()}\nAnswer:", letters, samples, seed
        )

    return await over_orders(orders, scorer)
