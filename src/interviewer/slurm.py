"""``interviewer slurm``: an sbatch array script, one ``interviewer interview --shard``
per array task, all writing one run directory on shared storage.

Each task runs the command line the user would: its settings decide whether it starts
its own engine (the vllm backend without ``base_url`` starts ``vllm serve`` on the
task's GPUs) or attaches to one (``base_url``). The response cache goes to a
node-local folder unless the settings name one: SQLite's locking does not hold across
NFS clients, so one cache file written by many hosts could be corrupted. A task finds
the run's ``manifest.json`` and adds ``--resume``, so resubmitting a task (or the
whole array) finishes what is missing; shards starting side by side join each other's
run (``interview.runner``).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shlex
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from interviewer.errors import UserInputError
from interviewer.settings import ROLES, Settings
from interviewer.storage import atomic_write_text
from interviewer.version import __version__

SLURM_SCRIPT = "interview.sbatch"
"""The script's name in the run directory (``interviewer status`` looks for it)."""
LOGS = "logs"
NODE_CACHE = "${SLURM_TMPDIR:-${TMPDIR:-/tmp}}/interviewer-${SLURM_JOB_ID:-$$}-${TASK}"
"""The default response cache: on the node's own disk, one per task."""


@dataclass(frozen=True)
class SlurmJob:
    out: Path
    n: int
    shards: int
    interview_args: tuple[str, ...] = ()
    """Further ``interviewer interview`` options (``--method``, ``--concurrency`` ...)."""
    settings_args: tuple[str, ...] = ()
    """The settings flags, as the task passes them (``--settings FILE``, ``--set K=V``)."""
    node_cache: bool = True
    """False: the settings name a cache_dir, which every task then uses."""
    sbatch: tuple[str, ...] = ()
    """``#SBATCH`` options, e.g. ``--partition=gpu``."""
    python: str = field(default_factory=lambda: sys.executable)
    job_name: str = "interviewer"

    def __post_init__(self) -> None:
        if self.shards < 1:
            raise UserInputError(f"--shards {self.shards}: need at least 1")
        if self.shards > self.n:
            raise UserInputError(f"--shards {self.shards}: more shards than --n {self.n}")

    @property
    def path(self) -> Path:
        return self.out / SLURM_SCRIPT


def settings_args(file: Path | None, overrides: Mapping[str, Any]) -> tuple[str, ...]:
    """The flags that give a task the settings this command was given: the file by
    absolute path, each override as one ``--set`` (values as JSON, which YAML reads)."""
    args: list[str] = ["--settings", str(file.resolve())] if file else []
    for key, value in _dotted(overrides):
        args += ["--set", f"{key}={_json(value)}"]
    return tuple(args)


