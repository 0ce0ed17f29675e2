"""One typed settings object for a run: per model role, backends, retries, cache.

Precedence, lowest first: the defaults below, ``INTERVIEWER_*`` environment variables,
an eval suite's ``settings:`` block, the ``--settings`` file, then explicit overrides
(CLI flags). Every layer holds only what was actually given, so a flag equal to a
default still beats a suite (``tests/test_settings.py`` pins this order against the
table in README.md).

Environment names nest with ``__``: ``INTERVIEWER_PERSONA__TEMPERATURE=0.8``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from interviewer.errors import SettingsError, UserInputError
from interviewer.paths import default_cache_dir
from interviewer.yaml_io import read_yaml_file

BackendName = Literal["embedded", "vllm", "openai", "simulated"]
RoleName = Literal["interviewer", "persona", "critic", "respondent"]
ROLES: tuple[RoleName, ...] = ("interviewer", "persona", "critic", "respondent")
StructuredStyle = Literal["auto", "json_schema", "structured_outputs", "response_format", "none"]
DebiasScheme = Literal["reversed", "cyclic", "random"]
ApiStyle = Literal["completions", "chat", "auto"]
"""Which endpoint a role's calls go to: ``/v1/completions`` (a base model continues a
document), ``/v1/chat/completions`` (an instruct model answers messages), or ``auto``:
chat where the endpoint's ``/v1/completions`` answers 404, else completions."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class RoleSettings(_Strict):
    """How one role reaches its model and samples from it."""

    backend: BackendName = "embedded"
    """Which backend serves this role."""
    model: str | None = None
    """Model name or path; the embedded backend ignores it, vLLM serves it, APIs name it."""
    base_url: str | list[str] | None = None
    """Attach to a running OpenAI-compatible server instead of starting one; a list:
    replicas of one model, each persona's calls kept on one of them (``replicas.py``)."""
    api_key: SecretStr | None = None
    """Key for the endpoint; for ``openai`` the ``OPENAI_API_KEY`` variable fills it."""
    temperature: float = Field(default=1.0, ge=0.0, le=2.0)
    top_p: float = Field(default=1.0, gt=0.0, le=1.0)
    max_tokens: int = Field(default=256, ge=1)
    """Token budget of one call."""
    seed: int | None = None
    """Base seed; per-persona seeds derive from it."""
    top_logprobs: int = Field(default=20, ge=0, le=100)
    """How many alternatives to ask for when scoring options by logprobs."""
    timeout_s: float = Field(default=300.0, gt=0)
    """Per-request timeout; long generations on CPUs need minutes."""
    concurrency: int = Field(default=8, ge=1)
    """Requests in flight to this role's endpoint at once (per replica, where
    ``base_url`` lists several or ``vllm.replicas`` starts several)."""
    session_header: str | None = Field(default="X-Session-ID", min_length=1)
    """HTTP header carrying the persona id on every call, so a router in front of
    replicas (vLLM router, production-stack) keeps a persona on one replica. None: none."""
    structured: StructuredStyle = "auto"
    """How to ask for JSON-schema output; ``auto`` picks what the backend speaks."""
    api: ApiStyle = "auto"
    """Completions or chat; ``auto``: what the endpoint serves (see ``ApiStyle``)."""
    rpm: int | None = Field(default=None, ge=1)
    """Requests per minute to this role's endpoint, paced evenly (one every 60/rpm s);
    roles on one endpoint share one limit, the lowest any of them sets (all replicas
    of a role together: a provider counts per account). None: no limit."""
    tpm: int | None = Field(default=None, ge=1)
    """Tokens per minute to this role's endpoint (prompt estimated at 4 characters a
    token, plus ``max_tokens``); shared per endpoint like ``rpm``. None: no limit."""

    @field_validator("base_url")
    @classmethod
    def _urls(cls, value: str | list[str] | None) -> str | list[str] | None:
        if not isinstance(value, list):
            return value
        if not value:
            raise ValueError("an empty list; give one URL or several")
        if any(not url.strip() for url in value):
            raise ValueError("an empty URL in the list")
        bare = [url.rstrip("/") for url in value]
        repeated = sorted({url for url in bare if bare.count(url) > 1})
        if repeated:
            raise ValueError(f"{repeated[0]} is listed twice")
        return value[0] if len(value) == 1 else value


class InterviewerRole(RoleSettings):
    temperature: float = Field(default=0.7, ge=0.0, le=2.0)
    max_tokens: int = Field(default=160, ge=1)


class PersonaRole(RoleSettings):
    temperature: float = Field(default=1.0, ge=0.0, le=2.0)
    max_tokens: int = Field(default=512, ge=1)
    """Cap per answer; the interview's word target sets the actual budget below it."""
    api: ApiStyle = "completions"
    """Base models make better personas than chat-tuned ones: completions unless told."""


class CriticRole(RoleSettings):
    temperature: float = Field(default=0.0, ge=0.0, le=2.0)
    max_tokens: int = Field(default=256, ge=1)


