"""One worker process of ``--workers`` (``python -m interviewer.interview.worker``).

It reads its ``WorkerJob`` (pickled) on stdin, attaches to the parent's endpoints,
makes its share of the personas and writes one JSON line per persona on its stdout:
``["ready", cpu_s]`` once imported (and the CPU seconds that took), then
``["result", id, ok, tokens]`` per persona, and ``["error", reason]`` before a non-zero
exit.
It stops, saving its usage file, on SIGTERM, on Ctrl-C, and when its stdin closes
(the parent is gone, however it went).
"""

from __future__ import annotations

import asyncio
import json
import os
import pickle
import signal
import sys
import threading
import time
from contextlib import suppress
from typing import IO

from interviewer.errors import InterviewerError
from interviewer.interview.context import InterviewContext
from interviewer.interview.runner import RunSummary, make_part
from interviewer.interview.workers import ROLES, WorkerJob
from interviewer.pool import ModelPool, run_loop
from interviewer.usage import limited

INTERRUPTED = 130


def main() -> int:
    # The reports get their own copy of stdout; anything a library prints goes to
    # stderr, so it can never be taken for a report.
    reports = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)
    _report(reports, "ready", time.process_time())  # imported: the CPU that took
    try:
        job: WorkerJob = pickle.load(sys.stdin.buffer)
    except EOFError:  # the parent ended (its models did not start) before sending one
        return 0
    try:
        run_loop(_work(job, reports))
    except (KeyboardInterrupt, asyncio.CancelledError):
        return INTERRUPTED
    except InterviewerError as exc:
        _report(reports, "error", " ".join(str(exc).split()))
        return exc.exit_code
    except Exception as exc:  # a bug: the parent's one line names it, stderr has the rest
        _report(reports, "error", f"{type(exc).__name__}: {exc}")
        raise
    return 0


def _report(reports: IO[str], *fields: object) -> None:
    reports.write(json.dumps(fields) + "\n")  # one short line: one atomic pipe write


async def _work(job: WorkerJob, reports: IO[str]) -> RunSummary:
    task = asyncio.current_task()
    assert task is not None
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, task.cancel)
    threading.Thread(target=_stop_with_parent, args=(loop, task), daemon=True).start()
    with ModelPool(job.settings, ROLES, attach=job.endpoints) as pool:  # starts nothing
        try:
            ctx = InterviewContext.from_pool(pool, job.settings, job.words_target)
            models = [pool.model(role).model_name for role in ROLES]
            with limited(job.settings.prices, job.budget, models):
                return await make_part(job.plan, ctx, lambda *r: _report(reports, "result", *r))
        finally:
            await pool.aclose()


def _stop_with_parent(loop: asyncio.AbstractEventLoop, task: asyncio.Task[RunSummary]) -> None:
    """Wait for stdin to close (the parent ended), then cancel the work."""
    # The bare descriptor, not sys.stdin: a thread blocked in a buffered read holds its
    # lock, and the interpreter aborts at exit on a lock a daemon thread holds.
    while os.read(sys.stdin.fileno(), 4096):
        pass
    with suppress(RuntimeError):  # the loop is closed: the work ended first
        loop.call_soon_threadsafe(task.cancel)


if __name__ == "__main__":
    sys.exit(main())
