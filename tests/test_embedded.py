"""Against the real embedded model: llama.cpp (xllamacpp) serving Gemma-3-270M base."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import BaseModel, Field

from interviewer.contracts.persona import Persona
from interviewer.pool import ModelPool

LETTERS = "ABCD"

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


def test_logprob_scoring_gives_a_distribution(embedded_pool: ModelPool) -> None:
    prompt = "Question: Is the sky blue?\nA. Yes\nB. No\nC. Not sure\nD. Refused\nAnswer:"
    scores = embedded_pool.run(embedded_pool.model("respondent").score_options(prompt, LETTERS))
    assert sum(scores.probs) == pytest.approx(1.0, abs=1e-6)
    assert 0.0 < scores.letter_mass <= 1.0


def test_structured_output_follows_the_schema(embedded_pool: ModelPool) -> None:
    critic = embedded_pool.model("critic")
    prompt = (
        "Earlier: 'I was born in Ohio.' Now: 'I grew up in Texas, where I was born.' "
        "Is the new statement consistent with the earlier one? Answer in JSON.\n"
    )
    verdict = embedded_pool.run(critic.structured(prompt, Verdict, max_tokens=120)).value
    assert isinstance(verdict.consistent, bool)


def test_seeded_sampling_repeats(embedded_pool: ModelPool) -> None:
    persona = embedded_pool.model("persona")
    request = persona.request("Interviewer: Where did you grow up?\n\nMe:", max_tokens=24, seed=7)

    async def twice() -> tuple[str, str]:
        first = await persona.complete(request)
        second = await persona.complete(request)
        return first.text, second.text

    first, second = embedded_pool.run(twice())
    assert first == second


def test_cli_backends_reports_logprobs() -> None:
    from interviewer.probe import probe_pool
    from interviewer.settings import load_settings

    result = subprocess.run(
        [sys.executable, "-m", "interviewer", "backends"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "embedded" in result.stdout
    # The table's "yes" could be the answers column; check the logprobs finding itself.
    (probe,) = probe_pool(load_settings(overrides={"cache": False}))
    assert probe.error is None and probe.logprobs is True


@pytest.mark.timeout(660)  # above its subprocesses' own timeouts
def test_cli_interview_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "run"
    argv = [
        sys.executable,
        "-m",
        "interviewer",
        "interview",
        "--n",
        "2",
        "--out",
        str(out),
        "--target-words",
        "120",
        "--set",
        "interview.questions=3",
    ]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    for path in sorted(out.glob("p*.json")):
        persona = Persona.model_validate_json(path.read_bytes())
        assert [t.question_id for t in persona.transcript if t.kind == "question"] == [
            "avp01",
            "avp02",
            "avp03",
        ]
        answers = [i for i, t in enumerate(persona.transcript) if t.kind == "answer"]
        assert all(persona.transcript[i].text for i in answers)
        assert {v.turn for v in persona.critic} == set(answers)  # a verdict for every answer
        assert persona.final_check is not None
        assert persona.models["persona"].startswith("gguf:")
    assert len(list(out.glob("p*.json"))) == 2


@pytest.mark.timeout(960)  # above its subprocesses' own timeouts
def test_cli_demo_runs(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    argv = [
        sys.executable,
        "-m",
        "interviewer",
        "demo",
        "--out",
        str(out),
        "--interviews",
        "1",
        "--backstories",
        "1",
        "--humans",
        "4",
        "--questions",
        "2",
        "--set",
        "interview.questions=2",
        "--set",
        "interview.anthology_tokens=80",
    ]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr
    assert "human bound" in result.stdout
    report = json.loads((out / "report" / "report.json").read_text())
    assert [m["label"] for m in report["methods"]] == [
        "interview",
        "anthology",
        "qa",
        "bio",
        "portray",
    ]
    for name in ("distributions.png", "summary.png"):
        assert (out / "report" / name).stat().st_size > 10_000


@pytest.mark.timeout(1260)  # above its subprocesses' own timeouts
def test_cli_demographics_then_w110_survey(tmp_path: Path) -> None:
    import shutil

    from interviewer.contracts.persona_files import load_personas
    from interviewer.contracts.responses import read_responses
    from interviewer.paths import resource_dir

    run = tmp_path / "run"
    samples = resource_dir("personas") / "samples" / "embedded-gemma-270m" / "interview"
    shutil.copytree(samples, run)
    cli = [sys.executable, "-m", "interviewer"]
    filled = subprocess.run(
        [*cli, "demographics", str(run)], capture_output=True, text=True, timeout=600
    )
    assert filled.returncode == 0, filled.stderr
    for persona in load_personas(run):
        assert sum(persona.demographics["party"].values()) == pytest.approx(1.0, abs=1e-6)
    out = tmp_path / "w110.jsonl"
    questionnaire = resource_dir("evals") / "questionnaires" / "w110_hostility.yaml"
    surveyed = subprocess.run(
        [*cli, "survey", str(run), "-q", str(questionnaire), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert surveyed.returncode == 0, surveyed.stderr
    lines = read_responses(out)
    assert len(lines) == 2 * 10
    for line in lines:
        assert abs(sum(line.probs) - 1.0) <= 1e-6
        assert 0.0 < line.letter_mass <= 1.0 and line.mode == "logprobs"
    assert "mean letter mass" in surveyed.stdout


@pytest.mark.timeout(660)  # above its subprocesses' own timeouts
def test_cli_genagent_survey(tmp_path: Path) -> None:
    import shutil

    from interviewer.contracts.responses import read_responses
    from interviewer.paths import resource_dir

    run = tmp_path / "run"
    samples = resource_dir("personas") / "samples" / "embedded-gemma-270m" / "interview"
    run.mkdir()
    shutil.copy(samples / "p00000.json", run)
    questionnaire = Path(__file__).with_name("fixtures") / "trust.yaml"
    out = tmp_path / "g.jsonl"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "interviewer",
            "survey",
            str(run),
            "-q",
            str(questionnaire),
            "--conditioning",
            "genagent",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    lines = read_responses(out)
    assert [r.question_id for r in lines] == ["q_fair"]  # no party: {IN} item not asked
    assert lines[0].conditioning == "genagent"
    assert abs(sum(lines[0].probs) - 1) < 1e-6


@pytest.mark.timeout(660)  # above its subprocesses' own timeouts
def test_cli_interview_with_chat_interviewer_and_critic(tmp_path: Path) -> None:
    # llama.cpp serves /v1/chat/completions for the same GGUF (its chat template, or
    # ChatML where the file has none): a real chat model on the CPU.
    out = tmp_path / "run"
    argv = [sys.executable, "-m", "interviewer", "interview", "--n", "1", "--out", str(out)]
    argv += ["--target-words", "60", "--set", "interview.questions=2"]
    argv += ["--set", "interviewer.api=chat", "--set", "critic.api=chat"]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    (path,) = sorted(out.glob("p*.json"))
    persona = Persona.model_validate_json(path.read_bytes())
    assert persona.models["interviewer"].endswith(" [chat]")
    assert persona.models["critic"].endswith(" [chat]")
    assert not persona.models["persona"].endswith("[chat]")  # completions, as by default
    answers = [i for i, t in enumerate(persona.transcript) if t.kind == "answer"]
    assert answers and all(persona.transcript[i].text for i in answers)
    assert {v.turn for v in persona.critic} == set(answers)  # the chat critic's verdicts
    assert persona.final_check is not None
    manifest = json.loads((out / "manifest.json").read_text())
    assert "chat/critic" in manifest["prompts"]


def test_chat_scoring_and_n_sampling_on_llama_cpp(embedded_pool: ModelPool) -> None:
    from interviewer.logprobs import OptionScores
    from interviewer.openai_compat import OpenAICompatibleModel
    from interviewer.settings import RoleSettings

    endpoint = embedded_pool.endpoints["respondent"]
    chat = OpenAICompatibleModel("respondent", endpoint, RoleSettings(), api="chat")
    question = "Is the sky blue?\nA. Yes\nB. No\nC. Not sure\nD. Refused\nReply with the letter."
    request = chat.chat_request([("user", question)], max_tokens=3, temperature=1.0, seed=1)

    async def both() -> tuple[OptionScores, tuple[str, ...]]:
        try:
            return await chat.score_options(request, LETTERS), await chat.sample(request, 4)
        finally:
            await chat.aclose()

    scores, texts = embedded_pool.run(both())
    assert sum(scores.probs) == pytest.approx(1.0, abs=1e-6)
    assert len(texts) == 4 and chat._choices_ok  # one request with n=4, taken