class RespondentRole(RoleSettings):
    temperature: float = Field(default=0.0, ge=0.0, le=2.0)
    max_tokens: int = Field(default=1, ge=1)


class EmbeddedSettings(_Strict):
    """The in-process llama.cpp server (xllamacpp) with Gemma-3-270M base."""

    threads: int = Field(default=2, ge=1)
    parallel: int = Field(default=4, ge=1)
    """Sequences decoded together (llama.cpp slots)."""
    ctx_per_slot: int = Field(default=8192, ge=512)
    """Context per slot; an interview transcript must fit in one."""
    model_path: Path | None = None
    """Serve this GGUF file instead of the packaged Gemma-3-270M."""
    prompt_cache_mib: int = Field(default=1024, ge=0)
    """llama.cpp's host-RAM prompt cache; its own default (8 GiB) swamps a laptop."""


class VLLMSettings(_Strict):
    """How to start ``vllm serve`` when a role uses the vllm backend without a base_url."""

    command: list[str] = Field(default_factory=lambda: ["vllm", "serve"])
    extra_args: list[str] = Field(default_factory=list)
    """Passed through, e.g. ["--tensor-parallel-size", "2", "--max-model-len", "16384"]."""
    startup_timeout_s: float = Field(default=900.0, gt=0)
    host: str = "127.0.0.1"
    port: int | None = Field(default=None, ge=1, le=65535)
    """The server's port; with several replicas the first, the others counting up."""
    replicas: int | list[list[int]] = 1
    """Servers to start, one per device set, each with its own port and
    ``CUDA_VISIBLE_DEVICES``: a list of device lists (``[[0, 1], [2, 3]]``), or a count
    that splits the visible devices (``CUDA_VISIBLE_DEVICES``, else ``nvidia-smi -L``)
    evenly. 1: one server on whatever devices the environment gives it."""

    @field_validator("replicas")
    @classmethod
    def _device_sets(cls, value: int | list[list[int]]) -> int | list[list[int]]:
        if isinstance(value, int):
            if value < 1:
                raise ValueError("a count of at least 1, or a list of device lists")
            return value
        if not value or any(not devices for devices in value):
            raise ValueError("each replica needs at least one device")
        flat = [device for devices in value for device in devices]
        if any(device < 0 for device in flat):
            raise ValueError("device numbers start at 0")
        shared = sorted({device for device in flat if flat.count(device) > 1})
        if shared:
            raise ValueError(f"device {shared[0]} is in two replicas")
        return value


class SimulatedSettings(_Strict):
    """The simulated engine (backend ``simulated``): the known-answer world, for tests,
    benchmarks and ``eval --dry-run``; never a model (``interviewer/simulated``)."""

    seed: int = 0
    """Which world: population and item parameters."""
    plant_rate: float = Field(default=0.15, ge=0.0, le=1.0)
    """Share of later interview answers that contradict an earlier one."""
    followup_rate: float = Field(default=0.3, ge=0.0, le=1.0)
    anthology_latents: list[str] = Field(default_factory=lambda: ["optimism"])
    """Latent traits an Anthology backstory states (interviews state them all)."""


class RetrySettings(_Strict):
    """The one retry policy (see ``retry.py``)."""

    attempts: int = Field(default=6, ge=1)
    initial_wait_s: float = Field(default=0.5, ge=0)
    max_wait_s: float = Field(default=30.0, ge=0)
    max_total_s: float = Field(default=600.0, gt=0)


class InterviewSettings(_Strict):
    """How an interview runs (see ``interviewer/interview``)."""

    target_words: int | None = Field(default=None, ge=50)
    """Words the persona should say in all. None: 2,500 (the deep-binding paper's
    average) on vllm/openai, 600 on the embedded CPU model so a laptop run takes minutes."""
    max_followups: int = Field(default=1, ge=0)
    """Follow-up probes the interviewer may ask per AVP question."""
    max_repairs: int = Field(default=2, ge=0)
    """Resamples of an answer the critic flags before keeping it as flagged."""
    critic: bool = True
    """Check each answer against everything said before (off: the H3 ablation; also
    skips the final pass)."""
    final_check: bool = True
    """A whole-transcript consistency pass at the end."""
    anthology_tokens: int = Field(default=470, ge=16)
    """Length of an Anthology backstory (the paper's average is ~470 tokens)."""
    questions: int = Field(default=10, ge=1, le=10)
    """How many AVP questions to ask, in order (the H2 depth ablation cuts this)."""
    checkpoints: Literal["replay", "steps"] = "replay"
    """How ``--resume`` recovers an interview a kill interrupted. ``replay``: run it
    again; every call is seeded or greedy, so the response cache answers the calls it
    already made and no model work is lost (with ``cache`` off it starts over).
    ``steps``: also a LangGraph SQLite checkpoint after every step, for runs without the
    cache; costs about 1.4 ms of CPU per LLM call (the graph on scripted models: 2.52 ms
    per call with them, 1.12 without)."""

    def words_target(self, backend: str) -> int:
        if self.target_words is not None:
            return self.target_words
        return 600 if backend == "embedded" else 2500


