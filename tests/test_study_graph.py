"""The study graph end to end on the loopback load server: every stage, read-once
personas, side-by-side methods and the one cancellation rule."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from bench.harness import load_server_settings
from bench.load_server import LoadConfig, serving
from bench.persona_reads import counting_parses
from interviewer.contracts.responses import read_responses
from interviewer.errors import EndpointUnreachable, UserInputError
from interviewer.study import Suite, load_suite, run_suite
from interviewer.study.schema import MatchSpec, MethodSpec

QUIET = Console(file=io.StringIO())


def tiny_suite(**changes: object) -> Suite:
    suite = Suite(
        id="tiny",
        questionnaire="humans/cces2018.yaml",
        questions=["economy", "trump_approval"],
        humans="humans/cces2018.csv",
        sample=6,
        methods=[
            MethodSpec(label="interview", kind="interview", n=3, hypothesis="H3"),
            MethodSpec(label="anthology", kind="anthology", n=2),
            MethodSpec(label="genagent", kind="genagent", personas_from="interview"),
            MethodSpec(
                label="half",
                kind="interview",
                personas_from="interview",
                pool_fraction=0.5,
                hypothesis="H1",
            ),
            MethodSpec(label="depth_1", kind="interview", personas_from="interview", depth=1),
            MethodSpec(label="qa", kind="qa"),
        ],
        match=MatchSpec(method="greedy"),
        splits=4,
        bootstrap=0,
    )
    return suite.model_copy(update=changes)


def test_a_study_runs_every_stage_and_reads_each_persona_once(tmp_path: Path) -> None:
    suite = tiny_suite()
    with serving(LoadConfig()) as server:
        settings = load_server_settings(
            server.base_url, 8, interview={"questions": 2, "target_words": 100}
        )
        count, restore = counting_parses()
        try:
            result = run_suite(suite, settings, tmp_path, QUIET)
            fresh = count[0]
            run_suite(suite, settings, tmp_path, QUIET)  # resumes: nothing left to do
        finally:
            restore()
    assert fresh == 5  # 3 interview + 2 anthology personas, once each (was 7.5 each)
    assert count[0] - fresh == 2 * 5  # the rerun: the resume check, then the study's read
    assert {label: r.done for label, r in result.runs.items()} == {"interview": 3, "anthology": 2}
    report = json.loads((tmp_path / "report" / "report.json").read_text())
    assert [m["label"] for m in report["methods"]] == [m.label for m in suite.methods]
    asked = {
        m.label: len(
            {r.persona_id for r in read_responses(tmp_path / f"responses_{m.label}.jsonl")}
        )
        for m in suite.methods
    }
    assert asked == {
        "interview": 3,
        "anthology": 2,
        "genagent": 3,
        "half": 2,
        "depth_1": 3,
        "qa": 6,
    }
    assert set(result.ablations) == {"H1", "H3"}
    assert (tmp_path / "report" / "ablation_H1.png").exists()
    assert all(p.demographics for p in result.personas["interview"])
    for label in ("interview", "half", "depth_1"):
        assert (tmp_path / f"matches_{label}.csv").exists()


def test_a_failing_method_cancels_the_methods_beside_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import interviewer.study.nodes as graph_module

    cancelled: list[str] = []

    async def run_survey(respondents: object, ctx: object, out: Path, *a: object, **k: object):  # type: ignore[no-untyped-def]
        if out.name == "responses_qa.jsonl":
            await asyncio.sleep(0.05)
            raise EndpointUnreachable("http://127.0.0.1:1/v1", "connection refused")
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            cancelled.append(out.name)
            raise

    monkeypatch.setattr(graph_module, "run_survey", run_survey)
    suite = tiny_suite(methods=[
        MethodSpec(label="anthology", kind="anthology", n=2),
        MethodSpec(label="qa", kind="qa"),
        MethodSpec(label="bio", kind="bio"),
    ])  # fmt: skip
    with serving(LoadConfig()) as server:
        settings = load_server_settings(server.base_url, 8)
        with pytest.raises(EndpointUnreachable):
            run_suite(suite, settings, tmp_path, QUIET)
    assert sorted(cancelled) == ["responses_anthology.jsonl", "responses_bio.jsonl"]


def test_method_labels_are_unique(tmp_path: Path) -> None:
    """Side by side, two methods of one label would write the same files."""
    path = tmp_path / "s.yaml"
    path.write_text(
        "id: x\nquestionnaire: humans/cces2018.yaml\nhumans: humans/cces2018.csv\n"
        "methods: [{label: qa, kind: qa}, {label: qa, kind: bio}]\n"
    )
    with pytest.raises(
        UserInputError, match=r"s\.yaml: suite: method labels \['qa'\] are given more"
    ):
        load_suite(path)
