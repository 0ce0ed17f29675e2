"""Run many interviews concurrently, resumably, writing one persona file each.

Persona files are written atomically, so Ctrl-C or ``kill -9`` leaves only whole ones,
and ``--resume`` makes the missing ones. An interview the kill interrupted is recovered
as ``interview.checkpoints`` says: ``replay`` (default) runs it again, its finished
calls answered by the response cache; ``steps`` keeps a LangGraph thread per persona in
a SQLite checkpointer in the run directory and continues from its last step (a finished
persona's checkpoints are deleted).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.errors import GraphRecursionError
from pydantic import ValidationError

from interviewer.contracts.persona import (
    CriticVerdict,
    FailedPersona,
    FinalCheck,
    Manifest,
    Persona,
    PersonaStats,
    RoleCalls,
    Turn,
)
from interviewer.contracts.persona_files import load_persona, persona_files
from interviewer.contracts.shard_status import status_path
from interviewer.errors import EndpointUnreachable, InterviewerError, UserInputError
from interviewer.fanout import fan_out
from interviewer.interview.context import InterviewContext, prompt_versions
from interviewer.interview.graph import build_interview_graph, step_limit
from interviewer.interview.heartbeat import Heartbeat, refuse_live_elsewhere
from interviewer.interview.layout import words
from interviewer.interview.state import InterviewInput, Method
from interviewer.replicas import persona_session
from interviewer.resume import exclusive, refuse_other_config, sampling
from interviewer.storage import DiskFullError, atomic_write_model, remove_stale_temps
from interviewer.usage import BudgetReached, Ledger, run_usage_path, saved_usage
from interviewer.version import __version__

CHECKPOINTS = ".checkpoints.sqlite"
Saver = AsyncSqliteSaver | None
OnResult = Callable[[str, bool, int], None]
"""Called per persona: (persona id, succeeded, tokens generated)."""


@dataclass(frozen=True)
class RunPlan:
    out: Path
    n: int
    method: Method = "interview"
    concurrency: int = 4
    resume: bool = False
    shard: tuple[int, int] | None = None
    """(i, n): this process makes personas whose index % n == i."""
    seed_texts: tuple[str, ...] = ()
    base_seed: int = 0

    def persona_ids(self) -> list[tuple[int, str]]:
        index_of = range(self.n)
        if self.shard:
            index_of = range(self.shard[0], self.n, self.shard[1])
        return [(i, persona_id(i)) for i in index_of]


@dataclass(frozen=True)
class RunSummary:
    total: int
    done_before: int
    done: int
    failed: int
    seconds: float
    tokens: int


def persona_id(index: int) -> str:
    return f"p{index:05d}"


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/8"`` -> (2, 8)."""
    try:
        i, n = (int(part) for part in text.split("/"))
    except ValueError:
        raise UserInputError(f"--shard {text!r}: expected I/N, e.g. 0/4") from None
    if not 0 <= i < n:
        raise UserInputError(f"--shard {text!r}: need 0 <= I < N")
    return i, n


async def run_interviews(
    plan: RunPlan,
    ctx: InterviewContext,
    settings_dump: dict[str, Any],
    on_start: Callable[[int, int], None] | None = None,
    on_result: OnResult | None = None,
) -> RunSummary:
    """Make the plan's missing personas; returns counts. Raises only on run-wide faults
    (``BudgetReached`` included: a budget around the run spent). What the calls spent is
    added to the run's usage file however the run ends."""
    with exclusive(plan.out / lock_name(plan), plan.out):
        refuse_live_elsewhere(plan.out, plan.shard)
        started = time.perf_counter()
        manifest = prepare_run(plan, ctx, settings_dump)
        with saved_usage(run_usage_path(plan.out, plan.shard)) as ledger:
            summary = await _make(plan, ctx, started, ledger, on_start, on_result)
        record_status(plan.out, manifest, summary)
        return summary


async def make_part(plan: RunPlan, ctx: InterviewContext, on_result: OnResult) -> RunSummary:
    """One worker's share (``plan.shard``) of a run whose manifest another process (the
    parent of ``--workers``) prepared and records; its calls go to its shard's usage file."""
    with (
        exclusive(plan.out / lock_name(plan), plan.out),
        saved_usage(run_usage_path(plan.out, plan.shard)) as ledger,
    ):
        refuse_live_elsewhere(plan.out, plan.shard)
        return await _make(plan, ctx, time.perf_counter(), ledger, None, on_result)


def lock_name(plan: RunPlan) -> str:
    # Shards of one run on shared storage run side by side; one shard runs once.
    return f".lock-{plan.shard[0]}of{plan.shard[1]}" if plan.shard else ".lock"


