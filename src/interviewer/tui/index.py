"""A summary row per persona file, built lazily and cached beside the run.

Opening a run of 10,000 personas must not parse 10,000 transcripts before the first
screen: the app lists the files at once and fills rows from this index in the
background. Summaries are cached in ``.inspect-index.json`` keyed by file size and
mtime, so a second opening reads one file instead of thousands.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from interviewer.contracts.demographics import most_likely
from interviewer.contracts.persona import Persona
from interviewer.contracts.persona_files import load_persona
from interviewer.errors import UserInputError
from interviewer.storage import atomic_write_json

INDEX_NAME = ".inspect-index.json"
INDEX_VERSION = 1
SHORT = {
    "Democrat": "Dem",
    "Republican": "Rep",
    "Independent": "Ind",
    "Something else": "Oth",
    "Male": "M",
    "Female": "F",
    "Other": "O",
}


@dataclass(frozen=True)
class Summary:
    id: str
    method: str = ""
    model: str = ""
    words: int = 0
    flags: int = 0
    """Critic verdicts that found a contradiction (repaired or kept)."""
    repairs: int = 0
    demographics: str = ""
    error: str | None = None
    """Why the file could not be read; None for a valid persona."""


def summarise(persona: Persona) -> Summary:
    return Summary(
        id=persona.id,
        method=persona.method,
        model=_short_model(persona.models.get("persona", "")),
        words=persona.stats.words,
        flags=sum(not v.consistent for v in persona.critic),
        repairs=sum(v.action == "repaired" for v in persona.critic),
        demographics=demographic_line(persona.demographics),
    )


def demographic_line(demographics: dict[str, dict[str, float]]) -> str:
    parts = []
    for trait in ("age", "gender", "party"):
        label = most_likely(demographics.get(trait, {}))
        if label:
            parts.append(SHORT.get(label, label))
    return " ".join(parts)


def read_summary(path: Path) -> Summary:
    try:
        return summarise(load_persona(path))
    except UserInputError as exc:
        return Summary(id=path.stem, error=str(exc).removeprefix(f"{path}: "))


class SummaryIndex:
    """Summaries of a run's persona files, from the cache where still valid."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = run_dir
        self._cached = self._load_cache()
        self._fresh: dict[str, tuple[int, int, dict[str, object]]] = {}

    def summaries(self, paths: list[Path]) -> Iterator[Summary]:
        """Yield a summary per path, reading only files that changed since the cache."""
        for path in paths:
            stat = path.stat()
            key = (stat.st_size, stat.st_mtime_ns)
            hit = self._cached.get(path.name)
            if hit is not None and (hit[0], hit[1]) == key:
                summary = Summary(**hit[2])  # type: ignore[arg-type]
            else:
                summary = read_summary(path)
            self._fresh[path.name] = (*key, asdict(summary))
            yield summary

    def save(self) -> None:
        """Write the cache; a read-only run directory simply goes uncached."""
        with contextlib.suppress(OSError):
            atomic_write_json(
                self.run_dir / INDEX_NAME, {"version": INDEX_VERSION, "files": self._fresh}
            )

    def _load_cache(self) -> dict[str, tuple[int, int, dict[str, object]]]:
        try:
            data = json.loads((self.run_dir / INDEX_NAME).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("version") != INDEX_VERSION:
            return {}
        files = data.get("files")
        return {k: tuple(v) for k, v in files.items()} if isinstance(files, dict) else {}


def _short_model(identity: str) -> str:
    kind, _, rest = identity.partition(":")
    if kind == "gguf" and len(rest) >= 8 and ":" not in rest:
        return f"gguf {rest[:8]}"
    return identity.rsplit("/", 1)[-1][:24]
