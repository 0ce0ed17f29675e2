"""A whole study (interviews, demographics, match, every survey method incl. GenAgent,
eval) through the study graph on chat models: a chat-only load server like OpenAI's,
one without logprobs like Anthropic's, and completion personas beside chat roles."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench.load_server import LoadConfig, serving
from interviewer.contracts.persona_files import persona_files
from interviewer.contracts.responses import read_responses
from interviewer.settings import ROLES, Settings
from interviewer.study import run_suite
from tests.test_study_graph import QUIET, tiny_suite

ASKED = {"interview": 3, "anthology": 2, "genagent": 3, "half": 2, "depth_1": 3, "qa": 6}


def settings_for(url: str, **apis: str) -> Settings:
    role = {"backend": "openai", "base_url": url, "model": "load-model", "concurrency": 8}
    roles: dict[str, Any] = {name: {**role, "api": apis.get(name, "auto")} for name in ROLES}
    interview = {"questions": 2, "target_words": 100}
    return Settings.model_validate({**roles, "cache": False, "interview": interview})


def run_study(tmp_path: Path, config: LoadConfig, **apis: str) -> dict[str, list[Any]]:
    suite = tiny_suite()
    with serving(config) as server:
        result = run_suite(suite, settings_for(server.base_url, **apis), tmp_path, QUIET)
    assert {label: r.done for label, r in result.runs.items()} == {"interview": 3, "anthology": 2}
    assert all(p.demographics for p in result.personas["interview"])
    report = json.loads((tmp_path / "report" / "report.json").read_text())
    assert [m["label"] for m in report["methods"]] == [m.label for m in suite.methods]
    models = {m["label"]: m["models"] for m in report["methods"]}
    assert all(names and all(n.endswith(" [chat]") for n in names) for names in models.values())
    responses = {
        m.label: read_responses(tmp_path / f"responses_{m.label}.jsonl") for m in suite.methods
    }
    asked = {label: len({r.persona_id for r in rs}) for label, rs in responses.items()}
    assert asked == ASKED  # every respondent answered: none failed
    for label in ("interview", "half", "depth_1"):
        assert (tmp_path / f"matches_{label}.csv").exists()
    return responses


def manifest_models(run: Path) -> dict[str, str]:
    models: dict[str, str] = json.loads((run / "manifest.json").read_text())["models"]
    return models


@pytest.mark.parametrize(
    ("config", "mode"),
    [
        (LoadConfig(chat_only=True), "logprobs"),
        (LoadConfig(chat_only=True, chat_logprobs=False), "sampling"),
    ],
    ids=["openai-like", "anthropic-like"],
)
def test_a_study_on_a_chat_only_endpoint(tmp_path: Path, config: LoadConfig, mode: str) -> None:
    responses = run_study(tmp_path, config, persona="chat")
    for label, lines in responses.items():
        assert {r.mode for r in lines} == {mode}, label
        assert all(r.model.endswith(" [chat]") for r in lines), label
    runs = [p.parent for p in tmp_path.rglob("manifest.json")]
    assert runs, "no interview run manifests"
    for run in runs:
        assert all(m.endswith(" [chat]") for m in manifest_models(run).values())
        personas = list(persona_files(run))
        assert personas and all(json.loads(p.read_text())["transcript"] for p in personas)


def test_a_completions_persona_beside_chat_interviewer_critic_and_respondent(
    tmp_path: Path,
) -> None:
    chat = {"interviewer": "chat", "critic": "chat", "respondent": "chat"}
    responses = run_study(tmp_path, LoadConfig(), **chat)
    assert {r.mode for lines in responses.values() for r in lines} == {"logprobs"}
    assert all(r.model.endswith(" [chat]") for lines in responses.values() for r in lines)
    for run in [p.parent for p in tmp_path.rglob("manifest.json")]:
        models = manifest_models(run)
        assert not models["persona"].endswith("[chat]")
        assert models["interviewer"].endswith(" [chat]") and models["critic"].endswith(" [chat]")
