"""Rich renderables for the terminal: tables and panels the commands print."""

from __future__ import annotations

from statistics import mean

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from interviewer.contracts.persona import Persona
from interviewer.evaluation.report import EvalResult
from interviewer.evaluation.scoring import Report
from interviewer.probe import ProbeResult
from interviewer.simulated import SIMULATED_NOTE
from interviewer.study.demo import DemoResult


def backends_table(results: list[ProbeResult]) -> Table:
    table = Table(title="Configured backends")
    for column in ("roles", "backend", "url", "api", "answers", "logprobs"):
        table.add_column(column)
    for result in results:
        answers = (
            f"[red]no[/]: {result.error}"
            if result.error
            else f"[green]yes[/] ({result.seconds * 1000:.0f} ms, {result.token!r})"
        )
        table.add_row(
            ", ".join(result.roles),
            result.endpoint.label,
            result.endpoint.base_url,
            result.api,
            answers,
            "[green]yes[/]" if result.logprobs else "[yellow]no[/]",
        )
    return table


def eval_table(result: EvalResult) -> Table:
    """Methods as rows, metrics as columns, the human split-half bound last (as in the papers)."""
    report = result.report
    rules = report.rules
    complete = f"{report.n_complete_humans:,} complete cases"
    behind = (
        f"{complete} behind Fro"
        if rules.get("missing") == "complete"
        else f"{complete}; pairwise: ≥ {report.bound.corr_n:,} per pair behind Fro"
    )
    table = Table(
        title=f"{_mark(report)}{report.questionnaire} vs {report.n_humans:,} humans ({behind})"
    )
    table.caption = (
        "[95% bootstrap CI over simulated respondents; for Fro it runs high, as resampled "
        "duplicates inflate correlations] · *: some items had no variance; their "
        "correlations count as 0 (report.json names them) · alpha n: rows behind alpha · "
        f"missing data: {rules.get('missing', '?')} · simulated distribution: "
        f"{rules.get('sim_dist', '?')} · extreme: share of answers at a scale's ends · "
        "rules: docs/metrics.md"
    )
    table.add_column("method", no_wrap=True, min_width=11)
    for column in ("n", "WD mean", "Fro", "alpha (n)", "extreme"):
        table.add_column(column, justify="right", no_wrap=True, min_width=len(column))
    for method in report.methods:
        s = method.overall
        table.add_row(
            method.label,
            str(s.n),
            _num(s.wd_mean) + _ci(s.wd_mean_ci),
            _num(s.fro, 2) + ("*" if s.degenerate else "") + _ci(s.fro_ci),
            f"{_num(s.alpha, 2)} ({s.alpha_n})",
            _num(s.extremity, pct=True),
        )
    bound = report.bound
    table.add_row(
        "[bold]human bound[/]",
        str(bound.n),
        _num(bound.wd_mean),
        _num(bound.fro, 2),
        f"{_num(report.alpha_human, 2)} ({report.alpha_human_n})",
        "",
        end_section=True,
    )
    return table


def distribution_table(result: EvalResult) -> Table:
    """The field's other distribution metrics, means over questions (docs/metrics.md)."""
    report = result.report
    table = Table(
        title=f"{_mark(report)}{report.questionnaire}: distribution metrics (mean over questions)"
    )
    table.caption = (
        "repr.: OpinionQA 1 − WD/(K−1) (higher is better) · SimBench: 100 (1 − TV/TV "
        "to uniform), 0 = uniform guessing · JSD: Jensen–Shannon distance, base 2 · "
        "dispersion: simulated / human variance of the answer position (< 1: too uniform "
        "a population)"
    )
    table.add_column("method", no_wrap=True, min_width=11)
    for column in ("repr.", "SimBench", "JSD", "dispersion"):
        table.add_column(column, justify="right", no_wrap=True)
    rows = [(m.label, m.overall) for m in report.methods] + [("[bold]human bound[/]", report.bound)]
    for label, s in rows:
        table.add_row(
            label,
            _num(s.representativeness),
            _num(s.simbench, 1),
            _num(s.jsd),
            _num(s.dispersion, 2),
        )
    return table


def subgroup_table(result: EvalResult, trait: str) -> Table | None:
    methods = result.report.methods
    values = sorted({v for m in methods for v in m.subgroups.get(trait, {})})
    if not values:
        return None
    table = Table(title=f"WD mean by {trait}")
    table.caption = "human bound: split-half within each subgroup (humans per half)"
    table.add_column("method")
    for value in values:
        table.add_column(value, justify="right")
    for method in methods:
        cells = method.subgroups.get(trait, {})
        table.add_row(
            method.label,
            *(
                "—" if cells.get(v) is None else _num(cells[v].wd_mean)  # type: ignore[union-attr]
                for v in values
            ),
        )
    bounds = result.report.subgroup_bounds.get(trait, {})
    table.add_row(
        "[bold]human bound[/]",
        *(
            "—" if bounds.get(v) is None else f"{_num(bounds[v].wd_mean)} ({bounds[v].n})"  # type: ignore[union-attr]
            for v in values
        ),
        end_section=True,
    )
    return table


