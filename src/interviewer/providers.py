"""What differs between providers, in one place.

* Which API a role's ``auto`` means: chat where ``/v1/completions`` answers 404 (OpenAI's
  "This is a chat model and not supported in the v1/completions endpoint", or an API
  that has no such route at all), completions everywhere else.
* Request parameters: OpenAI's reasoning models (o1, o3, o4-mini, gpt-5) take
  ``max_completion_tokens`` instead of ``max_tokens``, only the default temperature and
  top_p, and no logprobs; api.openai.com takes ``max_completion_tokens`` for every chat
  model.
* Rejections: a 400 that names a parameter becomes one line naming the parameter and
  the setting to change (never retried: see ``retry.py``); a 400 about logprobs on a
  scoring call becomes ``LogprobsUnavailable``, so the survey samples instead.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any, Literal

import httpx
import openai

from interviewer.backends.base import Endpoint
from interviewer.errors import (
    ChoicesUnsupported,
    EndpointUnreachable,
    LogprobsUnavailable,
    SettingsError,
    UnsupportedParameter,
)
from interviewer.model import Api, Request
from interviewer.settings import RoleSettings, StructuredStyle

log = logging.getLogger(__name__)

PROBE_PROMPT = "The capital of France is"
_REASONING = re.compile(r"^(?:[\w.-]+/)?(?:o\d|gpt-5)(?![\w.-]*chat)", re.IGNORECASE)
_QUOTED = re.compile(r"['\"`](\w+)['\"`]")
_SETTING = {
    "temperature": "temperature",
    "top_p": "top_p",
    "seed": "seed",
    "max_tokens": "max_tokens",
    "max_completion_tokens": "max_tokens",
    "response_format": "structured",
    "json_schema": "structured",
    "structured_outputs": "structured",
    "logprobs": "top_logprobs",
    "top_logprobs": "top_logprobs",
    "stop": "api",
    "n": "api",
}
"""Request parameter -> the role setting that sends it (or that avoids it)."""


@dataclass(frozen=True)
class Quirks:
    """How requests to one model must be shaped."""

    token_param: Literal["max_tokens", "max_completion_tokens"] = "max_tokens"
    fixed_sampling: bool = False
    """Only the default temperature and top_p (1) are accepted."""
    logprobs: bool = True


def quirks(model: str, base_url: str) -> Quirks:
    """What ``model`` at ``base_url`` accepts, from its name and host."""
    if _REASONING.match(model):
        return Quirks("max_completion_tokens", fixed_sampling=True, logprobs=False)
    if "api.openai.com" in base_url:
        return Quirks("max_completion_tokens")
    return Quirks()


def resolve_api(role: RoleSettings, endpoint: Endpoint) -> Api:
    """The API a role's calls use: its setting, or for ``auto`` what the endpoint serves.

    Backends this tool starts or attaches to (embedded llama.cpp, vLLM) serve
    completions for every model; any other endpoint is asked (``probe_completions``)."""
    if role.api != "auto":
        return role.api
    if endpoint.serves_completions is not None:
        return "completions" if endpoint.serves_completions else "chat"
    return "completions" if probe_completions(endpoint, role.timeout_s) else "chat"


def probe_completions(endpoint: Endpoint, timeout_s: float) -> bool:
    """Does ``/v1/completions`` serve the endpoint's model? False on a 404 only: any
    other answer (an error included) means the route exists, and the role's first real
    call reports what is wrong with it."""
    body = {
        "model": endpoint.model,
        "prompt": PROBE_PROMPT,
        "max_tokens": 1,
        "temperature": 0.0,
        "logprobs": 5,
    }
    try:
        response = httpx.post(
            f"{endpoint.base_url.rstrip('/')}/completions",
            json=body,
            headers={"Authorization": f"Bearer {endpoint.api_key}"},
            timeout=min(timeout_s, 30.0),
        )
    except httpx.HTTPError as exc:
        raise EndpointUnreachable(
            endpoint.base_url, f"cannot connect ({type(exc).__name__})"
        ) from None
    log.info("%s: /completions answered %d", endpoint.base_url, response.status_code)
    return response.status_code != 404


def chat_structured(style: StructuredStyle, endpoint: Endpoint, api: Api) -> StructuredStyle:
    """The structured-output style for a role: an API endpoint that has no style of
    its own takes OpenAI's ``response_format`` on chat (its completions take none)."""
    if style != "auto":
        return style
    if api == "chat" and endpoint.structured == "none":
        return "response_format"
    return endpoint.structured


def chat_sampling(request: Request, found: Quirks, role: str) -> dict[str, Any]:
    """Token budget, temperature, top_p, seed, stops and logprobs for a chat call."""
    if request.top_logprobs and not found.logprobs:
        # First: a scoring call (greedy) is then sampled at temperature 1 instead.
        raise LogprobsUnavailable(f"the {role} model gives no logprobs")
    params: dict[str, Any] = {found.token_param: request.max_tokens}
    if found.fixed_sampling:
        if request.temperature != 1.0 or request.top_p != 1.0:
            raise UnsupportedParameter(
                f"the {role} model takes only temperature 1 and top_p 1 (this call asks "
                f"{request.temperature} and {request.top_p}): set {role}.temperature: 1 "
                f"and {role}.top_p: 1 where they come from those settings, or choose "
                f"another {role}.model"
            )
    else:
        params["temperature"] = request.temperature
        params["top_p"] = request.top_p
    if request.seed is not None:
        params["seed"] = request.seed
    if request.stop:
        params["stop"] = list(request.stop)
    if request.top_logprobs:
        params["logprobs"] = True
        params["top_logprobs"] = request.top_logprobs
    if request.n > 1:
        params["n"] = request.n
    return params


def rejected(exc: openai.BadRequestError, request: Request, role: str, where: str) -> Exception:
    """What a 400 means for the caller: logprobs unavailable, one choice per request,
    a named parameter and its setting, or (naming nothing) the error itself."""
    message = " ".join(str(exc.message).split())[:200]
    param = _named_parameter(exc, message)
    if request.top_logprobs and param in ("logprobs", "top_logprobs"):
        return LogprobsUnavailable(f"{where}: the {role} model refuses logprobs ({message})")
    if request.n > 1:
        # Whatever it names (llama.cpp: "Only one completion choice is allowed"), the
        # caller retries one request per sample, where any other fault shows itself.
        return ChoicesUnsupported(f"{where}: the {role} model takes n=1 only ({message})")
    if param is None:
        return exc
    setting = _SETTING[param]
    fix = f"change {role}.{setting}"
    if setting == "api":
        fix = f"this endpoint does not take it; set {role}.api or choose another {role}.model"
    return UnsupportedParameter(
        f"{where}: the {role} model rejects parameter {param!r} (HTTP 400: {message}); {fix}"
    )


def chat_only(exc: openai.NotFoundError, role: str, where: str) -> Exception:
    """A 404 from ``/v1/completions`` that says the model is chat-only: the role's
    ``api: completions`` is the setting to change. Any other 404 stays itself."""
    message = " ".join(str(exc.message).split())[:200]
    if "chat" not in message.lower():
        return exc
    return SettingsError(
        f"setting {role}.api: 'completions', but {where} serves this model by chat only "
        f"(HTTP 404: {message}); set {role}.api: chat (or auto)"
    )


def _named_parameter(exc: openai.BadRequestError, message: str) -> str | None:
    if exc.param in _SETTING:
        return str(exc.param)
    for quoted in _QUOTED.findall(message):
        if quoted in _SETTING:
            return str(quoted)
    return None
