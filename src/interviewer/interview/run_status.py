"""What a run directory says about the processes writing it (``interviewer status``).

Read-only and cheap on a shared filesystem: persona and failure files are counted by
name (each is written whole or not at all, so its name is enough), and each process's
status file (``contracts.shard_status``) says where it runs, what it spent and when it
last wrote. A process is running while its heartbeat is fresh, dead once it is stale
and the process never said it finished. Run directories written before status files
existed have none: done and failed per shard are still known from the files, whether a
shard is running, where, how fast, its ETA and its command are not.
"""

from __future__ import annotations

import datetime as dt
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import ValidationError

from interviewer.contracts.persona import Manifest
from interviewer.contracts.shard_status import (
    STALE_AFTER_S,
    ShardStatus,
    read_status,
    status_files,
)
from interviewer.errors import UserInputError
from interviewer.interview.runner import persona_id
from interviewer.slurm import SLURM_SCRIPT
from interviewer.usage import read_usage, run_usage_path

ShardState = Literal["done", "running", "dead", "stopped", "finished", "not started", "no status"]
"""done: every planned persona has its file. running / dead: fresh / stale heartbeat,
unfinished. stopped: ended early on a run-wide fault (reason). finished: went through
its ids, some failed. not started: no status, no files. no status: files but no status
file (a run from before status files), so running or not cannot be known."""
NEEDS_RERUN = frozenset({"dead", "stopped", "finished", "not started", "no status"})
_SHARD_NAME = re.compile(r"(?:\.lock-|shard-)(\d+)of(\d+)")


@dataclass(frozen=True)
class ShardView:
    shard: str | None
    state: ShardState
    planned: int
    done: int
    failed: int
    """Failed and not made since (``failed/`` files without a persona file)."""
    tokens: int
    """Sent and generated, every process of this shard so far (usage files and the live
    process's status); a process killed outright loses what it had not yet reported."""
    host: str | None = None
    pid: int | None = None
    heartbeat_age_s: float | None = None
    per_minute: float | None = None
    """Personas a minute made by the shard's latest process (None: not known)."""
    eta_s: float | None = None
    reason: str | None = None
    rerun: str | None = None
    """The command that finishes it (None: nothing to do, or it is running)."""

    @property
    def left(self) -> int:
        return self.planned - self.done


@dataclass(frozen=True)
class RunStatus:
    path: Path
    n: int
    method: str
    shards: list[ShardView]
    has_status_files: bool
    slurm_rerun: str | None = None
    """``sbatch --array=...`` for the shards to rerun, when the run has a SLURM script."""
    notes: list[str] = field(default_factory=list)

    @property
    def done(self) -> int:
        return sum(s.done for s in self.shards)

    @property
    def failed(self) -> int:
        return sum(s.failed for s in self.shards)

    @property
    def tokens(self) -> int:
        return sum(s.tokens for s in self.shards)

    @property
    def per_minute(self) -> float | None:
        rates = [s.per_minute for s in self.shards if s.state == "running" and s.per_minute]
        return sum(rates) if rates else None

    @property
    def eta_s(self) -> float | None:
        """When the running shards are done; None while any shard needs a rerun."""
        if self.to_rerun or not any(s.state == "running" for s in self.shards):
            return None
        etas = [s.eta_s for s in self.shards if s.state == "running"]
        return None if None in etas else max(e for e in etas if e is not None)

    @property
    def to_rerun(self) -> list[ShardView]:
        return [s for s in self.shards if s.state in NEEDS_RERUN]


def run_status(
    path: Path, stale_after_s: float = STALE_AFTER_S, now: dt.datetime | None = None
) -> RunStatus:
    manifest = _manifest(path)
    moment = now or dt.datetime.now(dt.UTC)
    files = status_files(path)
    count = _shard_count(path, manifest, files)
    made = {p.stem for p in path.glob("p*.json")}
    failed = {p.stem for p in (path / "failed").glob("p*.json")} - made
    shards = [None] if count is None else [(i, count) for i in range(count)]
    views = []
    for shard in shards:
        status = read_status(files[shard]) if shard in files else None
        ids = _ids(manifest.n, shard)
        views.append(
            _view(path, manifest, shard, status, ids & made, ids & failed, stale_after_s, moment)
        )
    notes = [] if files else [_NO_STATUS_NOTE]
    return RunStatus(
        path,
        manifest.n,
        manifest.method,
        views,
        bool(files),
        _slurm_rerun(path, views),
        notes,
    )


_NO_STATUS_NOTE = (
    "no status files (a run from before interviewer wrote them, or no process has started): "
    "done and failed per shard come from the files; whether a shard is running, its host, "
    "rate and ETA cannot be known"
)


