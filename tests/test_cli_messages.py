"""What the command line says when a run cannot do what it was asked: one line each."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from interviewer.cli import main
from tests.stub_server import StubState, running_stub

FIXTURES = Path(__file__).with_name("fixtures")
EVALS = Path(__file__).parents[1] / "evals"
SAMPLES = Path(__file__).parents[1] / "personas" / "samples" / "embedded-gemma-270m" / "interview"
NOWHERE = "http://127.0.0.1:9/v1"


def one_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


def test_resume_of_a_missing_run_directory_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope"
    code = main(["interview", "--resume", "--out", str(missing), "--base-url", NOWHERE])
    assert code == 2 and "nothing to resume" in one_line(capsys)
    assert not missing.exists()


def test_resume_of_a_missing_survey_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["survey", "-q", str(FIXTURES / "trust.yaml"), "--conditioning", "bio"]
    args += ["--humans", str(FIXTURES / "humans.csv"), "--out", str(tmp_path / "r.jsonl")]
    code = main([*args, "--resume", "--base-url", NOWHERE])
    assert code == 2 and "nothing to resume" in one_line(capsys)


@pytest.mark.parametrize(
    ("conditioning", "named"), [("bio", "--humans"), ("backstory", "run directory")]
)
def test_a_survey_without_its_respondents_names_what_to_give(
    conditioning: str, named: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["survey", "-q", str(FIXTURES / "trust.yaml"), "--conditioning", conditioning]
    code = main([*args, "--out", str(tmp_path / "r.jsonl"), "--base-url", NOWHERE])
    assert code == 2 and named in one_line(capsys)


def test_an_unknown_match_trait_names_the_flag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["match", str(SAMPLES), "--humans", str(FIXTURES / "humans.csv")]
    code = main([*args, "--traits", "shoe_size", "--out", str(tmp_path / "m.csv")])
    err = one_line(capsys)
    assert code == 2 and "--traits" in err and "shoe_size" in err, err


def test_matches_for_an_unknown_label_names_the_flag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["eval", "--responses", "qa=r.jsonl", "--matches", "x=m.csv"]
    code = main([*args, "-q", str(FIXTURES / "trust.yaml"), "--out", str(tmp_path)])
    err = one_line(capsys)
    assert code == 2 and "--matches" in err and "unknown label" in err, err


def test_a_survey_nobody_can_be_asked_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Every question needs a party for {IN}; the personas have no demographics yet.
    questionnaire = tmp_path / "q.yaml"
    questionnaire.write_text(
        "id: only_in\nquestions:\n  - {id: q, text: 'Trust {IN}?', options: [Yes, No]}\n"
    )
    run = tmp_path / "run"
    run.mkdir()
    for path in SAMPLES.glob("p*.json"):
        text = path.read_text()
        (run / path.name).write_text(text)
    from interviewer.contracts.persona_files import load_persona

    for path in run.glob("p*.json"):
        persona = load_persona(path)
        persona.demographics = {}
        path.write_text(persona.model_dump_json())
    out = tmp_path / "r.jsonl"
    with running_stub(StubState()) as (url, _):
        code = main(
            ["survey", str(run), "-q", str(questionnaire), "--out", str(out), "--base-url", url]
        )
    err = capsys.readouterr().err
    assert code == 2, err
    assert "0 of 2 respondents" in err and "demographics" in err


@pytest.mark.parametrize(
    ("command", "hint"),
    [
        ("interview", "with --resume"),
        ("match", "then run the command again"),
    ],
)
def test_disk_full_says_what_this_command_can_do(
    command: str,
    hint: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from interviewer.cli import interview as interview_cli
    from interviewer.cli import match as match_cli
    from interviewer.storage import atomic_write_text

    def full(*args: object, **kwargs: object) -> None:
        monkeypatch.setattr(os, "fdopen", _no_space)
        atomic_write_text(tmp_path / "x.json", "{}")

    monkeypatch.setattr(match_cli, "match_run", full)
    monkeypatch.setattr(interview_cli, "run_interview_command", full)
    args = {
        "interview": ["interview", "--out", str(tmp_path / "o")],
        "match": ["match", str(tmp_path)],
    }
    code = main(args[command])
    monkeypatch.undo()
    err = one_line(capsys)
    assert code == 1 and "no space left" in err and hint in err, err
    if command != "interview":
        assert "--resume" not in err


def _no_space(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


def _under_a_file(tmp_path: Path) -> Path:
    """A path nothing can be written to, even as root: its parent is a plain file."""
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    return blocker / "out"


def test_out_where_nothing_can_be_written_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = _under_a_file(tmp_path)
    humans, trust = str(FIXTURES / "humans.csv"), str(FIXTURES / "trust.yaml")
    responses = tmp_path / "r.jsonl"
    responses.write_text("")
    runs = {
        "interview": ["interview", "--out", str(bad), "--base-url", NOWHERE],
        "survey": [
            "survey",
            "-q",
            trust,
            "--conditioning",
            "bio",
            "--humans",
            humans,
            "--out",
            str(bad / "r.jsonl"),
            "--base-url",
            NOWHERE,
        ],
        "match": ["match", str(SAMPLES), "--humans", humans, "--out", str(bad / "m.csv")],
        "eval": [
            "eval",
            "--responses",
            f"qa={responses}",
            "-q",
            trust,
            "--humans",
            humans,
            "--out",
            str(bad),
        ],
        "import": ["import", "cces", str(EVALS / "humans"), "--out", str(bad)],
    }
    for name, args in runs.items():
        code = main(args)
        err = one_line(capsys)
        assert code == 2 and "cannot write" in err and str(bad) in err, (name, err)


def test_read_only_filesystem_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from interviewer.cli import match as match_cli

    def read_only(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system", str(tmp_path / "m.csv"))

    monkeypatch.setattr(match_cli, "match_run", read_only)
    code = main(["match", str(SAMPLES), "--out", str(tmp_path / "m.csv")])
    err = one_line(capsys)
    assert code == 2 and "Read-only file system" in err and "m.csv" in err


@pytest.mark.parametrize("cache", ["true", "false"])
def test_unusable_cache_dir_is_one_line_on_the_embedded_backend(
    cache: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = _under_a_file(tmp_path)
    code = main(["backends", "--set", f"cache_dir={bad}", "--set", f"cache={cache}"])
    err = one_line(capsys)
    assert code == 2 and "--set cache_dir=" in err and str(bad) in err, err


def test_unusable_cache_dir_with_cache_off_just_works_on_an_attached_server(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = _under_a_file(tmp_path)
    with running_stub(StubState()) as (url, _):
        code = main(
            ["backends", "--base-url", url, "--set", f"cache_dir={bad}", "--set", "cache=false"]
        )
    assert code == 0, capsys.readouterr().err


def test_ctrl_c_says_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from interviewer.cli import interview as interview_cli

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(interview_cli, "run_interview_command", interrupted)
    code = main(["interview", "--out", str(tmp_path / "o")])
    err = one_line(capsys)
    assert code == 130 and "interrupted" in err and "--resume" in err


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["interview", "--n", "0"], "--n"),
        (["eval", "--out", "x", "--splits", "1"], "--splits"),
        (["backends", "--nope"], "--nope"),
    ],
)
def test_usage_errors_are_one_line_exit_2(
    args: list[str], named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args) == 2
    err = one_line(capsys)
    assert err.startswith("interviewer: error: ") and named in err, err


NO_FILE = ["--settings", "/nonexistent.yaml"]  # the choice fails first, as a usage error
BAD_CHOICES = [
    (["survey", "--debias", "bogus", *NO_FILE], "--debias", ("reversed", "cyclic", "random")),
    (
        ["survey", "--conditioning", "bogus", *NO_FILE],
        "--conditioning",
        ("backstory", "genagent", "qa", "bio", "portray"),
    ),
    (["match", ".", "--method", "bogus"], "--method", ("maxweight", "greedy", "random")),
    (["match", ".", "--objective", "bogus"], "--objective", ("weight", "loglik")),
    (["interview", "--method", "bogus", *NO_FILE], "--method", ("interview", "anthology")),
    (["eval", "--out", "/dev/null/x", "--missing", "bogus"], "--missing", ("complete", "pairwise")),
    (["eval", "--out", "/dev/null/x", "--sim-dist", "bogus"], "--sim-dist", ("probs", "answers")),
]


@pytest.mark.parametrize(("args", "flag", "valid"), BAD_CHOICES)
def test_a_bad_choice_is_a_usage_error_naming_the_valid_ones(
    args: list[str], flag: str, valid: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args) == 2
    err = one_line(capsys)
    assert err.startswith("interviewer: error: ") and flag in err and "'bogus'" in err, err
    assert all(f"'{v}'" in err for v in valid), err
    assert f"see interviewer {args[0]} --help" in err and "Value error" not in err, err


@pytest.mark.parametrize(("args", "flag", "valid"), BAD_CHOICES)
def test_help_lists_each_choice(
    args: list[str],
    flag: str,
    valid: tuple[str, ...],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # one option per line, choices unwrapped
    assert main([args[0], "--help"]) == 0
    lines = capsys.readouterr().out.splitlines()
    line = next(ln for ln in lines if ln.lstrip("│ ").startswith(f"{flag} "))
    assert "|".join(valid) in line, line


def test_no_arguments_still_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    main([])
    assert "Usage" in capsys.readouterr().out + capsys.readouterr().err


@pytest.mark.parametrize("command", ["survey", "demographics"])
def test_survey_side_concurrency_defaults_to_the_respondent_setting(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib

    seen: list[int] = []

    def fake(*args: object, concurrency: int, **kwargs: object) -> None:
        seen.append(concurrency)
        raise KeyboardInterrupt  # enough: the value is what the test wants

    monkeypatch.setattr(importlib.import_module(f"interviewer.cli.{command}"), command, fake)
    args = {
        "survey": ["survey", "--out", str(tmp_path / "r.jsonl")],
        "demographics": ["demographics", str(tmp_path)],
    }[command]
    main([*args, "--set", "respondent.concurrency=3"])
    main([*args, "--set", "respondent.concurrency=3", "--concurrency", "5"])
    assert seen == [3, 5]
