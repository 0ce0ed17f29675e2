"""GenAgent reflections and the ablation variants change exactly what they claim."""

from __future__ import annotations

import math
from pathlib import Path

from interviewer.contracts.persona_files import load_persona
from interviewer.contracts.questionnaire import load_questionnaire
from interviewer.contracts.responses import read_responses
from interviewer.interview.graph import build_interview_graph, step_limit
from interviewer.interview.state import InterviewInput
from interviewer.model import Completion, Request
from interviewer.study.prepare import pooled
from interviewer.study.schema import MethodSpec, load_suite
from interviewer.survey.conditioning import Respondent, truncated
from interviewer.survey.graph import SurveyContext
from interviewer.survey.runner import run_survey
from tests.fakes import MockModel
from tests.interview_fakes import context, persona_from

FIXTURES = Path(__file__).with_name("fixtures")
SAMPLES = Path(__file__).parents[1] / "personas" / "samples" / "embedded-gemma-270m" / "interview"
EVALS = Path(__file__).parents[1] / "evals"


def genagent_model(request: Request) -> Completion | str:
    if "summarise this person's worldview" in request.prompt:
        return "Values family and hard work."
    if request.prompt.endswith("Reasoning:"):
        return " They would probably agree."
    return Completion(text=" A", top_logprobs=({" A": math.log(0.6), " B": math.log(0.4)},))


async def test_reflections_are_built_once_per_persona_and_reused(tmp_path: Path) -> None:
    model = MockModel([genagent_model])
    q = load_questionnaire(FIXTURES / "trust.yaml")  # 2 questions, each asked in 2 orders
    people = [
        Respondent("p1", "Interviewer: hi\n\nMe: I farm.", "Democrat"),
        Respondent("p2", "Interviewer: hi\n\nMe: I teach.", "Republican"),
    ]
    out = tmp_path / "r.jsonl"
    await run_survey(
        people, SurveyContext(model=model, questionnaire=q, genagent=True), out, "genagent"
    )
    reflections = [c for c in model.calls if "summarise this person's worldview" in c.prompt]
    assert len(reflections) == 3 * 2  # three experts, once for each persona
    assert sum("Me: I farm." in c.prompt for c in reflections) == 3
    assert sum("Me: I teach." in c.prompt for c in reflections) == 3
    reasoning = [c for c in model.calls if c.prompt.endswith("Reasoning:")]
    assert len(reasoning) == 2 * 2 * 2  # respondents × questions × orders
    assert all("Psychologist: Values family" in c.prompt for c in reasoning)
    assert all("I farm" not in c.prompt and "I teach" not in c.prompt for c in reasoning)
    lines = read_responses(out)
    assert len(lines) == 4 and {r.conditioning for r in lines} == {"genagent"}


def test_truncation_keeps_exactly_the_first_questions() -> None:
    persona = load_persona(SAMPLES / "p00000.json")
    cut = truncated(persona, 2)
    assert {t.question_id for t in cut.transcript} == {"avp01", "avp02"}
    assert cut.transcript == persona.transcript[: len(cut.transcript)]  # a prefix
    assert all(v.turn < len(cut.transcript) for v in cut.critic)
    assert cut.stats.words == sum(
        len(t.text.split()) for t in cut.transcript if t.role == "persona"
    )
    assert truncated(persona, 10).transcript == persona.transcript


async def test_critic_off_changes_only_the_critic() -> None:
    async def run(**settings: object) -> tuple[list[Request], dict[str, object]]:
        persona = persona_from(lambda n, r: f"Answer {n}.")
        ctx = context(persona, questions=3, **settings)
        result = await build_interview_graph().ainvoke(
            InterviewInput(persona_id="p", seed=4),
            {"recursion_limit": step_limit(ctx.settings)},
            context=ctx,
        )
        return persona.calls, result

    on_calls, on = await run(critic=True)
    off_calls, off = await run(critic=False)
    # The critic (which never flags here) is the only difference: same persona calls
    # and transcript, no verdicts when it is off.
    assert [(c.prompt, c.seed) for c in on_calls] == [(c.prompt, c.seed) for c in off_calls]
    assert on["transcript"] == off["transcript"]
    assert len(on["verdicts"]) == 3 and off["verdicts"] == []
    assert "critic" in on["usage"] and "critic" not in off["usage"]


def test_pool_fraction_and_depth() -> None:
    personas = [load_persona(p) for p in sorted(SAMPLES.glob("p*.json"))] * 2
    half = pooled(personas, MethodSpec(label="h", kind="interview", pool_fraction=0.5), seed=0)
    assert len(half) == 2
    again = pooled(personas, MethodSpec(label="h", kind="interview", pool_fraction=0.5), seed=0)
    assert [id(p) for p in half] == [id(p) for p in again]  # seeded
    shallow = pooled(personas, MethodSpec(label="d", kind="interview", depth=1), seed=0)
    assert all({t.question_id for t in p.transcript} == {"avp01"} for p in shallow)


def test_the_ablation_suite_states_the_three_hypotheses() -> None:
    suite = load_suite(EVALS / "ablations.yaml")
    by_h: dict[str, list[MethodSpec]] = {}
    for method in suite.methods:
        if method.hypothesis:
            by_h.setdefault(method.hypothesis, []).append(method)
    assert sorted(m.pool_fraction for m in by_h["H1"]) == [0.25, 0.5, 1.0]
    assert sorted(m.depth or 0 for m in by_h["H2"]) == [1, 3, 5, 10]
    assert sorted(bool(m.interview.get("critic", True)) for m in by_h["H3"]) == [False, True]


def test_an_undefined_metric_survives_the_study_state_round_trip() -> None:
    """A point whose Fro is undefined (one persona in a 25% pool: no correlation) is
    written as null in the study's JSON state and must read back as NaN, not stop the
    suite at its last step (found by ``eval --suite evals/ablations.yaml --dry-run``)."""
    import math

    from interviewer.evaluation.scoring import json_safe
    from interviewer.study.ablations import AblationPoint

    point = AblationPoint(label="pool_25", x=1.0, wd_mean=0.4, fro=float("nan"))
    back = AblationPoint.model_validate(json_safe(point.model_dump()))
    assert back.label == "pool_25" and back.wd_mean == 0.4 and math.isnan(back.fro)
