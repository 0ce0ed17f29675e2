"""``interviewer eval``: responses + humans + questionnaire -> report.json, table, PNGs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from interviewer.contracts.humans import HumanData, load_humans
from interviewer.contracts.persona import Demographics, Persona
from interviewer.contracts.persona_files import load_personas
from interviewer.contracts.questionnaire import Questionnaire, load_questionnaire
from interviewer.contracts.responses import SimulatedResponse, read_responses
from interviewer.errors import UserInputError
from interviewer.evaluation.higher_order import STUDIES, Gap, gaps
from interviewer.evaluation.html import ReportSources, write_report_html
from interviewer.evaluation.scoring import (
    DEFAULT_RULES,
    SUBGROUP_TRAITS,
    MethodReport,
    Report,
    Rules,
    Scores,
    Table,
    human_bound,
    human_distributions,
    human_table,
    json_safe,
    read_matches,
    score,
    simulated_distributions,
    simulated_table,
    subgroup_labels,
)
from interviewer.simulated import SIMULATED_NOTE, is_simulated
from interviewer.storage import atomic_write_json
from interviewer.survey.conditioning import leaning_party


@dataclass(frozen=True)
class MethodInput:
    label: str
    responses: Path
    matches: Path | None = None


@dataclass
class EvalResult:
    report: Report
    gaps: dict[str, list[Gap]] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)


def parse_labelled(values: list[str], flag: str) -> dict[str, Path]:
    """``["qa=r1.jsonl", "r2.jsonl"]`` -> {"qa": r1.jsonl, "r2": r2.jsonl}."""
    out: dict[str, Path] = {}
    for value in values:
        label, sep, path = value.partition("=")
        if not sep:
            label, path = Path(value).stem, value
        if label in out:
            raise UserInputError(f"{flag} {value!r}: label {label!r} given twice")
        out[label] = Path(path)
    return out


def evaluate(
    methods: list[MethodInput],
    humans_path: Path | None,
    questionnaire_path: Path | Questionnaire,
    out_dir: Path,
    *,
    personas: list[Path] | None = None,
    splits: int = 100,
    resamples: int = 200,
    seed: int = 0,
    plots: bool = True,
    rules: Rules = DEFAULT_RULES,
) -> EvalResult:
    """Score against the humans, or for a higher-order study against the published gaps.
    ``questionnaire_path``: its YAML, or the questionnaire already loaded;
    ``personas``: run directories whose demographics place respondents in subgroups."""
    questionnaire = (
        questionnaire_path
        if isinstance(questionnaire_path, Questionnaire)
        else load_questionnaire(questionnaire_path)
    )
    dirs = personas or []
    loaded = [p for d in dirs for p in load_personas(d)]
    demographics = {p.id: p.demographics for p in loaded}
    if questionnaire.study in STUDIES:
        return evaluate_gaps(
            methods, humans_path, questionnaire, out_dir, demographics, plots, dirs, loaded
        )
    if humans_path is None:
        raise UserInputError("--humans is needed to score this questionnaire")
    return evaluate_scores(
        methods,
        humans_path,
        questionnaire,
        out_dir,
        demographics,
        splits=splits,
        resamples=resamples,
        seed=seed,
        plots=plots,
        rules=rules,
        persona_dirs=dirs,
        personas=loaded,
    )


def evaluate_gaps(
    methods: list[MethodInput],
    humans_path: Path | None,
    questionnaire: Questionnaire,
    out_dir: Path,
    demographics: Demographics,
    plots: bool = True,
    persona_dirs: Sequence[Path] = (),
    personas: Sequence[Persona] = (),
) -> EvalResult:
    """A higher-order study's gaps per party, against the published human gaps."""
    # The studies' human answers are not public: their humans give parties only.
    humans = (
        load_humans(humans_path, None)
        if humans_path is not None
        else HumanData(Path("(none)"), [], np.zeros(0), {})
    )
    all_gaps: dict[str, list[Gap]] = {}
    notes: list[str] = []
    simulated = False
    for method in methods:
        responses = read_responses(method.responses, questionnaire)
        simulated |= any(is_simulated(r.model) for r in responses)
        stands_for = read_matches(method.matches)[1] if method.matches else {}
        parties = _parties(responses, humans, stands_for, demographics)
        all_gaps[method.label] = gaps(questionnaire, responses, parties)
        notes += _no_party_note(method.label, responses, parties)
    if simulated:
        notes.insert(0, SIMULATED_NOTE)
    sources = _sources(questionnaire, methods, persona_dirs, personas)
    return _study_result(questionnaire, humans, all_gaps, notes, out_dir, plots, sources)


