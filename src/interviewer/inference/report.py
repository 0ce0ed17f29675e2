"""``report.json``'s ``inference`` section, and the run summary in plain words."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from interviewer.inference.adaptive import Adaptive
from interviewer.inference.population import Inputs, Population
from interviewer.inference.results import (
    Estimates,
    QuestionResult,
    estimate_json,
    finite_or_none,
)
from interviewer.simulated import SIMULATED_NOTE, is_simulated
from interviewer.storage import atomic_write_text
from interviewer.version import __version__


@dataclass(frozen=True)
class Provenance:
    inputs: Inputs
    alpha: float
    by: str | None
    past: Inputs | None = None


def inference_json(
    estimates: Estimates,
    population: Population,
    provenance: Provenance,
    adaptive: Adaptive | None = None,
) -> dict[str, Any]:
    """What ``report.json`` holds under ``inference``."""
    pilot = population.pilot
    section: dict[str, Any] = {
        "simulated": is_simulated(population.model),
        "alpha": provenance.alpha,
        "level": 1 - provenance.alpha,
        "by": provenance.by,
        "n_frame": len(population.frame.people),
        "n_pilot": len(pilot.people) if pilot is not None else 0,
        "ess": finite_or_none(estimates.ess),
        "ess_n": finite_or_none(estimates.n),
        "notes": population.notes + estimates.notes,
        "warnings": _warnings(estimates),
        "questions": [_question_json(r, provenance.by) for r in estimates.questions],
        "provenance": _provenance(population, provenance),
        "adaptive": adaptive.to_json() if adaptive is not None else None,
    }
    if adaptive is not None:
        for question in section["questions"]:
            found = adaptive.intervals.get(question["id"], [])
            for k, target in enumerate(question["overall"]["options"]):
                target["adaptive"] = estimate_json(found[k]) if found else None
    return section


def _warnings(estimates: Estimates) -> list[str]:
    """Each question's dispersion warning (overall), named."""
    found = []
    for result in estimates.questions:
        spread = result.overall.dispersion
        warning = spread.warning(result.overall.alpha) if spread is not None else None
        if warning:
            found.append(f"{result.question.id}: {warning}")
    return found


def _question_json(result: QuestionResult, by: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": result.question.id,
        "text": result.question.text,
        "options": result.question.options,
        "overall": result.overall.to_json(),
    }
    if by is not None:
        body["by"] = {value: group.to_json() for value, group in result.by.items()}
    return body


def _provenance(population: Population, provenance: Provenance) -> dict[str, Any]:
    inputs = provenance.inputs
    return {
        "package_version": __version__,
        "model": population.model,
        "responses": str(inputs.responses),
        "personas": str(inputs.personas),
        "questionnaire": inputs.questionnaire.id,
        "frame": str(inputs.frame),
        "frame_weighted": population.frame.people.weighted,
        "pilot": str(inputs.pilot) if inputs.pilot is not None else None,
        "match": {
            "method": inputs.method,
            "objective": inputs.objective,
            "seed": inputs.seed,
            "traits": population.traits,
        },
        "estimators": "naive: personas only; pilot: classical CLT; rectified: PPI++ "
        "(power-tuned lambda clipped to [0, 1])",
        "past": _past(provenance.past),
    }


def _past(past: Inputs | None) -> dict[str, str] | None:
    if past is None:
        return None
    return {
        "responses": str(past.responses),
        "questionnaire": past.questionnaire.id,
        "humans": str(past.frame),
    }


def write_report_json(out: Path, section: dict[str, Any]) -> Path:
    """``out/report.json`` with the section; other sections a file there has are kept."""
    path = out / "report.json"
    body: dict[str, Any] = {}
    if path.is_file():
        body = json.loads(path.read_text(encoding="utf-8"))
    body["inference"] = section
    if section["simulated"]:
        body["simulated_note"] = SIMULATED_NOTE
    atomic_write_text(path, json.dumps(body, indent=2) + "\n")
    return path


def summary_lines(section: dict[str, Any]) -> list[str]:
    """The run in plain words: what the rectified estimate is worth, what to watch."""
    level = f"{section['level']:.0%}"
    lines = []
    if section["simulated"]:
        lines.append(SIMULATED_NOTE)
    if section["n_pilot"] == 0:
        check = (
            "the past survey below checks that"
            if section["adaptive"] is not None
            else "nothing here checks that"
        )
        lines.append(
            f"No pilot: only the naive (personas-only) {level} intervals, which assume the "
            f"personas answer as the population does; {check}."
        )
    elif section["ess"] is not None:
        ess, n = section["ess"], section["ess_n"]
        answered = (
            f", who answered each question {n:.0f} times on average (blanks are out)"
            if round(n) < section["n_pilot"]
            else ""
        )
        lines.append(
            f"With {section['n_pilot']} real respondents{answered} and {section['n_frame']} "
            f"in the frame, the rectified estimates are worth about {ess:.0f} real answers "
            f"per question: their {level} intervals are as narrow as {ess:.0f} pilot answers "
            f"would give, {ess / n:.2f} times the {n:.0f} the pilot has ({_gain(ess, n)})."
        )
    if section["adaptive"] is not None:
        lines.append(_adaptive_line(section["adaptive"], level))
    lines += [f"Warning: {warning}" for warning in section["warnings"]]
    lines += [f"Note: {note}" for note in section["notes"]]
    return lines


def _adaptive_line(adaptive: dict[str, Any], level: str) -> str:
    k, targets = adaptive["k"], adaptive["past_targets"]
    if k == 0:
        verdict = (
            f"On the past survey ({targets} options) even {adaptive['ks'][0]} simulated "
            "answers gave intervals that miss people's shares too often: the personas are "
            f"worth fewer than {adaptive['ks'][0]} real respondents; no adaptive interval."
        )
    else:
        verdict = (
            f"On the past survey ({targets} options), intervals from up to {k} simulated "
            f"answers kept {level} coverage of people's shares: the personas are worth about "
            f"{k} real respondents (adaptive simulation size), and the adaptive intervals use "
            f"{k} simulated answers."
        )
    return f"{verdict} {_few_options_caveat(targets, adaptive['threshold'])}"


def _few_options_caveat(targets: int, threshold: float) -> str:
    # k-hat is read off a miss share over the past options, so with few options a
    # single unlucky miss decides it: say how many misses the threshold allows.
    allowed = math.floor(threshold * targets + 1e-9)
    misses = "no miss" if allowed == 0 else f"{allowed} miss{'es' if allowed > 1 else ''}"
    return (
        f"(Read off {targets} past options, where the threshold of {threshold:.3g} allows "
        f"{misses}: with few options k-hat is noisy, more past questions steady it.)"
    )


def _gain(ess: float, n: float) -> str:
    if ess >= 1.05 * n:
        return f"the personas add about {ess - n:.0f}"
    if ess > 0.95 * n:
        return "the personas add about nothing beyond the pilot"
    return (
        "less than the pilot alone: λ, tuned on the pilot's own noise, cost more than the "
        "personas gave"
    )
