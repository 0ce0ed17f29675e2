"""Files that are never half-written: write to a temporary sibling, fsync, rename."""

from __future__ import annotations

import errno
import json
import os
import tempfile
from collections.abc import Collection
from pathlib import Path

from pydantic import BaseModel

from interviewer.errors import InterviewerError, UserInputError


class DiskFullError(InterviewerError):
    """No space left: the run stops; what was written stays valid and ``--resume`` works.

    The CLI replaces ``DISK_FULL_HINT`` with what the command at hand can do."""


DISK_FULL_HINT = "free space, then --resume"


def atomic_write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes the file private (0600); results are meant to be shared.
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise DiskFullError(f"no space left writing {path}; {DISK_FULL_HINT}") from None
        raise


def remove_stale_temps(folder: Path, targets: Collection[str] | None = None) -> None:
    """Delete the temporary siblings a killed writer left in ``folder``: those of the
    files named in ``targets`` (e.g. ``p00009.json``), or all when None. Only the one
    process that writes those names may call it: a live writer's temporary is not stale."""
    for tmp in folder.glob(".*.tmp"):
        target = tmp.name[1:].rsplit(".", 2)[0]  # ".NAME.RANDOM.tmp" (mkstemp: no dots)
        if targets is None or target in targets:
            tmp.unlink(missing_ok=True)


def atomic_write_model(path: Path, model: BaseModel) -> None:
    atomic_write_text(path, model.model_dump_json(indent=2) + "\n")


def atomic_write_json(path: Path, data: object) -> None:
    atomic_write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


REPORT_OUTPUTS = (
    "report.json",
    "report.html",
    "distributions.png",
    "summary.png",
    "gaps.png",
    "ablations.json",
    "ablation_*.png",
)
"""Every file an eval report writes (``eval_run`` and suites): what a new report into
the same folder replaces."""


def drop_stale_report_files(folder: Path, written: Collection[Path]) -> None:
    """After a report is written: remove an earlier report's files that it did not
    replace (a higher-order study's gaps.png beside a first-order report). Runs only
    after success, so a failed eval leaves the earlier report whole; files that are not
    a report's are left alone."""
    keep = {path.resolve() for path in written}
    for pattern in REPORT_OUTPUTS:
        for path in folder.glob(pattern):
            if path.resolve() not in keep:
                path.unlink(missing_ok=True)


def read_user_text(path: Path, encoding: str = "utf-8") -> str:
    """A file a user gave us, as text, or one ``UserInputError`` line saying why not.

    Newlines are kept as they are (the csv module needs its quoted line breaks)."""
    try:
        return path.read_bytes().decode(encoding)
    except FileNotFoundError:
        raise UserInputError(f"{path}: file does not exist") from None
    except IsADirectoryError:
        raise UserInputError(f"{path}: is a directory, not a file") from None
    except UnicodeDecodeError as exc:
        raise UserInputError(
            f"{path}: not UTF-8 text (found byte 0x{exc.object[exc.start]:02x}); "
            "re-save it as UTF-8"
        ) from None
    except OSError as exc:
        raise UserInputError(f"{path}: cannot read ({exc.strerror})") from None
