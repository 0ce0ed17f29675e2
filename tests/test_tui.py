"""The inspect app under Textual's headless pilot, and ``interviewer show``."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from interviewer.contracts.persona_files import persona_files
from interviewer.errors import UserInputError
from interviewer.tui.app import InspectApp
from interviewer.tui.index import INDEX_NAME, SummaryIndex
from tests.test_cli import run_cli
from tests.tui_fixtures import make_run


def table_ids(app: InspectApp) -> list[str]:
    table = app.query_one("#personas", DataTable)
    return [str(key.value) for key in table.rows]


def pane_text(app: InspectApp) -> str:
    return "\n".join(str(w.render()) for w in app.query("#transcript Static"))


async def test_filter_open_and_jump_to_the_verdict(tmp_path: Path) -> None:
    app = InspectApp(make_run(tmp_path))
    async with app.run_test(size=(160, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert table_ids(app) == ["p00000", "p00001", "p00002", "p00003"]
        await pilot.press("f")  # flagged only
        assert table_ids(app) == ["p00001"]
        await pilot.pause()
        assert app.open_id == "p00001"
        text = pane_text(app)
        assert "✗ critic draft 1: contradiction of “born in Ohio” (turn 1)" in text
        assert "→ repaired" in text
        await pilot.press("v")  # jump to the flagged verdict
        current = list(app.query("#transcript .current"))
        assert len(current) == 1 and "contradiction" in str(current[0].render())
        contradicted = list(app.query("#transcript .contradicted"))
        assert len(contradicted) == 1
        rendered = contradicted[0].render()
        assert "born in Ohio" in str(rendered) and "⚠ contradicted later" in str(rendered)
        # The quoted statement itself carries the highlight style.
        spans = [(span.start, span.end, str(span.style)) for span in rendered.spans]  # type: ignore[attr-defined]
        plain = str(rendered)
        assert any(plain[s:e] == "born in Ohio" and "yellow" in style for s, e, style in spans)
        await pilot.press("r")  # repaired answers next to the kept one
        assert "rejected draft 1: I was born in Texas and never left." in pane_text(app)


async def test_method_filter_and_search(tmp_path: Path) -> None:
    app = InspectApp(make_run(tmp_path))
    async with app.run_test(size=(160, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press("m")  # method: interview
        assert table_ids(app) == ["p00000", "p00001"]
        await pilot.press("m")  # method: anthology
        assert table_ids(app) == ["p00002"]
        await pilot.press("m", "slash")
        await pilot.press(*"dayton", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert table_ids(app) == ["p00000", "p00001", "p00002"]  # the corrupt file never matches
        status = str(app.query_one("#status", Static).render())
        assert "search: “dayton”" in status


async def test_corrupt_file_is_marked_not_fatal(tmp_path: Path) -> None:
    app = InspectApp(make_run(tmp_path))
    async with app.run_test(size=(160, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.query_one("#personas", DataTable)
        table.move_cursor(row=3)
        await pilot.pause()
        assert "⚠ p00003: not a valid persona file" in pane_text(app)


def test_empty_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(UserInputError, match="no persona files"):
        InspectApp(tmp_path)
    result = run_cli("inspect", str(tmp_path))
    assert result.returncode == 2 and result.stderr.count("\n") == 1


def test_index_is_cached_and_refreshed(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    index = SummaryIndex(run)
    first = list(index.summaries(persona_files(run)))
    index.save()
    assert (run / INDEX_NAME).exists()
    assert [s.flags for s in first] == [0, 1, 0, 0] and first[3].error
    cached = SummaryIndex(run)
    # Unchanged files come from the cache: no file is read again.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("interviewer.tui.index.read_summary", _must_not_read)
        assert list(cached.summaries(persona_files(run))) == first
    # A file that changed (size/mtime) is read again.
    changed = run / "p00000.json"
    changed.write_text(changed.read_text() + " ")
    read: list[Path] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            "interviewer.tui.index.read_summary", lambda path: read.append(path) or first[0]
        )
        list(SummaryIndex(run).summaries(persona_files(run)))
    assert read == [changed]


def _must_not_read(path: Path) -> None:
    raise AssertionError(f"{path} was read although the cache is valid")


def test_show_prints_one_persona(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    result = run_cli("show", "p00001", "--dir", str(run))
    assert result.returncode == 0, result.stderr
    assert "I was born in Ohio" in result.stdout
    assert "rejected draft 1" in result.stdout
    assert "demographics" in result.stdout
    missing = run_cli("show", "p09999", "--dir", str(run))
    assert missing.returncode == 2
