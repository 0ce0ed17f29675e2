"""What the commands share: the console and the settings flags every model command takes.

This module loads nothing heavy (no langchain, numpy or scipy): every ``interviewer``
call imports it, and each command imports its own heavy modules when it runs.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
import yaml
from rich.console import Console

from interviewer.errors import UserInputError
from interviewer.settings import ROLES, Settings, deep_merge, dotted_overrides, load_settings
from interviewer.yaml_io import load_yaml

console = Console()

SettingsFile = Annotated[
    Path | None, typer.Option("--settings", "-s", help="YAML settings file.", dir_okay=False)
]
BackendOpt = Annotated[
    str | None, typer.Option("--backend", help="embedded | vllm | openai, for every role.")
]
BaseUrlOpt = Annotated[
    str | None,
    typer.Option(
        "--base-url",
        help="Attach every role to this OpenAI-compatible URL (…/v1); several, "
        "comma-separated: replicas of one model, each persona kept on one.",
    ),
]
ModelOpt = Annotated[str | None, typer.Option("--model", help="Model name/path for every role.")]
ApiKeyOpt = Annotated[str | None, typer.Option("--api-key", help="API key for every role.")]
SetOpt = Annotated[
    list[str] | None,
    typer.Option("--set", help="KEY=VALUE for one setting, e.g. persona.temperature=0.9."),
]
MaxUsdOpt = Annotated[
    float | None,
    typer.Option(
        "--max-usd",
        min=0.0,
        help="Stop cleanly once this run's calls cost this many dollars (the prices "
        "setting); --resume continues. Calls in flight may go a little over.",
    ),
]
MaxTokensOpt = Annotated[
    int | None,
    typer.Option(
        "--max-tokens",
        min=1,
        help="Stop cleanly once this run's calls sent and generated this many tokens; "
        "--resume continues. Calls in flight may go a little over.",
    ),
]


@dataclass(frozen=True)
class GivenSettings:
    """What a command line explicitly gave: a settings file and the flags' overrides.

    Flags left unset are absent, so a flag equal to a default still beats a suite."""

    file: Path | None = None
    overrides: dict[str, Any] = field(default_factory=dict)

    def build(self, base: Mapping[str, Any] | None = None) -> Settings:
        """defaults < environment < ``base`` (a suite's block) < file < flags."""
        return load_settings(self.file, self.overrides, base=base)


def given_settings(
    settings_file: Path | None = None,
    backend: str | None = None,
    base_url: str | None = None,
    model: str | None = None,
    api_key: str | None = None,
    sets: list[str] | None = None,
) -> GivenSettings:
    every_role = {
        k: v
        for k, v in {
            "backend": backend,
            # A comma never occurs in a server's URL: "a,b" lists replicas.
            "base_url": base_url.split(",") if base_url and "," in base_url else base_url,
            "model": model,
            "api_key": api_key,
        }.items()
        if v is not None
    }
    overrides: dict[str, Any] = {role: dict(every_role) for role in ROLES} if every_role else {}
    overrides = deep_merge(overrides, dotted_overrides(_parse_sets(sets or [])))
    return GivenSettings(settings_file, overrides)


def _parse_sets(items: list[str]) -> dict[str, Any]:
    parsed: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise UserInputError(f"--set {item!r}: expected KEY=VALUE")
        try:
            parsed[key] = load_yaml(raw) if raw else ""
        except yaml.YAMLError:
            parsed[key] = raw
    return parsed


_SETTINGS_PARAMS = (
    ("settings_file", SettingsFile),
    ("backend", BackendOpt),
    ("base_url", BaseUrlOpt),
    ("model", ModelOpt),
    ("api_key", ApiKeyOpt),
    ("sets", SetOpt),
)
F = TypeVar("F", bound=Callable[..., None])


def with_settings(command: F) -> F:
    """Give a command the shared settings flags and call it with the built ``settings``
    (or, when it takes ``given`` instead, with what the flags gave, to merge later)."""
    signature = inspect.signature(command, eval_str=True)
    wants_given = "given" in signature.parameters
    own = [p for p in signature.parameters.values() if p.name not in ("settings", "given")]
    shared = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=hint)
        for name, hint in _SETTINGS_PARAMS
    ]

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        given = given_settings(**{name: kwargs.pop(name) for name, _ in _SETTINGS_PARAMS})
        if wants_given:
            command(*args, given=given, **kwargs)
        else:
            command(*args, settings=given.build(), **kwargs)

    wrapper.__signature__ = signature.replace(parameters=[*own, *shared])  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in [*own, *shared]}
    return wrapper  # type: ignore[return-value]
