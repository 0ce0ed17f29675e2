"""The interview graph on scripted models: routing, repair bounds, prompt layout."""

from __future__ import annotations

import itertools
import json
from typing import Any

from interviewer.interview.graph import build_interview_graph, step_limit
from interviewer.interview.state import InterviewInput
from interviewer.model import Request
from tests.fakes import MockModel
from tests.interview_fakes import context, critic_flagging, persona_from


async def run(ctx: Any, method: str = "interview") -> dict[str, Any]:
    graph = build_interview_graph()
    start = InterviewInput(persona_id="p00000", seed=1, method=method)  # type: ignore[arg-type]
    result: dict[str, Any] = await graph.ainvoke(
        start, {"recursion_limit": step_limit(ctx.settings)}, context=ctx
    )
    return result


def ohio_then(second_answers: list[str]) -> Any:
    """Answer 1 says Ohio; the second answer slot's drafts come from the list."""

    def answers(n: int, request: Request) -> str:
        if n == 0:
            return "I was born in Ohio in 1970 and grew up on a farm."
        if 1 <= n <= len(second_answers):
            return second_answers[n - 1]
        return f"Answer number {n}, nothing new to add."

    return answers


async def test_all_questions_answered_with_a_verdict_each() -> None:
    ctx = context(persona_from(lambda n, r: f"Answer {n}."))
    result = await run(ctx)
    questions = [t for t in result["transcript"] if t["kind"] == "question"]
    answers = [t for t in result["transcript"] if t["kind"] == "answer"]
    assert [q["question_id"] for q in questions] == [f"avp{i:02d}" for i in range(1, 11)]
    assert len(answers) == 10
    assert [v["turn"] for v in result["verdicts"]] == [
        i for i, t in enumerate(result["transcript"]) if t["kind"] == "answer"
    ]
    assert result["final_check"] == {"consistent": True, "contradictions": []}
    assert result["usage"]["persona"]["calls"] == 10
    assert result["usage"]["critic"]["calls"] == 11  # one per answer + the final pass


async def test_planted_contradiction_is_flagged_and_repaired() -> None:
    persona = persona_from(ohio_then(["Actually I was born in Texas.", "We moved to Dayton."]))
    result = await run(context(persona, critic_model=critic_flagging("Texas")))
    slot = [v for v in result["verdicts"] if v["turn"] == 3]
    assert [(v["attempt"], v["consistent"], v["action"]) for v in slot] == [
        (0, False, "repaired"),
        (1, True, "kept"),
    ]
    assert slot[0]["rejected_text"] == "Actually I was born in Texas."
    assert slot[0]["contradiction"] == "I was born in Ohio"
    assert slot[0]["contradicted_turn"] == 1  # located in the first answer
    assert result["transcript"][3]["text"] == "We moved to Dayton."
    assert not any("Texas" in t["text"] for t in result["transcript"])
    # The resample used a different seed than the rejected draft.
    assert persona.calls[1].seed != persona.calls[2].seed
    assert persona.calls[1].prompt == persona.calls[2].prompt


async def test_repair_loop_stops_at_its_bound() -> None:
    persona = persona_from(ohio_then(["Texas born."] * 5))
    result = await run(context(persona, critic_model=critic_flagging("Texas"), max_repairs=2))
    slot = [v for v in result["verdicts"] if v["turn"] == 3]
    assert [(v["attempt"], v["action"]) for v in slot] == [
        (0, "repaired"),
        (1, "repaired"),
        (2, "kept"),
    ]
    assert slot[-1]["consistent"] is False  # kept, but flagged
    assert result["transcript"][3]["text"] == "Texas born."
    assert sum(1 for c in persona.calls if c.prompt == persona.calls[1].prompt) == 3


async def test_each_persona_prompt_extends_the_previous_one() -> None:
    persona = persona_from(ohio_then(["Texas born.", "Dayton."]))
    await run(context(persona, critic_model=critic_flagging("Texas")))
    prompts = [c.prompt for c in persona.calls]
    assert len(prompts) == 11
    for earlier, later in itertools.pairwise(prompts):
        assert later.startswith(earlier)
    assert prompts[-1].endswith("Me:")


async def test_followups_are_asked_and_bounded() -> None:
    interviewer = MockModel(
        [json.dumps({"follow_up": True, "question": "What was the farm like?"})], role="interviewer"
    )
    ctx = context(
        persona_from(lambda n, r: f"Answer {n}."),
        interviewer=interviewer,
        max_followups=1,
        questions=3,
    )
    result = await run(ctx)
    kinds = [t["kind"] for t in result["transcript"]]
    assert kinds == ["question", "answer", "followup", "answer"] * 3
    assert result["transcript"][2]["text"] == "What was the farm like?"
    assert result["transcript"][2]["question_id"] == "avp01"


async def test_critic_off_makes_no_critic_calls() -> None:
    critic = critic_flagging("Answer")
    ctx = context(
        persona_from(lambda n, r: f"Answer {n}."),
        critic_model=critic,
        critic=False,
        final_check=False,
    )
    result = await run(ctx)
    assert critic.calls == []
    assert result["verdicts"] == []
    assert result.get("final_check") is None


async def test_anthology_is_one_question_one_answer() -> None:
    persona = persona_from(lambda n, r: "I am a retired nurse from Ohio.")
    critic = critic_flagging("nurse")
    ctx = context(persona, critic_model=critic, anthology_tokens=470)
    result = await run(ctx, method="anthology")
    assert [t["kind"] for t in result["transcript"]] == ["question", "answer"]
    assert persona.calls[0].prompt == "Question: Tell me about yourself.\n\nAnswer:"
    assert persona.calls[0].max_tokens == 470
    assert critic.calls == []


async def test_answer_budget_follows_the_word_target() -> None:
    persona = persona_from(lambda n, r: "word " * 20)
    await run(context(persona, questions=10))
    # 300 words over 10 slots = 30 words ≈ 42 tokens for the first answer.
    assert persona.calls[0].max_tokens == 42


async def test_every_staff_prompt_is_the_interview_so_far_plus_a_note() -> None:
    # Prefix caching depends on this: the interviewer and critic read the persona's own
    # document, so each call extends the last one's prompt up to the newest answer.
    interviewer = MockModel(
        [json.dumps({"follow_up": True, "question": "And then what happened?"})],
        role="interviewer",
    )
    ctx = context(persona_from(lambda n, r: f"Answer {n}."), interviewer=interviewer, questions=3)
    result = await run(ctx)
    final = ctx.persona.calls[-1].prompt + f" {result['transcript'][-1]['text']}\n\n"
    staff = [r.prompt for r in ctx.critic.calls + interviewer.calls]
    assert len(staff) == 6 + 1 + 3  # a verdict per answer, the final pass, 3 decisions
    for prompt in staff:
        document, note = prompt.rsplit("\n\n(", 1)
        assert final.startswith(document + "\n\n"), note
        assert note.rstrip().endswith("JSON:")
    # The persona's prompts extend each other too.
    for before, after in itertools.pairwise(r.prompt for r in ctx.persona.calls):
        assert after.startswith(before)
