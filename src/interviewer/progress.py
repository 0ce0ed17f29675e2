"""A rich progress bar for long runs: done / failed / tokens (or answers) per second,
seconds per item when slower than one a second."""

from __future__ import annotations

import time
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


def progress_display(console: Console | None = None) -> Progress:
    """The live display run bars draw on; stages running side by side share one."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("[red]{task.fields[failed]} failed"),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    )


class RunProgress:
    """``with RunProgress("interviews") as bar: bar.start(total, done); bar.result(ok, tokens)``.

    Given ``display``, the bar is one line of that shared live display (which its owner
    starts and stops); otherwise it is its own display.
    """

    def __init__(
        self,
        label: str,
        console: Console | None = None,
        unit: str = "tok",
        display: Progress | None = None,
    ) -> None:
        self._owned = display is None
        self._progress = display if display is not None else progress_display(console)
        self._label = label
        self._unit = unit
        self._task: TaskID | None = None
        self._tokens = 0
        self._failed = 0
        self._since = time.perf_counter()

    def __enter__(self) -> RunProgress:
        if self._owned:
            self._progress.__enter__()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._owned:
            self._progress.__exit__(kind, exc, tb)

    def start(self, total: int, already_done: int) -> None:
        self._since = time.perf_counter()
        self._task = self._progress.add_task(
            self._label, total=total, completed=already_done, failed=0, rate=f"– {self._unit}/s"
        )

    def result(self, _item: str, ok: bool, tokens: int) -> None:
        assert self._task is not None
        self._tokens += tokens
        self._failed += not ok
        rate = rate_text(self._tokens, time.perf_counter() - self._since, self._unit)
        self._progress.update(self._task, advance=1, failed=self._failed, rate=rate)


def rate_text(count: int, seconds: float, unit: str) -> str:
    """``"250 tok/s"``, or ``"4.0 s/answer"`` below one a second (never "0 answers/s")."""
    if count and count < seconds:
        return f"{seconds / count:,.1f} s/{unit.removesuffix('s')}"
    return f"{count / max(seconds, 1e-9):,.0f} {unit}/s"