def _dotted(tree: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    pairs: list[tuple[str, Any]] = []
    for key, value in tree.items():
        if isinstance(value, Mapping) and value:
            pairs += _dotted(value, f"{prefix}{key}.")
        else:
            pairs.append((f"{prefix}{key}", value))
    return pairs


def _json(value: Any) -> str:
    return value if isinstance(value, str) and _plain(value) else json.dumps(value)


def _plain(text: str) -> bool:
    # Strings YAML would read back as themselves; anything else goes quoted as JSON.
    try:
        return bool(text) and yaml.safe_load(text) == text
    except yaml.YAMLError:
        return False


def script(job: SlurmJob) -> str:
    out = job.out.resolve()
    logs = out / LOGS
    directives = [
        f"--job-name={job.job_name}",
        f"--array=0-{job.shards - 1}",
        f"--output={logs}/task-%a.out",
        *job.sbatch,
    ]
    forwarded = shlex.join([*job.interview_args, *job.settings_args])
    cache = '--set "cache_dir=$CACHE"' if job.node_cache else ""
    lines = [
        "#!/bin/bash",
        f"# Written by `interviewer slurm` (interviewer {__version__}) on "
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC.",
        f"# Submit: sbatch {shlex.quote(str(out / SLURM_SCRIPT))}    "
        f"Watch: interviewer status {shlex.quote(str(out))}",
        f"# Array task I makes shard I/{job.shards} of {job.n} personas; resubmitting "
        "a task (sbatch --array=I ...) finishes its shard.",
        *(f"#SBATCH {shlex.quote(d)}" for d in directives),
        "set -euo pipefail",
        f"RUN={shlex.quote(str(out))}",
        f"SHARDS={job.shards}",
        'TASK="${SLURM_ARRAY_TASK_ID:?submit with sbatch, or set SLURM_ARRAY_TASK_ID}"',
        f'CACHE="{NODE_CACHE}"' if job.node_cache else "CACHE=",
        'mkdir -p "$RUN/logs"',
        "RESUME=()",
        '[ -f "$RUN/manifest.json" ] && RESUME=(--resume)',
        *_engine_log_lines(job.node_cache),
        'echo "task $TASK of $SHARDS on $(hostname) at $(date -u +%FT%TZ); cache: ${CACHE:-settings}"',
        f"{shlex.quote(job.python)} -m interviewer interview --n {job.n} "
        f'--out "$RUN" --shard "$TASK/$SHARDS" ${{RESUME[@]+"${{RESUME[@]}}"}} '
        f"{forwarded} {cache}".rstrip(),
    ]
    return "\n".join(lines) + "\n"


def _engine_log_lines(node_cache: bool) -> list[str]:
    if not node_cache:
        return []
    # The node-local cache holds the engine's log (cache_dir/logs): copy it beside the
    # task's log when the task ends, however it ends, then free the node's disk.
    return [
        'mkdir -p "$CACHE"',
        "finish() {",
        '  if [ -d "$CACHE/logs" ]; then cp -r "$CACHE/logs" "$RUN/logs/task-$TASK-engine"; fi',
        '  rm -rf "$CACHE"',
        "}",
        "trap finish EXIT",
    ]


def write_script(job: SlurmJob) -> Path:
    """Write the script into the run directory (and its ``logs/``, which SLURM needs
    before a task starts); returns its path."""
    (job.out / LOGS).mkdir(parents=True, exist_ok=True)
    atomic_write_text(job.path, script(job))
    os.chmod(job.path, 0o755)
    return job.path


def interview_args(
    method: str,
    concurrency: int | None,
    seed_texts: Path | None,
    target_words: int | None,
    extra: Sequence[tuple[str, object | None]] = (),
) -> tuple[str, ...]:
    """``interviewer interview`` options to forward, paths made absolute."""
    args: list[str] = [] if method == "interview" else ["--method", method]
    pairs: list[tuple[str, object | None]] = [
        ("--concurrency", concurrency),
        ("--seed-texts", seed_texts.resolve() if seed_texts else None),
        ("--target-words", target_words),
        *extra,
    ]
    for flag, value in pairs:
        if value is not None:
            args += [flag, str(value)]
    return tuple(args)


def engines(settings: Settings) -> list[str]:
    """What each task's roles talk to, in words (the command prints it)."""
    lines = []
    for name in ROLES:
        role = settings.role(name)
        if role.base_url:
            where = f"attaches to {role.base_url}"
        elif role.backend == "vllm":
            where = f"starts {shlex.join(settings.vllm.command)} {role.model or '(no model set)'}"
        elif role.backend == "embedded":
            where = "runs the embedded CPU model in the task"
        else:
            where = f"calls the {role.backend} API"
        lines.append(f"{name}: {where}")
    return lines


def refuse_secrets(overrides: Mapping[str, Any]) -> None:
    """The script lands on shared storage, readable by others: no API keys in it."""
    if any(key.endswith("api_key") for key, _ in _dotted(overrides)):
        raise UserInputError(
            "--api-key / --set ...api_key would be written into the script on shared "
            "storage; export the key in the environment instead (sbatch passes it on)"
        )
