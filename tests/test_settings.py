from __future__ import annotations

from pathlib import Path

import pytest

from interviewer.cli import build_settings, main
from interviewer.errors import SettingsError
from interviewer.settings import load_settings


def test_role_defaults_differ_by_role() -> None:
    settings = load_settings()
    assert settings.persona.temperature == 1.0
    assert settings.critic.temperature == 0.0
    assert settings.respondent.max_tokens == 1
    assert settings.persona.backend == "embedded"


def test_precedence_flags_beat_file_beat_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INTERVIEWER_PERSONA__TEMPERATURE", "0.3")
    monkeypatch.setenv("INTERVIEWER_PERSONA__MAX_TOKENS", "77")
    # Environment alone fills defaults ...
    assert load_settings().persona.temperature == 0.3
    # ... a settings file beats it, field by field (max_tokens still comes from env) ...
    path = tmp_path / "s.yaml"
    path.write_text("persona:\n  temperature: 0.9\n")
    from_file = load_settings(path)
    assert from_file.persona.temperature == 0.9
    assert from_file.persona.max_tokens == 77
    # ... and an explicit flag beats both.
    flagged = build_settings(path, sets=["persona.temperature=0.5"])
    assert flagged.persona.temperature == 0.5
    # Role-specific defaults survive an env override of another field.
    assert flagged.persona.backend == "embedded"


def test_env_does_not_override_explicit_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTERVIEWER_CRITIC__BACKEND", "vllm")
    assert build_settings(backend="openai").critic.backend == "openai"


def test_base_url_means_attach() -> None:
    settings = build_settings(base_url="http://127.0.0.1:1234/v1")
    assert settings.persona.backend == "openai"
    assert settings.persona.base_url == "http://127.0.0.1:1234/v1"


def test_bad_value_names_the_field(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("critic:\n  temperature: hot\n")
    with pytest.raises(SettingsError, match=r"critic\.temperature.*'hot'"):
        load_settings(path)


def test_unknown_field_is_rejected() -> None:
    with pytest.raises(SettingsError, match=r"persona\.temprature"):
        load_settings(overrides={"persona": {"temprature": 1}})


def test_malformed_yaml_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("persona:\n  temperature: [1,\n")
    with pytest.raises(SettingsError, match=r"s\.yaml line \d+: not valid YAML"):
        load_settings(path)


def test_cli_bad_setting_exits_2_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["backends", "--set", "persona.top_p=7"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1
    assert "persona.top_p" in err and "Traceback" not in err


def test_cli_missing_settings_file_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["backends", "--settings", "/nonexistent/s.yaml"]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_flags_overlay_a_suite_leaf_by_leaf() -> None:
    from interviewer.cli import _overlay

    suite = load_settings(overrides={"persona": {"backend": "vllm", "model": "/m/llama"}})
    flags = build_settings(sets=["persona.temperature=0.9"])
    merged = _overlay(suite, flags)
    assert (merged.persona.backend, merged.persona.model) == ("vllm", "/m/llama")
    assert merged.persona.temperature == 0.9
