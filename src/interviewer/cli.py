"""The ``interviewer`` command line.

Exit status: 0 done; 2 bad input or settings (one line on stderr, no traceback);
1 anything else; 130 interrupted.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.console import Console
from rich.logging import RichHandler

from interviewer import __version__
from interviewer.errors import EndpointUnreachable, InterviewerError, UserInputError
from interviewer.probe import ProbeResult, probe_pool
from interviewer.settings import ROLES, Settings, dotted_overrides, load_settings

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    help="Virtual personas from LLM interviews: generate, survey, match, evaluate.",
)
console = Console()

SettingsFile = Annotated[
    Path | None, typer.Option("--settings", "-s", help="YAML settings file.", dir_okay=False)
]
BackendOpt = Annotated[
    str | None, typer.Option("--backend", help="embedded | vllm | openai, for every role.")
]
BaseUrlOpt = Annotated[
    str | None,
    typer.Option("--base-url", help="Attach every role to this OpenAI-compatible URL (…/v1)."),
]
ModelOpt = Annotated[str | None, typer.Option("--model", help="Model name/path for every role.")]
ApiKeyOpt = Annotated[str | None, typer.Option("--api-key", help="API key for every role.")]
SetOpt = Annotated[
    list[str] | None,
    typer.Option("--set", help="KEY=VALUE for one setting, e.g. persona.temperature=0.9."),
]


def build_settings(
    settings_file: Path | None = None, backend: str | None = None, base_url: str | None = None,
    model: str | None = None, api_key: str | None = None, sets: list[str] | None = None,
) -> Settings:
    """Flags beat the settings file, which beats the environment."""
    every_role = {k: v for k, v in {"backend": backend, "base_url": base_url, "model": model,
                                    "api_key": api_key}.items() if v is not None}
    overrides: dict[str, Any] = {role: dict(every_role) for role in ROLES} if every_role else {}
    for role, values in dotted_overrides(_parse_sets(sets or [])).items():
        if isinstance(values, dict) and isinstance(overrides.get(role), dict):
            overrides[role].update(values)
        else:
            overrides[role] = values
    return load_settings(settings_file, overrides)


def _parse_sets(items: list[str]) -> dict[str, Any]:
    parsed: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise UserInputError(f"--set {item!r}: expected KEY=VALUE")
        try:
            parsed[key] = yaml.safe_load(raw) if raw else ""
        except yaml.YAMLError:
            parsed[key] = raw
    return parsed


@app.callback()
def _root(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress details.")] = False,
    version: Annotated[bool, typer.Option("--version", help="Print the version.")] = False,
) -> None:
    if version:
        console.print(f"interviewer {__version__}")
        raise typer.Exit()
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(message)s",
        handlers=[RichHandler(console=Console(stderr=True), show_path=False)],
    )


@app.command()
def backends(
    settings_file: SettingsFile = None, backend: BackendOpt = None, base_url: BaseUrlOpt = None,
    model: ModelOpt = None, api_key: ApiKeyOpt = None, sets: SetOpt = None,
) -> None:
    """Show each configured backend: what it is, does it answer, does it return logprobs."""
    settings = build_settings(settings_file, backend, base_url, model, api_key, sets)
    results = probe_pool(settings)
    failed = [r for r in results if r.error]
    if failed:
        first = failed[0]
        raise EndpointUnreachable(first.endpoint.base_url,
                                  f"{first.error} (roles: {', '.join(first.roles)})")
    from interviewer.views import backends_table

    console.print(backends_table(results))


@app.command()
def demo(
    settings_file: SettingsFile = None, backend: BackendOpt = None, base_url: BaseUrlOpt = None,
    model: ModelOpt = None, api_key: ApiKeyOpt = None, sets: SetOpt = None,
) -> None:
    """The main job, end to end, on the default (embedded) backend.

    Until the interview graph lands this is a smoke run: start the model, complete a
    backstory, score a multiple-choice question by next-token logprobs.
    """
    from interviewer.pool import ModelPool
    from interviewer.smoke import smoke
    from interviewer.views import smoke_panel

    settings = build_settings(settings_file, backend, base_url, model, api_key, sets)
    started = time.perf_counter()
    with console.status("starting the model…"), ModelPool(
        settings, roles=("persona", "respondent")
    ) as pool:
        loaded = time.perf_counter() - started
        result = asyncio.run(smoke(pool))
    console.print(smoke_panel(result, loaded, time.perf_counter() - started))


def main(argv: list[str] | None = None) -> int:
    """Entry point: runs a command and maps errors to exit statuses and one-line messages."""
    try:
        # Standalone mode: typer itself turns usage errors into exit status 2.
        app(args=argv, prog_name="interviewer")
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except KeyboardInterrupt:
        print("interviewer: interrupted", file=sys.stderr)
        return 130
    except InterviewerError as exc:
        print(f"interviewer: error: {_one_line(str(exc))}", file=sys.stderr)
        return exc.exit_code
    return 0


def _one_line(text: str) -> str:
    return " ".join(text.split())


__all__ = ["ProbeResult", "app", "main"]