def evaluate_scores(
    methods: list[MethodInput],
    humans_path: Path,
    questionnaire: Questionnaire,
    out_dir: Path,
    demographics: Demographics,
    *,
    splits: int = 100,
    resamples: int = 200,
    seed: int = 0,
    plots: bool = True,
    rules: Rules = DEFAULT_RULES,
    persona_dirs: Sequence[Path] = (),
    personas: Sequence[Persona] = (),
) -> EvalResult:
    """Every method's distance to the humans' answers, overall and per subgroup, with the
    humans' own split-half bound."""
    humans = load_humans(humans_path, questionnaire)
    human = human_table(humans, questionnaire)
    reports: list[MethodReport] = []
    simulated = False
    for method in methods:
        responses = read_responses(method.responses, questionnaire)
        simulated |= any(is_simulated(r.model) for r in responses)
        weights, stands_for = read_matches(method.matches) if method.matches else (None, {})
        table = simulated_table(responses, questionnaire, weights)
        overall = score(human, table, questionnaire, resamples=resamples, seed=seed, rules=rules)
        subgroups = {
            trait: _subgroups(
                human, table, humans, stands_for, demographics, trait, questionnaire, rules
            )
            for trait in SUBGROUP_TRAITS
        }
        distributions = simulated_distributions(table, questionnaire, rules.sim_dist)
        models = sorted({r.model for r in responses})
        modes = sorted({r.mode for r in responses if r.mode})
        reports.append(MethodReport(method.label, overall, subgroups, distributions, models, modes))
    bound = human_bound(human, questionnaire, splits, seed, rules)
    report = Report(
        questionnaire.id,
        str(humans_path),
        len(humans),
        bound.alpha,
        bound,
        reports,
        human_distributions(human, questionnaire),
        n_complete_humans=int((~np.isnan(human.answers)).all(axis=1).sum()),
        alpha_human_n=bound.alpha_n,
        subgroup_bounds=_subgroup_bounds(human, humans, questionnaire, splits, seed, rules),
        rules=rules.describe(splits),
        notes=[SIMULATED_NOTE] if simulated else [],
        simulated=simulated,
    )
    sources = _sources(questionnaire, methods, persona_dirs, personas)
    return _write(report, {}, out_dir, plots, sources)


def _sources(
    questionnaire: Questionnaire,
    methods: list[MethodInput],
    persona_dirs: Sequence[Path],
    personas: Sequence[Persona],
) -> ReportSources:
    """For report.html: ``personas`` (already read) give its sample transcripts, their
    run directories its provenance."""
    responses = {m.label: m.responses for m in methods}
    return ReportSources(questionnaire, responses, persona_dirs, personas)


def _human_subgroups(humans: HumanData, trait: str) -> dict[str, np.ndarray]:
    """Value -> human rows, for every value of ``trait`` the humans have."""
    values = humans.demographics.get(trait)
    if values is None:
        return {}
    return {value: _rows_with(values, value) for value in sorted({v for v in values if v})}


def _rows_with(labels: list[str | None], value: str) -> np.ndarray:
    return np.array([i for i, v in enumerate(labels) if v == value], dtype=int)


def _subgroups(
    human: Table,
    table: Table,
    humans: HumanData,
    stands_for: dict[str, str],
    demographics: Demographics,
    trait: str,
    questionnaire: Questionnaire,
    rules: Rules,
) -> dict[str, Scores | None]:
    sim_values = subgroup_labels(table.ids, humans, stands_for, demographics, trait)
    result: dict[str, Scores | None] = {}
    for value, h_rows in _human_subgroups(humans, trait).items():
        s_rows = _rows_with(sim_values, value)
        if len(s_rows) == 0:
            result[value] = None  # an empty subgroup: stated, not scored as 0
        else:
            result[value] = score(
                human.rows(h_rows), table.rows(s_rows), questionnaire, rules=rules
            )
    return result


