"""Run-time files (prompts, evals) must be found from a built wheel, not only a checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
@pytest.mark.timeout(660)  # above its subprocesses' own timeouts
def test_wheel_carries_resources_and_finds_them(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("interviewer-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "interviewer/_data/prompts/survey_question.txt" in names
    assert {"interviewer/api.py", "interviewer/tables.py", "interviewer/exports.py"} <= set(names)
    assert "interviewer/evaluation/html.py" in names
    assert any(n.startswith("interviewer/_data/evals/") for n in names)
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        timeout=300,
    )
    code = (
        "import interviewer.paths as p, interviewer.prompts as q; "
        "print(p.__file__); print(p.resource_dir('prompts')); "
        "print(q.load_prompt('survey_question').variables)"
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=True,
    ).stdout.splitlines()
    assert out[0].startswith(str(target))
    assert out[1] == str(target / "interviewer" / "_data" / "prompts")
    assert "question" in out[2]
    # The public API from the installed wheel: open the sample run it ships.
    api = (
        "import interviewer; from interviewer.paths import resource_dir; "
        "run = interviewer.open_run(resource_dir('personas') / 'samples' / "
        "'embedded-gemma-270m' / 'interview'); "
        "import interviewer.api as a; print(a.__file__); print(len(run), run.personas[0].id)"
    )
    lines = subprocess.run(
        [sys.executable, "-c", api],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=True,
    ).stdout.splitlines()
    assert lines[0].startswith(str(target))
    assert lines[1] == "2 p00000"
