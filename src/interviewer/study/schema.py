"""A suite's schema: one YAML file per paper experiment.

A suite names a questionnaire, the humans to score against (and/or the human profiles
the demographic baselines are built from), the methods to compare with their sizes, how
to match, and model settings. Paths in a suite are relative to the ``evals/`` folder.
``study.graph`` runs one; ``interviewer validate`` and ``eval --suite`` load it here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from interviewer.errors import SettingsError, UserInputError
from interviewer.evaluation.metrics import MissingRule
from interviewer.evaluation.scoring import SimDist
from interviewer.matching import Objective
from interviewer.paths import resource_dir
from interviewer.settings import InterviewSettings, Settings, load_settings
from interviewer.yaml_io import read_yaml_file

Kind = Literal["interview", "anthology", "genagent", "qa", "bio", "portray"]
PERSONA_KINDS = ("interview", "anthology", "genagent")
Hypothesis = Literal["H1", "H2", "H3"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MethodSpec(_Strict):
    label: str
    kind: Kind
    n: int = Field(default=0, ge=0)
    """Personas to make (interview/anthology); baselines use one per human profile."""
    personas_from: str | None = None
    """Reuse another method's personas instead of making new ones."""
    interview: dict[str, Any] = Field(default_factory=dict)
    """Overrides of the interview settings for the personas this method makes
    (e.g. {critic: false} for the H3 ablation); unknown keys are refused."""
    depth: int | None = Field(default=None, ge=1, le=10)
    """Cut transcripts to their first ``depth`` AVP questions (the H2 ablation)."""
    pool_fraction: float = Field(default=1.0, gt=0, le=1)
    """Match and survey a seeded share of the persona pool (the H1 ablation)."""
    hypothesis: Hypothesis | None = None
    """Plot this method on the hypothesis' ablation line."""

    @property
    def uses_personas(self) -> bool:
        return self.kind in PERSONA_KINDS

    @property
    def makes_personas(self) -> bool:
        return self.uses_personas and self.personas_from is None

    @property
    def run_label(self) -> str:
        """The run directory (under the suite's out dir) its personas live in."""
        return self.personas_from or self.label

    @field_validator("interview")
    @classmethod
    def _known_interview_keys(cls, value: dict[str, Any]) -> dict[str, Any]:
        try:
            InterviewSettings.model_validate(value)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ValueError(f"{where}: {first['msg']}") from None
        return value


class MatchSpec(_Strict):
    method: Literal["maxweight", "greedy", "random"] = "maxweight"
    objective: Objective = "weight"
    """What ``maxweight`` maximises: the sum of weights (the papers') or of log-weights."""
    traits: list[str] = Field(
        default_factory=lambda: ["age", "gender", "race", "education", "income", "party", "region"]
    )


class Suite(_Strict):
    id: str
    title: str = ""
    paper: str = ""
    questionnaire: str
    questions: list[str] | None = None
    """Only these question ids (default: all)."""
    humans: str | None = None
    """Human responses to score against (None for the higher-order studies)."""
    profiles: str | None = None
    """Humans whose profiles build the QA/Bio/Portray respondents (default: ``humans``)."""
    sample: int | None = Field(default=None, ge=2)
    """Use a seeded sample of this many humans."""
    methods: list[MethodSpec] = Field(min_length=1)
    match: MatchSpec = Field(default_factory=MatchSpec)
    settings: dict[str, Any] = Field(default_factory=dict)
    """Setting overrides (flags on the command line still win)."""
    splits: int = Field(default=100, ge=2)
    """Split-half splits for the human bound (as ``eval --splits``)."""
    bootstrap: int = Field(default=200, ge=0)
    seed: int = 0
    missing: MissingRule = "complete"
    """Correlations and alpha over complete cases or pairwise (docs/metrics.md)."""
    sim_dist: SimDist = "probs"
    """The simulated distribution WD compares: mean of probs, or sampled answers."""

    @model_validator(mode="after")
    def _labels(self) -> Suite:
        labels = [m.label for m in self.methods]
        twice = sorted({label for label in labels if labels.count(label) > 1})
        if twice:  # each label names its own run directory and responses file
            raise ValueError(f"method labels {twice} are given more than once")
        return self

    @model_validator(mode="after")
    def _reuse(self) -> Suite:
        makers = {m.label for m in self.methods if m.personas_from is None}
        for method in self.methods:
            if method.personas_from and method.personas_from not in makers:
                raise ValueError(
                    f"{method.label}: personas_from {method.personas_from!r} is "
                    "not a method that makes personas"
                )
            if method.kind == "genagent" and not method.personas_from:
                raise ValueError(f"{method.label}: genagent needs personas_from")
        return self

    @model_validator(mode="after")
    def _needs(self) -> Suite:
        baselines = [m.label for m in self.methods if m.kind in ("qa", "bio", "portray")]
        if baselines and not (self.profiles or self.humans):
            raise ValueError(f"methods {baselines} need humans or profiles")
        return self


def load_suite(path: Path) -> Suite:
    data = read_yaml_file(path)
    try:
        suite = Suite.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "suite"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise UserInputError(f"{path}: {where}: {message}") from None
    try:
        load_settings(base=suite.settings)
    except SettingsError as exc:
        raise UserInputError(f"{path}: settings: {exc}") from None
    return suite


def scaled(suite: Suite, factor: float) -> Suite:
    """The suite with every persona count and the human sample multiplied by ``factor``
    (at least 2 each): one file serves a GPU run and a toy run on a laptop."""
    if factor == 1.0:
        return suite
    methods = [
        m.model_copy(update={"n": max(2, round(m.n * factor))}) if m.n else m for m in suite.methods
    ]
    sample = max(2, round(suite.sample * factor)) if suite.sample else suite.sample
    return suite.model_copy(update={"methods": methods, "sample": sample})


def with_flags(suite: Suite, flags: dict[str, Any]) -> Suite:
    """The suite with the command line's explicitly given values (None: not given) on
    top, validated like the file itself."""
    given = {key: value for key, value in flags.items() if value is not None}
    return Suite.model_validate({**suite.model_dump(), **given}) if given else suite


def evals_path(relative: str) -> Path:
    path = Path(relative)
    return path if path.is_absolute() else resource_dir("evals") / path


def interview_settings(settings: Settings, spec: MethodSpec) -> InterviewSettings:
    """The run's interview settings with the method's own block on top, validated."""
    return InterviewSettings.model_validate({**settings.interview.model_dump(), **spec.interview})
