"""Several servers for one model, each persona's calls kept on one of them.

An interview sends its whole transcript again on every call. An engine with a prefix
cache computes only what is new, but only on the replica that served the call before,
so every call of one persona (all roles: the interviewer's and critic's prompts repeat
the same transcript) goes to one replica:

* **which one**: rendezvous (highest-random-weight) hashing of the persona id over the
  replicas' URLs (Thaler & Ravishankar 1998), so every process of a run picks the same
  replica and removing one moves only the personas it had;
* **a bound on load**: a persona's first call takes the first replica in its hash
  order whose requests in flight are under ``LOAD_BOUND`` × the mean, and the persona
  stays there (consistent hashing with bounded loads, Mirrokni, Thorup & Zadimoghaddam
  2018). Hashing alone gave one of four replicas 27 % more than the mean in
  ``bench/replicas.py`` (1,142 requests to 899), the others idle while it finished:
  3.25× one replica instead of 3.80×;
* **failure**: when the retry policy gives up on a replica for a server fault
  (``retry.replica_down``), it is down for ``PROBE_AFTER_S``: one log line, its
  personas move to their next replica in hash order, and the call is sent there, so
  nothing is lost. After the wait it takes personas again; the first call it fails
  marks it down again (a half-open probe, no extra traffic);
* calls outside a persona (no ``persona_session``) go to the replica with the fewest
  requests in flight.

``persona_session`` also names the persona in a header on every call
(``RoleSettings.session_header``), for a router in front of replicas to do the same.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

from interviewer.errors import EndpointError
from interviewer.model import CHAT_LABEL, Completion, Model, ModelContext, Request
from interviewer.retry import replica_down

log = logging.getLogger(__name__)

LOAD_BOUND = 1.25
"""A new persona skips a replica with this many times the mean requests in flight."""
PROBE_AFTER_S = 30.0
"""How long a failed replica takes no calls before it is tried again."""

_session: ContextVar[str | None] = ContextVar("interviewer_persona_session", default=None)


@contextmanager
def persona_session(persona_id: str) -> Iterator[None]:
    """Every model call made inside (tasks started inside included) belongs to
    ``persona_id``: one replica, one session header. Not part of any cache key."""
    token = _session.set(persona_id)
    try:
        yield
    finally:
        _session.reset(token)


def current_session() -> str | None:
    """The persona the running call belongs to, or None outside ``persona_session``."""
    return _session.get()


def session_headers(header: str | None) -> dict[str, str] | None:
    """``{header: persona id}`` for the running call, None without a header or persona."""
    session = _session.get()
    if header is None or session is None:
        return None
    return {header: session}


def rendezvous_order(key: str, names: Sequence[str]) -> list[int]:
    """Indices into ``names``, highest rendezvous weight for ``key`` first."""
    return sorted(range(len(names)), key=lambda i: _weight(key, names[i]), reverse=True)


def _weight(key: str, name: str) -> int:
    # A keyed digest, not hash(): the same on every process and every run.
    digest = hashlib.blake2b(f"{key}\0{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


class ReplicaSet:
    """Which replica each persona is on, what each has in flight, which are down.
    Shared by every role on the same servers, so a persona's roles share a replica."""

    def __init__(self, urls: Sequence[str], model: str) -> None:
        self.urls = tuple(urls)
        self.model = model
        """The model they serve, to name in log lines."""
        self.in_flight = [0] * len(self.urls)
        self.pins: dict[str, int] = {}
        """Persona id -> its replica, from its first call on."""
        self._down_until = [0.0] * len(self.urls)
        self._down = [False] * len(self.urls)

    def choose(self, key: str | None, tried: set[int]) -> int:
        """The replica for a call of persona ``key``, skipping ``tried``."""
        now = time.monotonic()
        pinned = self.pins.get(key) if key is not None else None
        if pinned is not None and pinned not in tried and self._usable(pinned, now):
            return pinned
        left = [i for i in range(len(self.urls)) if i not in tried]
        # Every replica down: try them all the same rather than fail the call unsent.
        candidates = [i for i in left if self._usable(i, now)] or left
        if key is None:
            return min(candidates, key=self.in_flight.__getitem__)
        order = [i for i in rendezvous_order(key, self.urls) if i in candidates]
        # In flight < c × mean (with this call): Mirrokni et al.'s ceil(c × mean) bound,
        # for whole counts.
        bound = LOAD_BOUND * (sum(self.in_flight[i] for i in candidates) + 1) / len(candidates)
        chosen = next((i for i in order if self.in_flight[i] < bound), order[0])
        self.pins[key] = chosen
        return chosen

    def failed(self, index: int, exc: EndpointError) -> None:
        """Replica ``index`` is down: no calls for ``PROBE_AFTER_S``; said once."""
        self._down_until[index] = time.monotonic() + PROBE_AFTER_S
        if self._down[index]:
            return
        self._down[index] = True
        up = len(self.urls) - sum(self._down)
        log.warning(
            "replica %s of %s is down (%s); its personas move to the other %d, and it is "
            "tried again in %.0f s",
            self.urls[index],
            self.model,
            str(exc).removeprefix(f"{self.urls[index]}: "),
            up,
            PROBE_AFTER_S,
        )

    def answered(self, index: int) -> None:
        if self._down[index]:
            self._down[index] = False
            log.warning("replica %s of %s answers again", self.urls[index], self.model)

    def _usable(self, index: int, now: float) -> bool:
        return now >= self._down_until[index]


class ReplicatedModel(Model):
    """One role's model on several replicas: the cache, budget and usage of ``Model``
    once, then each call routed by its ``ReplicaSet`` to one replica's own concurrency
    limit, rate gate and retry policy."""

    def __init__(
        self, replicas: Sequence[Model], routes: ReplicaSet, context: ModelContext
    ) -> None:
        first = replicas[0]
        identity = first.identity.removesuffix(f" {CHAT_LABEL}")  # Model adds it back
        where = f"{first.endpoint} (+{len(replicas) - 1} replicas)"
        super().__init__(first.role, identity, where, first.defaults, context, first.api)
        self.replicas = tuple(replicas)
        self.routes = routes

    @property
    def model_name(self) -> str:
        return self.replicas[0].model_name

    def request_variant(self) -> str:
        # Replicas serve one model the same way: their cache keys are the role's.
        return self.replicas[0].request_variant()

    async def aclose(self) -> None:
        for replica in self.replicas:
            await replica.aclose()

    async def _generate(self, request: Request) -> Completion:
        raise NotImplementedError("a replicated model sends each call through _call")

    async def _call(self, request: Request) -> Completion:
        key = current_session()
        tried: set[int] = set()
        while True:
            index = self.routes.choose(key, tried)
            self.routes.in_flight[index] += 1
            try:
                completion = await self.replicas[index]._call(request)
            except EndpointError as exc:
                if not replica_down(exc):
                    raise
                self.routes.failed(index, exc)
                tried.add(index)
                if len(tried) == len(self.replicas):
                    raise  # every replica failed this call: the run's error, as with one
                continue
            finally:
                self.routes.in_flight[index] -= 1
            self.routes.answered(index)
            return completion
