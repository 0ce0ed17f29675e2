"""``interviewer slurm``: the sbatch array script parses, and one array task of it, run
here with SLURM_ARRAY_TASK_ID set, starts its engine and makes its shard."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from interviewer.api import status, write_slurm_script
from interviewer.contracts.shard_status import read_status, status_path
from interviewer.errors import UserInputError

FAKE_VLLM = Path(__file__).with_name("fake_vllm.py")


def slurm(out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "interviewer", "slurm", "--n", "4", "--out", str(out), *extra],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_one_array_task_starts_its_engine_and_makes_its_shard(tmp_path: Path) -> None:
    out, node = tmp_path / "run", tmp_path / "node-tmp"
    node.mkdir()
    engine = f'vllm.command=["{sys.executable}", "{FAKE_VLLM}"]'
    wrote = slurm(
        out,
        *("--shards", "2", "--backend", "vllm", "--model", "m"),
        *("--set", engine, "--set", "interview.questions=2"),
        *("--partition", "gpu", "--gpus-per-task", "1", "--time", "1:00:00"),
    )
    assert wrote.returncode == 0, wrote.stderr
    script = out / "interview.sbatch"
    assert f"sbatch {script}" in wrote.stdout and f"interviewer status {out}" in wrote.stdout
    assert "persona: starts" in wrote.stdout
    text = script.read_text()
    for line in ("#SBATCH --array=0-1", "#SBATCH --partition=gpu", "#SBATCH --gpus-per-task=1"):
        assert line in text
    assert subprocess.run(["bash", "-n", str(script)], timeout=30).returncode == 0
    env = {
        **os.environ,
        "SLURM_ARRAY_TASK_ID": "1",
        "SLURM_ARRAY_JOB_ID": "777",
        "SLURM_JOB_ID": "778",
        "TMPDIR": str(node),
    }
    task = subprocess.run(
        ["bash", str(script)], env=env, capture_output=True, text=True, timeout=300
    )
    assert task.returncode == 0, task.stdout + task.stderr
    assert {p.name for p in out.glob("p*.json")} == {"p00001.json", "p00003.json"}
    shard = read_status(status_path(out, (1, 2)))
    assert (shard.state, shard.done, shard.slurm_job) == ("finished", 2, "777_1")
    # The engine's log came back beside the task's; the node-local cache was removed.
    assert list((out / "logs" / "task-1-engine").glob("vllm-*.log"))
    assert list(node.iterdir()) == []
    found = status(out)
    assert [s.state for s in found.shards] == ["not started", "done"]
    assert found.slurm_rerun == f"sbatch --array=0 {script}"
    # Run again, the task resumes (manifest present) and has nothing left to do.
    again = subprocess.run(
        ["bash", str(script)], env=env, capture_output=True, text=True, timeout=200
    )
    assert again.returncode == 0, again.stderr
    assert "0 made, 0 failed, 2 already there" in again.stdout


def test_the_script_forwards_settings_and_options(tmp_path: Path) -> None:
    settings = tmp_path / "s.yaml"
    settings.write_text("interview:\n  questions: 3\n")
    path = write_slurm_script(
        tmp_path / "run",
        40,
        8,
        settings=settings,
        overrides={"persona.base_url": "http://gpu-node:8000/v1", "persona.temperature": 0.9},
        method="anthology",
        concurrency=32,
        sbatch=["--qos=high"],
    )
    text = path.read_text()
    assert f"--settings {settings}" in text
    assert "--set persona.base_url=http://gpu-node:8000/v1 --set persona.temperature=0.9" in text
    assert "--method anthology --concurrency 32" in text and "#SBATCH --qos=high" in text
    assert '--set "cache_dir=$CACHE"' in text and "#SBATCH --array=0-7" in text
    assert (tmp_path / "run" / "logs").is_dir() and os.access(path, os.X_OK)
    assert subprocess.run(["bash", "-n", str(path)], timeout=30).returncode == 0


def test_a_cache_dir_in_the_settings_is_kept_and_warned_about(tmp_path: Path) -> None:
    wrote = slurm(tmp_path / "run", "--shards", "2", "--set", f"cache_dir={tmp_path / 'c'}")
    assert wrote.returncode == 0, wrote.stderr
    text = (tmp_path / "run" / "interview.sbatch").read_text()
    assert "cache_dir=$CACHE" not in text and f"cache_dir={tmp_path / 'c'}" in text
    assert "unsafe" in wrote.stdout


def test_bad_input_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(UserInputError, match="more shards than --n"):
        write_slurm_script(tmp_path, 2, 3)
    wrote = slurm(tmp_path / "run", "--shards", "2", "--api-key", "sk-secret")
    assert wrote.returncode == 2 and "environment" in wrote.stderr
    assert not (tmp_path / "run" / "interview.sbatch").exists()
