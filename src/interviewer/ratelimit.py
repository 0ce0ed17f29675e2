"""Requests and tokens per minute to one endpoint, on aiolimiter's leaky buckets.

``rpm`` paces requests evenly: a bucket holding one request, drained at ``rpm`` a minute,
so calls start at most every ``60 / rpm`` seconds and never in a burst (a provider that
counts per second or per minute is met either way). ``tpm`` is a bucket of a minute's
tokens: a request takes its prompt (estimated at ``CHARS_PER_TOKEN``) plus its
``max_tokens``, the most it can spend, before it is sent.
"""

from __future__ import annotations

import asyncio
import math

from aiolimiter import AsyncLimiter

from interviewer.model import Request

CHARS_PER_TOKEN = 4


class RateLimit:
    """One endpoint's limits, shared by every role on it (``ModelContext.rate``)."""

    def __init__(self, rpm: int | None, tpm: int | None) -> None:
        if rpm is None and tpm is None:
            raise ValueError("a RateLimit needs rpm or tpm")
        self.rpm = rpm
        self.tpm = tpm
        self._loop: asyncio.AbstractEventLoop | None = None
        self._requests: AsyncLimiter | None = None
        self._tokens: AsyncLimiter | None = None

    async def acquire(self, request: Request) -> None:
        """Wait until ``request`` may be sent."""
        self._for_this_loop()
        if self._tokens is not None and self.tpm is not None:
            # A request larger than a minute's budget waits for a full bucket, not forever.
            await self._tokens.acquire(min(request_tokens(request), self.tpm))
        if self._requests is not None:
            await self._requests.acquire()

    def _for_this_loop(self) -> None:
        # aiolimiter's buckets belong to one event loop; a new loop gets fresh ones.
        loop = asyncio.get_running_loop()
        if loop is self._loop:
            return
        self._loop = loop
        self._requests = AsyncLimiter(1, 60 / self.rpm) if self.rpm else None
        self._tokens = AsyncLimiter(self.tpm, 60) if self.tpm else None


def request_tokens(request: Request) -> int:
    """The most tokens ``request`` can spend: its prompt (estimated) and ``max_tokens``."""
    return math.ceil(len(request.prompt) / CHARS_PER_TOKEN) + request.max_tokens
