"""What ``interviewer infer`` estimates from: predictions for the frame and the pilot.

Each frame (and pilot) respondent is matched to a persona by demographics, as
``interviewer match`` pairs them (``matching.match``), and takes that persona's answer
distribution (its ``probs``) as its prediction: per option, the predicted share is the
persona's probability of the option; the predicted rating is its mean option number.

Prediction-powered inference needs the prediction to be one fixed function of a
respondent's demographics, the same for the pilot as for the frame. ``greedy`` matching
(each respondent takes its best persona) is such a function. ``maxweight`` and
``random`` are not: a respondent's persona depends on who else is in the file, so the
frame's and the pilot's predictions come from different functions and the interval's
guarantee no longer strictly holds; a note in the report says so. Traits are matched
only where both files have them (a trait the pilot lacks would change the function).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from interviewer.contracts.choices import MatchMethod, Objective
from interviewer.contracts.demographics import traits as canonical_traits
from interviewer.contracts.humans import HumanData, load_humans
from interviewer.contracts.persona import Persona
from interviewer.contracts.persona_files import load_personas
from interviewer.contracts.questionnaire import Questionnaire
from interviewer.contracts.responses import SimulatedResponse, read_responses
from interviewer.errors import UserInputError
from interviewer.matching import match, trait_table


@dataclass(frozen=True)
class Predicted:
    """Respondents of one file and each one's predicted answer distribution."""

    people: HumanData
    probs: dict[str, np.ndarray]
    """Question id -> respondents × options: the matched persona's probabilities."""
    persona_ids: list[str]
    """The persona each respondent was matched to, by row."""

    def take(self, rows: np.ndarray) -> Predicted:
        """Only these respondents (rows of this file), e.g. a pilot drawn from it; the
        predictions stay as matched (greedy's are per profile, so drawing after
        matching changes nothing)."""
        people = self.people
        subset = HumanData(
            people.path,
            [people.ids[int(i)] for i in rows],
            people.weights[rows],
            {t: [values[int(i)] for i in rows] for t, values in people.demographics.items()},
            {q: answers[rows] for q, answers in people.answers.items()},
            people.weighted,
        )
        return Predicted(
            subset,
            {q: probs[rows] for q, probs in self.probs.items()},
            [self.persona_ids[int(i)] for i in rows],
        )


@dataclass(frozen=True)
class Population:
    """Everything the estimates need, checked."""

    questionnaire: Questionnaire
    """Only the questions the personas answered (and the pilot has)."""
    frame: Predicted
    pilot: Predicted | None
    traits: list[str]
    """The demographic traits matched on."""
    notes: list[str]
    """Assumptions made along the way, said in the report and the terminal."""
    model: str
    """The responses' model (``SIMULATED...`` for the simulated engine)."""


@dataclass(frozen=True)
class Inputs:
    """The files and the matching choices (as ``interviewer match`` takes them)."""

    responses: Path
    personas: Path
    questionnaire: Questionnaire
    frame: Path
    pilot: Path | None = None
    method: MatchMethod = "greedy"
    objective: Objective = "weight"
    seed: int = 0
    traits: Sequence[str] | None = None


def assemble(inputs: Inputs) -> Population:
    """Read and check every input; match frame and pilot to the personas."""
    notes: list[str] = []
    records = read_responses(inputs.responses, inputs.questionnaire)
    personas = _surveyed_personas(inputs, records)
    q = _answered_questionnaire(inputs, records)
    frame = load_humans(inputs.frame, weights_required=False)
    if not frame.weighted:
        notes.append(
            f"frame {inputs.frame} has no weight column: every respondent counts 1 "
            "(the frame is taken to be a simple random sample of the population)"
        )
    pilot = _load_pilot(inputs.pilot, q) if inputs.pilot is not None else None
    names = _trait_names(inputs, frame, pilot, notes)
    if inputs.method != "greedy":
        notes.append(
            f"match {inputs.method}: a respondent's persona depends on who else is in the "
            "file, so frame and pilot predictions are not one fixed function of "
            "demographics and the rectified interval's guarantee holds only approximately "
            "(greedy keeps it)"
        )
    table = _probs_by_persona(records, personas, q)
    predict = _Predictor(personas, table, names, inputs)
    return Population(
        questionnaire=q,
        frame=predict(frame, "frame"),
        pilot=predict(pilot, "pilot") if pilot is not None else None,
        traits=names,
        notes=notes,
        model=records[0].model,
    )


