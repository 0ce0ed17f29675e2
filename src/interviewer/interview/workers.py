"""``--workers N``: one run made by N orchestrator processes on one machine.

One orchestrator process is bound by one CPU core (its event loop, LangGraph, the HTTP
clients: a few ms of CPU per LLM call), so past a few hundred calls a second the engine
waits on it. This module is the parent: it holds the run's lock, checks or writes the
manifest, and starts N worker processes (``interview/worker.py``), each making one
share of the persona ids. They attach to the endpoints the parent's pool started, so
the run still has one engine (one embedded server, one vLLM), never one per worker.

How the ids are split: worker j of N is shard j/N (``RunPlan.shard``), so its lock,
its usage file and the ids it makes are exactly a ``--shard j/N`` run's; with ``--shard
i/n`` the workers split that shard again, worker j making shard (i + n·j)/(n·N).
What a run may have in flight at once is split too, so N workers put on the endpoint
what one process would: interviews in flight (``--concurrency``), each role's
``concurrency``, ``rpm`` and ``tpm``, and a budget's tokens and dollars.

Workers report each persona on their stdout (one JSON line); the parent draws the one
progress display. A worker that fails is reported in one line once the others end,
and what they made is kept (``--resume`` makes the rest). The parent stops its workers
however it ends; a worker whose parent is gone (``kill -9``) sees its stdin close and
stops too.
"""

from __future__ import annotations

import asyncio
import json
import os
import pickle
import sys
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from interviewer.backends import Endpoint
from interviewer.errors import InterviewerError, UserInputError
from interviewer.interview.context import InterviewContext
from interviewer.interview.runner import (
    OnResult,
    RunPlan,
    RunSummary,
    completed_ids,
    lock_name,
    prepare_run,
    record_status,
)
from interviewer.resume import exclusive
from interviewer.settings import RoleName, Settings
from interviewer.usage import Budget, BudgetReached

ROLES: tuple[RoleName, ...] = ("interviewer", "persona", "critic")
STOP_GRACE_S = 15.0
"""How long a stopped worker may take to save its usage file before it is killed."""


@dataclass(frozen=True)
class WorkerJob:
    """Everything one worker process needs, sent to it pickled on its stdin."""

    index: int
    workers: int
    plan: RunPlan
    settings: Settings
    endpoints: Mapping[RoleName, Endpoint]
    words_target: int
    budget: Budget


@dataclass
class Tally:
    """What the workers reported, persona by persona."""

    done: int = 0
    failed: int = 0
    tokens: int = 0

    def add(self, ok: bool, tokens: int) -> None:
        self.done += ok
        self.failed += not ok
        self.tokens += tokens


class WorkerFailed(InterviewerError):
    """A worker process stopped before its share was made; the others' work is kept."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def share(total: int, index: int, parts: int) -> int:
    """Part ``index`` of ``total`` split into ``parts`` near-equal whole parts."""
    return total // parts + (index < total % parts)


def worker_jobs(
    plan: RunPlan,
    settings: Settings,
    endpoints: Mapping[RoleName, Endpoint],
    workers: int,
    words_target: int,
    budget: Budget,
) -> list[WorkerJob]:
    """One job per worker; refuses a split that would leave a worker nothing to run."""
    refuse_thin_split(plan, settings, workers)
    base = plan.shard or (0, 1)
    return [
        WorkerJob(
            index=j,
            workers=workers,
            plan=replace(
                plan,
                shard=(base[0] + base[1] * j, base[1] * workers),
                concurrency=share(plan.concurrency, j, workers),
            ),
            settings=_settings_share(settings, j, workers),
            endpoints=dict(endpoints),
            words_target=words_target,
            budget=_budget_share(budget, workers),
        )
        for j in range(workers)
    ]


def refuse_thin_split(plan: RunPlan, settings: Settings, workers: int) -> None:
    """One line where splitting what may be in flight would leave a worker none."""
    if plan.concurrency < workers:
        raise UserInputError(
            f"--workers {workers}: more workers than interviews in flight (--concurrency "
            f"{plan.concurrency}); each worker needs at least one"
        )
    for role in ROLES:
        chosen = settings.role(role)
        for name in ("concurrency", "rpm", "tpm"):
            value = getattr(chosen, name)
            if value is not None and value < workers:
                raise UserInputError(
                    f"--workers {workers}: setting {role}.{name} is {value}, split across "
                    f"{workers} workers it leaves one none; use at most {value} workers"
                )


def _settings_share(settings: Settings, index: int, workers: int) -> Settings:
    mine = settings.model_copy(deep=True)
    for role in ROLES:
        chosen = mine.role(role)
        chosen.concurrency = share(chosen.concurrency, index, workers)
        if chosen.rpm is not None:
            chosen.rpm = share(chosen.rpm, index, workers)
        if chosen.tpm is not None:
            chosen.tpm = share(chosen.tpm, index, workers)
    return mine


def _budget_share(budget: Budget, workers: int) -> Budget:
    return Budget(
        budget.max_usd / workers if budget.max_usd is not None else None,
        max(1, budget.max_tokens // workers) if budget.max_tokens is not None else None,
    )


class Workers:
    """``async with Workers(n) as team: await run_with_workers(..., team=team)``.

    The processes start at once, so each imports the interview stack (about 2 s of CPU)
    while the parent starts its models; each then waits for its job on stdin. However
    the block ends, the ones still running are stopped."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.procs: list[asyncio.subprocess.Process] = []
        self.import_cpu_s = 0.0
        """CPU the workers spent importing (known once ``ready`` returns)."""
        self._ready = False

    async def ready(self) -> None:
        """Wait until every worker has imported what it needs."""
        if self._ready:
            return
        for proc in self.procs:
            assert proc.stdout is not None
            line = await proc.stdout.readline()
            if not line:  # it died importing; ``run`` reports its exit status
                continue
            kind, cpu_s = json.loads(line)
            assert kind == "ready", f"a worker's first report is {kind!r}"
            self.import_cpu_s += float(cpu_s)
        self._ready = True

    async def __aenter__(self) -> Workers:
        try:
            for _ in range(self.count):
                self.procs.append(await _spawn())
        except BaseException:
            await self._stop()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._stop()

    async def _stop(self) -> None:
        await asyncio.gather(*(_stop(proc) for proc in self.procs))

    async def run(self, jobs: list[WorkerJob], on_result: OnResult) -> list[Failure]:
        """Hand each worker its job and relay its reports until it ends; the failures."""
        assert len(jobs) == len(self.procs), "one job per worker"
        await self.ready()
        for job, proc in zip(jobs, self.procs, strict=True):
            assert proc.stdin is not None
            # The job, then stdin stays open: the worker takes its closing for the
            # parent's end.
            with suppress(BrokenPipeError, ConnectionResetError):  # died: _follow says how
                proc.stdin.write(pickle.dumps(job))
                await proc.stdin.drain()
        outcomes = await asyncio.gather(
            *(_follow(job, proc, on_result) for job, proc in zip(jobs, self.procs, strict=True))
        )
        return [failure for failure in outcomes if failure is not None]


