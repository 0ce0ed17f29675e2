"""Questionnaire files (YAML): ordered options, framings, audiences, party placeholders.

``{IN}`` is the respondent's own party and ``{OUT}`` the other one, as plural nouns
("Democrats", "Republicans"); ``{IN_ADJ}`` / ``{OUT_ADJ}`` are the adjectives
("Democratic judges", "Republican laws"). They are resolved per respondent.
"""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from interviewer.errors import UserInputError
from interviewer.yaml_io import load_yaml

Framing = Literal["self", "ingroup", "outgroup", "meta"]
Party = Literal["Democrat", "Republican"]
PLURAL: dict[str, str] = {"Democrat": "Democrats", "Republican": "Republicans"}
ADJECTIVE: dict[str, str] = {"Democrat": "Democratic", "Republican": "Republican"}
PLACEHOLDERS = frozenset({"IN", "OUT", "IN_ADJ", "OUT_ADJ"})
OTHER: dict[str, Party] = {"Democrat": "Republican", "Republican": "Democrat"}
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
MAX_OPTIONS = 26
"""Options are asked and scored as the letters A-Z."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Question(_Strict):
    id: str = Field(pattern=r"^[A-Za-z0-9_.\-]+$")
    text: str = Field(min_length=1)
    options: list[str] = Field(min_length=2)
    """Ordered as the source orders them (most favourable / lowest first)."""
    framing: Framing | None = None
    audience: list[Party] | None = None
    """Only respondents of these parties are asked; None: everyone."""
    orders: list[list[int]] | None = None
    """Option orders to ask under (letter-position bias); None: the questionnaire's."""
    bio: str | None = None
    portray: str | None = None
    """Sentence templates for demographic traits ({value} = the option label)."""

    @field_validator("options", mode="before")
    @classmethod
    def _labels(cls, options: object) -> object:
        # YAML reads `options: [1, 2, 3]` as numbers; they are labels all the same.
        if isinstance(options, list):
            return [
                str(o) if isinstance(o, int | float) and not isinstance(o, bool) else o
                for o in options
            ]
        return options

    @field_validator("options")
    @classmethod
    def _distinct(cls, options: list[str]) -> list[str]:
        if len(set(options)) != len(options):
            raise ValueError("options must be distinct")
        if len(options) > MAX_OPTIONS:
            raise ValueError(
                f"{len(options)} options; at most {MAX_OPTIONS} (answers are the letters A-Z)"
            )
        return options

    @field_validator("text")
    @classmethod
    def _known_placeholders(cls, text: str) -> str:
        unknown = set(_PLACEHOLDER.findall(text)) - PLACEHOLDERS
        if unknown:
            raise ValueError(
                f"unknown placeholder(s) {sorted(unknown)}; use {{IN}}, {{OUT}}, "
                "{IN_ADJ} or {OUT_ADJ}"
            )
        return text

    @model_validator(mode="after")
    def _check_orders(self) -> Question:
        for order in self.orders or []:
            _check_order(order, len(self.options))
        return self

    @property
    def placeholders(self) -> set[str]:
        return set(_PLACEHOLDER.findall(self.text))

    def resolve(self, party: str | None) -> str:
        """The text for a respondent of ``party`` (placeholders need Democrat/Republican)."""
        if not self.placeholders:
            return self.text
        if party not in OTHER:
            raise UserInputError(f"question {self.id} needs a Democrat or Republican respondent")
        other = OTHER[party]
        values = {
            "IN": PLURAL[party],
            "OUT": PLURAL[other],
            "IN_ADJ": ADJECTIVE[party],
            "OUT_ADJ": ADJECTIVE[other],
        }
        return _PLACEHOLDER.sub(lambda match: values[match.group(1)], self.text)

    def asks(self, party: str | None) -> bool:
        """Is a respondent of ``party`` asked this question?"""
        if self.audience is not None and party not in self.audience:
            return False
        return not self.placeholders or party in OTHER


class Questionnaire(_Strict):
    id: str = Field(pattern=r"^[A-Za-z0-9_.\-]+$")
    title: str = ""
    study: str | None = None
    """Which higher-order study the file belongs to (hostility, subversion, ...)."""
    source: str | None = None
    audience: list[Party] | None = None
    """Default audience for questions that set none."""
    orders: Literal["as_listed", "reversed"] = "reversed"
    """Default option orders: as listed only, or as listed and reversed."""
    questions: list[Question] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> Questionnaire:
        seen: set[str] = set()
        for question in self.questions:
            if question.id in seen:
                raise ValueError(f"question id {question.id!r} appears twice")
            seen.add(question.id)
        return self

    @cached_property
    def by_id(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions}

    def audience_of(self, question: Question) -> list[Party] | None:
        return question.audience if question.audience is not None else self.audience

    def asks(self, question: Question, party: str | None) -> bool:
        audience = self.audience_of(question)
        if audience is not None and party not in audience:
            return False
        return question.asks(party)

    def orders_of(self, question: Question) -> list[list[int]]:
        """Option orders to ask ``question`` under; always starts with the listed order."""
        if question.orders:
            return question.orders
        listed = list(range(len(question.options)))
        return [listed] if self.orders == "as_listed" else [listed, listed[::-1]]


def _check_order(order: list[int], size: int) -> None:
    if sorted(order) != list(range(size)):
        raise ValueError(f"order {order} is not a permutation of 0..{size - 1}")


def load_questionnaire(path: Path) -> Questionnaire:
    """Load and validate; the first problem becomes a one-line ``UserInputError``."""
    problems, questionnaire = _parse(path)
    if problems or questionnaire is None:
        more = (
            f" (and {len(problems) - 1} more; run interviewer validate)"
            if len(problems) > 1
            else ""
        )
        raise UserInputError(f"{problems[0]}{more}")
    return questionnaire


def questionnaire_problems(path: Path) -> list[str]:
    """Every problem in a questionnaire file, each naming file, question and field."""
    return _parse(path)[0]


def _parse(path: Path) -> tuple[list[str], Questionnaire | None]:
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return [f"{path}: file does not exist"], None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        return [f"{path}{where}: not valid YAML"], None
    if not isinstance(data, dict):
        return [f"{path}: expected a mapping with id, title and questions"], None
    try:
        return [], Questionnaire.model_validate(data)
    except ValidationError as exc:
        # A misspelt key first: its "field required" twin only follows from it.
        errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
        return [_describe(path, data, error) for error in errors], None


def _describe(path: Path, data: dict[str, Any], error: Any) -> str:
    loc = list(error["loc"])
    where = ""
    if len(loc) >= 2 and loc[0] == "questions" and isinstance(loc[1], int):
        questions = data.get("questions") or []
        entry = questions[loc[1]] if loc[1] < len(questions) else {}
        qid = entry.get("id") if isinstance(entry, dict) else None
        where = f" question {qid or f'#{loc[1] + 1}'}"
        loc = loc[2:]
    field = "".join(f" {part}:" for part in [".".join(str(p) for p in loc)] if part)
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{path}:{where}{field} {message}"
