"""What ``--resume`` guarantees: the same configuration as the run it finishes, and one
process at a time.

A run records the settings that shape its output (models, prompts, sampling, seeds,
interview settings); resuming with any of them changed would mix two populations in
one run, so it is refused with one line naming the first difference. Settings that only
change speed (concurrency, timeouts, retries, the cache) may differ.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from interviewer.errors import UserInputError
from interviewer.model import Model

SAMPLING = ("temperature", "top_p", "max_tokens", "seed", "top_logprobs")
"""The role settings that change what a model answers."""

_MISSING = "(unset)"


def sampling(model: Model) -> dict[str, Any]:
    return {name: getattr(model.defaults, name) for name in SAMPLING}


def first_difference(previous: Mapping[str, Any], current: Mapping[str, Any]) -> str | None:
    """The first dotted key whose value differs, with both values; None when equal."""
    for key in sorted(set(previous) | set(current)):
        old, new = previous.get(key, _MISSING), current.get(key, _MISSING)
        if isinstance(old, Mapping) and isinstance(new, Mapping):
            inner = first_difference(old, new)
            if inner:
                return f"{key}.{inner}"
        elif old != new:
            return f"{key} ({old!r} in the run, {new!r} now)"
    return None


def refuse_other_config(
    where: Path, previous: Mapping[str, Any], current: Mapping[str, Any]
) -> None:
    """Raise unless ``current`` matches ``previous`` on every key ``previous`` recorded
    (older runs recorded fewer)."""
    difference = first_difference(previous, {k: current.get(k, _MISSING) for k in previous})
    if difference:
        # Suites resume without being asked, so the line names no flag the user never gave.
        raise UserInputError(
            f"{where} holds a run made with a different {difference}; finish it with the "
            "run's own settings, or choose another --out"
        )


@contextmanager
def exclusive(lock_path: Path, what: Path) -> Iterator[None]:
    """Hold ``lock_path`` for the whole run; a second process gets one line, exit 2.

    ``flock`` is released by the kernel when the process dies, so a killed run never
    leaves a stale lock behind."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "?"
            raise UserInputError(
                f"{what} is being written by another process (pid {holder}); "
                "wait for it to finish or choose another --out"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
