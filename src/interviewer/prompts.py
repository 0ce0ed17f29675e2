"""Prompt templates as files under ``prompts/``, rendered strictly.

A chat prompt is two files, ``<name>.system.txt`` and ``<name>.user.txt``
(``load_chat_prompt``), rendered as a (system, user) message pair under the same rules
over the variables of both.

Templates use ``$name`` / ``${name}`` placeholders (``$$`` for a dollar sign), which keep
JSON braces in prompts literal. Rendering fails loudly on a missing variable and on a
variable the template does not use, since either is a bug in the caller.
"""

from __future__ import annotations

import hashlib
import string
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

from interviewer.errors import PromptError
from interviewer.paths import resource_dir


@dataclass(frozen=True)
class PromptTemplate:
    """One template file: its name, text and the variables it needs."""

    name: str
    text: str

    @cached_property
    def variables(self) -> frozenset[str]:
        found = set()
        for match in string.Template.pattern.finditer(self.text):
            named = match.group("named") or match.group("braced")
            if named:
                found.add(named)
        return frozenset(found)

    @property
    def version(self) -> str:
        """Short content hash, recorded in run manifests so results name their prompts."""
        return hashlib.sha256(self.text.encode()).hexdigest()[:12]

    def render(self, **values: object) -> str:
        missing = self.variables - values.keys()
        if missing:
            raise PromptError(f"prompt {self.name!r} needs variable(s) {sorted(missing)}")
        unused = values.keys() - self.variables
        if unused:
            raise PromptError(f"prompt {self.name!r} has no variable(s) {sorted(unused)}")
        return string.Template(self.text).substitute({k: str(v) for k, v in values.items()})


def load_prompt(name: str, folder: Path | None = None) -> PromptTemplate:
    """Read ``<folder>/<name>.txt``; the packaged ``prompts/`` folder by default."""
    return _load(name, folder or resource_dir("prompts"))


@cache
def _load(name: str, folder: Path) -> PromptTemplate:
    path = folder / f"{name}.txt"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PromptError(f"prompt template {path} does not exist") from None
    return PromptTemplate(name=name, text=text)


Message = tuple[str, str]
"""A chat message: (role, content)."""


@dataclass(frozen=True)
class ChatPrompt:
    """A system and a user template, rendered together into two chat messages."""

    name: str
    system: PromptTemplate
    user: PromptTemplate

    @property
    def variables(self) -> frozenset[str]:
        return self.system.variables | self.user.variables

    @property
    def version(self) -> str:
        both = f"{self.system.version}{self.user.version}".encode()
        return hashlib.sha256(both).hexdigest()[:12]

    def render(self, **values: object) -> tuple[Message, Message]:
        """(("system", ...), ("user", ...)); a missing or unused variable fails loudly."""
        missing = self.variables - values.keys()
        if missing:
            raise PromptError(f"prompt {self.name!r} needs variable(s) {sorted(missing)}")
        unused = values.keys() - self.variables
        if unused:
            raise PromptError(f"prompt {self.name!r} has no variable(s) {sorted(unused)}")

        def part(template: PromptTemplate) -> str:
            return template.render(**{k: v for k, v in values.items() if k in template.variables})

        return ("system", part(self.system)), ("user", part(self.user))


def load_chat_prompt(name: str, folder: Path | None = None) -> ChatPrompt:
    """Read ``<folder>/<name>.system.txt`` and ``<name>.user.txt`` (packaged by default)."""
    where = folder or resource_dir("prompts")
    return ChatPrompt(name, _load(f"{name}.system", where), _load(f"{name}.user", where))
