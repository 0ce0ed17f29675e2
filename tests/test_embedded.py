"""Against the real embedded model: llama.cpp (xllamacpp) serving Gemma-3-270M base."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest
from pydantic import BaseModel, Field

from interviewer.pool import ModelPool
from interviewer.smoke import smoke

pytestmark = pytest.mark.embedded


class Verdict(BaseModel):
    consistent: bool
    # Bounded, so constrained decoding closes the JSON inside the token budget.
    reason: str = Field(max_length=120)


def test_one_server_serves_every_role(embedded_pool: ModelPool) -> None:
    assert len(embedded_pool.groups()) == 1
    endpoint = embedded_pool.endpoints["persona"]
    assert endpoint.base_url.startswith("http://127.0.0.1:")
    assert endpoint.identity.startswith("gguf:a5fd3b62")


def test_smoke_completes_and_scores(embedded_pool: ModelPool) -> None:
    result = asyncio.run(smoke(embedded_pool))
    assert result.backstory.completion_tokens > 0
    assert sum(result.scores.probs) == pytest.approx(1.0, abs=1e-6)
    assert 0.0 < result.scores.letter_mass <= 1.0


def test_structured_output_follows_the_schema(embedded_pool: ModelPool) -> None:
    critic = embedded_pool.model("critic")
    prompt = ("Earlier: 'I was born in Ohio.' Now: 'I grew up in Texas, where I was born.' "
              "Is the new statement consistent with the earlier one? Answer in JSON.\n")
    verdict = asyncio.run(critic.structured(prompt, Verdict, max_tokens=120))
    assert isinstance(verdict.consistent, bool)


def test_seeded_sampling_repeats(embedded_pool: ModelPool) -> None:
    persona = embedded_pool.model("persona")
    request = persona.request("Interviewer: Where did you grow up?\n\nMe:", max_tokens=24, seed=7)

    async def twice() -> tuple[str, str]:
        first = await persona.complete(request)
        second = await persona.complete(request)
        return first.text, second.text

    first, second = asyncio.run(twice())
    assert first == second


def test_cli_backends_reports_logprobs() -> None:
    result = subprocess.run([sys.executable, "-m", "interviewer", "backends"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "embedded" in result.stdout
    assert "yes" in result.stdout.split("embedded", 1)[1]


def test_cli_demo_runs() -> None:
    result = subprocess.run([sys.executable, "-m", "interviewer", "demo"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "letter mass" in result.stdout
