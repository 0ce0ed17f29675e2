"""``interviewer show``: one persona as text, for pipes and logs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from interviewer.cli._common import console
from interviewer.errors import UserInputError


def command(
    persona_id: Annotated[str, typer.Argument(help="Persona id, e.g. p00042.")],
    run_dir: Annotated[
        Path, typer.Option("--dir", file_okay=False, help="The run directory.")
    ] = Path("."),
    responses: Annotated[Path | None, typer.Option("--responses", dir_okay=False)] = None,
) -> None:
    """Print one persona (transcript, verdicts, demographics) for pipes and logs."""
    from interviewer.contracts.persona_files import load_persona
    from interviewer.contracts.responses import read_responses
    from interviewer.tui.render import persona_view

    path = run_dir / f"{persona_id}.json"
    if not path.exists():
        raise UserInputError(f"{path}: no such persona")
    mine = [r for r in read_responses(responses) if r.persona_id == persona_id] if responses else []
    console.print(persona_view(load_persona(path), mine))
