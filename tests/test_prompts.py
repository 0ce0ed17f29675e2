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