def _surveyed_personas(inputs: Inputs, records: list[SimulatedResponse]) -> list[Persona]:
    if not records:
        raise UserInputError(f"{inputs.responses}: no responses")
    personas = load_personas(inputs.personas)
    answered = {r.persona_id for r in records}
    unsurveyed = [p.id for p in personas if p.id not in answered]
    if unsurveyed:
        raise UserInputError(
            f"{len(unsurveyed)} persona(s) of {inputs.personas} have no responses in "
            f"{inputs.responses} (first: {unsurveyed[0]}); survey them (--resume) or pass "
            "the personas that were surveyed"
        )
    known = {p.id for p in personas}
    strangers = sorted(answered - known)
    if strangers:
        raise UserInputError(
            f"{inputs.responses}: respondent(s) not among the personas of {inputs.personas} "
            f"(first: {strangers[0]}); are these the right responses?"
        )
    return personas


def _answered_questionnaire(inputs: Inputs, records: list[SimulatedResponse]) -> Questionnaire:
    """The questionnaire cut to the questions the responses answer, in file order."""
    asked = {r.question_id for r in records}
    kept = [question for question in inputs.questionnaire.questions if question.id in asked]
    if not kept:
        raise UserInputError(
            f"{inputs.responses}: no question of questionnaire {inputs.questionnaire.id} answered"
        )
    return inputs.questionnaire.model_copy(update={"questions": kept})


def _load_pilot(path: Path, q: Questionnaire) -> HumanData:
    pilot = load_humans(path, q)
    lacking = [question.id for question in q.questions if question.id not in pilot.answers]
    if lacking:
        raise UserInputError(
            f"pilot {path}: no answer column for question(s) {lacking}; add them, or ask "
            "a questionnaire without them"
        )
    return pilot


def _trait_names(
    inputs: Inputs, frame: HumanData, pilot: HumanData | None, notes: list[str]
) -> list[str]:
    canonical = canonical_traits()
    if inputs.traits:
        unknown = [t for t in inputs.traits if t not in canonical]
        if unknown:
            raise UserInputError(f"--traits {unknown}: not canonical traits ({list(canonical)})")
        for people, label in ((frame, "frame"), (pilot, "pilot")):
            absent = [
                t for t in inputs.traits if people is not None and t not in people.demographics
            ]
            if absent:
                raise UserInputError(f"--traits {absent}: no such column in the {label} file")
        return list(inputs.traits)
    names = [t for t in canonical if t in frame.demographics]
    if pilot is not None:
        dropped = [t for t in names if t not in pilot.demographics]
        if dropped:
            notes.append(
                f"traits {dropped} are in the frame but not the pilot: matched without them"
            )
        names = [t for t in names if t in pilot.demographics]
    if not names:
        raise UserInputError(
            f"{inputs.frame}: no canonical demographic column (shared with the pilot) to match on"
        )
    return names


def _probs_by_persona(
    records: list[SimulatedResponse], personas: list[Persona], q: Questionnaire
) -> dict[str, np.ndarray]:
    """Question id -> personas × options; every persona must have answered every question."""
    row = {p.id: i for i, p in enumerate(personas)}
    table = {
        question.id: np.full((len(personas), len(question.options)), np.nan)
        for question in q.questions
    }
    for record in records:
        if record.question_id in table:
            table[record.question_id][row[record.persona_id]] = record.probs
    for qid, probs in table.items():
        gaps = np.isnan(probs).any(axis=1)
        if gaps.any():
            first = personas[int(np.argmax(gaps))].id
            raise UserInputError(
                f"{int(gaps.sum())} persona(s) have no answer to {qid} (first: {first}); "
                "finish the survey (--resume) first"
            )
    return table


@dataclass(frozen=True)
class _Predictor:
    personas: list[Persona]
    table: dict[str, np.ndarray]
    traits: list[str]
    inputs: Inputs

    def __call__(self, people: HumanData, label: str) -> Predicted:
        canonical = canonical_traits()
        options = {t: canonical[t].options for t in self.traits}
        matrix = trait_table(
            [p.demographics for p in self.personas],
            [_profile(people, i, self.traits) for i in range(len(people))],
            options,
        )
        result = match(matrix, self.inputs.method, self.inputs.seed, self.inputs.objective)
        if len(result.human_index) < len(people):
            raise UserInputError(
                f"match {self.inputs.method}: only {len(result.human_index)} of the "
                f"{len(people)} {label} respondents found a persona (one-to-one, "
                f"{len(self.personas)} personas); use --match greedy, or more personas"
            )
        chosen = result.persona_index[np.argsort(result.human_index)]
        return Predicted(
            people,
            {qid: probs[chosen] for qid, probs in self.table.items()},
            [self.personas[int(p)].id for p in chosen],
        )


def _profile(people: HumanData, row: int, names: list[str]) -> dict[str, str]:
    return {t: v for t, v in people.profile(row).items() if t in names}
