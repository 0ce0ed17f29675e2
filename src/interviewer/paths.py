"""Where run-time resources (prompts, evals, sample personas) and caches live.

The folders sit at the repository root so people can read and edit them. A built wheel
carries copies under ``interviewer/_data``; an editable install reads the checkout.
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

from interviewer.errors import InterviewerError, UserInputError

_PACKAGE_DIR = Path(__file__).resolve().parent
_CHECKOUT_DIR = _PACKAGE_DIR.parents[1]


@functools.cache  # asked on every prompt render; where the package lies does not change
def resource_dir(name: str) -> Path:
    """The folder ``name`` (prompts, evals, personas, graphs) from a wheel or a checkout."""
    packaged = _PACKAGE_DIR / "_data" / name
    if packaged.is_dir():
        return packaged
    checkout = _CHECKOUT_DIR / name
    if checkout.is_dir():
        return checkout
    raise InterviewerError(
        f"resource folder {name!r} not found in {packaged} or {checkout}; reinstall the package"
    )


def writable_dir(path: Path, what: str, fix: str) -> Path:
    """``path``, created if need be, after proving a file can be written in it (a
    read-only mount passes a permission check but fails the write); otherwise one
    ``UserInputError`` line naming ``what``, the folder, the reason and ``fix``."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-test-"):
            pass
    except OSError as exc:
        raise UserInputError(f"{what} {path}: cannot write there ({exc.strerror}); {fix}") from None
    return path


WRITABLE_FIX = "choose a folder you can write to"
CACHE_DIR_FIX = "give a writable folder: --set cache_dir=DIR or INTERVIEWER_CACHE_DIR=DIR"


def default_cache_dir() -> Path:
    """Per-user cache for the assembled model file, the LLM response cache and logs."""
    return Path.home() / ".cache" / "interviewer"


NETWORK_FILESYSTEMS = frozenset(
    {"nfs", "nfs4", "cifs", "smb3", "smbfs", "lustre", "gpfs", "beegfs", "ceph", "9p", "afs"}
    | {"glusterfs", "fuse.glusterfs", "fuse.sshfs", "fuse.ceph", "panfs", "wekafs"}
)
"""Filesystems that several hosts mount: SQLite's locks and WAL do not hold across them."""


def filesystem_type(path: Path, mounts: Path = Path("/proc/mounts")) -> str | None:
    """The type of the filesystem ``path`` lies on (the longest mount point above it),
    from ``mounts``; None where that cannot be read (not Linux)."""
    try:
        lines = mounts.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    target = str(path.resolve())
    best, kind = "", None
    for line in lines:
        fields = line.split()
        if len(fields) < 3:
            continue
        point = fields[1].replace("\\040", " ")
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, kind = point, fields[2]
    return kind
