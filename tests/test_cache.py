from __future__ import annotations

import multiprocessing
from pathlib import Path

from interviewer.cache import DiskCache, cache_key


def test_key_changes_with_output_relevant_fields_only() -> None:
    base = {"prompt": "p", "temperature": 0.0, "seed": None, "max_tokens": 5}
    key = cache_key("gguf:abc", base)
    assert cache_key("gguf:abc", dict(base)) == key
    assert cache_key("gguf:abc", {**base, "prompt": "q"}) != key
    assert cache_key("gguf:abc", {**base, "seed": 1}) != key
    assert cache_key("gguf:abc", {**base, "max_tokens": 6}) != key
    assert cache_key("gguf:def", base) != key
    # Field order is irrelevant.
    assert cache_key("gguf:abc", dict(reversed(list(base.items())))) == key


def _writer(path: str, worker: int, count: int) -> None:
    cache = DiskCache(Path(path))
    for i in range(count):
        cache.put(f"{worker}-{i}", {"worker": worker, "i": i})
        cache.put("shared", {"worker": worker})
    cache.close()


def test_concurrent_writers_from_processes(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    DiskCache(path).close()
    procs = [
        multiprocessing.get_context("spawn").Process(target=_writer, args=(str(path), w, 100))
        for w in range(4)
    ]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(60)
        assert proc.exitcode == 0
    cache = DiskCache(path)
    assert len(cache) == 4 * 100 + 1
    assert cache.get("3-99") == {"worker": 3, "i": 99}
    assert cache.get("shared") in [{"worker": w} for w in range(4)]
