"""The one retry policy for every LLM call.

Transient failures are retried with jittered exponential backoff: rate limits (waiting
what ``Retry-After`` asks, capped), 5xx, timeouts, connection resets and bodies that do
not parse. Any other 4xx is a mistake in the request and is raised at once. When the
attempts run out the caller gets one ``EndpointError`` naming the endpoint.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Awaitable, Callable
from typing import TypeVar

import aiohttp
import httpx2
import openai
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    RetryError,
    retry_if_exception,
    stop_after_attempt,
    stop_after_delay,
    wait_random_exponential,
)

from interviewer.errors import EndpointError, EndpointUnreachable, ModelOutputError
from interviewer.settings import RetrySettings

log = logging.getLogger(__name__)
T = TypeVar("T")


class MalformedResponse(ModelOutputError):
    """The endpoint answered 2xx with a body that is not the expected JSON."""


def is_transient(exc: BaseException) -> bool:
    """True for failures that another attempt may cure."""
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code == 429 or exc.status_code >= 500
    return isinstance(
        exc,
        openai.APIConnectionError  # includes APITimeoutError
        | httpx2.TransportError
        | MalformedResponse,
    )


def replica_down(exc: EndpointError) -> bool:
    """Did the retry policy give up on a server that is gone or broken (nothing
    listening, connection reset, timeouts, 5xx)? Then another replica of the model may
    answer. A 4xx, a rate limit or an unreadable body says nothing about the server."""
    cause = exc.__cause__
    if isinstance(exc, EndpointUnreachable):
        return True
    if isinstance(cause, openai.APIStatusError):
        return cause.status_code >= 500
    return isinstance(cause, openai.APIConnectionError | httpx2.TransportError)


def retry_after_seconds(exc: BaseException | None) -> float | None:
    """Seconds the server asked us to wait, from a ``Retry-After`` header, if any."""
    if not isinstance(exc, openai.APIStatusError):
        return None
    value = exc.response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date; rare from LLM servers, so fall back to backoff


class _Wait:
    """Retry-After when the server sends one, else jittered exponential backoff."""

    def __init__(self, settings: RetrySettings) -> None:
        self._cap = settings.max_wait_s
        self._backoff = wait_random_exponential(
            multiplier=settings.initial_wait_s, max=settings.max_wait_s
        )

    def __call__(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        asked = retry_after_seconds(exc)
        if asked is not None:
            return min(asked, self._cap)
        return float(self._backoff(state))


def _log_retry(endpoint: str) -> Callable[[RetryCallState], None]:
    def before_sleep(state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        log.info("%s: attempt %d failed (%s); retrying", endpoint, state.attempt_number, exc)

    return before_sleep


async def call_with_retry(
    endpoint: str, settings: RetrySettings, call: Callable[[], Awaitable[T]]
) -> T:
    """Run ``call`` under the retry policy; raise ``EndpointError`` naming ``endpoint``."""
    retrying = AsyncRetrying(
        stop=stop_after_attempt(settings.attempts) | stop_after_delay(settings.max_total_s),
        wait=_Wait(settings),
        retry=retry_if_exception(is_transient),
        before_sleep=_log_retry(endpoint),
        reraise=False,
    )
    try:
        return await retrying(call)
    except RetryError as exc:
        last = exc.last_attempt.exception()
        raise _gave_up(endpoint, settings.attempts, last) from last
    except openai.APIStatusError as exc:
        raise EndpointError(endpoint, f"HTTP {exc.status_code}: {_short(exc)}") from exc


def _gave_up(endpoint: str, attempts: int, last: BaseException | None) -> EndpointError:
    if isinstance(last, openai.APIConnectionError) and _refused(last):
        return EndpointUnreachable(endpoint, f"cannot connect after {attempts} attempt(s)")
    return EndpointError(endpoint, f"gave up after {attempts} attempt(s): {_short(last)}")


def _refused(exc: BaseException) -> bool:
    """Did the connection itself fail (nothing listening, no such host)?

    Read from the cause chain: the aiohttp transport reports a refused connection as a
    connect *timeout*, so the exception's own type cannot tell."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(
            seen, aiohttp.ClientConnectorError | ConnectionRefusedError | socket.gaierror
        ):
            return True
        if isinstance(seen, httpx2.ConnectError):
            return True
        seen = seen.__cause__ or seen.__context__
    return not isinstance(exc, openai.APITimeoutError)


def _short(exc: BaseException | None) -> str:
    if exc is None:
        return "unknown error"
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."
