"""``interviewer eval`` on cases small enough to work out by hand."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from interviewer.contracts.responses import append_responses
from interviewer.evaluation.report import MethodInput, evaluate
from interviewer.evaluation.scoring import Rules
from interviewer.paths import resource_dir
from tests.fakes import simulated
from tests.test_cli import run_cli


def write(tmp: Path) -> tuple[Path, Path, Path]:
    questionnaire = tmp / "q.yaml"
    questionnaire.write_text(
        "id: tiny\nquestions:\n"
        "  - {id: q1, text: 'One?', options: [a, b]}\n"
        "  - {id: q2, text: 'Two?', options: [x, y, z]}\n"
    )
    humans = tmp / "h.csv"
    humans.write_text(
        "respondent_id,weight,party,q1,q2\n"
        "h1,1,Democrat,0,0\nh2,1,Democrat,0,1\nh3,1,Republican,1,2\n"
        "h4,1,Republican,1,2\n"
    )
    responses = tmp / "r.jsonl"
    lines = [
        ("h1", "q1", [1.0, 0.0], 0),
        ("h1", "q2", [0.0, 0.0, 1.0], 2),
        ("h3", "q1", [0.0, 1.0], 1),
        ("h3", "q2", [0.0, 0.0, 1.0], 2),
    ]
    append_responses(
        responses, [simulated(p, q, a, probs, "qa", "tiny") for p, q, probs, a in lines]
    )
    return questionnaire, humans, responses


def test_report_by_hand(tmp_path: Path) -> None:
    questionnaire, humans, responses = write(tmp_path)
    result = evaluate(
        [MethodInput("qa", responses)],
        humans,
        questionnaire,
        tmp_path / "rep",
        splits=10,
        resamples=20,
    )
    method = result.report.methods[0]
    # Humans: q1 (.5, .5); q2 (.25, .25, .5). Simulated means: q1 (.5, .5) → WD 0;
    # q2 (0, 0, 1): CDFs (.25, .5, 1) vs (0, 0, 1) → .25 + .5 = .75. Mean .375.
    assert method.overall.wd == pytest.approx({"q1": 0.0, "q2": 0.75})
    assert method.overall.wd_mean == pytest.approx(0.375)
    assert result.report.human_distributions["q2"] == pytest.approx([0.25, 0.25, 0.5])
    # Subgroups: Democrats h1, h2 vs the simulated h1 → q1 (1, 0) vs (1, 0): 0;
    # q2 humans (.5, .5, 0) vs (0, 0, 1): CDFs (.5, 1, 1) vs (0, 0, 1) → 1.5. Mean .75.
    democrats = method.subgroups["party"]["Democrat"]
    assert democrats is not None and democrats.wd_mean == pytest.approx(0.75)
    report = json.loads((tmp_path / "rep" / "report.json").read_text())
    assert report["methods"][0]["overall"]["wd_mean"] == pytest.approx(0.375)
    # Alpha over two simulated rows (0, 2) and (1, 2): item 2 has no variance, totals
    # (2, 3) vary: alpha = 2 × (1 − 0.5 / 0.5) = 0.
    assert report["methods"][0]["overall"]["alpha"] == pytest.approx(0.0)
    # Correlations: humans q1 = (0, 0, 1, 1), q2 = (0, 1, 2, 2) give r = 1.5 / sqrt(2.75)
    # over their 4 complete cases. Every simulated q2 answer is 2: no variance, so q2 has
    # no association (r = 0) and is named; fro = sqrt(2 r²), not 0.
    r = 1.5 / math.sqrt(2.75)
    assert report["methods"][0]["overall"]["fro"] == pytest.approx(math.sqrt(2) * r)
    assert report["methods"][0]["overall"]["degenerate"] == ["q2"]
    assert report["n_complete_humans"] == 4
    assert report["rules"]["missing"] == "complete" and report["rules"]["sim_dist"] == "probs"
    for name in ("distributions.png", "summary.png"):
        assert (tmp_path / "rep" / name).stat().st_size > 10_000


def test_every_subgroup_has_its_own_human_bound(tmp_path: Path) -> None:
    questionnaire, humans, responses = write(tmp_path)
    result = evaluate(
        [MethodInput("qa", responses)],
        humans,
        questionnaire,
        tmp_path / "rep",
        splits=6,
        resamples=0,
        plots=False,
    )
    # Democrats h1 (0, 0) and h2 (0, 1) split into halves of one: q1 WD 0, q2 (1, 0, 0)
    # vs (0, 1, 0) WD 1 → 0.5 in every split. The two Republicans answer alike: 0.
    bounds = result.report.subgroup_bounds["party"]
    democrat, republican = bounds["Democrat"], bounds["Republican"]
    assert democrat is not None and democrat.wd_mean == pytest.approx(0.5)
    assert republican is not None and republican.wd_mean == pytest.approx(0.0)
    report = json.loads((tmp_path / "rep" / "report.json").read_text())
    assert report["subgroup_bounds"]["party"]["Democrat"]["wd_mean"] == pytest.approx(0.5)


def test_simulated_distribution_from_sampled_answers(tmp_path: Path) -> None:
    questionnaire, humans, _ = write(tmp_path)
    responses = tmp_path / "r2.jsonl"
    lines = [("h1", "q1", [0.8, 0.2], 1), ("h3", "q1", [0.6, 0.4], 1)]
    append_responses(
        responses, [simulated(p, q, a, probs, "qa", "tiny") for p, q, probs, a in lines]
    )
    # Humans q1 (.5, .5). Mean of probs (.7, .3): WD .2. Histogram of the sampled
    # answers (0, 1), as the Anthology code: WD .5.
    for sim_dist, expected in (("probs", 0.2), ("answers", 0.5)):
        result = evaluate(
            [MethodInput("qa", responses)],
            humans,
            questionnaire,
            tmp_path / sim_dist,
            splits=2,
            resamples=0,
            plots=False,
            rules=Rules("complete", sim_dist),
        )
        assert result.report.methods[0].overall.wd["q1"] == pytest.approx(expected)
        assert result.report.rules["sim_dist"] == sim_dist


def test_empty_subgroup_is_none_not_zero(tmp_path: Path) -> None:
    questionnaire, humans, responses = write(tmp_path)
    # Only Democrat h1 answered in the simulation: the Republican subgroup has nobody.
    lines = [line for line in responses.read_text().splitlines() if '"h1"' in line]
    responses.write_text("\n".join(lines) + "\n")
    result = evaluate(
        [MethodInput("qa", responses)],
        humans,
        questionnaire,
        tmp_path / "rep",
        splits=4,
        resamples=0,
        plots=False,
    )
    assert result.report.methods[0].subgroups["party"]["Republican"] is None
    report = json.loads((tmp_path / "rep" / "report.json").read_text())
    assert report["methods"][0]["subgroups"]["party"]["Republican"] is None


def test_higher_order_study_against_published_targets(tmp_path: Path) -> None:
    q = resource_dir("evals") / "questionnaires" / "meta_prejudice.yaml"
    humans = tmp_path / "h.csv"
    humans.write_text(
        "respondent_id,weight,party\nd1,1,Democrat\nr1,1,Republican\nr2,1,Republican\n"
    )
    rows = [("d1", "out_to_in_meta", 0), ("r1", "out_self", 4), ("r2", "out_self", 3)]
    responses = tmp_path / "r.jsonl"
    append_responses(
        responses, [simulated(p, qid, a, [0.2] * 5, "bio", "meta_prejudice") for p, qid, a in rows]
    )
    result = evaluate([MethodInput("bio", responses)], humans, q, tmp_path / "rep")
    democrat = next(g for g in result.gaps["bio"] if g.party == "Democrat")
    # d1 believes Republicans are very cold (coldness 6 − 1 = 5); Republicans report
    # warmth 5 and 4 (coldness 1, 2): Δ = 5 − 1.5 = 3.5, target 1.091, right direction.
    assert democrat.gap == pytest.approx(3.5)
    assert democrat.direction_ok is True and democrat.target_gap == 1.091
    assert (tmp_path / "rep" / "gaps.png").stat().st_size > 10_000

    def strict(token: str) -> None:
        raise ValueError(f"{token} is not JSON")

    report = json.loads((tmp_path / "rep" / "report.json").read_text(), parse_constant=strict)
    assert report["higher_order"]["bio"][0]["party"] == "Democrat"
    republican = report["higher_order"]["bio"][1]
    # Republicans believe nothing here (no meta answer): the gap is undefined → null.
    assert republican["party"] == "Republican" and republican["gap"] is None


def test_cli_bad_input_is_one_line(tmp_path: Path) -> None:
    questionnaire, humans, responses = write(tmp_path)
    result = run_cli(
        "eval",
        "--responses",
        f"qa={responses}",
        "-q",
        str(questionnaire),
        "--out",
        str(tmp_path / "rep"),
    )
    assert result.returncode == 2 and "--humans is needed" in result.stderr
    result = run_cli(
        "eval",
        "--responses",
        f"qa={responses}",
        "--matches",
        "x=m.csv",
        "--humans",
        str(humans),
        "-q",
        str(questionnaire),
        "--out",
        str(tmp_path),
    )
    assert result.returncode == 2 and "unknown label" in result.stderr
    ok = run_cli(
        "eval",
        "--responses",
        f"qa={responses}",
        "--humans",
        str(humans),
        "-q",
        str(questionnaire),
        "--out",
        str(tmp_path / "rep"),
        "--splits",
        "4",
        "--bootstrap",
        "10",
    )
    assert ok.returncode == 0, ok.stderr
    assert "human bound" in ok.stdout and "report.json" in ok.stdout
    assert "4 complete" in ok.stdout  # the human complete cases behind Fro, printed


def test_eval_into_an_old_report_folder_leaves_no_stale_plots(tmp_path: Path) -> None:
    questionnaire, humans, responses = write(tmp_path)
    rep = tmp_path / "rep"
    rep.mkdir()
    (rep / "gaps.png").write_bytes(b"an earlier higher-order study")
    (rep / "ablation_H1.png").write_bytes(b"an earlier suite")
    (rep / "notes.txt").write_text("mine")
    result = run_cli(
        "eval", "--responses", f"qa={responses}", "-q", str(questionnaire),
        "--humans", str(humans), "--out", str(rep), "--splits", "4", "--bootstrap", "0",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert not (rep / "gaps.png").exists() and not (rep / "ablation_H1.png").exists()
    assert (rep / "notes.txt").read_text() == "mine"  # not the report's: left alone
    assert (rep / "summary.png").exists()


def test_cli_names_the_rules_it_was_given(tmp_path: Path) -> None:
    questionnaire, humans, responses = write(tmp_path)
    args = ["eval", "--responses", f"qa={responses}", "--humans", str(humans)]
    args += ["-q", str(questionnaire), "--splits", "2", "--bootstrap", "0"]
    ok = run_cli(
        *args, "--out", str(tmp_path / "rep"), "--missing", "pairwise", "--sim-dist", "answers"
    )
    assert ok.returncode == 0, ok.stderr
    rules = json.loads((tmp_path / "rep" / "report.json").read_text())["rules"]
    assert (rules["missing"], rules["sim_dist"]) == ("pairwise", "answers")
    bad = run_cli(*args, "--out", str(tmp_path / "rep2"), "--sim-dist", "mode")
    assert bad.returncode == 2 and "--sim-dist" in bad.stderr


def test_report_does_not_depend_on_the_order_of_the_response_lines(tmp_path: Path) -> None:
    """A responses file is written in the order answers arrive, which concurrency changes;
    the report must not (the demo's report.json differed in the last digits between a first
    run and a cached rerun)."""
    questionnaire, humans, _ = write(tmp_path)
    rng = np.random.default_rng(7)
    lines = []
    for p in range(40):
        for q, k in (("q1", 2), ("q2", 3)):
            probs = rng.dirichlet(np.ones(k)).tolist()
            lines.append(simulated(f"p{p}", q, int(np.argmax(probs)), probs, "qa", "tiny"))
    reports = []
    for name, order in (("a", lines), ("b", lines[::-1])):
        path = tmp_path / f"{name}.jsonl"
        append_responses(path, order)
        evaluate([MethodInput("qa", path)], humans, questionnaire, tmp_path / name, seed=1)
        reports.append(json.loads((tmp_path / name / "report.json").read_text())["methods"])
    assert reports[0] == reports[1]
