"""The known-answer world: the whole pipeline, run on the simulated engine, must find the
answer the world planted (src/interviewer/simulated/world.py).

One run of evals/suites/known_answer.yaml (200 humans, 200 personas per persona method,
through ``run_suite``, the code ``interviewer eval --suite`` runs) feeds most tests;
the higher-order studies reuse its interview personas. Each mutation test breaks one
piece of plumbing by monkeypatching and shows that a check here fails.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rich.console import Console

from interviewer.contracts.humans import HumanData, load_humans
from interviewer.contracts.persona import Persona
from interviewer.contracts.persona_files import load_personas
from interviewer.contracts.questionnaire import OTHER, Question, Questionnaire, load_questionnaire
from interviewer.paths import resource_dir
from interviewer.settings import Settings, load_settings
from interviewer.simulated import engine, world
from interviewer.study import load_suite, run_suite
from interviewer.study.schema import Suite

QUIET = Console(file=io.StringIO())
SUITES = resource_dir("evals") / "suites"
EXACT = 1e-9
"""Simulated distributions are means of probabilities the engine computes exactly, so
the pipeline must reproduce the world's own numbers to rounding."""


@dataclass(frozen=True)
class Run:
    suite: Suite
    settings: Settings
    out: Path
    report: dict[str, Any]
    questionnaire: Questionnaire


def _run(suite: Suite, settings: Settings, out: Path) -> Run:
    report = json.loads((out / "report" / "report.json").read_text())
    questionnaire = load_questionnaire(resource_dir("evals") / suite.questionnaire)
    return Run(suite, settings, out, report, questionnaire)


def run_known(suite_file: str, out: Path, **changes: Any) -> Run:
    suite = load_suite(SUITES / suite_file).model_copy(update=changes)
    settings = load_settings(base=suite.settings, overrides={"cache": False})
    run_suite(suite, settings, out, QUIET)
    return _run(suite, settings, out)


