"""The run summary states the achieved length against the target (issue 16, item 16)."""

from __future__ import annotations

from pathlib import Path

from interviewer.contracts.persona import Persona, PersonaStats
from interviewer.interview.lengths import LENGTH_TOLERANCE, length_lines, run_length_lines


def persona(pid: str, words: int, tokens: int) -> Persona:
    return Persona(
        id=pid,
        method="interview",
        models={},
        prompt_version="v",
        seed=0,
        transcript=[],
        stats=PersonaStats(words=words, tokens=tokens, calls={}, seconds=0.0),
    )


def test_interview_words_against_target_with_a_warning_when_off() -> None:
    made = [persona("p1", 240, 0), persona("p2", 262, 0)]
    lines = length_lines(made, "interview", target_words=150, anthology_tokens=470)
    assert lines[0] == "mean 251 words per persona (target 150)"
    assert lines[1].startswith("warning: 67% above the target")
    assert f"{LENGTH_TOLERANCE:.0%}" in lines[1]


def test_within_tolerance_no_warning() -> None:
    made = [persona("p1", 160, 0)]
    assert length_lines(made, "interview", target_words=150, anthology_tokens=470) == [
        "mean 160 words per persona (target 150)"
    ]


def test_anthology_is_measured_in_tokens() -> None:
    made = [persona("p1", 40, 52), persona("p2", 40, 56)]
    lines = length_lines(made, "anthology", target_words=600, anthology_tokens=470)
    assert lines[0] == "mean 54 tokens per backstory (target 470)"
    assert lines[1].startswith("warning: 89% below the target")


def test_nothing_made_nothing_said() -> None:
    assert length_lines([], "interview", target_words=150, anthology_tokens=470) == []


def test_the_run_summary_reads_the_run_directory(tmp_path: Path) -> None:
    from interviewer.settings import Settings

    for made in (persona("p1", 240, 0), persona("alice", 262, 0)):
        (tmp_path / f"{made.id}.json").write_text(made.model_dump_json(), encoding="utf-8")
    settings = Settings()
    settings.interview.target_words = 150
    lines = run_length_lines(tmp_path, "interview", settings)
    assert lines[0] == "mean 251 words per persona (target 150)"
