"""Reading a run directory of persona files."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from interviewer.errors import UserInputError
from interviewer.schemas import Persona


def persona_paths(run_dir: Path) -> list[Path]:
    if not run_dir.is_dir():
        raise UserInputError(f"{run_dir}: not a directory")
    paths = sorted(run_dir.glob("p*.json"))
    if not paths:
        raise UserInputError(f"{run_dir}: no persona files (p*.json); is it a run directory?")
    return paths


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
