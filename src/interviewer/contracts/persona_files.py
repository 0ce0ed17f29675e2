"""Reading a run directory of persona files.

A persona file is ``<persona_id>.json`` directly in the run directory (docs/DESIGN.md, "Data
contracts"), whatever the id. Not personas: ``manifest.json``, ``usage.json`` and
``*.usage.json`` (what the calls spent), ``status.json`` and ``*.status.json`` (what
the processes writing the run are doing), hidden files (the inspector's
``.inspect-index.json``), ``*.meta.json`` (a responses file's metadata) and anything in
subdirectories (``failed/``). Every command lists personas through
``persona_files``.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import ValidationError

from interviewer.contracts.persona import Persona
from interviewer.errors import UserInputError

NOT_PERSONAS = frozenset({"manifest.json", "usage.json", "status.json"})


def is_persona_name(name: str) -> bool:
    return (
        name.endswith(".json")
        and not name.startswith(".")
        and not name.endswith((".meta.json", ".usage.json", ".status.json"))
        and name not in NOT_PERSONAS
    )


def persona_files(run_dir: Path) -> list[Path]:
    """The persona files of a run, sorted; fast (no file is opened). A directory that
    does not exist (yet) holds none."""
    if not run_dir.is_dir():
        return []
    with os.scandir(run_dir) as entries:
        names = sorted(e.name for e in entries if is_persona_name(e.name) and e.is_file())
    return [run_dir / name for name in names]


def persona_paths(run_dir: Path) -> list[Path]:
    """``persona_files``, or a ``UserInputError`` when there are none."""
    if not run_dir.is_dir():
        raise UserInputError(f"{run_dir}: not a directory")
    paths = persona_files(run_dir)
    if not paths:
        raise UserInputError(no_personas(run_dir))
    return paths


def no_personas(run_dir: Path) -> str:
    return f"{run_dir}: no persona files (<id>.json beside manifest.json); is it a run directory?"


def load_persona(path: Path) -> Persona:
    try:
        return Persona.model_validate_json(path.read_bytes())
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "file"
        raise UserInputError(
            f"{path}: not a valid persona file ({where}: {first['msg']})"
        ) from None
    except OSError as exc:
        raise UserInputError(f"{path}: cannot read ({exc.strerror})") from None


def load_personas(run_dir: Path) -> list[Persona]:
    return [load_persona(path) for path in persona_paths(run_dir)]
