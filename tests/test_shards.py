"""A run made by shards as separate processes (as a SLURM array makes it), one killed and
rerun, watched with ``interviewer status``; and the status files' NFS rules."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import shlex
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bench.load_server import LoadConfig, serving
from interviewer import cache
from interviewer.api import status
from interviewer.contracts.persona import Manifest, Persona
from interviewer.contracts.shard_status import STALE_AFTER_S, read_status, status_path, write_status
from interviewer.errors import UserInputError
from interviewer.interview import runner
from interviewer.interview.heartbeat import Heartbeat, now_iso
from interviewer.interview.runner import RunPlan, run_interviews
from interviewer.paths import filesystem_type
from interviewer.usage import BudgetReached, Ledger
from tests.interview_fakes import context, persona_from
from tests.test_reliability import interview_argv as reliability_argv
from tests.test_reliability import valid_personas

N, SHARDS, KILLED = 16, 4, 2


def interview_argv(out: Path, url: str, cache: Path, *extra: str) -> list[str]:
    """One process of the run; ``cache``: its own, as on a node of its own."""
    return reliability_argv(out, url, cache, *extra, n=N, concurrency=1, questions=2)


def status_json(out: Path, *extra: str) -> dict[str, Any]:
    shown = subprocess.run(
        [sys.executable, "-m", "interviewer", "status", str(out), "--json", *extra],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    found: dict[str, Any] = json.loads(shown.stdout)
    return found


def shard_ids(shard: int) -> set[str]:
    return {f"p{i:05d}" for i in range(shard, N, SHARDS)}


def made(out: Path) -> set[str]:
    return {p.stem for p in out.glob("p*.json")}


def kill_mid_shard(proc: subprocess.Popen[bytes], out: Path) -> None:
    """SIGKILL ``proc`` once its shard has a persona file, before it has them all."""
    deadline = time.monotonic() + 120
    while not made(out) & shard_ids(KILLED):
        assert proc.poll() is None, "the shard ended before it could be killed"
        assert time.monotonic() < deadline, "the shard stalled"
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()


def rerun(command: str) -> subprocess.CompletedProcess[str]:
    """Run a command ``status`` printed (``cd DIR && interviewer ...``) with this
    interpreter standing in for the installed ``interviewer``."""
    where, _, line = command.partition(" && ")
    argv = shlex.split(line)
    assert where.startswith("cd ") and argv[0] == "interviewer", command
    return subprocess.run(
        [sys.executable, "-m", "interviewer", *argv[1:]],
        cwd=shlex.split(where)[1],
        capture_output=True,
        text=True,
        timeout=200,
    )


def transcripts(out: Path) -> dict[str, list[str]]:
    return {p.id: [t.text for t in p.transcript] for p in valid_personas(out)}


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_four_shards_one_killed_and_rerun_equal_one_process(tmp_path: Path) -> None:
    out, single = tmp_path / "run", tmp_path / "single"
    with serving(LoadConfig(latency_s=0.02, concurrency=16)) as server:
        url = server.base_url
        # All four start at once without --resume, as array tasks do: they join one run.
        procs = [
            subprocess.Popen(
                interview_argv(out, url, tmp_path / f"cache-{i}", "--shard", f"{i}/{SHARDS}"),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            for i in range(SHARDS)
        ]
        kill_mid_shard(procs[KILLED], out)
        for i, proc in enumerate(procs):
            if i != KILLED:
                _, err = proc.communicate(timeout=300)
                assert proc.returncode == 0, err.decode()
        time.sleep(1.5)  # past --stale-after 1: the killed shard's heartbeat is stale
        before = status_json(out, "--stale-after", "1")
        states = {s["shard"]: s["state"] for s in before["shards"]}
        assert states == {"0/4": "done", "1/4": "done", "2/4": "dead", "3/4": "done"}
        dead = before["shards"][KILLED]
        assert 0 < dead["done"] < dead["planned"] == 4
        assert dead["host"] and dead["pid"] == procs[KILLED].pid
        assert before["done"] == N - dead["left"] and before["eta_s"] is None
        assert len(before["rerun"]) == 1 and f"--shard {KILLED}/{SHARDS}" in before["rerun"][0]

        again = rerun(before["rerun"][0])
        assert again.returncode == 0, again.stderr
        after = status_json(out)
        one = subprocess.run(
            interview_argv(single, url, tmp_path / "cache-single"),
            capture_output=True,
            text=True,
            timeout=200,
        )
        assert one.returncode == 0, one.stderr
    assert [s["state"] for s in after["shards"]] == ["done"] * SHARDS
    assert (after["done"], after["failed"], after["rerun"]) == (N, 0, [])
    assert after["tokens"] > 0
    assert made(out) == made(single) == {f"p{i:05d}" for i in range(N)}
    # Seeded calls: the shards made the very personas one process makes.
    assert transcripts(out) == transcripts(single)
    # NFS rules: one file per writer, every write a rename (no temporary file left),
    # no SQLite file in the shared run directory (the response caches are per process).
    assert not list(out.glob(".*.tmp")) and not list(out.rglob("*.sqlite"))
    for i in range(SHARDS):
        assert read_status(status_path(out, (i, SHARDS))).state == "finished"
    assert not (out / "status.json").exists()


def test_status_of_a_single_process_run(tmp_path: Path) -> None:
    with serving(LoadConfig(latency_s=0.0)) as server:
        argv = interview_argv(tmp_path / "run", server.base_url, tmp_path / "cache")
        argv[argv.index("--n") + 1] = "2"
        subprocess.run(argv, check=True, capture_output=True, timeout=120)
    found = status_json(tmp_path / "run")
    assert [(s["shard"], s["state"], s["done"]) for s in found["shards"]] == [(None, "done", 2)]
    assert found["has_status_files"] and found["notes"] == []
    status = read_status(tmp_path / "run" / "status.json")
    assert (status.state, status.done, status.planned.n) == ("finished", 2, 2)
    assert status.calls > 0 and status.tokens > 0


def test_heartbeat_writes_by_rename_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    beat = Heartbeat(tmp_path, (1, 4), 8, 0, Ledger())
    beat.write()
    first = os.stat(beat.path).st_ino
    beat.result(True)
    beat.write()
    assert os.stat(beat.path).st_ino != first  # a new file renamed over, never rewritten
    assert read_status(beat.path).done == 1
    assert [p.name for p in tmp_path.iterdir()] == ["shard-1of4.status.json"]


def test_personas_are_counted_by_name_not_read(tmp_path: Path) -> None:
    """``status`` never opens persona files: on NFS, 40,000 of them would take minutes."""
    _old_run(tmp_path, shards=2, made_ids=[0, 2, 1])
    (tmp_path / "p00002.json").write_text("not json")  # counted all the same
    found = status(tmp_path)
    assert [s.done for s in found.shards] == [2, 1]


def _old_run(out: Path, shards: int, made_ids: list[int], n: int = 6) -> None:
    """A run directory as interviewer wrote it before status files: manifest, shard
    usage files, persona files."""
    manifest = Manifest(
        package_version="0.1.0",
        created="2026-01-01T00:00:00+00:00",
        method="interview",
        n=n,
        shard=f"{shards - 1}/{shards}",
        settings={},
        prompts={},
        models={},
    )
    (out / "manifest.json").write_text(manifest.model_dump_json())
    for i in made_ids:
        (out / f"p{i:05d}.json").write_text("{}")
    usage = {"version": 1, "usage": [{"role": "persona", "model": "m", "prompt_tokens": 10}]}
    (out / f"shard-0of{shards}.usage.json").write_text(json.dumps(usage))


def test_status_of_a_run_from_before_status_files_says_what_it_cannot_know(
    tmp_path: Path,
) -> None:
    _old_run(tmp_path, shards=3, made_ids=[0, 3, 1])
    found = status(tmp_path)
    assert [(s.shard, s.state, s.done, s.planned) for s in found.shards] == [
        ("0/3", "done", 2, 2),
        ("1/3", "no status", 1, 2),
        ("2/3", "not started", 0, 2),
    ]
    assert found.shards[0].tokens == 10 and found.shards[1].host is None
    assert not found.has_status_files and "cannot be known" in found.notes[0]
    assert all("--resume" in (s.rerun or "") for s in found.shards[1:])
    assert found.slurm_rerun is None and found.eta_s is None


def test_a_shard_may_not_join_a_run_sharded_differently(tmp_path: Path) -> None:
    ctx = context(persona_from(lambda n, r: "Fine."), questions=1)
    asyncio.run(run_interviews(RunPlan(out=tmp_path, n=4, shard=(0, 2)), ctx, {}))
    # A sibling joins without --resume (it never ran here)...
    asyncio.run(run_interviews(RunPlan(out=tmp_path, n=4, shard=(1, 2)), ctx, {}))
    assert made(tmp_path) == {"p00000", "p00001", "p00002", "p00003"}
    # ...but a shard that ran here needs --resume, and another shard count is refused.
    with pytest.raises(UserInputError, match="--resume"):
        asyncio.run(run_interviews(RunPlan(out=tmp_path, n=4, shard=(1, 2)), ctx, {}))
    with pytest.raises(UserInputError, match=r"sharded /2; --shard 1/4"):
        asyncio.run(run_interviews(RunPlan(out=tmp_path, n=4, shard=(1, 4), resume=True), ctx, {}))
    persona = Persona.model_validate_json((tmp_path / "p00003.json").read_bytes())
    assert persona.id == "p00003"


MOUNTS = """\
/dev/sda1 / ext4 rw 0 0
server:/export/home /home nfs4 rw,vers=4.2 0 0
/dev/nvme0n1 /home/me/local\\040disk xfs rw 0 0
"""


def test_filesystem_type_is_the_longest_mount_above_the_path(tmp_path: Path) -> None:
    mounts = tmp_path / "mounts"
    mounts.write_text(MOUNTS)
    assert filesystem_type(Path("/home/me/.cache"), mounts) == "nfs4"
    assert filesystem_type(Path("/home/me/local disk/c"), mounts) == "xfs"
    assert filesystem_type(Path("/homeless"), mounts) == "ext4"
    assert filesystem_type(Path("/x"), tmp_path / "none") is None


def test_a_response_cache_on_a_network_filesystem_is_warned_about(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(cache, "filesystem_type", lambda path: "nfs4")
    cache.DiskCache(tmp_path / "responses.sqlite").close()
    assert "is on nfs4: safe for processes on this host only" in caplog.text
    caplog.clear()
    monkeypatch.setattr(cache, "filesystem_type", lambda path: "ext4")
    cache.DiskCache(tmp_path / "responses.sqlite").close()
    assert caplog.text == ""


def test_a_shard_running_on_another_host_is_not_started_twice(tmp_path: Path) -> None:
    ctx = context(persona_from(lambda n, r: "Fine."), questions=1)
    asyncio.run(run_interviews(RunPlan(out=tmp_path, n=4, shard=(1, 2)), ctx, {}))
    path = status_path(tmp_path, (1, 2))
    elsewhere = read_status(path).model_copy(update={"host": "node-17", "state": "running"})
    write_status(path, elsewhere.model_copy(update={"heartbeat": now_iso()}))
    again = RunPlan(out=tmp_path, n=4, shard=(1, 2), resume=True)
    with pytest.raises(UserInputError, match=r"shard 1/2 is running on node-17 \(pid"):
        asyncio.run(run_interviews(again, ctx, {}))
    stale = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=STALE_AFTER_S + 1)
    write_status(path, elsewhere.model_copy(update={"heartbeat": stale.isoformat()}))
    asyncio.run(run_interviews(again, ctx, {}))  # a dead one's place is taken
    assert read_status(path).host != "node-17"


@dataclass(frozen=True)
class Spent:
    prompt_tokens: int = 7
    completion_tokens: int = 3
    cached_tokens: int = 0
    cached: bool = False


async def test_the_heartbeat_beats_during_the_run_and_says_how_it_ended(tmp_path: Path) -> None:
    ledger = Ledger()
    async with Heartbeat(tmp_path, None, 3, 1, ledger, every_s=0.05) as beat:
        assert read_status(beat.path).tokens == 0
        ledger.record("persona", "m", Spent())
        await asyncio.sleep(0.3)  # a few beats
        assert (read_status(beat.path).tokens, read_status(beat.path).calls) == (10, 1)
        beat.result(True)
    ended = read_status(beat.path)
    assert (ended.state, ended.done, ended.done_before, ended.reason) == ("finished", 1, 1, None)
    with pytest.raises(BudgetReached):
        async with Heartbeat(tmp_path, None, 3, 0, ledger):
            raise BudgetReached("budget reached: --max-tokens 10")
    stopped = read_status(tmp_path / "status.json")
    assert (stopped.state, stopped.reason) == ("stopped", "budget reached: --max-tokens 10")


def test_status_prints_a_table_what_it_cannot_know_and_the_commands(tmp_path: Path) -> None:
    _old_run(tmp_path, shards=3, made_ids=[0, 3, 1])
    shown = subprocess.run(
        [sys.executable, "-m", "interviewer", "status", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert shown.returncode == 0, shown.stderr
    assert "no status" in shown.stdout and "cannot be known" in shown.stdout
    assert "3 of 6 done, 0 failed · 10 tokens" in shown.stdout
    assert "2 shard(s) neither done nor running" in shown.stdout
    assert f"--out {tmp_path} --shard 2/3 --resume" in shown.stdout


def test_a_shard_reads_only_its_own_persona_files_at_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """8 shards of 40,000 on NFS: each reading every shard's files at start would read
    the whole run eight times over."""
    ctx = context(persona_from(lambda n, r: "Fine."), questions=1)
    asyncio.run(run_interviews(RunPlan(out=tmp_path, n=4), ctx, {}))
    read: list[str] = []
    real = runner.load_persona

    def counting(path: Path) -> Persona:
        read.append(path.stem)
        return real(path)

    monkeypatch.setattr(runner, "load_persona", counting)
    asyncio.run(run_interviews(RunPlan(out=tmp_path, n=4, shard=(1, 2), resume=True), ctx, {}))
    assert sorted(read) == ["p00001", "p00003"]


def test_a_run_removes_the_temporaries_a_kill_left_but_a_shard_only_its_own(
    tmp_path: Path,
) -> None:
    # A SIGKILL between a temporary's write and its rename leaves it behind (seen in
    # test_reliability as .p00009.json.*.tmp); nothing removed it, so they piled up.
    ctx = context(persona_from(lambda n, r: "Fine."), questions=1)
    whole, sharded = tmp_path / "whole", tmp_path / "sharded"
    asyncio.run(run_interviews(RunPlan(out=whole, n=2), ctx, {}))
    stale = [whole / ".p00001.json.ab12cd34.tmp", whole / ".manifest.json.zz9_x1y2.tmp"]
    (whole / "failed").mkdir(exist_ok=True)
    stale.append(whole / "failed" / ".p00000.json.q1w2e3r4.tmp")
    for path in stale:
        path.write_text("{half")
    asyncio.run(run_interviews(RunPlan(out=whole, n=2, resume=True), ctx, {}))
    assert not [p for p in stale if p.exists()]

    asyncio.run(run_interviews(RunPlan(out=sharded, n=4, shard=(0, 2)), ctx, {}))
    mine = [sharded / ".p00002.json.aaaa1111.tmp", sharded / ".shard-0of2.status.json.b2.tmp"]
    theirs = [sharded / ".p00001.json.bbbb2222.tmp", sharded / ".manifest.json.cc33.tmp"]
    for path in mine + theirs:
        path.write_text("{half")
    asyncio.run(run_interviews(RunPlan(out=sharded, n=4, shard=(0, 2), resume=True), ctx, {}))
    assert not [p for p in mine if p.exists()]
    assert all(p.exists() for p in theirs)  # shard 1 (or a sibling's manifest) may be mid-write