@asynccontextmanager
async def workers_for(count: int) -> AsyncIterator[Workers | None]:
    """``Workers(count)`` for more than one, None (this process alone) for one."""
    if count == 1:
        yield None
        return
    async with Workers(count) as team:
        yield team


async def run_with_workers(
    plan: RunPlan,
    ctx: InterviewContext,
    settings_dump: dict[str, Any],
    jobs: list[WorkerJob],
    on_start: Callable[[int, int], None] | None = None,
    on_result: OnResult | None = None,
    team: Workers | None = None,
) -> RunSummary:
    """Make the plan's missing personas with one worker process per job (``worker_jobs``),
    ``team``'s or started here; the counts are the workers' together, as
    ``run_interviews`` returns them."""
    if team is None:
        async with Workers(len(jobs)) as started:
            return await run_with_workers(
                plan, ctx, settings_dump, jobs, on_start, on_result, started
            )
    with exclusive(plan.out / lock_name(plan), plan.out):
        started_at = time.perf_counter()
        manifest = prepare_run(plan, ctx, settings_dump)
        wanted = plan.persona_ids()
        finished = completed_ids(plan.out)
        done_before = sum(pid in finished for _, pid in wanted)
        if on_start:
            on_start(len(wanted), done_before)
        tally = Tally()

        def reported(pid: str, ok: bool, tokens: int) -> None:
            tally.add(ok, tokens)
            if on_result:
                on_result(pid, ok, tokens)

        failures = await team.run(jobs, reported)
        summary = RunSummary(
            len(wanted),
            done_before,
            tally.done,
            tally.failed,
            time.perf_counter() - started_at,
            tally.tokens,
        )
        record_status(plan.out, manifest, summary)
    if failures:
        raise _failure(failures, summary)
    return summary


@dataclass(frozen=True)
class Failure:
    job: WorkerJob
    exit_code: int
    reason: str


def _failure(failures: list[Failure], summary: RunSummary) -> InterviewerError:
    first = failures[0]
    which = ", ".join(f"{f.job.index + 1}" for f in failures)
    made = summary.done_before + summary.done
    text = (
        f"worker {which} of {first.job.workers} stopped ({first.reason}); the "
        f"{made} persona(s) made so far are kept, --resume makes the rest"
    )
    if all(f.exit_code == BudgetReached.exit_code for f in failures):
        return BudgetReached(first.reason)
    return WorkerFailed(text, first.exit_code)


async def _spawn() -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "interviewer.interview.worker",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        env=_worker_env(),
    )


def _worker_env() -> dict[str, str]:
    """This process's environment, with this very package first on the worker's path
    (a notebook or a test may have imported it from a folder Python does not search)."""
    root = str(Path(__file__).resolve().parents[2])  # the folder holding interviewer/
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": root + (os.pathsep + path if path else "")}


async def _follow(
    job: WorkerJob, proc: asyncio.subprocess.Process, on_result: OnResult
) -> Failure | None:
    """Relay the worker's reports until it exits; its failure, or None."""
    assert proc.stdout is not None
    reason = ""
    while line := await proc.stdout.readline():
        kind, *fields = json.loads(line)
        if kind == "result":
            pid, ok, tokens = fields
            on_result(str(pid), bool(ok), int(tokens))
        elif kind == "error":
            reason = str(fields[0])
    code = await proc.wait()
    if code == 0:
        return None
    return Failure(job, code if code > 0 else 1, reason or _signal_reason(code))


def _signal_reason(code: int) -> str:
    return f"killed by signal {-code}" if code < 0 else f"exit status {code}"


async def _stop(proc: asyncio.subprocess.Process) -> None:
    """SIGTERM a worker still running (it saves its usage and exits), SIGKILL after
    ``STOP_GRACE_S``."""
    if proc.stdin is not None:
        proc.stdin.close()
    if proc.returncode is not None:
        return
    with suppress(ProcessLookupError):  # it has just exited
        proc.terminate()
    try:
        await asyncio.wait_for(proc.wait(), STOP_GRACE_S)
    except TimeoutError:
        with suppress(ProcessLookupError):
            proc.kill()
        await proc.wait()
