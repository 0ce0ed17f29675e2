"""Keep a run's status file fresh while it runs (see ``contracts.shard_status``).

The file is rewritten every ``HEARTBEAT_S`` seconds and once at the end; a process
killed with ``kill -9`` (or a node that dies) leaves it at ``state: running`` with a
heartbeat that stops moving, which is how ``interviewer status`` knows it is dead.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import socket
import sys
from pathlib import Path
from types import TracebackType

from interviewer.contracts.shard_status import (
    STALE_AFTER_S,
    PlannedIds,
    ShardStatus,
    read_status,
    status_path,
    write_status,
)
from interviewer.errors import InterviewerError, UserInputError
from interviewer.usage import Ledger

HEARTBEAT_S = 5.0
log = logging.getLogger(__name__)


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def slurm_job() -> str | None:
    env = os.environ
    if env.get("SLURM_ARRAY_JOB_ID") and env.get("SLURM_ARRAY_TASK_ID"):
        return f"{env['SLURM_ARRAY_JOB_ID']}_{env['SLURM_ARRAY_TASK_ID']}"
    return env.get("SLURM_JOB_ID") or None


def refuse_live_elsewhere(out: Path, shard: tuple[int, int] | None) -> None:
    """Refuse to start where the status file says this shard runs on another host now
    (its lock holds on this host only); a dead one's heartbeat is stale in a minute."""
    path = status_path(out, shard)
    if not path.is_file():
        return
    status = read_status(path)
    age = (dt.datetime.now(dt.UTC) - dt.datetime.fromisoformat(status.heartbeat)).total_seconds()
    if status.state == "running" and status.host != socket.gethostname() and age < STALE_AFTER_S:
        what = f"shard {status.shard}" if status.shard else "this run"
        raise UserInputError(
            f"{out}: {what} is running on {status.host} (pid {status.pid}, heartbeat "
            f"{age:.0f} s ago); stop it there, or wait: a dead one goes stale in "
            f"{STALE_AFTER_S:.0f} s"
        )


class Heartbeat:
    """``async with Heartbeat(...)`` around a run's work; ``result`` per persona."""

    def __init__(
        self,
        out: Path,
        shard: tuple[int, int] | None,
        n: int,
        done_before: int,
        ledger: Ledger,
        every_s: float = HEARTBEAT_S,
    ) -> None:
        self.path = status_path(out, shard)
        self.ledger = ledger
        self.every_s = every_s
        start, step = shard if shard else (0, 1)
        self.status = ShardStatus(
            shard=f"{shard[0]}/{shard[1]}" if shard else None,
            host=socket.gethostname(),
            pid=os.getpid(),
            started=now_iso(),
            heartbeat=now_iso(),
            heartbeat_s=every_s,
            planned=PlannedIds(n=n, start=start, step=step),
            done_before=done_before,
            argv=list(sys.argv),
            cwd=os.getcwd(),
            slurm_job=slurm_job(),
        )
        self._task: asyncio.Task[None] | None = None

    def result(self, ok: bool) -> None:
        if ok:
            self.status.done += 1
        else:
            self.status.failed += 1

    def write(self) -> None:
        write_status(self.path, self.snapshot())

    def snapshot(self) -> ShardStatus:
        """The status as of now, taken on the event loop (the ledger changes there)."""
        self.status.heartbeat = now_iso()
        self.status.tokens = self.ledger.tokens()
        self.status.calls = sum(e.calls for e in self.ledger.entries.values())
        return self.status.model_copy()

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(self.every_s)
            try:
                # A thread: on NFS a write and its fsync may take a while; the calls go on.
                await asyncio.to_thread(write_status, self.path, self.snapshot())
            except (OSError, InterviewerError) as error:  # the next beat tries again
                log.warning("could not update %s: %s", self.path, error)

    async def __aenter__(self) -> Heartbeat:
        self.write()
        self._task = asyncio.create_task(self._beat())
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if exc is None:
            self.status.state = "finished"
            self.write()
            return
        self.status.state = "stopped"
        interrupted = isinstance(exc, (asyncio.CancelledError, KeyboardInterrupt))
        text = "interrupted" if interrupted else " ".join(str(exc).split())[:300]
        self.status.reason = text or type(exc).__name__
        try:
            self.write()
        except (OSError, InterviewerError) as error:  # the run's own error is what counts
            log.warning("could not update %s: %s", self.path, error)
