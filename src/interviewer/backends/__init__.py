"""Backends start (or find) an OpenAI-compatible server and say how to reach it."""

from interviewer.backends.base import Backend, Endpoint
from interviewer.backends.factory import backend_key, make_backend

__all__ = ["Backend", "Endpoint", "backend_key", "make_backend"]