async def _make(
    plan: RunPlan,
    ctx: InterviewContext,
    started: float,
    ledger: Ledger,
    on_start: Callable[[int, int], None] | None,
    on_result: OnResult | None,
) -> RunSummary:
    wanted = plan.persona_ids()
    _remove_stale_temps(plan, [pid for _, pid in wanted])
    finished = completed_ids(plan.out, {pid for _, pid in wanted})  # a shard: its own only
    todo = [(i, pid) for i, pid in wanted if pid not in finished]
    if on_start:
        on_start(len(wanted), len(wanted) - len(todo))
    results: list[tuple[bool, int]] = []
    beat = Heartbeat(plan.out, plan.shard, plan.n, len(wanted) - len(todo), ledger)
    async with _checkpointer(plan, ctx) as saver, beat:
        graph = build_interview_graph(saver)

        async def one(item: tuple[int, str]) -> None:
            index, pid = item
            ok, tokens = await _interview(graph, saver, plan, ctx, index, pid)
            results.append((ok, tokens))
            beat.result(ok)
            if on_result:
                on_result(pid, ok, tokens)

        await fan_out(todo, one, concurrency=plan.concurrency)
    done = sum(ok for ok, _ in results)
    return RunSummary(
        len(wanted),
        len(wanted) - len(todo),
        done,
        len(results) - done,
        time.perf_counter() - started,
        sum(t for _, t in results),
    )


def _remove_stale_temps(plan: RunPlan, ids: list[str]) -> None:
    # A SIGKILL between a temporary's write and its rename leaves it behind. The whole
    # run's process (holding .lock) owns every name; a shard or worker only its own,
    # since the others may be writing theirs right now.
    own: set[str] | None = None
    if plan.shard:
        own = {f"{pid}.json" for pid in ids}
        own |= {status_path(plan.out, plan.shard).name, run_usage_path(plan.out, plan.shard).name}
    remove_stale_temps(plan.out, own)
    if (plan.out / "failed").is_dir():
        remove_stale_temps(plan.out / "failed", own)


def record_status(out: Path, manifest: Manifest, summary: RunSummary) -> None:
    """The run's counts in its manifest (finished before this run plus what it made: no
    second pass over the files)."""
    manifest.status = {
        "total": summary.total,
        "done": summary.done_before + summary.done,
        "failed": summary.failed,
    }
    atomic_write_model(out / "manifest.json", manifest)


@asynccontextmanager
async def _checkpointer(plan: RunPlan, ctx: InterviewContext) -> AsyncIterator[Saver]:
    if ctx.settings.checkpoints == "replay":
        yield None
        return
    async with AsyncSqliteSaver.from_conn_string(str(checkpoints_path(plan))) as saver:
        yield saver


def checkpoints_path(plan: RunPlan) -> Path:
    # One SQLite file per writer: shards on several hosts must not share one (SQLite's
    # locking does not hold across NFS clients).
    if plan.shard:
        return plan.out / f".checkpoints-{plan.shard[0]}of{plan.shard[1]}.sqlite"
    return plan.out / CHECKPOINTS


def completed_ids(out: Path, among: set[str] | None = None) -> set[str]:
    """Persona ids with a valid file in ``out`` (of ``among``, if given)."""
    done = set()
    for path in persona_files(out):
        if among is not None and path.stem not in among:
            continue
        try:
            load_persona(path)
        except UserInputError:
            continue  # rewritten by this run
        done.add(path.stem)
    return done


async def _interview(
    graph: Any,
    saver: Saver,
    plan: RunPlan,
    ctx: InterviewContext,
    index: int,
    pid: str,
) -> tuple[bool, int]:
    started = time.perf_counter()
    start = InterviewInput(
        persona_id=pid,
        seed=plan.base_seed + index,
        method=plan.method,
        seed_text=_seed_text(plan, index),
    )
    try:
        with persona_session(pid):  # one replica, one session header, for its calls
            values = await _invoke(graph, saver, start, ctx)
        persona = _persona(values, ctx, time.perf_counter() - started)
    except (EndpointUnreachable, DiskFullError, BudgetReached):
        raise  # run-wide: every other persona would fail (or stop) the same way
    except (InterviewerError, GraphRecursionError, ValidationError) as exc:
        reason = " ".join(str(exc).split())[:500] or type(exc).__name__
        atomic_write_model(
            plan.out / "failed" / f"{pid}.json", FailedPersona(id=pid, reason=reason)
        )
        return False, 0
    atomic_write_model(plan.out / f"{pid}.json", persona)
    (plan.out / "failed" / f"{pid}.json").unlink(missing_ok=True)
    if saver is not None:
        await saver.adelete_thread(pid)
    return True, persona.stats.tokens


async def _invoke(
    graph: Any, saver: Saver, start: InterviewInput, ctx: InterviewContext
) -> dict[str, Any]:
    config: dict[str, Any] = {"recursion_limit": step_limit(ctx.settings)}
    if saver is None:
        return dict(await graph.ainvoke(start, config, context=ctx))
    config["configurable"] = {"thread_id": start.persona_id}
    snapshot = await graph.aget_state(config)
    # Interrupted mid-interview: carry on from the checkpoint. ``tasks``, not ``next``:
    # a kill after a step's writes were saved but before its checkpoint leaves a task
    # that ``next`` leaves out, and a fresh start would ask on over the transcript.
    if snapshot.tasks:
        return dict(await graph.ainvoke(None, config, context=ctx))
    if snapshot.values.get("done"):  # finished, but the file was never written
        return dict(snapshot.values)
    return dict(await graph.ainvoke(start, config, context=ctx))


