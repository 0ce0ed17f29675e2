from __future__ import annotations

from pathlib import Path

import pytest

from interviewer.cli import given_settings, main
from interviewer.errors import SettingsError
from interviewer.settings import ROLES, Settings, load_settings

EVALS = Path(__file__).parents[1] / "evals"


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
    flagged = given_settings(path, sets=["persona.temperature=0.5"]).build()
    assert flagged.persona.temperature == 0.5
    # Role-specific defaults survive an env override of another field.
    assert flagged.persona.backend == "embedded"


def test_env_does_not_override_explicit_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTERVIEWER_CRITIC__BACKEND", "vllm")
    assert given_settings(backend="openai").build().critic.backend == "openai"


def test_base_url_means_attach() -> None:
    settings = given_settings(base_url="http://127.0.0.1:1234/v1").build()
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
    suite = {"persona": {"backend": "vllm", "model": "/m/llama"}}
    merged = given_settings(sets=["persona.temperature=0.9"]).build(suite)
    assert (merged.persona.backend, merged.persona.model) == ("vllm", "/m/llama")
    assert merged.persona.temperature == 0.9


class _Stop(Exception):
    """Raised by the stand-in study: the test wants the settings and suite, not a run."""


def _suite_run_seen(monkeypatch: pytest.MonkeyPatch) -> list[tuple[object, Settings]]:
    """(suite, settings) for each suite run started; the run stops before any model."""
    seen: list[tuple[object, Settings]] = []

    class Pool:
        roles = ()

        def __init__(self, settings: Settings, *_: object) -> None:
            self.settings = settings

        def __enter__(self) -> Pool:
            return self

        async def aclose(self) -> None:
            pass

        def close(self) -> None:
            pass

    async def fake_study(spec: object, pool: Pool, *_: object) -> None:
        seen.append((spec, pool.settings))
        raise _Stop

    monkeypatch.setattr("interviewer.pool.ModelPool", Pool)  # imported when the suite runs
    monkeypatch.setattr("interviewer.study.runner.study", fake_study)
    return seen


def _eval_suite_settings(
    monkeypatch: pytest.MonkeyPatch, suite: Path, out: Path, *flags: str
) -> Settings:
    seen = _suite_run_seen(monkeypatch)
    with pytest.raises(_Stop):
        main(["eval", "--suite", str(suite), "--out", str(out), *flags])
    return seen[0][1]


def test_backend_flag_equal_to_the_default_beats_the_suite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    suite = EVALS / "suites" / "deep_binding.yaml"
    settings = _eval_suite_settings(monkeypatch, suite, tmp_path, "--backend", "embedded")
    assert {settings.role(r).backend for r in ROLES} == {"embedded"}


def test_set_equal_to_the_default_undoes_a_suite_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    suite = _write_suite(tmp_path, "persona: {temperature: 0.7}")
    assert _eval_suite_settings(monkeypatch, suite, tmp_path).persona.temperature == 0.7
    flagged = _eval_suite_settings(monkeypatch, suite, tmp_path, "--set", "persona.temperature=1.0")
    assert flagged.persona.temperature == 1.0


def _write_suite(tmp_path: Path, settings_block: str) -> Path:
    path = tmp_path / "suite.yaml"
    path.write_text(
        "id: t\nquestionnaire: humans/cces2018.yaml\n"
        "methods: [{label: a, kind: anthology, n: 2}]\n"
        f"settings: {{{settings_block}}}\n"
    )
    return path


def _readme_precedence() -> list[str]:
    """The layer names of README's precedence table, lowest first."""
    text = (EVALS.parent / "README.md").read_text(encoding="utf-8")
    after = text.split("<!-- precedence table -->")[1].strip().splitlines()
    table = [
        line for line in after[: next(i for i, x in enumerate(after) if not x.startswith("|"))]
    ]
    rows = table[2:]  # the rows of the table right after the marker
    return [row.split("|")[2].strip() for row in rows]


def test_readme_precedence_table_is_what_the_code_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each layer sets persona.temperature to its own value; the flags use the default's
    # value (1.0), which must still win. Applying the layers up to k, lowest first, the
    # k-th must decide.
    values = {"defaults": 1.0, "environment": 0.3, "suite": 0.7, "settings file": 0.9, "flags": 1.0}
    layers = _readme_precedence()
    assert layers == list(values), layers
    settings_file = tmp_path / "s.yaml"
    settings_file.write_text(f"persona: {{temperature: {values['settings file']}}}\n")
    for k, layer in enumerate(layers):
        given = set(layers[: k + 1])
        monkeypatch.delenv("INTERVIEWER_PERSONA__TEMPERATURE", raising=False)
        if "environment" in given:
            monkeypatch.setenv("INTERVIEWER_PERSONA__TEMPERATURE", str(values["environment"]))
        block = f"persona: {{temperature: {values['suite']}}}" if "suite" in given else ""
        flags = ["--settings", str(settings_file)] if "settings file" in given else []
        if "flags" in given:
            flags += ["--set", f"persona.temperature={values['flags']}"]
        suite = _write_suite(tmp_path, block)
        got = _eval_suite_settings(monkeypatch, suite, tmp_path, *flags).persona.temperature
        assert got == values[layer], (layer, got)
        # Outside a suite the same order holds without the suite layer.
        if layer != "suite":
            sets = flags[flags.index("--set") :] if "--set" in flags else []
            plain = given_settings(
                settings_file if "settings file" in given else None, sets=sets[1::2]
            ).build()
            assert plain.persona.temperature == values[layer]


def test_eval_flags_beat_the_suite_values(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _suite_run_seen(monkeypatch)
    suite = _write_suite(tmp_path, "")
    with pytest.raises(_Stop):
        main(["eval", "--suite", str(suite), "--out", str(tmp_path), "--splits", "100",
              "--bootstrap", "7", "--seed", "3"])  # fmt: skip
    ((spec, _),) = seen
    assert (spec.splits, spec.bootstrap, spec.seed) == (100, 7, 3)  # type: ignore[attr-defined]


def test_eval_suite_refuses_flags_it_would_ignore(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    suite = _write_suite(tmp_path, "")
    code = main(["eval", "--suite", str(suite), "--out", str(tmp_path), "--humans", "h.csv"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1, err
    assert "--humans cannot be combined" in err, err
