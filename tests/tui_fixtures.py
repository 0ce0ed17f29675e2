"""A small run directory for TUI tests: a flagged persona, a clean one, a corrupt file."""

from __future__ import annotations

from pathlib import Path

from interviewer.contracts.persona import CriticVerdict, Persona, PersonaStats, RoleCalls, Turn


def persona(pid: str, method: str, flagged: bool) -> Persona:
    transcript = [
        Turn(
            role="interviewer",
            text="Tell me the story of your life.",
            question_id="avp01",
            kind="question",
        ),
        Turn(
            role="persona",
            text="I was born in Ohio in 1970 and grew up on a farm.",
            question_id="avp01",
            kind="answer",
        ),
        Turn(
            role="interviewer",
            text="Tell me about your neighborhood.",
            question_id="avp04",
            kind="question",
        ),
        Turn(
            role="persona",
            text="We live in Dayton now, near my sister.",
            question_id="avp04",
            kind="answer",
        ),
    ]
    critic = [CriticVerdict(turn=1, consistent=True, action="kept")]
    if flagged:
        critic += [
            CriticVerdict(
                turn=3,
                attempt=0,
                consistent=False,
                contradiction="born in Ohio",
                contradicted_turn=1,
                reason="birthplace changed",
                action="repaired",
                rejected_text="I was born in Texas and never left.",
            ),
            CriticVerdict(turn=3, attempt=1, consistent=True, action="kept"),
        ]
    else:
        critic.append(CriticVerdict(turn=3, consistent=True, action="kept"))
    return Persona(
        id=pid,
        method=method,
        models={"persona": "gguf:a5fd3b62230aa5ec"},  # type: ignore[arg-type]
        prompt_version="test",
        seed=0,
        transcript=transcript,
        critic=critic,
        demographics={"party": {"Democrat": 0.7, "Republican": 0.3}, "age": {"30-49": 1.0}},
        stats=PersonaStats(words=22, tokens=30, calls={"persona": RoleCalls(calls=3)}, seconds=1),
    )


def make_run(root: Path) -> Path:
    run = root / "run"
    run.mkdir()
    (run / "p00000.json").write_text(
        persona("p00000", "interview", flagged=False).model_dump_json()
    )
    (run / "p00001.json").write_text(persona("p00001", "interview", flagged=True).model_dump_json())
    (run / "p00002.json").write_text(
        persona("p00002", "anthology", flagged=False).model_dump_json()
    )
    (run / "p00003.json").write_text('{"id": "p00003", "transcript": [')
    return run
