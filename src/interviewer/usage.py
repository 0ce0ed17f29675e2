"""Token accounting, cost and budgets: what every LLM call of a run spent, per role.

A runner opens a ``Ledger`` with ``recording(ledger)``; every ``Model.complete`` in that
block (the tasks it starts included: they inherit the context) adds its completion to
every open ledger. Calls answered by the response cache are counted apart: they send
nothing and cost nothing. A ledger is written to a usage file at the end of a run and on
interruption, added to what earlier runs wrote there (``save_usage``), so a resumed run
adds to it and a killed one loses only its own counts.

Costs come from the user's price table (setting ``prices``); a model without a price has
no cost (``None``, shown "n/a"), never 0.
"""

from __future__ import annotations

import contextvars
import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Protocol

from interviewer.errors import InterviewerError, UserInputError
from interviewer.settings import Price
from interviewer.storage import atomic_write_json


class Spent(Protocol):
    """What a ledger reads of a ``model.Completion`` (usage sits below the model API)."""

    @property
    def prompt_tokens(self) -> int: ...
    @property
    def completion_tokens(self) -> int: ...
    @property
    def cached_tokens(self) -> int: ...
    @property
    def cached(self) -> bool: ...


USAGE_FILE = "usage.json"
USAGE_VERSION = 1


class BudgetReached(InterviewerError):
    """A run spent its ``--max-usd`` / ``--max-tokens``; it stopped cleanly and resumes.

    Exit status 3: neither a failure of the tool nor a mistake of the user."""

    exit_code = 3


@dataclass
class RoleUsage:
    """What one role's calls to one model spent."""

    role: str
    model: str
    calls: int = 0
    """Every call, the ones the response cache answered included."""
    cached_calls: int = 0
    """Calls the response cache answered: nothing sent."""
    prompt_tokens: int = 0
    """Prompt tokens sent to the endpoint (cache hits excluded)."""
    completion_tokens: int = 0
    """Tokens the endpoint generated (cache hits excluded)."""
    cached_tokens: int = 0
    """Of ``prompt_tokens``, those the endpoint reported served from its prefix cache
    (``prompt_tokens_details.cached_tokens``; 0 where it reports none)."""
    saved_prompt_tokens: int = 0
    """Prompt tokens of the calls the response cache answered (not sent)."""
    saved_completion_tokens: int = 0

    def add(self, other: RoleUsage) -> None:
        for name in _COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def tokens(self) -> int:
        """Tokens sent and generated: what a ``--max-tokens`` budget counts."""
        return self.prompt_tokens + self.completion_tokens


_COUNTS = tuple(f.name for f in fields(RoleUsage) if f.name not in ("role", "model"))


@dataclass(frozen=True)
class Budget:
    """Limits on what one command spends; None: no limit."""

    max_usd: float | None = None
    max_tokens: int | None = None

    def __post_init__(self) -> None:
        if self.max_usd is not None and not self.max_usd > 0:
            raise UserInputError(f"--max-usd {self.max_usd}: must be above 0")
        if self.max_tokens is not None and self.max_tokens < 1:
            raise UserInputError(f"--max-tokens {self.max_tokens}: must be at least 1")

    @property
    def limited(self) -> bool:
        return self.max_usd is not None or self.max_tokens is not None


@dataclass
class Ledger:
    """Per (role, model) counts of one run, with an optional budget on them."""

    prices: Mapping[str, Price] = field(default_factory=dict)
    budget: Budget = field(default_factory=Budget)
    entries: dict[tuple[str, str], RoleUsage] = field(default_factory=dict)

    def record(self, role: str, model: str, completion: Spent) -> None:
        entry = self.entries.setdefault((role, model), RoleUsage(role, model))
        entry.calls += 1
        if completion.cached:
            entry.cached_calls += 1
            entry.saved_prompt_tokens += completion.prompt_tokens
            entry.saved_completion_tokens += completion.completion_tokens
            return
        entry.prompt_tokens += completion.prompt_tokens
        entry.completion_tokens += completion.completion_tokens
        entry.cached_tokens += completion.cached_tokens

    def tokens(self) -> int:
        return sum(e.tokens for e in self.entries.values())

    def usd(self) -> float:
        """Money spent so far; models without a price count 0 here, which is why a
        ``--max-usd`` run refuses to start without a price for each of its models."""
        return sum(cost(e, self.prices) or 0.0 for e in self.entries.values())

    def over_budget(self) -> str | None:
        """What was reached, as words, or None."""
        if self.budget.max_tokens is not None and self.tokens() >= self.budget.max_tokens:
            return f"--max-tokens {self.budget.max_tokens:,} ({self.tokens():,} tokens spent)"
        if self.budget.max_usd is not None and self.usd() >= self.budget.max_usd:
            return f"--max-usd {self.budget.max_usd:g} (${self.usd():.4f} spent)"
        return None


