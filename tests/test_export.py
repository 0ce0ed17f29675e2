"""``interviewer export``: CSV and Parquet a reader in R, Stata or pandas gets back whole."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from interviewer.contracts.questionnaire import load_questionnaire
from interviewer.contracts.responses import read_responses
from interviewer.exports import export_tables, find_questionnaire
from tests.test_cli import run_cli
from tests.test_eval import write
from tests.test_tables import PARTY, sample_run


def test_wide_csv_gives_back_the_jsonl_answers(tmp_path: Path) -> None:
    q_path, _, r_path = write(tmp_path)
    result = run_cli(
        "export", str(r_path), "-q", str(q_path), "--wide", "--out", str(tmp_path / "x")
    )
    assert result.returncode == 0, result.stderr
    wide = pd.read_csv(tmp_path / "x" / "responses_wide.csv", dtype={"persona_id": str})
    expected = {(r.persona_id, r.question_id): r.answer for r in read_responses(r_path)}
    got = {
        (row["persona_id"], qid): int(row[qid])
        for _, row in wide.iterrows()
        for qid in ("q1", "q2")
        if not pd.isna(row[qid])
    }
    assert got == expected
    codebook = pd.read_csv(tmp_path / "x" / "codebook.csv")
    assert list(codebook["label"]) == ["a", "b", "x", "y", "z"]


def test_labels_are_the_option_labels(tmp_path: Path) -> None:
    q_path, _, r_path = write(tmp_path)
    out = tmp_path / "x"
    result = run_cli(
        "export", str(r_path), "-q", str(q_path), "--wide", "--labels", "--out", str(out)
    )
    assert result.returncode == 0, result.stderr
    wide = pd.read_csv(out / "responses_wide.csv").set_index("persona_id")
    q = load_questionnaire(q_path)
    for r in read_responses(r_path):
        assert wide.loc[r.persona_id, r.question_id] == q.by_id[r.question_id].options[r.answer]


def test_labels_without_a_questionnaire_is_one_line(tmp_path: Path) -> None:
    _, _, r_path = write(tmp_path)
    result = run_cli("export", str(r_path), "--labels", "--out", str(tmp_path / "x"))
    assert result.returncode == 2
    assert "--questionnaire" in result.stderr and result.stderr.count("\n") == 1


def test_parquet_columns_are_typed(tmp_path: Path) -> None:
    q_path, _, r_path = write(tmp_path)
    out = tmp_path / "x"
    assert (
        run_cli(
            "export", str(r_path), "-q", str(q_path), "--format", "parquet", "--out", str(out)
        ).returncode
        == 0
    )
    long = pd.read_parquet(out / "responses.parquet")
    assert str(long["persona_id"].dtype) in ("string", "str")
    assert str(long["answer"].dtype) == "Int64"
    assert [list(p) for p in long["probs"]] == [r.probs for r in read_responses(r_path)]
    assert long["p_0"].dtype == "float64"


def test_a_run_directory_exports_personas_and_transcripts(tmp_path: Path) -> None:
    out = tmp_path / "x"
    run = sample_run(tmp_path)
    result = run_cli("export", str(run), "--out", str(out))
    assert result.returncode == 0, result.stderr
    personas = pd.read_csv(out / "personas.csv", dtype={"persona_id": str})
    assert len(personas) == len(list(run.glob("p*.json")))
    assert json.loads(personas.loc[0, "party_probs"]) == PARTY
    assert personas.loc[0, "party"] == "Democrat"
    assert (out / "transcripts.csv").stat().st_size > 1000


def test_a_suite_folder_exports_every_table(tmp_path: Path) -> None:
    q_path, humans, r_path = write(tmp_path)
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "responses_qa.jsonl").write_text(r_path.read_text())
    (suite / "questionnaire.yaml").write_text(q_path.read_text())
    from interviewer.api import evaluate

    evaluate(
        {"qa": suite / "responses_qa.jsonl"},
        q_path,
        suite / "report",
        humans=humans,
        splits=2,
        bootstrap=0,
    )
    tables = export_tables(suite, labels=True)
    assert {"responses_qa", "codebook", "report_methods", "report_distributions"} <= set(tables)
    assert set(tables["responses_qa"]["answer_label"]) <= {"a", "b", "x", "y", "z"}


def test_the_shipped_questionnaire_is_found_from_the_meta(tmp_path: Path) -> None:
    responses = tmp_path / "r.jsonl"
    responses.write_text("")
    (tmp_path / "r.jsonl.meta.json").write_text(json.dumps({"questionnaire": "cces2018"}))
    found = find_questionnaire(responses)
    assert found is not None and found.id == "cces2018"


def test_a_report_folder_exports_its_tables(tmp_path: Path) -> None:
    q_path, humans, r_path = write(tmp_path)
    from interviewer.api import evaluate

    evaluate({"qa": r_path}, q_path, tmp_path / "rep", humans=humans, splits=2, bootstrap=0)
    out = tmp_path / "x"
    result = run_cli("export", str(tmp_path / "rep"), "-q", str(q_path), "--out", str(out))
    assert result.returncode == 0, result.stderr
    methods = pd.read_csv(out / "report_methods.csv")
    assert list(methods["method"]) == ["qa", "human bound"]
    dist = pd.read_csv(out / "report_distributions.csv")
    assert set(dist["option_label"]) == {"a", "b", "x", "y", "z"}


def test_something_else_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = run_cli("export", str(tmp_path / "empty"))
    assert result.returncode == 2 and "not a responses file" in result.stderr
    assert result.stderr.count("\n") == 1
    assert not (tmp_path / "empty-export").exists()
