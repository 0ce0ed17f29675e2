"""The exceptions the tool raises on purpose, each with the exit status it maps to.

The CLI prints ``str(error)`` as one line; so every message names the file, field,
value or endpoint at fault, and never needs a traceback to be understood.
"""

from __future__ import annotations


class InterviewerError(Exception):
    """Anything the tool reports deliberately. Exit status 1 unless a subclass says 2."""

    exit_code = 1


class UserInputError(InterviewerError):
    """A bad file, flag or setting: the user can fix it. Exit status 2."""

    exit_code = 2


class SettingsError(UserInputError):
    """A setting failed validation; the message names the field."""


class UnsupportedParameter(SettingsError):
    """The endpoint refused a request parameter; the message names the setting."""


class PromptError(UserInputError):
    """A prompt template is missing or was rendered without one of its variables."""


class EndpointError(InterviewerError):
    """An LLM endpoint failed for good (after the retry policy gave up)."""

    def __init__(self, endpoint: str, message: str) -> None:
        super().__init__(f"{endpoint}: {message}")
        self.endpoint = endpoint


class EndpointUnreachable(EndpointError):
    """Nothing answers at the configured URL: a settings problem, so exit status 2."""

    exit_code = 2


class BackendStartError(InterviewerError):
    """A backend we start ourselves (embedded llama.cpp, vLLM) did not come up."""


class ModelOutputError(InterviewerError):
    """The model answered, but not in a form we can use (no logprobs, bad JSON, ...)."""


class LogprobsUnavailable(ModelOutputError):
    """The endpoint gave no logprobs; callers may fall back to sampling."""


class ChoicesUnsupported(InterviewerError):
    """The endpoint takes one choice per request (it refused ``n`` > 1): the caller
    sends one request per sample instead."""