_open: contextvars.ContextVar[tuple[Ledger, ...]] = contextvars.ContextVar(
    "interviewer_ledgers", default=()
)


@contextmanager
def recording(ledger: Ledger) -> Iterator[Ledger]:
    """Count every call made in this block (and in the tasks it starts) into ``ledger``."""
    token = _open.set((*_open.get(), ledger))
    try:
        yield ledger
    finally:
        _open.reset(token)


@contextmanager
def limited(prices: Mapping[str, Price], budget: Budget, models: Iterable[str]) -> Iterator[None]:
    """Stop the calls made in this block at ``budget`` (``BudgetReached``); no budget, no
    limit. A ``--max-usd`` needs a price for each of ``models`` (unpriced calls would
    never reach it), so a missing one is refused before any call."""
    if not budget.limited:
        yield
        return
    missing = unpriced(models, prices) if budget.max_usd is not None else []
    if missing:
        raise UserInputError(
            f"--max-usd needs a price for every model; the prices setting has none for "
            f"{', '.join(missing)} (prices: {{NAME: {{input: $/Mtok, output: $/Mtok}}}})"
        )
    with recording(Ledger(prices=prices, budget=budget)):
        yield


def record(role: str, model: str, completion: Spent) -> None:
    """Add one call to every open ledger (``Model.complete`` calls this)."""
    for ledger in _open.get():
        ledger.record(role, model, completion)


def check_budget() -> None:
    """Raise ``BudgetReached`` if an open ledger has spent its budget (before a call is
    sent; calls the response cache answers are free and go on)."""
    for ledger in _open.get():
        reached = ledger.over_budget()
        if reached:
            raise BudgetReached(f"budget reached: {reached}")


def cost(entry: RoleUsage, prices: Mapping[str, Price]) -> float | None:
    """Dollars for ``entry`` from ``prices`` ($ per million tokens); None: no price."""
    price = prices.get(entry.model)
    if price is None:
        return None
    cached_rate = price.input if price.cached is None else price.cached
    fresh = entry.prompt_tokens - entry.cached_tokens
    return (
        fresh * price.input
        + entry.cached_tokens * cached_rate
        + entry.completion_tokens * price.output
    ) / 1e6


def unpriced(models: Iterable[str], prices: Mapping[str, Price]) -> list[str]:
    return sorted({m for m in models if m not in prices})


# ── usage files ──────────────────────────────────────────────────────────────


def read_usage(path: Path) -> list[RoleUsage]:
    """The entries of a usage file; [] when there is none yet."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as exc:
        raise UserInputError(f"{path}: not a readable usage file ({exc})") from None
    try:
        return [RoleUsage(**entry) for entry in data["usage"]]
    except (KeyError, TypeError) as exc:
        raise UserInputError(f"{path}: not a usage file (bad entry: {exc})") from None


def merge(entries: Iterable[RoleUsage]) -> list[RoleUsage]:
    """Entries summed per (role, model), in first-seen order."""
    merged: dict[tuple[str, str], RoleUsage] = {}
    for entry in entries:
        key = (entry.role, entry.model)
        if key not in merged:
            merged[key] = RoleUsage(entry.role, entry.model)
        merged[key].add(entry)
    return list(merged.values())


def save_usage(path: Path, ledger: Ledger) -> None:
    """Add ``ledger`` to what ``path`` holds and write it back atomically."""
    entries = merge([*read_usage(path), *ledger.entries.values()])
    data: dict[str, Any] = {"version": USAGE_VERSION, "usage": [asdict(e) for e in entries]}
    atomic_write_json(path, data)


@contextmanager
def saved_usage(path: Path) -> Iterator[Ledger]:
    """Count the calls of this block, then add them to ``path`` however it ends
    (finished, failed, budget reached, interrupted)."""
    ledger = Ledger()
    try:
        with recording(ledger):
            yield ledger
    finally:
        if ledger.entries:
            save_usage(path, ledger)


def usage_files(target: Path) -> list[Path]:
    """The usage files ``interviewer usage`` reads for ``target``: a responses file's
    ``<name>.usage.json``, a run directory's ``usage.json`` (and its shards'), or every
    one under a suite's out directory."""
    if target.is_file():
        return [responses_usage_path(target)] if target.suffix == ".jsonl" else [target]
    if (target / "manifest.json").is_file():
        return sorted(p for p in target.iterdir() if _is_usage_name(p.name))
    return sorted(p for p in target.rglob("*.json") if _is_usage_name(p.name))


def _is_usage_name(name: str) -> bool:
    return name == USAGE_FILE or name.endswith(".usage.json")


def responses_usage_path(responses: Path) -> Path:
    return responses.with_name(responses.name + ".usage.json")


def run_usage_path(run_dir: Path, shard: tuple[int, int] | None = None) -> Path:
    """Shards of one run write side by side, each its own file."""
    return run_dir / (f"shard-{shard[0]}of{shard[1]}.usage.json" if shard else USAGE_FILE)
