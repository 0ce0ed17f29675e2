"""A server another process of this run started: reach it, never start or stop it."""

from __future__ import annotations

from interviewer.backends.base import Backend, Endpoint


class AttachedBackend(Backend):
    """The endpoint a parent process's backend started (``--workers``): its identity,
    structured style and API are the parent's, so cache keys and the run's manifest
    are the same as if this process had started the server itself."""

    kind = "attached"

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint

    def start(self) -> Endpoint:
        return self.endpoint

    def stop(self) -> None:
        return None  # the parent owns the server
