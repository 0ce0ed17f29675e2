"""Tidy tables: personas, transcripts, responses (long and wide), matches, report tables."""

from __future__ import annotations

import math
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest

import interviewer
from interviewer.contracts.persona_files import load_personas
from interviewer.contracts.questionnaire import load_questionnaire
from interviewer.errors import UserInputError
from interviewer.storage import atomic_write_model
from interviewer.tables import (
    MissingExtraError,
    personas_frame,
    report_tables,
    responses_frame,
    transcripts_frame,
)
from tests.test_eval import write

SAMPLES = Path(__file__).resolve().parents[1] / "personas" / "samples" / "embedded-gemma-270m"
PARTY = {"Democrat": 0.6, "Republican": 0.3, "Independent": 0.1}


def sample_run(tmp_path: Path) -> Path:
    """The sample interviews, with demographics and one repaired (flagged) draft."""
    run = tmp_path / "run"
    shutil.copytree(SAMPLES / "interview", run)
    first = load_personas(run)[0]
    first.demographics = {"party": PARTY, "age": {"18-29": 0.2, "30-49": 0.7, "50-64": 0.1}}
    first.critic.insert(
        0,
        first.critic[0].model_copy(
            update={"consistent": False, "action": "repaired", "rejected_text": "No."}
        ),
    )
    atomic_write_model(run / f"{first.id}.json", first)
    return run


def test_personas_one_row_each_with_demographics(tmp_path: Path) -> None:
    run = sample_run(tmp_path)
    personas = load_personas(run)
    frame = interviewer.open_run(run).to_pandas()
    assert list(frame["persona_id"]) == [p.id for p in personas]
    first = personas[0]
    row = frame.iloc[0]
    assert row["party"] == "Democrat" and row["age"] == "30-49"
    assert row["flags"] == 1 and row["repairs"] == 1
    assert row["words"] == first.stats.words
    assert row["flags"] == sum(not v.consistent for v in first.critic)
    assert row["repairs"] == sum(v.action == "repaired" for v in first.critic)
    for trait, dist in first.demographics.items():
        assert row[f"{trait}_probs"] == dist
        assert dist[row[trait]] == max(dist.values())


def test_transcripts_one_row_per_turn(tmp_path: Path) -> None:
    personas = load_personas(sample_run(tmp_path))
    frame = transcripts_frame(personas)
    assert len(frame) == sum(len(p.transcript) for p in personas)
    one = frame[frame["persona_id"] == personas[0].id]
    assert list(one["text"]) == [t.text for t in personas[0].transcript]
    answers = one[one["role"] == "persona"]
    assert answers["critic_consistent"].notna().all()
    judged = personas[0].critic[0].turn
    assert one.set_index("turn").loc[judged, "repairs"] == 1
    assert one["repairs"].sum() == 1


def test_responses_long_and_wide_with_labels(tmp_path: Path) -> None:
    q_path, _, r_path = write(tmp_path)
    q = load_questionnaire(q_path)
    responses = interviewer.open_responses(r_path, q)
    long = responses.to_pandas(labels=True)
    assert len(long) == 4
    assert long.loc[1, "probs"] == [0.0, 0.0, 1.0] and long.loc[1, "answer_label"] == "z"
    assert long.loc[0, "p_0"] == 1.0 and math.isnan(long.loc[0, "p_2"])  # q1 has 2 options
    wide = responses.to_pandas(wide=True)
    assert list(wide.columns) == ["persona_id", "q1", "q2"]
    assert wide.set_index("persona_id").loc["h3"].tolist() == [1, 2]
    labelled = responses_frame(responses.records, q, wide=True, labels=True)
    assert labelled.set_index("persona_id").loc["h1"].tolist() == ["a", "z"]


def test_wide_leaves_an_unasked_question_missing(tmp_path: Path) -> None:
    _, _, r_path = write(tmp_path)
    records = interviewer.open_responses(r_path).records
    frame = responses_frame([r for r in records if r.question_id != "q2" or r.persona_id != "h1"])
    wide = responses_frame(
        [r for r in records if r.question_id != "q2" or r.persona_id != "h1"], wide=True
    )
    assert len(frame) == 3
    assert wide.set_index("persona_id").loc["h1", "q2"] is pd.NA


def test_labels_need_the_questionnaire(tmp_path: Path) -> None:
    _, _, r_path = write(tmp_path)
    with pytest.raises(UserInputError, match="questionnaire"):
        interviewer.open_responses(r_path).to_pandas(labels=True)


def test_every_report_table(tmp_path: Path) -> None:
    q_path, humans, r_path = write(tmp_path)
    report = interviewer.evaluate(
        {"qa": r_path}, q_path, tmp_path / "rep", humans=humans, splits=4, bootstrap=10
    )
    tables = report.tables()
    methods = tables["methods"]
    assert list(methods["method"]) == ["qa", "human bound"]
    overall = report.body["methods"][0]["overall"]
    assert methods.loc[0, "wd_mean"] == pytest.approx(overall["wd_mean"])
    assert methods.loc[0, "wd_mean_lo"] == pytest.approx(overall["wd_mean_ci"][0])
    sub = tables["subgroups"]
    assert set(sub["trait"]) == {"party"} and "human bound" in set(sub["method"])
    dist = tables["distributions"]
    q2 = dist[(dist["source"] == "qa") & (dist["question_id"] == "q2")]
    assert list(q2["option_label"]) == ["x", "y", "z"] and list(q2["share"]) == [0, 0, 1]
    assert set(tables["questions"]["question_id"]) == {"q1", "q2"}
    assert tables["gaps"].empty
    assert interviewer.open_report(tmp_path / "rep").tables()["methods"].equals(methods)


def test_gaps_table_marks_the_direction(tmp_path: Path) -> None:
    from tests.test_eval import test_higher_order_study_against_published_targets as study

    study(tmp_path)
    gaps = report_tables(interviewer.open_report(tmp_path / "rep").body)["gaps"]
    democrat = gaps[gaps["party"] == "Democrat"].iloc[0]
    assert democrat["gap"] == pytest.approx(3.5) and democrat["direction"] == "right"


def test_missing_pandas_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas -> ImportError
    with pytest.raises(MissingExtraError, match=r"interviewer\[tables\]"):
        personas_frame([])
