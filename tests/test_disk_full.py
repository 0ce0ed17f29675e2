"""A full disk stops a run with a clear message and leaves it resumable."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import pytest

from interviewer import storage
from interviewer.contracts.persona import Persona
from interviewer.interview.runner import RunPlan, completed_ids, run_interviews
from interviewer.storage import DiskFullError
from tests.interview_fakes import context, persona_from


class FillingDisk:
    """``os.fdopen`` whose files accept ``room`` writes, then fail with ENOSPC."""

    def __init__(self, room: int) -> None:
        self.room = room
        self.real_fdopen = os.fdopen  # patched below: keep the real one

    def __call__(self, fd: int, *args: Any, **kwargs: Any) -> Any:
        handle = self.real_fdopen(fd, *args, **kwargs)
        disk = self

        class Handle:
            def __enter__(self) -> Handle:
                return self

            def __exit__(self, *exc: object) -> None:
                handle.close()

            def write(self, text: str) -> int:
                if disk.room <= 0:
                    raise OSError(errno.ENOSPC, "No space left on device")
                disk.room -= 1
                return handle.write(text)

            def flush(self) -> None:
                handle.flush()

            def fileno(self) -> int:
                return handle.fileno()

        return Handle()


async def test_full_disk_stops_cleanly_and_resume_finishes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = context(persona_from(lambda n, r: f"Answer {n}."), questions=1)
    # Room for the manifest, the status file and two personas; the next write hits a
    # full disk (and the status file's last word, "stopped", is lost to it, logged).
    monkeypatch.setattr(storage.os, "fdopen", FillingDisk(room=4))
    with pytest.raises(DiskFullError, match=r"no space left writing .*; free space, then --resume"):
        await run_interviews(RunPlan(out=tmp_path, n=5, concurrency=1), ctx, {})
    done = completed_ids(tmp_path)
    assert len(done) == 2
    assert not list(tmp_path.glob(".*.tmp")) and not list(tmp_path.glob("failed/*"))
    for path in tmp_path.glob("p*.json"):
        Persona.model_validate_json(path.read_bytes())  # nothing half-written
    monkeypatch.undo()  # space freed
    summary = await run_interviews(RunPlan(out=tmp_path, n=5, resume=True), ctx, {})
    assert (summary.done_before, summary.done, summary.failed) == (2, 3, 0)
    assert completed_ids(tmp_path) == {f"p{i:05d}" for i in range(5)}
