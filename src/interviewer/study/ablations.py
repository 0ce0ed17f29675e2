"""The ablation analysis: each hypothesis' methods as points on a line, and their plots.

H1 varies the persona pool's size, H2 the interview's depth, H3 the critic. A method
joins a line by naming its ``hypothesis`` in the suite.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from pydantic import BaseModel, field_validator

from interviewer.contracts.persona import Persona
from interviewer.evaluation.scoring import Scores, json_safe
from interviewer.settings import Settings
from interviewer.storage import atomic_write_json
from interviewer.study.schema import MethodSpec, Suite


class AblationPoint(BaseModel):
    label: str
    x: float
    """Personas in the pool (H1), persona words (H2), critic on = 1 (H3)."""
    wd_mean: float
    fro: float

    @field_validator("x", "wd_mean", "fro", mode="before")
    @classmethod
    def _undefined(cls, value: object) -> object:
        # The study state is JSON, where an undefined metric is null (json_safe).
        return math.nan if value is None else value


def ablation_x(
    spec: MethodSpec, personas: Sequence[Persona], suite: Suite, settings: Settings
) -> float:
    """Where the method sits on its hypothesis' axis."""
    if spec.hypothesis == "H1":
        return float(len(personas))
    if spec.hypothesis == "H2":
        return float(np.mean([p.stats.words for p in personas])) if personas else math.nan
    maker = next(m for m in suite.methods if m.label == spec.run_label)
    return 1.0 if maker.interview.get("critic", settings.interview.critic) else 0.0


def ablation_lines(
    suite: Suite, scores: Mapping[str, Scores], xs: Mapping[str, float]
) -> dict[str, list[AblationPoint]]:
    """Hypothesis -> its scored methods' points, in order of x."""
    lines: dict[str, list[AblationPoint]] = {}
    for spec in suite.methods:
        if spec.hypothesis and spec.label in scores:
            score = scores[spec.label]
            lines.setdefault(spec.hypothesis, []).append(
                AblationPoint(
                    label=spec.label, x=xs[spec.label], wd_mean=score.wd_mean, fro=score.fro
                )
            )
    return {h: sorted(points, key=lambda p: p.x) for h, points in sorted(lines.items())}


def write_ablations(
    lines: Mapping[str, list[AblationPoint]], report_dir: Path, simulated: bool = False
) -> list[Path]:
    """ablations.json and one line plot per hypothesis; the files written. ``simulated``:
    the answers came from the simulated engine, and the file and plots say so."""
    from interviewer.evaluation import plots

    body: dict[str, object] = {h: [p.model_dump() for p in points] for h, points in lines.items()}
    if simulated:
        body["simulated"] = True
    atomic_write_json(report_dir / "ablations.json", json_safe(body))
    files = [report_dir / "ablations.json"]
    for hypothesis, points in lines.items():
        path = report_dir / f"ablation_{hypothesis}.png"
        plots.ablation_png(hypothesis, [p.model_dump() for p in points], path, simulated)
        files.append(path)
    return files
