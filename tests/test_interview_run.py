"""Running many interviews: files, manifest, failures, resume, and a real SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from interviewer.errors import UserInputError
from interviewer.interview.runner import RunPlan, completed_ids, parse_shard, run_interviews
from interviewer.schemas import FailedPersona, Manifest, Persona
from tests.interview_fakes import context, persona_from
from tests.stub_server import StubState, running_stub


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


@pytest.mark.slow
def test_sigkill_mid_run_then_resume_makes_every_persona_once(tmp_path: Path) -> None:
    out = tmp_path / "run"
    argv = [
        sys.executable,
        "-m",
        "interviewer",
        "interview",
        "--n",
        "6",
        "--out",
        str(out),
        "--concurrency",
        "2",
        "--backend",
        "vllm",
        "--set",
        "interview.questions=4",
    ]
    with running_stub(StubState(script=["auto"], delay_s=0.03)) as (url, _):
        proc = subprocess.Popen(
            [*argv, "--base-url", url], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(list(out.glob("p*.json"))) < 2:
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        before = {p.name: p.stat().st_mtime_ns for p in out.glob("p*.json")}
        assert 2 <= len(before) < 6, "the kill should land mid-run"
        resumed = subprocess.run(
            [*argv, "--base-url", url, "--resume"], capture_output=True, text=True, timeout=120
        )
    assert resumed.returncode == 0, resumed.stderr
    files = sorted(out.glob("p*.json"))
    assert [f.stem for f in files] == [f"p{i:05d}" for i in range(6)]
    for path in files:
        persona = Persona.model_validate_json(path.read_bytes())
        assert len([t for t in persona.transcript if t.kind == "question"]) == 4
    # Finished personas were left alone; no temporary files remain.
    assert all(out.joinpath(name).stat().st_mtime_ns == mtime for name, mtime in before.items())
    assert not list(out.glob(".*.tmp"))
    assert json.loads((out / "manifest.json").read_text())["status"]["done"] == 6
