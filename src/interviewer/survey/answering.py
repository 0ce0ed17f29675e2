"""One question to one respondent: a distribution over its options.

The distribution comes from the next token's logprobs over the option letters,
renormalised (``letter_mass`` records how much fell on letters). To cancel
letter-position bias the question is asked under several option orders and each
order's letter probabilities are mapped back to the options and averaged; which orders
is the debiasing scheme (``option_orders``). An order is
scored by ``samples`` sampled answers, parsed strictly, where the endpoint gives no
logprobs (mode ``sampling``) or where no option letter is among the top-k alternatives
(mode ``sampling (no letter in top-k)``).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from interviewer.contracts.questionnaire import Question, Questionnaire
from interviewer.errors import LogprobsUnavailable, ModelOutputError
from interviewer.fanout import fan_out_all
from interviewer.logprobs import NoOptionLetter, OptionScores
from interviewer.model import Model, Request
from interviewer.prompts import load_chat_prompt, load_prompt
from interviewer.settings import DebiasScheme

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ANSWER = re.compile(r"^\s*\(?([A-Z])(?![A-Za-z])")
LOGPROBS = "logprobs"
SAMPLING = "sampling"
"""The endpoint gave no logprobs."""
SAMPLING_NO_LETTER = "sampling (no letter in top-k)"
"""Logprobs came back without any option letter among the top-k alternatives."""


@dataclass(frozen=True)
class Answer:
    probs: tuple[float, ...]
    """Over the options in their listed order; sums to 1."""
    letter_mass: float
    """Mean over orders of the probability that fell on option letters (or valid samples)."""
    mode: str
    """How the orders were scored: one of ``LOGPROBS``, ``SAMPLING``,
    ``SAMPLING_NO_LETTER``, or several joined by " + " when orders differed."""


OWN_ORDERS = "question's orders"
"""Recorded when a question's own ``orders`` in the file were used (all, averaged)."""
RANDOM_OWN = "random (question's orders)"
"""Recorded when ``random`` drew one of the question's own orders."""


def option_orders(
    questionnaire: Questionnaire, question: Question, scheme: DebiasScheme | None, seed: int
) -> tuple[list[list[int]], str]:
    """The option orders to ask ``question`` under, and the scheme to record.

    A question's own ``orders`` (e.g. the source's randomisation patterns) always win:
    all of them, averaged, or under ``random`` one of them drawn with ``seed`` (as the
    Anthology code draws one pattern per question). Otherwise ``scheme``, or when it is
    None the questionnaire's ``orders`` (``as_listed`` | ``reversed``). ``cyclic``: the
    K rotations, so every option is shown once at every letter and a pure position
    bias cancels exactly; ``reversed`` only moves it to the ends (A .7, B .3 on four
    options becomes .35, .15, .15, .35); ``random``: one random order per respondent ×
    question, which cancels the bias only on average over respondents.
    """
    rng = np.random.default_rng(seed)
    own = question.orders
    if own and scheme == "random":
        return [own[int(rng.integers(len(own)))]], RANDOM_OWN
    if own:
        return own, OWN_ORDERS
    if scheme is None:
        return questionnaire.orders_of(question), questionnaire.orders
    size = len(question.options)
    if scheme == "cyclic":
        return [[(start + j) % size for j in range(size)] for start in range(size)], scheme
    if scheme == "random":
        return [[int(i) for i in rng.permutation(size)]], scheme
    listed = list(range(size))
    return [listed, listed[::-1]], scheme


def options_block(options: Sequence[str], order: Sequence[int]) -> str:
    return "\n".join(f"{LETTERS[pos]}. {options[index]}" for pos, index in enumerate(order))


def question_prompt(
    context: str, history: str, question: str, options: Sequence[str], order: Sequence[int]
) -> str:
    return load_prompt("survey_question").render(
        context=context,
        history=history,
        question=question,
        options=options_block(options, order),
    )


def question_request(
    model: Model,
    context: str,
    history: str,
    question: str,
    options: Sequence[str],
    order: Sequence[int],
) -> Request:
    """The question as ``model`` takes it: a document ending in ``Answer:``, or for a
    chat model the respondent's context as the system message and the question as the
    user's, whose reply starts with the letter."""
    if not model.chat:
        return model.request(question_prompt(context, history, question, options, order))
    messages = load_chat_prompt("chat/survey_question").render(
        context=context,
        history=history,
        question=question,
        options=options_block(options, order),
    )
    return model.chat_request(messages)


def map_back(letter_probs: Sequence[float], order: Sequence[int]) -> list[float]:
    """Letter j showed option ``order[j]``: move its probability back to that option."""
    probs = [0.0] * len(order)
    for position, index in enumerate(order):
        probs[index] = letter_probs[position]
    return probs


def average(answers: Sequence[list[float]]) -> tuple[float, ...]:
    size = len(answers[0])
    return tuple(sum(a[i] for a in answers) / len(answers) for i in range(size))


Scorer = Callable[[Sequence[int]], Awaitable[tuple[OptionScores, str]]]
"""Scores the question shown under one option order."""


async def over_orders(orders: Sequence[Sequence[int]], scorer: Scorer) -> Answer:
    """Score under each option order (at once: the engine batches them), map letters
    back to options, and average. One order failing cancels and awaits the others."""
    results = await fan_out_all(orders, scorer)
    mapped = [
        map_back(scores.probs, order) for (scores, _), order in zip(results, orders, strict=True)
    ]
    masses = [scores.letter_mass for scores, _ in results]
    modes = sorted({mode for _, mode in results})
    return Answer(average(mapped), sum(masses) / len(masses), " + ".join(modes))


async def ask(
    model: Model,
    context: str,
    history: str,
    question: str,
    options: Sequence[str],
    orders: Sequence[Sequence[int]],
    samples: int = 20,
    seed: int = 0,
) -> Answer:
    letters = LETTERS[: len(options)]

    async def scorer(order: Sequence[int]) -> tuple[OptionScores, str]:
        request = question_request(model, context, history, question, options, order)
        return await score(model, request, letters, samples, seed)

    return await over_orders(orders, scorer)


async def score(
    model: Model, prompt: str | Request, letters: str, samples: int, seed: int
) -> tuple[OptionScores, str]:
    """Letter probabilities from logprobs, or from sampled answers (and which)."""
    try:
        return await model.score_options(prompt, letters), LOGPROBS
    except LogprobsUnavailable:
        mode = SAMPLING
    except NoOptionLetter:
        mode = SAMPLING_NO_LETTER
    return await sample_letters(model, prompt, letters, samples, seed), mode


async def sample_letters(
    model: Model, prompt: str | Request, letters: str, samples: int, seed: int
) -> OptionScores:
    """``samples`` short completions at temperature 1 (seeds ``seed`` on, or one chat
    request with ``n`` where the endpoint takes it); only a bare option letter counts."""
    base = model.request(prompt) if isinstance(prompt, str) else prompt
    texts = await model.sample(replace(base, max_tokens=3, temperature=1.0, seed=seed), samples)
    counts = dict.fromkeys(letters, 0)
    for text in texts:
        match = _ANSWER.match(text)
        if match and match.group(1) in counts:
            counts[match.group(1)] += 1
    valid = sum(counts.values())
    if valid == 0:
        shown = ", ".join(repr(text) for text in texts[:3])
        raise ModelOutputError(
            f"{model.endpoint}: no sampled answer was an option letter ({shown})"
        )
    return OptionScores(tuple(counts[k] / valid for k in letters), valid / samples)