def _seed_text(plan: RunPlan, index: int) -> str | None:
    return plan.seed_texts[index % len(plan.seed_texts)] if plan.seed_texts else None


def _persona(values: dict[str, Any], ctx: InterviewContext, seconds: float) -> Persona:
    transcript = [Turn(**turn) for turn in values["transcript"]]
    final = values.get("final_check")
    usage = values.get("usage") or {}
    return Persona(
        id=values["persona_id"],
        method=values["method"],
        seed=values["seed"],
        seed_text=values.get("seed_text"),
        models=_models(ctx),
        prompt_version=prompt_version(ctx.chat),
        transcript=transcript,
        critic=[CriticVerdict(**v) for v in values.get("verdicts") or []],
        final_check=FinalCheck(**final) if final else None,
        stats=PersonaStats(
            words=sum(words(t.text) for t in transcript if t.role == "persona"),
            tokens=int(values.get("tokens") or 0),
            calls={role: RoleCalls(**counts) for role, counts in usage.items()},
            seconds=round(seconds, 3),
        ),
    )


def prompt_version(chat: bool = False) -> str:
    """One hash over every interview prompt (the per-template hashes are in the manifest)."""
    joined = "".join(f"{k}={v};" for k, v in sorted(prompt_versions(chat).items()))
    return hashlib.sha256(joined.encode()).hexdigest()[:12]


def _models(ctx: InterviewContext) -> dict[str, str]:
    return {m.role: m.identity for m in (ctx.interviewer, ctx.persona, ctx.critic)}


def prepare_run(plan: RunPlan, ctx: InterviewContext, settings_dump: dict[str, Any]) -> Manifest:
    """Check (``--resume``) or start the run's manifest, and write it."""
    path = plan.out / "manifest.json"
    if path.exists():
        if not plan.resume and not _joins_siblings(plan):
            raise UserInputError(
                f"{plan.out} already holds a run; "
                "pass --resume to finish it or choose another --out"
            )
        try:
            previous = Manifest.model_validate_json(path.read_bytes())
        except ValidationError:
            raise UserInputError(f"{path}: not a valid run manifest") from None
        if previous.method != plan.method:
            raise UserInputError(
                f"{plan.out} holds a --method {previous.method} run, not {plan.method}"
            )
        _refuse_other_sharding(plan, previous)
        refuse_other_config(
            plan.out,
            {"models": previous.models, "prompts": previous.prompts, **previous.config},
            {"models": _models(ctx), "prompts": prompt_versions(ctx.chat), **_config(plan, ctx)},
        )
    elif plan.out.exists() and any(persona_files(plan.out)):
        raise UserInputError(f"{plan.out} holds persona files but no manifest.json; not a run dir")
    manifest = Manifest(
        package_version=__version__,
        created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        method=plan.method,
        n=plan.n,
        shard=f"{plan.shard[0]}/{plan.shard[1]}" if plan.shard else None,
        settings=settings_dump,
        prompts=prompt_versions(ctx.chat),
        models=_models(ctx),
        config=_config(plan, ctx),
    )
    atomic_write_model(path, manifest)
    return manifest


def _joins_siblings(plan: RunPlan) -> bool:
    """A shard that finds its siblings' manifest (all started at once, as a SLURM array
    does) joins their run, checked as ``--resume`` is, unless it ran here before."""
    if plan.shard is None or status_path(plan.out, plan.shard).exists():
        return False
    mine = {pid for _, pid in plan.persona_ids()}
    made = {p.stem for p in persona_files(plan.out)}
    made |= {p.stem for p in (plan.out / "failed").glob("p*.json")}
    return not mine & made


def _refuse_other_sharding(plan: RunPlan, previous: Manifest) -> None:
    if previous.shard is None or plan.shard is None:
        return
    count = int(previous.shard.split("/")[1])
    if count != plan.shard[1]:
        raise UserInputError(
            f"{plan.out} is sharded /{count}; --shard {plan.shard[0]}/{plan.shard[1]} "
            f"would overlap its shards (use I/{count})"
        )


def _config(plan: RunPlan, ctx: InterviewContext) -> dict[str, object]:
    """What ``--resume`` must find unchanged (see ``interviewer.resume``)."""
    texts = "\n".join(plan.seed_texts).encode()
    return {
        # How a killed interview is recovered does not change what it says.
        "interview": ctx.settings.model_dump(mode="json", exclude={"checkpoints"}),
        "words_target": ctx.words_target,
        "sampling": {
            "interviewer": sampling(ctx.interviewer),
            "persona": sampling(ctx.persona),
            "critic": sampling(ctx.critic),
        },
        "base_seed": plan.base_seed,
        "seed_texts": hashlib.sha256(texts).hexdigest()[:16] if plan.seed_texts else None,
    }