@pytest.fixture(scope="module")
def known(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return run_known("known_answer.yaml", tmp_path_factory.mktemp("known") / "run")


# ── what the world says each method should answer ───────────────────────────


def person_of(persona: Persona, seed: int) -> world.Person:
    named = re.search(r"Sim-(\d+)", persona.transcript[1].text)
    assert named, f"{persona.id} never said who it is"
    return world.person(seed, int(named.group(1)))


def match_counts(path: Path) -> Counter[str]:
    with path.open(newline="") as handle:
        return Counter(row["persona_id"] for row in csv.DictReader(handle))


def planted_distributions(r: Run, label: str) -> dict[str, list[float]]:
    """Each question's distribution as the world says ``label``'s respondents answer:
    the mean of the response model's probabilities given what each one's context
    states (baselines: the profile; Anthology: traits and its latents; interview:
    everything), personas weighted by the humans matched to them."""
    spec = next(m for m in r.suite.methods if m.label == label)
    seed = r.settings.simulated.seed
    rows: list[tuple[dict[str, str], dict[str, float], float]] = []
    if spec.uses_personas:
        counts = match_counts(r.out / f"matches_{label}.csv")
        for persona in load_personas(r.out / spec.run_label):
            p = person_of(persona, seed)
            shown = r.settings.simulated.anthology_latents if spec.kind == "anthology" else None
            latent = {n: v for n, v in p.latent.items() if shown is None or n in shown}
            if counts[persona.id]:
                rows.append((p.traits, latent, float(counts[persona.id])))
    else:
        humans = load_humans(r.out / "humans.csv")
        rows = [(humans.profile(i), {}, 1.0) for i in range(len(humans))]
    weights = np.array([w for *_, w in rows])
    return {
        q.id: list(
            np.average(
                [world.probs_given(q.text, q.options, k, z) for k, z, _ in rows],
                axis=0,
                weights=weights,
            )
        )
        for q in r.questionnaire.questions
    }


def check_methods_answer_as_planted(r: Run, labels: list[str] | None = None) -> None:
    for method in r.report["methods"]:
        if labels is None or method["label"] in labels:
            planted = planted_distributions(r, method["label"])
            for qid, dist in method["distributions"].items():
                assert np.allclose(dist, planted[qid], atol=EXACT), (method["label"], qid)


def check_party_subgroups_as_planted(r: Run, label: str, matches: Path) -> None:
    """Within each party, ``label``'s personas (placed by the human each was matched to
    first, in ``matches``) answer as planted: the report's per-question WD equals the
    distance between those humans' weighted shares and the world's distribution."""
    from interviewer.evaluation.metrics import wd

    humans = load_humans(r.out / "humans.csv", r.questionnaire)
    parties = humans.demographics["party"]
    with matches.open(newline="") as handle:
        pairs = list(csv.DictReader(handle))
    stands_for: dict[str, str] = {}
    for row in pairs:
        stands_for.setdefault(row["persona_id"], row["respondent_id"])
    counts = Counter(row["persona_id"] for row in pairs)
    people = {p.id: person_of(p, 0) for p in load_personas(r.out / label)}
    method = next(m for m in r.report["methods"] if m["label"] == label)
    for party, scores in method["subgroups"]["party"].items():
        rows = [i for i, v in enumerate(parties) if v == party]
        sub = HumanData(
            humans.path,
            [humans.ids[i] for i in rows],
            humans.weights[rows],
            {},
            {q: a[rows] for q, a in humans.answers.items()},
        )
        mine = [pid for pid, hid in stands_for.items() if parties[humans.rows[hid]] == party]
        for q in r.questionnaire.questions:
            planted = np.average(
                [world.true_probs(q.text, q.options, people[pid]) for pid in mine],
                axis=0,
                weights=[counts[pid] for pid in mine],
            )
            expected = wd(weighted_shares(sub, q), list(planted))
            assert abs(scores["wd"][q.id] - expected) < EXACT, (party, q.id)


def weighted_shares(humans: HumanData, q: Question) -> list[float]:
    answers = humans.answers[q.id]
    keep = ~np.isnan(answers)
    counts = np.bincount(
        answers[keep].astype(int), weights=humans.weights[keep], minlength=len(q.options)
    )
    return list(counts / counts.sum())


def check_humans_weighted(r: Run, report: dict[str, Any]) -> None:
    humans = load_humans(r.out / "humans.csv", r.questionnaire)
    for q in r.questionnaire.questions:
        assert np.allclose(report["human_distributions"][q.id], weighted_shares(humans, q))


# ── the tests ────────────────────────────────────────────────────────────────


def test_the_shipped_humans_file_is_the_world_seed_0() -> None:
    path = resource_dir("evals") / "humans" / "known_answer.csv"
    assert path.read_text(encoding="utf-8") == world.shipped_humans_csv()


def test_every_method_answers_exactly_as_the_world_plants(known: Run) -> None:
    check_methods_answer_as_planted(known)


def test_interview_subgroups_hold_the_personas_of_their_matched_humans(known: Run) -> None:
    check_party_subgroups_as_planted(known, "interview", known.out / "matches_interview.csv")


def test_humans_are_read_with_their_weights_and_estimate_the_population(known: Run) -> None:
    check_humans_weighted(known, known.report)
    humans = load_humans(known.out / "humans.csv", known.questionnaire)
    # Kish's effective n: the weights (0.6 young, 1.2 the rest) cost precision.
    w = humans.weights
    n_eff = w.sum() ** 2 / (w**2).sum()
    truth = world.population_truth(0, known.questionnaire, 20_000)
    for q in known.questionnaire.questions:
        shares, planted = np.array(weighted_shares(humans, q)), np.array(truth[q.id])
        se = np.sqrt(planted * (1 - planted) / n_eff)
        # 4 standard errors: 25 shares are compared, each fails by chance ~6e-5.
        assert np.all(np.abs(shares - planted) < 4 * se), q.id


def test_the_interview_distribution_is_within_sampling_error_of_the_population(
    known: Run,
) -> None:
    """Interview personas are other people of the same population than the humans:
    their answers estimate the population (unweighted: matched personas count once
    per human matched, whatever that human's weight — the product's rule, which shifts
    them towards the over-sampled young; 5 se covers that shift at this size)."""
    truth = world.population_truth(0, known.questionnaire, 20_000)
    dists = next(m for m in known.report["methods"] if m["label"] == "interview")
    n = dists["overall"]["n"]
    for q in known.questionnaire.questions:
        sim, planted = np.array(dists["distributions"][q.id]), np.array(truth[q.id])
        se = np.sqrt(planted * (1 - planted) / n)
        assert np.all(np.abs(sim - planted) < 5 * se), (q.id, sim, planted)


def test_the_planted_ordering_is_recovered_with_separate_intervals(known: Run) -> None:
    overall = {m["label"]: m["overall"] for m in known.report["methods"]}
    ci = {label: o["wd_mean_ci"] for label, o in overall.items()}
    for baseline in ("qa", "bio", "portray"):
        assert ci["interview"][1] < ci["anthology"][0] < ci["anthology"][1] < ci[baseline][0]


def test_the_critic_catches_every_planted_contradiction_and_repairs_it(known: Run) -> None:
    rejected = caught = kept = 0
    for persona in load_personas(known.out / "interview"):
        said: list[str] = []
        for index, turn in enumerate(persona.transcript):
            if turn.role != "persona":
                continue
            for verdict in persona.critic:
                if verdict.turn == index and verdict.rejected_text is not None:
                    rejected += 1
                    caught += bool(engine.conflicts(said, verdict.rejected_text))
                    # The quoted earlier statement is found in the transcript.
                    assert verdict.contradicted_turn is not None
            kept += bool(engine.conflicts(said, turn.text))
            said.append(turn.text)
        assert persona.final_check is not None and persona.final_check.consistent
    # Precision 1: every rejected draft contradicted an earlier answer. Recall 1: no
    # kept answer does (the repair resample fixed each one).
    assert caught == rejected
    assert kept == 0
    # 200 personas x ~7 later answers x 15% planted: 228 repairs at seed 0.
    assert 150 < rejected < 320


def test_matching_recovers_the_true_persona_and_maxweight_is_one_to_one(
    known: Run,
) -> None:
    from interviewer.matching import match, trait_table

    humans = load_humans(known.out / "humans.csv")
    personas = load_personas(known.out / "interview")
    traits = list(known.suite.match.traits)
    options = {t: world.options_of(t) for t in traits}
    table = trait_table(
        [p.demographics for p in personas], [humans.profile(i) for i in range(len(humans))], options
    )
    results = {m: match(table, m, 0, "loglik") for m in ("maxweight", "greedy", "random")}
    # Greedy gives each human its best persona (reuse allowed): an upper bound on the
    # mean log-weight that a one-to-one assignment can only approach. Measured at seed
    # 0: greedy -5.73, maxweight -6.54, random -18.2 (natural log).
    assert results["greedy"].mean_log_weight >= results["maxweight"].mean_log_weight
    assert results["maxweight"].mean_log_weight > results["random"].mean_log_weight + 3
    assert len(set(results["maxweight"].persona_index)) == len(humans)


def engine_demographics(story: str, trait: str) -> dict[str, float]:
    """What the simulated demographics respondent answers about ``trait`` after
    ``story`` (the engine's own reading, without the HTTP round trip)."""
    from interviewer.contracts.demographics import traits as canonical

    question = canonical()[trait]
    item = engine.SurveyItem(story, question.text, list(question.options))
    return dict(zip(question.options, engine.respondent_probs(item), strict=True))


def test_matching_twins_recovers_most_true_personas(known: Run) -> None:
    """Personas telling the humans' own stories (the engine's Anthology introduction of
    each human's person), read back by the demographics respondent: maxweight pairs
    most humans with their twin (all that differ in some matched trait from every other
    human)."""
    from interviewer.matching import match, trait_table

    humans = load_humans(known.out / "humans.csv")
    traits = list(known.suite.match.traits)
    profiles = [humans.profile(i) for i in range(len(humans))]
    seed = known.settings.simulated.seed
    people = [world.person(seed, int(rid[1:])) for rid in humans.ids]
    assert [p.traits for p in people] == [humans.profile(i) for i in range(len(humans))]
    stories = [engine.introduction(p, ()) for p in people]
    twins = [{t: engine_demographics(story, t) for t in traits} for story in stories]
    table = trait_table(twins, profiles, {t: world.options_of(t) for t in traits})
    pairs = match(table, "maxweight", 0, "loglik")
    recovered = float(np.mean(pairs.human_index == pairs.persona_index))
    keys = Counter(tuple(p[t] for t in traits) for p in profiles)
    distinct = float(np.mean([keys[tuple(p[t] for t in traits)] == 1 for p in profiles]))
    # Measured at seed 0: 89% of the 200 humans have a profile no other human shares,
    # and maxweight pairs exactly those 89% with their twin (greedy, reusing personas,
    # 94.5%; random 0%). Twins that share a profile tie, and a tie may fall either way.
    assert recovered >= distinct >= 0.85, (recovered, distinct)


# ── the higher-order studies ────────────────────────────────────────────────


def reuse_personas(known: Run, out: Path) -> None:
    out.mkdir(parents=True)
    shutil.copytree(known.out / "interview", out / "interview")


@pytest.mark.parametrize(
    "suite_file",
    [
        "known_answer_hostility.yaml",
        "known_answer_subversion.yaml",
        "known_answer_meta_perception.yaml",
    ],
)
def test_planted_gaps_are_recovered_in_sign_and_size(
    known: Run, tmp_path: Path, suite_file: str
) -> None:
    reuse_personas(known, tmp_path / "run")
    r = run_known(
        suite_file,
        tmp_path / "run",
        methods=[m for m in load_suite(SUITES / suite_file).methods if m.label == "interview"],
    )
    check_gaps(r, planted_gaps(suite_file))


def planted_gaps(suite_file: str) -> dict[str, float]:
    """The world's gap per party, computed from the response model alone."""
    questionnaire = load_questionnaire(
        resource_dir("evals") / load_suite(SUITES / suite_file).questionnaire
    )
    return {p: world.planted_gap(0, questionnaire, p, 4000) for p in ("Democrat", "Republican")}


def check_gaps(r: Run, planted: dict[str, float]) -> None:
    for gap in r.report["higher_order"]["interview"]:
        assert gap["direction"] == "right", gap
        # ~60 personas per party, drawn answers: 0.25 is about 3 standard errors.
        assert abs(gap["gap"] - planted[gap["party"]]) < 0.25, (gap, planted)


# ── mutations: each breaks a check above ────────────────────────────────────


def test_mutation_reversed_option_mapping_is_caught(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import interviewer.survey.answering as answering

    def reversed_map_back(letter_probs: Any, order: Any) -> list[float]:
        probs = [0.0] * len(order)
        for position, index in enumerate(order):
            probs[index] = letter_probs[len(order) - 1 - position]
        return probs

    small = dict(
        sample=20,
        methods=[m for m in load_suite(SUITES / "known_answer.yaml").methods if m.kind == "qa"],
        bootstrap=0,
        splits=2,
    )
    r = run_known("known_answer.yaml", tmp_path / "right", **small)
    check_methods_answer_as_planted(r)
    monkeypatch.setattr(answering, "map_back", reversed_map_back)
    wrong = run_known("known_answer.yaml", tmp_path / "wrong", **small)
    with pytest.raises(AssertionError):
        check_methods_answer_as_planted(wrong)


def test_mutation_shuffled_persona_ids_after_matching_is_caught(
    known: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import interviewer.study.nodes as nodes

    real = nodes.match_to_file

    def shuffled(
        personas: Any,
        humans: Any,
        traits: Any,
        method: Any,
        seed: int,
        out: Path,
        objective: Any = "weight",
    ) -> Any:
        result = real(personas, humans, traits, method, seed, out, objective)
        lines = out.read_text().splitlines()
        rows = [line.split(",") for line in lines[1:]]
        ids = [row[1] for row in rows]
        np.random.default_rng(1).shuffle(ids)
        out.write_text(
            "\n".join(
                [lines[0], *(",".join([r[0], i, *r[2:]]) for r, i in zip(rows, ids, strict=True))]
            )
            + "\n"
        )
        return result

    copy = tmp_path / "run"
    shutil.copytree(known.out, copy)
    monkeypatch.setattr(nodes, "match_to_file", shuffled)
    # Resumed: personas and answers are there; matching and scoring run again.
    r = run_known("known_answer.yaml", copy)
    assert (copy / "matches_interview.csv").read_text() != (
        known.out / "matches_interview.csv"
    ).read_text()
    # The pairs the matcher chose (the unmutated run's file) no longer explain the report.
    with pytest.raises(AssertionError):
        check_party_subgroups_as_planted(r, "interview", known.out / "matches_interview.csv")


def test_mutation_dropped_weights_is_caught(
    known: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import interviewer.evaluation.report as report_module
    from interviewer.evaluation.report import MethodInput, evaluate

    real = report_module.load_humans

    def unweighted(path: Path, questionnaire: Any = None) -> HumanData:
        data = real(path, questionnaire)
        return HumanData(
            data.path, data.ids, np.ones(len(data.ids)), data.demographics, data.answers
        )

    monkeypatch.setattr(report_module, "load_humans", unweighted)
    methods = [MethodInput("qa", known.out / "responses_qa.jsonl")]
    questionnaire = resource_dir("evals") / known.suite.questionnaire
    evaluate(
        methods,
        known.out / "humans.csv",
        questionnaire,
        tmp_path,
        splits=2,
        resamples=0,
        plots=False,
    )
    with pytest.raises(AssertionError):
        check_humans_weighted(known, json.loads((tmp_path / "report.json").read_text()))


def test_mutation_swapped_in_out_is_caught(
    known: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = Question.resolve

    def swapped(self: Question, party: str | None) -> str:
        return real(self, OTHER.get(party, party))

    suite_file = "known_answer_hostility.yaml"
    planted = planted_gaps(suite_file)  # before the mutation: the truth stays right
    monkeypatch.setattr(Question, "resolve", swapped)
    reuse_personas(known, tmp_path / "run")
    interview = [m for m in load_suite(SUITES / suite_file).methods if m.label == "interview"]
    r = run_known(suite_file, tmp_path / "run", methods=interview)
    with pytest.raises(AssertionError):
        check_gaps(r, planted)
    assert all(g["direction"] == "wrong sign" for g in r.report["higher_order"]["interview"])


def test_dry_run_marks_everything_it_writes(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from interviewer.cli import app

    suite = SUITES / "deep_binding.yaml"
    result = CliRunner().invoke(
        app, ["eval", "--suite", str(suite), "--dry-run", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert "SIMULATED" in result.output and "wired through" in result.output
    report = json.loads((tmp_path / "report" / "report.json").read_text())
    assert report["simulated"] is True and report["notes"][0].startswith("SIMULATED")
    page = (tmp_path / "report" / "report.html").read_text()
    assert "<title>SIMULATED " in page and 'class="simulated"' in page
    manifest = json.loads((tmp_path / "interview" / "manifest.json").read_text())
    assert all(identity.startswith("SIMULATED") for identity in manifest["models"].values())
    persona = json.loads((tmp_path / "interview" / "p00000.json").read_text())
    assert all(identity.startswith("SIMULATED") for identity in persona["models"].values())
    first = json.loads((tmp_path / "responses_qa.jsonl").read_text().splitlines()[0])
    assert first["model"].startswith("SIMULATED")
    assert (tmp_path / "SIMULATED_DRY_RUN.txt").read_text().startswith("SIMULATED")
    assert math.isfinite(report["methods"][0]["overall"]["wd_mean"])


def test_a_dry_run_of_chat_settings_still_runs(tmp_path: Path) -> None:
    """The simulated engine speaks completions only: a dry run of settings that put roles
    on chat must run, not end in the engine's 404 (it did before the dry run set api)."""
    from typer.testing import CliRunner

    from interviewer.cli import app

    suite = SUITES / "anthology.yaml"
    args = ["eval", "--suite", str(suite), "--dry-run", "--out", str(tmp_path)]
    args += ["--set", "respondent.api=chat", "--set", "interviewer.api=chat"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "wired through" in result.output


def test_dry_run_names_what_did_not_wire_through(known: Run, tmp_path: Path) -> None:
    from interviewer.study.dry_run import wiring_problems

    out = tmp_path / "run"
    shutil.copytree(known.out, out)
    qa = out / "responses_qa.jsonl"
    kept = [line for line in qa.read_text().splitlines() if '"question_id":"volunteer"' not in line]
    qa.write_text("\n".join(kept) + "\n")
    (out / "responses_bio.jsonl").unlink()
    assert wiring_problems(known.suite, known.out) == []
    assert wiring_problems(known.suite, out) == [
        "qa: nobody answered volunteer",
        "bio: no responses file responses_bio.jsonl",
    ]


def test_dry_run_needs_a_suite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from interviewer.cli import main

    assert main(["eval", "--dry-run", "--out", str(tmp_path)]) == 2
    assert "--dry-run needs --suite" in capsys.readouterr().err


def test_the_respondent_reads_a_question_written_over_several_lines() -> None:
    from interviewer.survey.answering import question_prompt

    prompt = question_prompt(
        "I am 30-49 years old.", "", "First line.\nSecond?", ["Y", "N"], [1, 0]
    )
    item = engine.survey_item(prompt)
    assert item is not None
    assert item.question == "First line.\nSecond?" and item.options == ["N", "Y"]
    assert item.context.startswith("I am 30-49 years old.")
