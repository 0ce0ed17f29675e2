"""Disk cache of deterministic LLM responses, shared by concurrent runs.

Only calls whose output is fixed by their inputs are cached: temperature 0, or a seed.
The key covers everything that changes the output (model identity, prompt, sampling,
stops, seed, logprob count, schema) and nothing that does not (URL, key, timeout, role).
SQLite in WAL mode with a busy timeout makes concurrent writers from several processes
safe; each write is one transaction, so a killed process never leaves half an entry.
Processes on one host only: SQLite's locking does not hold across NFS clients, so a
cache on a filesystem several hosts mount gets a warning (``interviewer slurm`` gives
each task a node-local one).
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import threading
from pathlib import Path
from typing import Any

from interviewer.errors import InterviewerError
from interviewer.paths import CACHE_DIR_FIX, NETWORK_FILESYSTEMS, filesystem_type, writable_dir

log = logging.getLogger(__name__)

_SCHEMA = "CREATE TABLE IF NOT EXISTS responses (key TEXT PRIMARY KEY, value TEXT NOT NULL)"


def cache_key(model_identity: str, request: dict[str, Any]) -> str:
    """SHA-256 over the canonical JSON of the model identity and the request fields."""
    payload = json.dumps([model_identity, request], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


class DiskCache:
    """A key → JSON value store in one SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        writable_dir(path.parent, "cache_dir", f"{CACHE_DIR_FIX} (or --set cache=false)")
        kind = filesystem_type(path.parent)
        if kind in NETWORK_FILESYSTEMS:
            log.warning(
                "response cache %s is on %s: safe for processes on this host only; "
                "processes on several hosts must each have their own (a node-local "
                "cache_dir, as `interviewer slurm` sets)",
                path,
                kind,
            )
        try:
            self._db = sqlite3.connect(path, timeout=60, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            # No fsync per write: WAL stays consistent through a killed process, and a
            # lost tail after a power cut only costs re-asking the model. An fsync per
            # call would stall the event loop hundreds of times a second.
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(_SCHEMA)
            self._db.commit()
        except sqlite3.Error as exc:
            raise InterviewerError(f"response cache {path}: {exc}") from None

    def get(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM responses WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        value: dict[str, Any] = json.loads(row[0])
        return value

    def put(self, key: str, value: dict[str, Any]) -> None:
        text = json.dumps(value, separators=(",", ":"))
        with self._lock:
            try:
                self._db.execute(
                    "INSERT OR REPLACE INTO responses (key, value) VALUES (?, ?)", (key, text)
                )
                self._db.commit()
            except sqlite3.OperationalError as exc:
                # A full disk or a locked file must not kill a run: the cache is an
                # optimisation, so the response is still returned uncached.
                self._db.rollback()
                raise CacheWriteError(f"response cache {self.path}: {exc}") from None

    def delete(self, key: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM responses WHERE key = ?", (key,))
            self._db.commit()

    def __len__(self) -> int:
        with self._lock:
            (count,) = self._db.execute("SELECT COUNT(*) FROM responses").fetchone()
        return int(count)

    def close(self) -> None:
        with self._lock:
            self._db.close()


class CacheWriteError(InterviewerError):
    """A cache write failed; callers log it and carry on."""
