from __future__ import annotations

from pathlib import Path

import pytest

from interviewer.errors import PromptError
from interviewer.paths import resource_dir
from interviewer.prompts import load_prompt


def test_packaged_prompts_are_found() -> None:
    assert (resource_dir("prompts") / "survey_question.txt").is_file()
    template = load_prompt("survey_question")
    assert template.variables == {"context", "history", "question", "options"}
    assert len(template.version) == 12


def test_missing_variable_fails_loudly() -> None:
    with pytest.raises(PromptError, match=r"needs variable\(s\) \['options'\]"):
        load_prompt("survey_question").render(question="Q?", context="c", history="")


def test_unknown_variable_fails_loudly() -> None:
    with pytest.raises(PromptError, match="has no variable"):
        load_prompt("survey_question").render(
            question="Q?", options="A. x", context="c", history="", extra=1
        )


def test_braces_stay_literal(tmp_path: Path) -> None:
    (tmp_path / "j.txt").write_text('Reply as {"ok": true} for $name, costs $$5')
    rendered = load_prompt("j", tmp_path).render(name="Ann")
    assert rendered == 'Reply as {"ok": true} for Ann, costs $5'


def test_missing_template_names_path(tmp_path: Path) -> None:
    with pytest.raises(PromptError, match=r"nope\.txt does not exist"):
        load_prompt("nope", tmp_path)


CHAT_VARIABLES = {
    "chat/interviewer": {"transcript", "words"},
    "chat/critic": {"transcript"},
    "chat/final_check": {"transcript"},
    "chat/anthology": set(),
    "chat/survey_question": {"context", "history", "question", "options"},
    "chat/genagent_reflection": {"expert", "transcript"},
    "chat/genagent_answer": {"reflections", "question", "options"},
}


@pytest.mark.parametrize("name", sorted(CHAT_VARIABLES))
def test_chat_prompts_are_system_and_user_pairs(name: str) -> None:
    from interviewer.prompts import load_chat_prompt

    prompt = load_chat_prompt(name)
    assert prompt.variables == CHAT_VARIABLES[name]
    system, user = prompt.render(**dict.fromkeys(CHAT_VARIABLES[name], "x"))
    assert system[0] == "system" and user[0] == "user" and system[1] and user[1]


def test_chat_prompt_fails_loudly_on_a_missing_or_unused_variable() -> None:
    from interviewer.prompts import load_chat_prompt

    prompt = load_chat_prompt("chat/critic")
    with pytest.raises(PromptError, match=r"needs variable\(s\) \['transcript'\]"):
        prompt.render()
    with pytest.raises(PromptError, match=r"has no variable\(s\) \['words'\]"):
        prompt.render(transcript="t", words=3)


def test_a_chat_prompt_missing_its_user_part_names_the_file(tmp_path: Path) -> None:
    from interviewer.prompts import load_chat_prompt

    (tmp_path / "x.system.txt").write_text("You are $who.")
    with pytest.raises(PromptError, match=r"x\.user\.txt does not exist"):
        load_chat_prompt("x", tmp_path)
