"""The ``interviewer`` command line: one module per command, registered here.

Exit status: 0 done; 2 bad input or settings (one line on stderr, no traceback);
3 stopped at a budget (resumable); 1 anything else; 130 interrupted (see ``_errors``).
"""

from __future__ import annotations

import logging
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.logging import RichHandler

from interviewer.cli import (
    backends,
    demo,
    demographics,
    estimate,
    eval,
    export,
    import_,
    infer,
    inspect,
    interview,
    match,
    show,
    slurm,
    status,
    survey,
    usage,
    validate,
)
from interviewer.cli._common import GivenSettings, console, given_settings
from interviewer.cli._errors import run_app
from interviewer.version import __version__

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    help="Virtual personas from LLM interviews: generate, survey, match, evaluate.",
)

# In the order --help lists them.
_COMMANDS = {
    "backends": backends,
    "demo": demo,
    "interview": interview,
    "slurm": slurm,
    "status": status,
    "validate": validate,
    "survey": survey,
    "demographics": demographics,
    "match": match,
    "inspect": inspect,
    "show": show,
    "import": import_,
    "eval": eval,
    "estimate": estimate,
    "infer": infer,
    "usage": usage,
    "export": export,
}
for _name, _module in _COMMANDS.items():
    app.command(name=_name)(_module.command)


def _print_version(given: bool) -> None:
    # Eager: a group needs a command, so a plain option would fail as "Missing command".
    if given:
        console.print(f"interviewer {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress details.")] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version.", is_eager=True, callback=_print_version
        ),
    ] = False,
) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(message)s",
        handlers=[RichHandler(console=Console(stderr=True), show_path=False)],
    )


def main(argv: list[str] | None = None) -> int:
    """Entry point: runs a command and maps errors to exit statuses and one-line messages."""
    # No arguments: the help text (typer's no_args_is_help raises outside standalone mode).
    args = (sys.argv[1:] if argv is None else list(argv)) or ["--help"]
    return run_app(app, args)


__all__ = ["GivenSettings", "app", "given_settings", "main"]