class SurveySettings(_Strict):
    """How a survey asks its questions (see ``survey/answering.py``)."""

    debias: DebiasScheme | None = None
    """Option orders that cancel letter-position bias: ``reversed`` (as listed and
    reversed, the papers' two patterns), ``cyclic`` (all K rotations: a pure position
    bias cancels exactly; K calls per question), ``random`` (one seeded random order per
    respondent × question, as the Anthology code). None: the questionnaire's ``orders``.
    A question's own ``orders`` in the file always win."""


class Price(_Strict):
    """What a model costs, in dollars per million tokens."""

    input: float = Field(ge=0)
    output: float = Field(ge=0)
    cached: float | None = Field(default=None, ge=0)
    """Prompt tokens the endpoint served from its prefix cache; None: the input price."""


class Settings(BaseSettings):
    """Everything a run can be told. Validated on construction and on assignment."""

    model_config = SettingsConfigDict(
        env_prefix="INTERVIEWER_",
        env_nested_delimiter="__",
        extra="forbid",
        validate_assignment=True,
    )

    interviewer: InterviewerRole = Field(default_factory=InterviewerRole)
    persona: PersonaRole = Field(default_factory=PersonaRole)
    critic: CriticRole = Field(default_factory=CriticRole)
    respondent: RespondentRole = Field(default_factory=RespondentRole)
    embedded: EmbeddedSettings = Field(default_factory=EmbeddedSettings)
    vllm: VLLMSettings = Field(default_factory=VLLMSettings)
    simulated: SimulatedSettings = Field(default_factory=SimulatedSettings)
    retry: RetrySettings = Field(default_factory=RetrySettings)
    interview: InterviewSettings = Field(default_factory=InterviewSettings)
    survey: SurveySettings = Field(default_factory=SurveySettings)
    cache_dir: Path = Field(default_factory=default_cache_dir)
    """Assembled model file, LLM response cache, backend logs."""
    cache: bool = True
    """Reuse deterministic (temperature 0 or seeded) LLM responses from the disk cache."""
    prices: dict[str, Price] = Field(default_factory=dict)
    """Model name (as sent to the endpoint, e.g. ``gpt-4o-mini``) -> price, for
    ``interviewer usage`` / ``estimate`` and ``--max-usd``."""

    def role(self, name: RoleName) -> RoleSettings:
        role: RoleSettings = getattr(self, name)
        return role


def base_urls(role: RoleSettings) -> tuple[str, ...]:
    """The role's ``base_url`` as a tuple: one URL, several replicas, or none."""
    if role.base_url is None:
        return ()
    return (role.base_url,) if isinstance(role.base_url, str) else tuple(role.base_url)


def load_settings(
    path: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    *,
    base: Mapping[str, Any] | None = None,
) -> Settings:
    """Settings from defaults < environment < ``base`` (a suite's block) < ``path`` (YAML)
    < ``overrides``. Only keys present in a layer count: unset is not the default."""
    from_file = _read_file(path) if path else {}
    explicit = deep_merge(deep_merge(dict(base or {}), from_file), dict(overrides or {}))
    try:
        # pydantic-settings ranks init arguments above the environment and merges them
        # field by field, which is exactly "explicit beats environment".
        settings = Settings(**explicit)
    except ValidationError as exc:
        raise SettingsError(_one_line(exc, path)) from None
    for name in ROLES:
        role = settings.role(name)
        if role.base_url and role.backend == "embedded":
            # A URL means "attach to that server": the embedded backend cannot.
            role.backend = "openai"
    return settings


def dotted_overrides(pairs: Mapping[str, Any]) -> dict[str, Any]:
    """{"persona.temperature": 0.9} -> {"persona": {"temperature": 0.9}}."""
    nested: dict[str, Any] = {}
    for dotted, value in pairs.items():
        keys = dotted.split(".")
        node = nested
        for key in keys[:-1]:
            node = node.setdefault(key, {})
        node[keys[-1]] = value
    return nested


def _read_file(path: Path) -> dict[str, Any]:
    try:
        data = read_yaml_file(path)
    except UserInputError as exc:
        raise SettingsError(f"settings file {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SettingsError(f"settings file {path}: expected a mapping at the top level")
    return data


def deep_merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _one_line(exc: ValidationError, path: Path | None) -> str:
    first = exc.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or "settings"
    value = first.get("input")
    shown = "" if isinstance(value, dict) else f" (got {value!r})"
    more = len(exc.errors()) - 1
    extra = f"; and {more} more problem(s)" if more else ""
    source = f"{path}: " if path else ""
    return f"{source}setting {field}: {first['msg']}{shown}{extra}"
