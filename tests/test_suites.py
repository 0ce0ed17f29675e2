from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from interviewer.contracts.questionnaire import load_questionnaire
from interviewer.errors import UserInputError
from interviewer.paths import resource_dir
from interviewer.settings import load_settings
from interviewer.study.demo import DemoSizes, demo_suite
from interviewer.study.schema import evals_path, load_suite, with_flags

SUITES = sorted((resource_dir("evals") / "suites").glob("*.yaml"))


@pytest.mark.parametrize("path", SUITES, ids=lambda p: p.name)
def test_every_shipped_suite_loads_and_points_at_real_files(path: Path) -> None:
    suite = load_suite(path)
    load_questionnaire(evals_path(suite.questionnaire))
    for relative in (suite.humans, suite.profiles):
        if relative:
            assert evals_path(relative).is_file()
    load_settings(overrides=suite.settings)  # the settings block is valid


def test_suites_cover_the_papers() -> None:
    ids = {load_suite(p).id for p in SUITES}
    assert {
        "deep_binding_cces",
        "anthology_cces",
        "deep_binding_hostility",
        "deep_binding_subversion",
        "deep_binding_meta_perception",
    } <= ids


def test_baselines_need_humans(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("id: x\nquestionnaire: q.yaml\nmethods: [{label: qa, kind: qa}]\n")
    with pytest.raises(UserInputError, match="need humans or profiles"):
        load_suite(path)


def test_demo_is_a_suite() -> None:
    suite = demo_suite(DemoSizes(questions=3))
    assert [m.kind for m in suite.methods] == ["interview", "anthology", "qa", "bio", "portray"]
    assert suite.questions is not None and len(suite.questions) == 3


def _suite_file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(f"id: x\nquestionnaire: humans/cces2018.yaml\n{body}")
    return path


def test_a_typo_in_a_method_interview_block_names_file_and_key(tmp_path: Path) -> None:
    path = _suite_file(
        tmp_path, "methods: [{label: a, kind: interview, n: 2, interview: {critc: false}}]\n"
    )
    with pytest.raises(UserInputError, match=r"s\.yaml: methods\.0\.interview.*critc"):
        load_suite(path)


def test_a_bad_value_in_a_method_interview_block_is_refused(tmp_path: Path) -> None:
    path = _suite_file(
        tmp_path, "methods: [{label: a, kind: interview, n: 2, interview: {questions: 0}}]\n"
    )
    with pytest.raises(UserInputError, match=r"s\.yaml: methods\.0\.interview.*questions"):
        load_suite(path)


def test_a_typo_in_the_suite_settings_block_names_file_and_key(tmp_path: Path) -> None:
    path = _suite_file(
        tmp_path,
        "methods: [{label: a, kind: anthology, n: 2}]\nsettings: {persona: {temprature: 1}}\n",
    )
    with pytest.raises(UserInputError, match=r"s\.yaml: settings.*persona\.temprature"):
        load_suite(path)


def test_a_method_interview_block_reaches_the_interviews(tmp_path: Path) -> None:
    from interviewer.study.schema import interview_settings

    spec = load_suite(
        _suite_file(
            tmp_path, "methods: [{label: a, kind: interview, n: 2, interview: {critic: false}}]\n"
        )
    ).methods[0]
    settings = load_settings(overrides={"interview": {"max_repairs": 5}})
    merged = interview_settings(settings, spec)
    assert (merged.critic, merged.max_repairs) == (False, 5)


def test_non_utf8_suite_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_bytes(b"id: x\ntitle: caf\xe9\n")
    with pytest.raises(UserInputError, match=r"s\.yaml: not UTF-8 text"):
        load_suite(path)


def test_a_question_subset_keeps_yes_no_options(tmp_path: Path) -> None:
    from interviewer.study.prepare import suite_questionnaire

    source = tmp_path / "q.yaml"
    source.write_text(
        "id: yn\ntitle: t\nquestions:\n"
        "  - {id: a, text: 'Agree?', options: [Yes, No]}\n"
        "  - {id: b, text: 'Again?', options: [Yes, No, Off]}\n"
    )
    suite = load_suite(
        _suite_file(tmp_path, "methods: [{label: a, kind: anthology, n: 2}]\nquestions: [a]\n")
    ).model_copy(update={"questionnaire": str(source)})
    out = tmp_path / "out"
    written = load_questionnaire(suite_questionnaire(suite, out))
    assert [q.options for q in written.questions] == [["Yes", "No"]]


class _Pool:
    """The two things study nodes ask a pool for."""

    settings = load_settings(overrides={"respondent": {"concurrency": 17}})

    def model(self, role: str) -> object:
        from tests.fakes import MockModel

        return MockModel(["A"], role=role)


def _runtime(cache: object = None) -> object:
    from langgraph.runtime import Runtime

    from interviewer.progress import progress_display
    from interviewer.study.context import StudyCache, StudyContext

    display = progress_display(Console(file=io.StringIO()))
    context = StudyContext(pool=_Pool(), display=display, cache=cache or StudyCache())  # type: ignore[arg-type]
    return Runtime(context=context)


def _task(suite_path: Path, out: Path, label: str) -> dict[str, object]:
    return {
        "suite": load_suite(suite_path).model_dump(mode="json"),
        "out": str(out),
        "label": label,
        "questionnaire": str(evals_path("humans/cces2018.yaml")),
        "profiles": str(evals_path("humans/cces2018.csv")),
    }


async def test_suite_surveys_at_the_respondent_concurrency(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import interviewer.study.nodes as graph_module
    from interviewer.survey.conditioning import Respondent

    seen: list[int] = []

    async def fake_run_survey(*args: object, concurrency: int, **kwargs: object) -> None:
        seen.append(concurrency)

    monkeypatch.setattr(graph_module, "run_survey", fake_run_survey)
    runtime = _runtime()
    runtime.context.cache.respondents[tmp_path / "a"] = [Respondent("p1", "ctx", None)]  # type: ignore[attr-defined]
    suite = _suite_file(tmp_path, "methods: [{label: a, kind: anthology, n: 2}]\n")
    await graph_module.survey(_task(suite, tmp_path, "a"), runtime)  # type: ignore[arg-type]
    assert seen == [17]


def test_a_suite_report_keeps_its_own_ablation_files(tmp_path: Path) -> None:
    from interviewer.storage import drop_stale_report_files
    from interviewer.study.ablations import AblationPoint, write_ablations

    (tmp_path / "ablation_H2.png").write_bytes(b"an earlier suite's")
    points = [AblationPoint(label=f"n{x}", x=x, wd_mean=0.1 * x, fro=0.2) for x in (1, 2)]
    files = write_ablations({"H1": points}, tmp_path)
    drop_stale_report_files(tmp_path, files)
    assert (tmp_path / "ablations.json").exists() and (tmp_path / "ablation_H1.png").exists()
    assert not (tmp_path / "ablation_H2.png").exists()


async def test_suite_fills_demographics_at_the_respondent_concurrency(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import interviewer.study.nodes as graph_module
    from interviewer.interview.runner import RunSummary

    seen: list[int] = []

    async def fake_fill(*args: object, concurrency: int, **kwargs: object) -> None:
        seen.append(concurrency)
        raise KeyboardInterrupt  # stop the suite there

    async def fake_interviews(*args: object) -> RunSummary:
        return RunSummary(0, 0, 0, 0, 0.0, 0)

    monkeypatch.setattr(graph_module, "fill_demographics", fake_fill)
    monkeypatch.setattr(graph_module, "run_interviews", fake_interviews)
    monkeypatch.setattr(graph_module, "load_personas", lambda run_dir: [])
    suite = _suite_file(tmp_path, "methods: [{label: a, kind: anthology, n: 2}]\n")
    with pytest.raises(KeyboardInterrupt):
        await graph_module.make_personas(_task(suite, tmp_path, "a"), _runtime())  # type: ignore[arg-type]
    assert seen == [17]


def test_scoring_rules_from_the_command_line_reach_the_suite() -> None:
    """--missing / --sim-dist given with --suite are the suite's rules (were refused)."""
    suite = load_suite(resource_dir("evals") / "suites" / "deep_binding.yaml")
    assert (suite.missing, suite.sim_dist) == ("complete", "probs")
    given = with_flags(suite, {"missing": "pairwise", "sim_dist": "answers", "splits": None})
    assert (given.missing, given.sim_dist, given.splits) == ("pairwise", "answers", suite.splits)


def test_a_suite_names_its_matching_objective(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`match: {objective: loglik}` reaches the matcher (suites could not choose it)."""
    import interviewer.study.nodes as graph_module

    body = "humans: humans/cces2018.csv\nmethods: [{label: a, kind: interview, n: 2}]\n"
    path = _suite_file(tmp_path, body + "match: {method: maxweight, objective: loglik}\n")
    suite = load_suite(path)
    seen: list[object] = []
    monkeypatch.setattr(graph_module, "match_to_file", lambda *args: seen.append(args[-1]))
    humans = resource_dir("evals") / "humans" / "cces2018.csv"
    runtime = _runtime()
    runtime.context.cache.personas[tmp_path / "a"] = []  # type: ignore[attr-defined]
    from interviewer.study.state import StudyState

    state = StudyState(suite=suite.model_dump(mode="json"), out=str(tmp_path), humans=str(humans))
    graph_module.match(state, runtime)  # type: ignore[arg-type]
    assert seen == ["loglik"]
    bad = _suite_file(tmp_path, body + "match: {objective: likelihood}\n")
    with pytest.raises(UserInputError, match=r"s\.yaml: match\.objective"):
        load_suite(bad)
