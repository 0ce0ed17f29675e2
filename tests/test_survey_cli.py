"""The survey-side commands as a user runs them (real subprocesses)."""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

from interviewer.contracts.persona_files import load_persona
from interviewer.contracts.responses import read_responses
from tests.stub_server import StubState, running_stub
from tests.test_cli import run_cli

FIXTURES = Path(__file__).with_name("fixtures")


def bio_survey(out: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    """``survey`` of the fixture humans by their Bio prompts into ``out``, plus ``flags``."""
    trust, humans = str(FIXTURES / "trust.yaml"), str(FIXTURES / "humans.csv")
    return run_cli(
        "survey", "-q", trust, "--conditioning", "bio", "--humans", humans, "--out", str(out),
        *flags,
    )  # fmt: skip


SAMPLES = Path(__file__).parents[1] / "personas" / "samples" / "embedded-gemma-270m" / "interview"


def test_validate_accepts_good_files() -> None:
    result = run_cli(
        "validate",
        str(FIXTURES / "trust.yaml"),
        str(FIXTURES / "humans.csv"),
        str(SAMPLES),
        "--questionnaire",
        str(FIXTURES / "trust.yaml"),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("ok") == 3


def test_validate_lists_every_problem_and_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nquestions:\n  - {id: a, text: '{THEM}', options: [x]}\n")
    result = run_cli("validate", str(bad))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2 and all(line.startswith(f"{bad}: question a") for line in lines)


def test_malformed_files_exit_2_with_one_line(tmp_path: Path) -> None:
    broken = tmp_path / "q.yaml"
    broken.write_text("id: [\n")
    result = run_cli("survey", str(SAMPLES), "-q", str(broken), "--out", str(tmp_path / "r.jsonl"))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "not valid YAML" in result.stderr
    humans = tmp_path / "h.csv"
    humans.write_text("respondent_id,weight,age\nh1,1,forty\n")
    result = run_cli(
        "survey",
        "-q",
        str(FIXTURES / "trust.yaml"),
        "--conditioning",
        "qa",
        "--humans",
        str(humans),
        "--out",
        str(tmp_path / "r2.jsonl"),
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "row 2 column age" in result.stderr


def test_survey_over_http_falls_back_to_sampling(tmp_path: Path) -> None:
    # The stub's "auto" mode gives no logprobs: answers come from sampled letters.
    out = tmp_path / "r.jsonl"
    with running_stub(StubState(script=["auto"])) as (url, _):
        result = bio_survey(out, "--samples", "4", "--base-url", url)
    assert result.returncode == 0, result.stderr
    lines = read_responses(out)
    assert len(lines) == 5  # h1, h2: both questions; h3 (Independent): q_fair only
    assert {r.mode for r in lines} == {"sampling"}
    assert "by sampling: no logprobs" in result.stdout


def test_match_writes_pairs(tmp_path: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(SAMPLES, run)
    for path, dem in zip(sorted(run.glob("p*.json")), (0.9, 0.1), strict=True):
        persona = load_persona(path)
        persona.demographics = {
            "age": {"18-29": 0.25, "30-49": 0.25, "50-64": 0.25, "65+": 0.25},
            "party": {"Democrat": dem, "Republican": 1 - dem},
        }
        path.write_text(persona.model_dump_json())
    out = tmp_path / "m.csv"
    result = run_cli(
        "match",
        str(run),
        "--humans",
        str(FIXTURES / "humans.csv"),
        "--method",
        "maxweight",
        "--out",
        str(out),
        "--traits",
        "age,party",
    )
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(out.open()))
    # h1 (Democrat) takes the Democrat-leaning p00000, h2 (Republican) p00001; h3 is left.
    assert {r["respondent_id"]: r["persona_id"] for r in rows} == {"h1": "p00000", "h2": "p00001"}
    assert "mean log-weight" in result.stdout


def test_match_without_demographics_says_what_to_run(tmp_path: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(SAMPLES, run)
    result = run_cli(
        "match",
        str(run),
        "--humans",
        str(FIXTURES / "humans.csv"),
        "--out",
        str(tmp_path / "m.csv"),
    )
    assert result.returncode == 2
    assert "run interviewer demographics" in result.stderr