def gaps_table(result: EvalResult) -> Table:
    table = Table(title=f"{_mark(result.report)}higher-order gaps: simulated vs published human")
    for column in ("method", "party", "Δ sim", "Δ human", "d sim", "d human", "n", "direction"):
        table.add_column(column, justify="left" if column in ("method", "party") else "right")
    styles = {
        "right": "[green]right[/]",
        "wrong sign": "[red]WRONG SIGN[/]",
        "no gap": "[yellow]no gap[/]",
    }
    for label, found in result.gaps.items():
        for gap in found:
            table.add_row(
                label,
                gap.party,
                _num(gap.gap),
                _num(gap.target_gap),
                _num(gap.d),
                _num(gap.target_d),
                str(gap.n),
                "—" if gap.direction is None else styles[gap.direction],
            )
    return table


def _mark(report: Report) -> str:
    """Titles of tables built on simulated-engine answers start with this."""
    return "[bold red]SIMULATED engine, not a model[/] · " if report.simulated else ""


def _num(value: float | None, digits: int = 3, pct: bool = False) -> str:
    if value is None or value != value:  # NaN: undefined, shown as such
        return "n/a"
    return f"{value:.0%}" if pct else f"{value:.{digits}f}"


def _ci(interval: tuple[float, float] | None) -> str:
    if interval is None or interval[0] != interval[0]:
        return ""
    return f" [{interval[0]:.2f}, {interval[1]:.2f}]"


def print_evaluation(console: Console, result: EvalResult) -> None:
    if result.report.simulated:
        console.print(f"[bold red]{SIMULATED_NOTE}[/]")
    if result.report.methods:
        console.print(eval_table(result))
        console.print(distribution_table(result))
        for trait in ("party", "race", "age"):
            table = subgroup_table(result, trait)
            if table is not None:
                console.print(table)
    if result.gaps:
        console.print(gaps_table(result))
    for path in result.files:
        console.print(f"wrote {path}")


def transcript_view(persona: Persona, max_turns: int = 6, max_chars: int = 400) -> Group:
    """The first turns of a transcript, interviewer and persona styled apart."""
    flagged = {v.turn for v in persona.critic if not v.consistent}
    repaired = {v.turn for v in persona.critic if v.action == "repaired"}
    lines: list[RenderableType] = []
    for index, turn in enumerate(persona.transcript[:max_turns]):
        text = turn.text if len(turn.text) <= max_chars else turn.text[:max_chars] + "…"
        if turn.role == "interviewer":
            tag = "follow-up" if turn.kind == "followup" else turn.question_id
            lines.append(Text(f"Interviewer [{tag}]: {text}", style="bold cyan"))
        else:
            marks = ("  [critic: flagged]" if index in flagged else "") + (
                "  [repaired]" if index in repaired else ""
            )
            lines.append(Text(f"Persona: {text}") + Text(marks, style="yellow"))
    more = len(persona.transcript) - max_turns
    if more > 0:
        lines.append(Text(f"… {more} more turns", style="dim"))
    return Group(*lines)


def runs_table(personas: list[Persona]) -> Table:
    table = Table(title="Personas made")
    table.caption = "calls per persona: persona / interviewer / critic model"
    for column in ("method", "n", "words", "seconds", "calls p/i/c", "critic flags", "repairs"):
        table.add_column(column, justify="right" if column != "method" else "left", no_wrap=True)
    for method in ("interview", "anthology"):
        group = [p for p in personas if p.method == method]
        if not group:
            continue
        calls = "/".join(
            f"{mean(p.stats.calls[r].calls if r in p.stats.calls else 0 for p in group):.1f}"
            for r in ("persona", "interviewer", "critic")
        )
        table.add_row(
            method,
            str(len(group)),
            f"{mean(p.stats.words for p in group):.0f}",
            f"{mean(p.stats.seconds for p in group):.1f}",
            calls,
            str(sum(not v.consistent for p in group for v in p.critic)),
            str(sum(v.action == "repaired" for p in group for v in p.critic)),
        )
    return table


def demo_report(result: DemoResult, seconds: float) -> Group:
    parts: list[RenderableType] = [runs_table(result.personas)]
    interviews = [p for p in result.personas if p.method == "interview"]
    if interviews:
        first = interviews[0]
        parts.append(Panel(transcript_view(first), title=f"transcript {first.id} (excerpt)"))
    parts.append(eval_table(result.evaluation))
    party = subgroup_table(result.evaluation, "party")
    if party is not None:
        parts.append(party)
    failed = sum(run.failed for run in result.runs.values())
    note = f" · {failed} persona(s) failed (see failed/ in the run)" if failed else ""
    files = "\n".join(f"  {path}" for path in result.evaluation.files)
    parts.append(Text(f"done in {seconds:.0f} s · run in {result.out}{note}\n{files}", style="dim"))
    return Group(*parts)