def _manifest(path: Path) -> Manifest:
    manifest_path = path / "manifest.json"
    if not manifest_path.is_file():
        raise UserInputError(f"{path}: no manifest.json, not a run directory")
    try:
        return Manifest.model_validate_json(manifest_path.read_bytes())
    except ValidationError:
        raise UserInputError(f"{manifest_path}: not a valid run manifest") from None


def _shard_count(
    path: Path, manifest: Manifest, files: dict[tuple[int, int] | None, Path]
) -> int | None:
    """How many shards write the run: from the status, usage and lock files' names and
    the manifest (which the last shard to start wrote); None: one process."""
    counts = {shard[1] for shard in files if shard}
    counts |= {int(m[2]) for p in path.glob("*") if (m := _SHARD_NAME.match(p.name))}
    if manifest.shard:
        counts.add(int(manifest.shard.split("/")[1]))
    if len(counts) > 1:
        raise UserInputError(
            f"{path}: written by shards of different counts ({', '.join(map(str, sorted(counts)))})"
        )
    return counts.pop() if counts else None


def _ids(n: int, shard: tuple[int, int] | None) -> set[str]:
    start, step = shard if shard else (0, 1)
    return {persona_id(i) for i in range(start, n, step)}


def _view(
    path: Path,
    manifest: Manifest,
    shard: tuple[int, int] | None,
    status: ShardStatus | None,
    done: set[str],
    failed: set[str],
    stale_after_s: float,
    now: dt.datetime,
) -> ShardView:
    planned = len(_ids(manifest.n, shard))
    tokens = sum(e.tokens for e in read_usage(run_usage_path(path, shard)))
    label = f"{shard[0]}/{shard[1]}" if shard else None
    if status is None:
        state: ShardState = (
            "done" if len(done) == planned else "no status" if done or failed else "not started"
        )
        rerun = None if state == "done" else _built_command(path, manifest, shard)
        return ShardView(label, state, planned, len(done), len(failed), tokens, rerun=rerun)
    age = (now - dt.datetime.fromisoformat(status.heartbeat)).total_seconds()
    state = _state(status, len(done) == planned, age, stale_after_s)
    if status.state == "running":
        tokens += status.tokens  # not in the usage file until the process ends
    rate = _per_minute(status, len(done), now if state == "running" else None)
    eta = (planned - len(done)) / rate * 60 if rate and state == "running" else None
    return ShardView(
        label,
        state,
        planned,
        len(done),
        len(failed),
        tokens,
        host=status.host,
        pid=status.pid,
        heartbeat_age_s=max(age, 0.0),
        per_minute=rate,
        eta_s=eta,
        reason=status.reason,
        rerun=_rerun(path, manifest, shard, status) if state in NEEDS_RERUN else None,
    )


def _state(status: ShardStatus, complete: bool, age: float, stale_after_s: float) -> ShardState:
    if complete:
        return "done"
    if status.state == "running":
        return "running" if age <= stale_after_s else "dead"
    return "stopped" if status.state == "stopped" else "finished"


def _per_minute(status: ShardStatus, done: int, now: dt.datetime | None) -> float | None:
    """Personas a minute the latest process made: the files (fresher than its last
    heartbeat) over its time so far, or up to its last heartbeat once it is gone."""
    started = dt.datetime.fromisoformat(status.started)
    until = now or dt.datetime.fromisoformat(status.heartbeat)
    seconds = (until - started).total_seconds()
    made = done - status.done_before
    return made / seconds * 60 if seconds > 0 and made > 0 else None


def _rerun(
    path: Path, manifest: Manifest, shard: tuple[int, int] | None, status: ShardStatus
) -> str:
    """The process's own command with ``--resume``, where it was an ``interviewer
    interview`` command line; else one built from the manifest."""
    argv = status.argv
    launcher = Path(argv[0]).name if argv else ""
    if launcher in ("interviewer", "__main__.py") and argv[1:2] == ["interview"]:
        args = ["interviewer", *argv[1:]]
        if "--resume" not in args:
            args.append("--resume")
        return f"cd {shlex.quote(status.cwd)} && {shlex.join(args)}"
    return _built_command(path, manifest, shard)


def _built_command(path: Path, manifest: Manifest, shard: tuple[int, int] | None) -> str:
    args = ["interviewer", "interview", "--n", str(manifest.n), "--out", str(path.resolve())]
    if manifest.method != "interview":
        args += ["--method", manifest.method]
    if shard:
        args += ["--shard", f"{shard[0]}/{shard[1]}"]
    args.append("--resume")
    return shlex.join(args) + "  # plus the run's settings (--settings / --set)"


def _slurm_rerun(path: Path, views: list[ShardView]) -> str | None:
    script = path / SLURM_SCRIPT
    tasks = [v.shard.split("/")[0] for v in views if v.shard and v.state in NEEDS_RERUN]
    if not script.is_file() or not tasks:
        return None
    return f"sbatch --array={','.join(tasks)} {shlex.quote(str(script.resolve()))}"
