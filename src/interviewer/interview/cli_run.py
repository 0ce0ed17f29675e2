"""``interviewer interview``: settings in, a run directory of persona files out."""

from __future__ import annotations

import datetime as dt
from contextlib import ExitStack
from pathlib import Path

from rich.console import Console

from interviewer.errors import InterviewerError, UserInputError
from interviewer.interview.context import InterviewContext
from interviewer.interview.lengths import run_length_lines
from interviewer.interview.runner import RunPlan, RunSummary, parse_shard, run_interviews
from interviewer.interview.state import Method
from interviewer.paths import WRITABLE_FIX, writable_dir
from interviewer.pool import ModelPool
from interviewer.progress import RunProgress
from interviewer.settings import Settings


def run_interview_command(
    settings: Settings,
    console: Console,
    *,
    n: int,
    out: Path | None,
    method: str,
    resume: bool,
    concurrency: int | None,
    shard: str | None,
    seed_texts: Path | None,
) -> RunSummary:
    target = out or default_out_dir()
    if resume and not (target / "manifest.json").is_file():
        raise UserInputError(
            f"--resume: {target} holds no run (no manifest.json), nothing to resume; "
            "drop --resume to start one"
        )
    writable_dir(target, "--out", WRITABLE_FIX)  # before the models take minutes to start
    plan = RunPlan(
        out=target,
        n=n,
        method=as_method(method),
        concurrency=concurrency or settings.persona.concurrency,
        resume=resume,
        shard=parse_shard(shard) if shard else None,
        seed_texts=read_seed_texts(seed_texts),
        base_seed=settings.persona.seed or 0,
    )
    with ExitStack() as models:
        with console.status("starting the models…"):  # spins only while they start
            pool = models.enter_context(
                ModelPool(settings, roles=("interviewer", "persona", "critic"))
            )
        summary = _run(plan, settings, pool, console)
    console.print(
        f"[bold]{summary.done}[/] made, [red]{summary.failed}[/] failed, "
        f"{summary.done_before} already there · {summary.tokens:,} tokens in "
        f"{summary.seconds:.0f} s → {plan.out}"
    )
    for line in run_length_lines(plan.out, plan.method, settings):
        console.print(f"[yellow]{line}[/]" if line.startswith("warning") else line)
    if summary.failed:
        raise InterviewerError(
            f"{summary.failed} persona(s) failed; reasons are in {plan.out / 'failed'}, "
            "--resume tries them again"
        )
    return summary


def _run(plan: RunPlan, settings: Settings, pool: ModelPool, console: Console) -> RunSummary:
    ctx = InterviewContext.from_pool(pool, settings)
    dump = settings.model_dump(mode="json")
    label = "interviews" if plan.method == "interview" else "backstories"
    with RunProgress(label, console) as bar:
        return pool.run(run_interviews(plan, ctx, dump, bar.start, bar.result))


def as_method(text: str) -> Method:
    if text == "interview":
        return "interview"
    if text == "anthology":
        return "anthology"
    raise UserInputError(f"--method {text!r}: expected interview or anthology")


def default_out_dir() -> Path:
    return Path("personas") / f"run-{dt.datetime.now():%Y%m%d-%H%M%S}"


def read_seed_texts(path: Path | None) -> tuple[str, ...]:
    if path is None:
        return ()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise UserInputError(f"--seed-texts {path} does not exist") from None
    except UnicodeDecodeError:
        raise UserInputError(f"--seed-texts {path} is not UTF-8 text") from None
    texts = tuple(line.strip() for line in lines if line.strip() and not line.startswith("#"))
    if not texts:
        raise UserInputError(f"--seed-texts {path} has no lines")
    return texts


__all__ = ["Method", "run_interview_command"]
