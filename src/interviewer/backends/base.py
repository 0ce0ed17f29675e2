"""The small interface every backend implements."""

from __future__ import annotations

import socket
from abc import ABC, abstractmethod
from dataclasses import dataclass
from types import TracebackType

import httpx

from interviewer.settings import StructuredStyle


@dataclass(frozen=True)
class Endpoint:
    """How to reach a running OpenAI-compatible server."""

    base_url: str
    """Up to and including ``/v1``."""
    model: str
    """The model name sent with each request."""
    identity: str
    """Names the weights for cache keys: same identity, same outputs."""
    structured: StructuredStyle
    """How this server takes a JSON schema for constrained output (never ``auto``)."""
    api_key: str = "EMPTY"
    label: str = ""
    """A short human description for tables and errors."""
    serves_completions: bool | None = True
    """Does ``/v1/completions`` serve the model? None: unknown, a role on ``api: auto``
    asks the endpoint (``providers.resolve_api``)."""
    replicas: tuple[str, ...] = ()
    """Every replica's base URL where several servers serve the model (``base_url`` is
    the first); empty: one server. The pool routes among them (``replicas.py``)."""


class Backend(ABC):
    """Starts or attaches to a server in ``start`` and releases it in ``stop``."""

    kind: str

    @abstractmethod
    def start(self) -> Endpoint:
        """Bring the server up (or check it is there) and describe how to reach it."""

    @abstractmethod
    def stop(self) -> None:
        """Release whatever ``start`` took; safe to call twice."""

    def __enter__(self) -> Endpoint:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def server_root(base_url: str) -> str:
    """``http://h:p/v1`` -> ``http://h:p``: health endpoints live at the root."""
    url = base_url.rstrip("/")
    return url[: -len("/v1")] if url.endswith("/v1") else url


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def is_healthy(base_url: str, timeout_s: float = 2.0) -> bool:
    """True when ``GET /health`` answers 200."""
    try:
        response = httpx.get(f"{server_root(base_url)}/health", timeout=timeout_s)
    except httpx.HTTPError:
        return False
    return response.status_code == 200
