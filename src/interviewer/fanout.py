"""Run one coroutine per item, at most ``concurrency`` at a time, with one cancellation rule.

The rule: the first exception that escapes ``work`` cancels every sibling, waits until they
have all finished (so nothing is still writing when the caller handles the error), then is
re-raised; a cancellation of the caller (Ctrl-C under ``asyncio.run``) cancels and waits the
same way. Failures a caller wants to record per item are caught inside its ``work``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence, Sized
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


async def fan_out(
    items: Iterable[T], work: Callable[[T], Awaitable[None]], *, concurrency: int
) -> None:
    """Await ``work(item)`` for every item on ``concurrency`` workers, in item order.

    Items are drawn lazily, one when a worker is free: after a failure no further item starts.
    """
    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1, got {concurrency}")
    source = iter(items)

    async def worker() -> None:
        for item in source:  # one shared iterator: each item goes to exactly one worker
            await work(item)

    loop = asyncio.get_running_loop()
    stop: asyncio.Future[None] = loop.create_future()
    failures: list[asyncio.Task[None]] = []
    workers = min(concurrency, len(items)) if isinstance(items, Sized) else concurrency
    tasks = [asyncio.ensure_future(worker()) for _ in range(workers)]

    def finished(task: asyncio.Task[None]) -> None:
        # Done callbacks run in completion order, so failures[0] is the first to fail.
        if _failed(task):
            failures.append(task)
        if not stop.done() and (failures or all(t.done() for t in tasks)):
            stop.set_result(None)

    for task in tasks:
        task.add_done_callback(finished)
    try:
        if tasks:
            await stop
        # A worker may have failed after ``stop`` resolved, its callback not yet run.
        failures.extend(t for t in tasks if _failed(t) and t not in failures)
    finally:
        for task in tasks:
            task.remove_done_callback(finished)
        await _cancel_and_wait(tasks)
    if failures:
        failures[0].result()  # re-raises the first failure (a stray cancellation included)


async def fan_out_all(items: Sequence[T], work: Callable[[T], Awaitable[R]]) -> list[R]:
    """``work(item)`` for every item at once, results in item order: ``asyncio.gather``
    under the rule above (a failure cancels and awaits the siblings before it is raised)."""
    results: dict[int, R] = {}

    async def one(indexed: tuple[int, T]) -> None:
        index, item = indexed
        results[index] = await work(item)

    await fan_out(list(enumerate(items)), one, concurrency=max(1, len(items)))
    return [results[index] for index in range(len(items))]


def _failed(task: asyncio.Task[None]) -> bool:
    return task.done() and (task.cancelled() or task.exception() is not None)


async def _cancel_and_wait(tasks: list[asyncio.Task[None]]) -> None:
    """Cancel ``tasks`` and return once all are done, even if the caller is cancelled again."""
    for task in tasks:
        task.cancel()
    pending = [t for t in tasks if not t.done()]
    interrupted = False
    while pending:
        try:
            await asyncio.wait(pending)
        except asyncio.CancelledError:
            interrupted = True  # keep waiting: the workers must not outlive this call
        pending = [t for t in pending if not t.done()]
    if interrupted:
        raise asyncio.CancelledError
