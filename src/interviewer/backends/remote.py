"""Any OpenAI-compatible API: OpenAI, Together, OpenRouter, a remote vLLM."""

from __future__ import annotations

import httpx

from interviewer.backends.base import Backend, Endpoint
from interviewer.errors import EndpointUnreachable, SettingsError
from interviewer.settings import StructuredStyle

OPENAI_URL = "https://api.openai.com/v1"


class RemoteBackend(Backend):
    """Nothing to start: the endpoint is somebody else's."""

    kind = "openai"

    def __init__(
        self,
        model: str | None,
        base_url: str | tuple[str, ...] | None,
        api_key: str,
        structured: StructuredStyle = "none",
        role: str = "persona",
    ) -> None:
        self.model = model
        urls = (base_url,) if isinstance(base_url, str) else base_url or (OPENAI_URL,)
        self.base_url = urls[0]
        self.replicas = urls if len(urls) > 1 else ()
        self.api_key = api_key
        self.structured: StructuredStyle = structured
        self.role = role

    def start(self) -> Endpoint:
        if not self.model:
            self.model = served_model(self.base_url, self.api_key, self.role)
        return Endpoint(
            base_url=self.base_url,
            model=self.model,
            # The same model name at two providers can be different weights; replicas
            # serve one model, named by the first URL (a one-URL list keeps its keys).
            identity=f"openai:{self.base_url}:{self.model}",
            structured=self.structured,
            api_key=self.api_key,
            label=f"OpenAI-compatible API, {self.model}",
            serves_completions=None,  # chat-only models 404 there; asked when it matters
            replicas=self.replicas,
        )

    def stop(self) -> None:
        return None


def served_model(base_url: str, api_key: str, role: str, timeout_s: float = 8.0) -> str:
    """The first model a server lists at ``/v1/models``, for attaching without a name."""
    try:
        response = httpx.get(
            f"{base_url.rstrip('/')}/models",
            timeout=timeout_s,
            headers={"Authorization": f"Bearer {api_key}"},
        )
    except httpx.HTTPError as exc:
        raise EndpointUnreachable(base_url, f"cannot connect ({type(exc).__name__})") from None
    try:
        models = [entry["id"] for entry in response.json()["data"]]
    except (ValueError, KeyError, TypeError):
        models = []
    if response.status_code != 200 or not models:
        raise SettingsError(
            f"setting {role}.model: none given and {base_url}/models lists none "
            f"(HTTP {response.status_code})"
        )
    return str(models[0])
