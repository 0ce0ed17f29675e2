"""Running many interviews: files, manifest, failures, resume (kills: test_reliability.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from interviewer.contracts.persona import FailedPersona, Manifest, Persona
from interviewer.errors import UserInputError
from interviewer.interview.runner import RunPlan, completed_ids, parse_shard, run_interviews
from tests.interview_fakes import context, persona_from


async def test_run_writes_valid_personas_and_a_manifest(tmp_path: Path) -> None:
    ctx = context(persona_from(lambda n, r: f"Answer {n}."), questions=2)
    summary = await run_interviews(RunPlan(out=tmp_path, n=3, concurrency=2), ctx, {"x": 1})
    assert (summary.done, summary.failed) == (3, 0)
    personas = [
        Persona.model_validate_json(p.read_bytes()) for p in sorted(tmp_path.glob("p*.json"))
    ]
    assert [p.id for p in personas] == ["p00000", "p00001", "p00002"]
    assert [p.seed for p in personas] == [0, 1, 2]
    assert personas[0].stats.calls["persona"].calls == 2
    manifest = Manifest.model_validate_json((tmp_path / "manifest.json").read_bytes())
    assert manifest.status == {"total": 3, "done": 3, "failed": 0}
    assert "interview/critic" in manifest.prompts


async def test_existing_run_needs_resume(tmp_path: Path) -> None:
    ctx = context(persona_from(lambda n, r: "Fine."), questions=1)
    await run_interviews(RunPlan(out=tmp_path, n=1), ctx, {})
    with pytest.raises(UserInputError, match="--resume"):
        await run_interviews(RunPlan(out=tmp_path, n=1), ctx, {})
    again = await run_interviews(RunPlan(out=tmp_path, n=2, resume=True), ctx, {})
    assert (again.done_before, again.done) == (1, 1)  # only the missing one was made


async def test_resume_refuses_another_method(tmp_path: Path) -> None:
    ctx = context(persona_from(lambda n, r: "Fine."), questions=1)
    await run_interviews(RunPlan(out=tmp_path, n=1), ctx, {})
    with pytest.raises(UserInputError, match="--method interview run"):
        await run_interviews(RunPlan(out=tmp_path, n=1, resume=True, method="anthology"), ctx, {})


async def test_a_failing_persona_is_recorded_and_the_run_goes_on(tmp_path: Path) -> None:
    # Seed texts steer persona 1 to a model that only ever answers with nothing.
    persona = persona_from(lambda n, r: "" if "a mute" in r.prompt else "Fine.")
    ctx = context(persona, questions=1, max_repairs=1)
    plan = RunPlan(out=tmp_path, n=3, concurrency=1, seed_texts=("a nurse", "a mute", "a cook"))
    summary = await run_interviews(plan, ctx, {})
    assert (summary.done, summary.failed) == (2, 1)
    failed = FailedPersona.model_validate_json((tmp_path / "failed" / "p00001.json").read_bytes())
    assert "2 empty answer(s) in a row to avp01" in failed.reason
    assert completed_ids(tmp_path) == {"p00000", "p00002"}
    made = Persona.model_validate_json((tmp_path / "p00002.json").read_bytes())
    assert made.seed_text == "a cook"


def test_shards_partition_the_ids() -> None:
    shards = [
        RunPlan(out=Path("."), n=10, shard=parse_shard(f"{i}/3")).persona_ids() for i in range(3)
    ]
    ids = [pid for shard in shards for _, pid in shard]
    assert sorted(ids) == [f"p{i:05d}" for i in range(10)]
    with pytest.raises(UserInputError):
        parse_shard("3/3")


async def test_resume_refuses_another_configuration(tmp_path: Path) -> None:
    ctx = context(persona_from(lambda n, r: "Fine."), questions=1)
    await run_interviews(RunPlan(out=tmp_path, n=1), ctx, {})
    more_questions = context(persona_from(lambda n, r: "Fine."), questions=2)
    with pytest.raises(UserInputError, match=r"interview\.questions \(1 in the run, 2 now\)"):
        await run_interviews(RunPlan(out=tmp_path, n=2, resume=True), more_questions, {})
    hotter = context(persona_from(lambda n, r: "Fine."), questions=1)
    hotter.persona.defaults = hotter.persona.defaults.model_copy(update={"temperature": 1.5})
    with pytest.raises(UserInputError, match=r"sampling\.persona\.temperature"):
        await run_interviews(RunPlan(out=tmp_path, n=2, resume=True), hotter, {})
    other_model = context(persona_from(lambda n, r: "Fine."), questions=1)
    other_model.persona.identity = "mock:v2"
    with pytest.raises(
        UserInputError, match=r"models\.persona \('mock:v1' in the run, 'mock:v2' now\)"
    ):
        await run_interviews(RunPlan(out=tmp_path, n=2, resume=True), other_model, {})
    # What does not change the output (concurrency, n) may differ.
    same = context(persona_from(lambda n, r: "Fine."), questions=1)
    again = await run_interviews(RunPlan(out=tmp_path, n=2, resume=True, concurrency=7), same, {})
    assert again.done == 1


async def test_a_second_process_on_the_run_directory_is_refused(tmp_path: Path) -> None:
    import fcntl

    ctx = context(persona_from(lambda n, r: "Fine."), questions=1)
    await run_interviews(RunPlan(out=tmp_path, n=1), ctx, {})
    with (tmp_path / ".lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as another process would
        with pytest.raises(UserInputError, match="another process"):
            await run_interviews(RunPlan(out=tmp_path, n=2, resume=True), ctx, {})
    assert completed_ids(tmp_path) == {"p00000"}
