"""What the interview nodes need at run time but never checkpoint: models and settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

from interviewer.model import Model
from interviewer.paths import resource_dir
from interviewer.prompts import ChatPrompt, PromptTemplate, load_chat_prompt, load_prompt
from interviewer.settings import InterviewSettings
from interviewer.yaml_io import load_yaml

if TYPE_CHECKING:
    from interviewer.pool import ModelPool, StudioContext
    from interviewer.settings import Settings

PROMPT_NAMES = (
    "interview/preamble",
    "interview/anthology",
    "interview/followup",
    "interview/critic",
    "interview/final_check",
)
CHAT_NAMES = {"followup": "interviewer", "critic": "critic", "final_check": "final_check"}
"""A completion note's name -> the chat prompt (``prompts/chat/``) that replaces it."""
CHAT_PROMPT_NAMES = ("chat/interviewer", "chat/critic", "chat/final_check", "chat/anthology")


@dataclass(frozen=True)
class Question:
    id: str
    text: str


@dataclass(frozen=True)
class InterviewContext:
    """Run-scoped context handed to every node (LangGraph's ``Runtime.context``)."""

    interviewer: Model
    persona: Model
    critic: Model
    settings: InterviewSettings = field(default_factory=InterviewSettings)
    words_target: int = 2500
    """Words the persona should say over the whole interview."""

    @property
    def questions(self) -> tuple[Question, ...]:
        return avp_questions()[: self.settings.questions]

    def prompt(self, name: str) -> PromptTemplate:
        return load_prompt(f"interview/{name}")

    def prompt_file(self, name: str) -> PromptTemplate:
        return load_prompt(name)

    def chat_prompt(self, name: str) -> ChatPrompt:
        return load_chat_prompt(f"chat/{name}")

    @property
    def chat(self) -> bool:
        """Does any interview role talk to a chat model?"""
        return any(m.chat for m in (self.interviewer, self.persona, self.critic))

    @classmethod
    def from_pool(
        cls, pool: ModelPool, settings: Settings, words_target: int | None = None
    ) -> InterviewContext:
        """The interview roles' models from ``pool``; the word target from ``settings``
        (which depends on the persona's backend) unless given."""
        return cls(
            interviewer=pool.model("interviewer"),
            persona=pool.model("persona"),
            critic=pool.model("critic"),
            settings=settings.interview,
            words_target=words_target or settings.interview.words_target(settings.persona.backend),
        )


async def aresolve(context: InterviewContext | StudioContext | None) -> InterviewContext:
    """``resolve``, starting Studio's models off the event loop the first time."""
    if isinstance(context, InterviewContext):
        return context
    from interviewer.pool import astudio_pool

    pool = await astudio_pool(context)
    return InterviewContext.from_pool(pool, pool.settings)


def resolve(context: InterviewContext | StudioContext | None) -> InterviewContext:
    """The run's context; from LangGraph Studio (a ``pool.StudioContext``, or none) the
    models of the settings it names (``pool.studio_pool``)."""
    if isinstance(context, InterviewContext):
        return context
    from interviewer.pool import studio_pool

    pool = studio_pool(context)
    return InterviewContext.from_pool(pool, pool.settings)


@cache
def avp_questions() -> tuple[Question, ...]:
    """The ten American Voices Project questions, in interview order."""
    path = resource_dir("prompts") / "interview" / "avp_questions.yaml"
    entries = load_yaml(path.read_text(encoding="utf-8"))
    return tuple(Question(id=str(e["id"]), text=str(e["text"])) for e in entries)


def prompt_versions(chat: bool = False) -> dict[str, str]:
    """Template name -> content hash, for manifests and persona files; with ``chat``
    (some role talks to a chat model) the chat prompts' too."""
    versions = {name: load_prompt(name).version for name in PROMPT_NAMES}
    if chat:
        versions |= {name: load_chat_prompt(name).version for name in CHAT_PROMPT_NAMES}
        versions["chat/persona.system"] = load_prompt("chat/persona.system").version
    path = resource_dir("prompts") / "interview" / "avp_questions.yaml"
    versions["interview/avp_questions"] = PromptTemplate("avp", path.read_text()).version
    return versions
