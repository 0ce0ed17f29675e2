from __future__ import annotations

from pathlib import Path

import pytest

from interviewer.demo import DemoSizes, demo_suite
from interviewer.errors import UserInputError
from interviewer.paths import resource_dir
from interviewer.settings import load_settings
from interviewer.suite import evals_path, load_suite
from interviewer.survey.questionnaire import load_questionnaire

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
