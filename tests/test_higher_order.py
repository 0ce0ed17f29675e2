"""Higher-order gaps against small cases worked out by hand."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from interviewer.contracts.questionnaire import load_questionnaire
from interviewer.contracts.responses import SimulatedResponse
from interviewer.evaluation.higher_order import gaps, published_targets
from interviewer.paths import resource_dir
from tests.fakes import simulated

QUESTIONNAIRES = resource_dir("evals") / "questionnaires"


def answers(table: dict[str, dict[str, int]]) -> list[SimulatedResponse]:
    """respondent -> question -> rating (1-based) as simulated-response lines."""
    return [
        simulated(r, q, rating - 1, [1.0], "backstory")
        for r, row in table.items()
        for q, rating in row.items()
    ]


def test_hostility_by_hand() -> None:
    q = load_questionnaire(QUESTIONNAIRES / "w110_hostility.yaml")
    traits = ["moral", "hardworking", "openminded", "intelligent", "honest"]
    # Democrat d1 rates Democrats 2 and Republicans 4 on every trait: gap 2.
    # Democrat d2 rates Democrats 2 and Republicans 3: gap 1. Δ Democrat = 1.5.
    # Out means (4, 3), in means (2, 2): pooled SD = sqrt((0.5 + 0) / 2) = 0.5,
    # d = (3.5 − 2) / 0.5 = 3.0.
    table = {
        "d1": {f"{t}_{g}": r for t in traits for g, r in (("in", 2), ("out", 4))},
        "d2": {f"{t}_{g}": r for t in traits for g, r in (("in", 2), ("out", 3))},
    }
    result = {g.party: g for g in gaps(q, answers(table), {"d1": "Democrat", "d2": "Democrat"})}
    assert result["Democrat"].gap == pytest.approx(1.5)
    assert result["Democrat"].d == pytest.approx(3.0)
    assert result["Democrat"].target_gap == 1.630 and result["Democrat"].direction_ok is True
    assert math.isnan(result["Republican"].gap)  # no Republican respondents: NaN, not 0
    assert result["Republican"].direction_ok is None


def test_subversion_by_hand() -> None:
    q = load_questionnaire(QUESTIONNAIRES / "subversion.yaml")
    acts = ["courts", "journalists", "stations", "laws", "violence", "constitution"]
    # Target Democrats: Republicans r1, r2 believe most Democrats would support acts at
    # 3 and 4 (meta); Democrats d1, d2 say they would at 1 and 2 (self).
    # Δ Democrat = 3.5 − 1.5 = 2.0; each group's variance 0.5 → pooled SD sqrt(.5),
    # d = 2 / 0.7071 = 2.828.
    table = {
        "r1": {f"{a}_meta": 3 for a in acts},
        "r2": {f"{a}_meta": 4 for a in acts},
        "d1": {f"{a}_self": 1 for a in acts},
        "d2": {f"{a}_self": 2 for a in acts},
    }
    parties = {"r1": "Republican", "r2": "Republican", "d1": "Democrat", "d2": "Democrat"}
    result = {g.party: g for g in gaps(q, answers(table), parties)}
    assert result["Democrat"].gap == pytest.approx(2.0)
    assert result["Democrat"].d == pytest.approx(2 / math.sqrt(0.5))


def test_meta_perception_by_hand_and_a_wrong_sign() -> None:
    q = load_questionnaire(QUESTIONNAIRES / "meta_prejudice.yaml")
    # Democrats believe Republicans feel warmth 1 and 2 toward them (coldness 5, 4);
    # Republicans report warmth 4 and 5 toward Democrats (coldness 2, 1).
    # Δ Democrat = 4.5 − 1.5 = 3.0 (they over-estimate coldness, as humans do).
    table = {
        "d1": {"out_to_in_meta": 1},
        "d2": {"out_to_in_meta": 2},
        "r1": {"out_self": 4, "out_to_in_meta": 5},
        "r2": {"out_self": 5, "out_to_in_meta": 5},
    }
    parties = {"d1": "Democrat", "d2": "Democrat", "r1": "Republican", "r2": "Republican"}
    result = {g.party: g for g in gaps(q, answers(table), parties)}
    assert result["Democrat"].gap == pytest.approx(3.0)
    assert result["Democrat"].direction_ok is True
    # Republicans believe Democrats feel very warm toward them (coldness 1) but no
    # Democrat reported out-party warmth: NaN. Flip it to see a wrong direction:
    table["d1"]["out_self"] = 1  # Democrat d1 is very cold to Republicans (coldness 5)
    result = {g.party: g for g in gaps(q, answers(table), parties)}
    assert result["Republican"].gap == pytest.approx(1 - 5)
    assert result["Republican"].direction_ok is False


def test_targets_match_the_source_table() -> None:
    targets = published_targets()
    assert targets["hostility"]["Republican"] == {"gap": 1.606, "d": 2.263}
    assert targets["meta_perception"]["Democrat"]["d"] == 0.761


def test_a_zero_gap_is_no_gap_not_a_wrong_sign() -> None:
    q = load_questionnaire(QUESTIONNAIRES / "w110_hostility.yaml")
    traits = ["moral", "hardworking", "openminded", "intelligent", "honest"]
    # d1 rates both parties 3 on every trait: Δ = 0 exactly, against a human 1.630.
    table = {"d1": {f"{t}_{g}": 3 for t in traits for g in ("in", "out")}}
    democrat = next(g for g in gaps(q, answers(table), {"d1": "Democrat"}) if g.party == "Democrat")
    assert democrat.gap == 0.0 and democrat.target_gap == 1.630
    assert democrat.direction_ok is None
    assert democrat.direction == "no gap"
    # The other verdicts, by name.
    table["d1"] = {f"{t}_{g}": r for t in traits for g, r in (("in", 2), ("out", 4))}
    democrat = next(g for g in gaps(q, answers(table), {"d1": "Democrat"}) if g.party == "Democrat")
    assert (democrat.direction, democrat.direction_ok) == ("right", True)
    republican = next(
        g for g in gaps(q, answers(table), {"d1": "Democrat"}) if g.party == "Republican"
    )
    assert republican.direction is None  # no Republican respondents: no verdict


def test_a_study_report_says_who_is_in_no_partys_gap(tmp_path: Path) -> None:
    """Respondents leaning to neither party are counted in the report's notes, not
    dropped from every gap in silence."""
    import json

    from interviewer.evaluation.report import MethodInput, evaluate
    from interviewer.paths import resource_dir

    evals = resource_dir("evals")
    responses = tmp_path / "r.jsonl"
    people = ("412379892", "414164923", "415395741")  # CCES: Democrat, Republican, Independent
    lines = [
        {"persona_id": rid, "question_id": qid, "probs": [0.2] * 5, "answer": 2}
        | {"conditioning": "qa", "model": "x"}
        for rid in people
        for qid in ("moral_in", "moral_out")
    ]
    responses.write_text("".join(json.dumps(line) + "\n" for line in lines))
    evaluate(
        [MethodInput("qa", responses)],
        evals / "humans" / "cces2018.csv",
        evals / "questionnaires" / "w110_hostility.yaml",
        tmp_path / "rep",
        plots=False,
    )
    notes = json.loads((tmp_path / "rep" / "report.json").read_text())["notes"]
    assert any("qa: 1 of 3 respondents lean to neither party" in note for note in notes), notes
