"""The one fan-out rule: bounded concurrency; the first failure cancels, awaits and re-raises."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interviewer.fanout import fan_out, fan_out_all


class Boom(Exception):
    pass


def others() -> list[asyncio.Task[object]]:
    return [t for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()]


async def test_every_item_runs_once_and_never_more_than_concurrency_at_once() -> None:
    running, peak, seen = 0, 0, []

    async def work(item: int) -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.001 * (item % 3))
        seen.append(item)
        running -= 1

    await fan_out(range(20), work, concurrency=4)
    assert sorted(seen) == list(range(20))
    assert peak == 4


async def test_no_items_returns_at_once() -> None:
    async def work(item: int) -> None:
        raise AssertionError("no item")

    await fan_out([], work, concurrency=3)
    await fan_out(iter([]), work, concurrency=3)


async def test_the_first_failure_cancels_and_awaits_siblings_then_is_raised() -> None:
    cleaned: list[int] = []
    started: list[int] = []
    first = Boom("first")

    async def work(item: int) -> None:
        started.append(item)
        if item == 0:
            await asyncio.sleep(0)
            raise first
        if item == 1:
            await asyncio.sleep(0.01)
            raise Boom("second")
        try:
            await asyncio.sleep(10)
        finally:
            await asyncio.sleep(0.01)  # a sibling's cleanup must be over before the raise
            cleaned.append(item)

    with pytest.raises(Boom) as caught:
        await fan_out(range(100), work, concurrency=3)
    assert caught.value is first
    assert cleaned == [2]
    assert started == [0, 1, 2]  # nothing starts after the failure
    assert others() == []


async def test_a_cancelled_caller_cancels_and_awaits_the_workers() -> None:
    cleaned: list[int] = []

    async def work(item: int) -> None:
        try:
            await asyncio.sleep(10)
        finally:
            await asyncio.sleep(0.01)
            cleaned.append(item)

    outer = asyncio.ensure_future(fan_out(range(5), work, concurrency=2))
    await asyncio.sleep(0.01)
    outer.cancel()
    with pytest.raises(asyncio.CancelledError):
        await outer
    assert sorted(cleaned) == [0, 1]
    assert others() == []


async def test_a_second_cancel_during_cleanup_still_waits_for_the_workers() -> None:
    cleaned: list[int] = []

    async def work(item: int) -> None:
        try:
            await asyncio.sleep(10)
        finally:
            await asyncio.sleep(0.05)
            cleaned.append(item)

    outer = asyncio.ensure_future(fan_out(range(3), work, concurrency=3))
    await asyncio.sleep(0.01)
    outer.cancel()
    await asyncio.sleep(0.01)
    outer.cancel()
    with pytest.raises(asyncio.CancelledError):
        await outer
    assert sorted(cleaned) == [0, 1, 2]


def test_concurrency_below_one_is_refused() -> None:
    async def work(item: int) -> None:
        pass

    with pytest.raises(ValueError, match="concurrency"):
        asyncio.run(fan_out([1], work, concurrency=0))


@settings(max_examples=60, deadline=None)
@given(
    delays=st.lists(st.integers(0, 3), min_size=1, max_size=12),
    fail_at=st.integers(0, 11),
    concurrency=st.integers(1, 5),
)
def test_after_a_failure_nothing_is_left_running(
    delays: list[int], fail_at: int, concurrency: int
) -> None:
    active: set[int] = set()
    finished: list[int] = []

    async def work(item: int) -> None:
        active.add(item)
        try:
            for _ in range(delays[item]):
                await asyncio.sleep(0)
            if item == fail_at:
                raise Boom(str(item))
            finished.append(item)
        finally:
            active.discard(item)

    async def main() -> None:
        if fail_at < len(delays):
            with pytest.raises(Boom, match=f"^{fail_at}$"):
                await fan_out(range(len(delays)), work, concurrency=concurrency)
        else:
            await fan_out(range(len(delays)), work, concurrency=concurrency)
            assert sorted(finished) == list(range(len(delays)))
        assert active == set()
        assert others() == []

    asyncio.run(main())


async def test_fan_out_all_runs_every_item_at_once_and_keeps_item_order() -> None:
    started: list[int] = []
    release = asyncio.Event()

    async def work(item: int) -> str:
        started.append(item)
        if len(started) == 4:
            release.set()  # only once all four are in flight at the same time
        await release.wait()
        await asyncio.sleep(0.001 * (4 - item))  # the last item finishes first
        return f"r{item}"

    assert await fan_out_all([0, 1, 2, 3], work) == ["r0", "r1", "r2", "r3"]
    assert started == [0, 1, 2, 3]
    assert await fan_out_all([], work) == []
