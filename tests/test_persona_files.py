"""Which files of a run directory are personas: one rule for every command."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from interviewer.contracts.persona_files import load_personas, persona_files
from interviewer.interview.runner import completed_ids
from interviewer.tui.index import INDEX_NAME

SAMPLES = Path(__file__).parents[1] / "personas" / "samples" / "embedded-gemma-270m" / "interview"


def make_run(tmp_path: Path) -> Path:
    run = tmp_path / "run"
    run.mkdir()
    sample = next(p for p in sorted(SAMPLES.glob("*.json")) if p.name != "manifest.json")
    for pid in ("alice", "p_bob"):
        body = json.loads(sample.read_text(encoding="utf-8"))
        body["id"] = pid
        (run / f"{pid}.json").write_text(json.dumps(body), encoding="utf-8")
    shutil.copy(SAMPLES / "manifest.json", run / "manifest.json")
    (run / INDEX_NAME).write_text("{}", encoding="utf-8")
    (run / "responses.jsonl.meta.json").write_text("{}", encoding="utf-8")
    (run / "failed").mkdir()
    (run / "failed" / "p9.json").write_text("{}", encoding="utf-8")
    return run


def test_personas_named_by_their_id_count_and_nothing_else_does(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    assert [p.name for p in persona_files(run)] == ["alice.json", "p_bob.json"]
    assert [p.id for p in load_personas(run)] == ["alice", "p_bob"]
    assert completed_ids(run) == {"alice", "p_bob"}


def test_the_inspector_lists_the_same_files(tmp_path: Path) -> None:
    from interviewer.tui.app import InspectApp

    run = make_run(tmp_path)
    assert [p.name for p in InspectApp(run).paths] == ["alice.json", "p_bob.json"]