def _subgroup_bounds(
    human: Table,
    humans: HumanData,
    questionnaire: Questionnaire,
    splits: int,
    seed: int,
    rules: Rules,
) -> dict[str, dict[str, Scores | None]]:
    """The split-half bound within every subgroup: a subgroup gap is read against it."""
    bounds: dict[str, dict[str, Scores | None]] = {}
    for trait in SUBGROUP_TRAITS:
        groups = _human_subgroups(humans, trait)
        if groups:
            bounds[trait] = {
                value: human_bound(human.rows(rows), questionnaire, splits, seed, rules)
                if len(rows) >= 2
                else None  # one human cannot be split
                for value, rows in groups.items()
            }
    return bounds


def _parties(
    responses: list[SimulatedResponse],
    humans: HumanData,
    stands_for: dict[str, str],
    demographics: Demographics,
) -> dict[str, str]:
    parties: dict[str, str] = {}
    for rid in {r.persona_id for r in responses}:
        profile = humans.profile_of(stands_for.get(rid, rid))
        if profile is not None:
            party = profile.get("party")
        else:
            party = leaning_party(demographics.get(rid, {}).get("party", {}))
        if party in ("Democrat", "Republican"):
            parties[rid] = party
    return parties


def _no_party_note(
    label: str, responses: list[SimulatedResponse], parties: dict[str, str]
) -> list[str]:
    """Say how many respondents no party's gap counts (a tie, no party, an Independent),
    so a smaller n is explained rather than silent."""
    everyone = {r.persona_id for r in responses}
    left_out = len(everyone) - len(parties)
    if not left_out:
        return []
    return [
        f"{label}: {left_out} of {len(everyone)} respondents lean to neither party "
        "(an exact tie, no party, or Independent) and are in no party's gap"
    ]


def _study_result(
    questionnaire: Questionnaire,
    humans: HumanData,
    all_gaps: dict[str, list[Gap]],
    notes: list[str],
    out_dir: Path,
    plots: bool,
    sources: ReportSources,
) -> EvalResult:
    # Respondent-level human data of the three studies is not public: the comparison is
    # with the published gaps, and there is no split-half bound to compute.
    no_bound = Scores(n=0, wd={}, wd_mean=float("nan"), fro=float("nan"), alpha=float("nan"))
    report = Report(
        questionnaire.id,
        str(humans.path),
        len(humans),
        float("nan"),
        no_bound,
        [],
        {},
        ["higher-order study: compared with the published human gaps", *notes],
        simulated=SIMULATED_NOTE in notes,
    )
    return _write(report, all_gaps, out_dir, plots, sources)


def _write(
    report: Report,
    all_gaps: dict[str, list[Gap]],
    out_dir: Path,
    plots: bool,
    sources: ReportSources,
) -> EvalResult:
    out_dir.mkdir(parents=True, exist_ok=True)
    body = report.to_json()
    if all_gaps:
        body["higher_order"] = {
            label: [
                {**g.__dict__, "direction": g.direction, "direction_ok": g.direction_ok}
                for g in found
            ]
            for label, found in all_gaps.items()
        }
    path = out_dir / "report.json"
    atomic_write_json(path, json_safe(body))  # undefined gaps are null, never bare NaN
    files = [path]
    if plots:
        from interviewer.evaluation import plots as charts

        if report.methods:
            files.append(charts.distributions_png(report, out_dir / "distributions.png"))
            files.append(charts.summary_png(report, out_dir / "summary.png"))
        if all_gaps:
            files.append(charts.gaps_png(all_gaps, out_dir / "gaps.png", report.simulated))
    files.append(write_report_html(report, all_gaps, out_dir, files[1:], sources))
    return EvalResult(report, all_gaps, files)
