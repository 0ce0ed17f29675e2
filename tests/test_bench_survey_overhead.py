"""bench/survey_overhead.py compares like with like: its plain loop writes the lines the
survey graph writes."""

from __future__ import annotations

from pathlib import Path

from bench.survey_overhead import (
    InstantModel,
    graph_survey,
    plain_survey,
    questionnaire,
    respondents,
)
from interviewer.survey.graph import SurveyContext


async def test_the_plain_loop_writes_what_the_graph_writes(tmp_path: Path) -> None:
    people = respondents(5)
    ctx = SurveyContext(model=InstantModel(), questionnaire=questionnaire(4), seed=9)
    graph, plain = tmp_path / "graph.jsonl", tmp_path / "plain.jsonl"
    assert await graph_survey(people, ctx, graph) == 20
    assert await plain_survey(people, ctx, plain) == 20
    assert sorted(graph.read_text().splitlines()) == sorted(plain.read_text().splitlines())
