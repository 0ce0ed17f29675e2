"""Which backend a role's settings describe, and how to build it."""

from __future__ import annotations

import os
from collections.abc import Hashable

from interviewer.backends.base import Backend
from interviewer.backends.embedded import EmbeddedBackend
from interviewer.backends.remote import RemoteBackend
from interviewer.backends.simulated import SimulatedBackend
from interviewer.backends.vllm import VLLMBackend
from interviewer.settings import RoleName, RoleSettings, Settings, StructuredStyle, base_urls


def backend_key(role: RoleSettings) -> Hashable:
    """Roles with equal keys share one backend (one embedded server for all roles)."""
    if role.backend in ("embedded", "simulated"):
        return (role.backend,)
    return (role.backend, role.model, base_urls(role))


def make_backend(settings: Settings, name: RoleName) -> Backend:
    role = settings.role(name)
    if role.backend == "embedded":
        return EmbeddedBackend(settings.embedded, settings.cache_dir)
    if role.backend == "simulated":
        return SimulatedBackend(settings.simulated)
    key = _api_key(role)
    if role.backend == "vllm":
        return VLLMBackend(
            role.model, base_urls(role), settings.vllm, settings.cache_dir / "logs", key, name
        )
    structured: StructuredStyle = "none" if role.structured == "auto" else role.structured
    return RemoteBackend(role.model, base_urls(role) or None, key, structured, name)


def _api_key(role: RoleSettings) -> str:
    if role.api_key is not None:
        return role.api_key.get_secret_value()
    # The conventional variable fills the default only; an explicit key always wins.
    return os.environ.get("OPENAI_API_KEY", "EMPTY")
