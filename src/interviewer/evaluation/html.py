"""``report.html``: one self-contained page beside report.json, to share a report.

It opens offline: the styles are inline, every plot is embedded as a base64 PNG, and
the page links to nothing outside itself. It holds the methods × metrics table with
intervals and the human bound, the subgroup tables, the higher-order gaps against the
published targets (a wrong sign marked), every plot, each question's distributions with
the option labels, a few sample transcripts with their critic verdicts and repairs
(where the personas' run directories are known) and the run's provenance.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from interviewer.contracts.persona import Manifest, Persona
from interviewer.contracts.questionnaire import Questionnaire
from interviewer.evaluation.higher_order import Gap
from interviewer.evaluation.scoring import Report, Scores
from interviewer.simulated import SIMULATED_NOTE, SIMULATED_PREFIX
from interviewer.version import __version__

SAMPLE_TRANSCRIPTS = 3
MAX_TURNS = 12


@dataclass(frozen=True)
class ReportSources:
    """What the report was made from, beyond its numbers."""

    questionnaire: Questionnaire
    responses: Mapping[str, Path] = field(default_factory=dict)
    """Method label -> its responses file (its ``.meta.json`` names model and settings)."""
    persona_dirs: Sequence[Path] = ()
    """Persona run directories; none given: the suite layout's ``../<label>/``."""
    personas: Sequence[Persona] = ()
    """The personas already read (a study reads each once); sample transcripts."""


def write_report_html(
    report: Report,
    gaps: Mapping[str, list[Gap]],
    out_dir: Path,
    images: Sequence[Path],
    sources: ReportSources,
) -> Path:
    from interviewer.storage import atomic_write_text

    path = out_dir / "report.html"
    atomic_write_text(path, render(report, gaps, images, sources, out_dir))
    return path


def render(
    report: Report,
    gaps: Mapping[str, list[Gap]],
    images: Sequence[Path],
    sources: ReportSources,
    out_dir: Path,
) -> str:
    dirs = list(sources.persona_dirs) or _suite_persona_dirs(out_dir, sources.responses)
    sections = [
        _header(report, sources),
        _methods_section(report),
        _subgroups_section(report),
        _gaps_section(gaps),
        _plots_section(images),
        _distributions_section(report, sources.questionnaire),
        _transcripts_section(sources.personas),
        _provenance_section(report, sources, dirs),
    ]
    if report.simulated:  # no simulated number may pass for a real one, shared or not
        sections.insert(0, f'<p class="simulated"><strong>{_e(SIMULATED_NOTE)}</strong></p>')
    body = "\n".join(s for s in sections if s)
    prefix = f"{SIMULATED_PREFIX} " if report.simulated else ""
    title = _e(f"{prefix}interviewer report: {report.questionnaire}")
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{title}</title><style>{_STYLE}</style></head>\n<body>\n{body}\n</body></html>\n"
    )


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _num(value: float | None, digits: int = 3) -> str:
    if value is None or not math.isfinite(value):
        return '<span class="na">n/a</span>'
    return f"{value:.{digits}f}"


def _ci(interval: tuple[float, float] | None) -> str:
    if not interval:
        return ""
    return f' <span class="ci">[{_num(interval[0], 2)}, {_num(interval[1], 2)}]</span>'


def _table(head: Sequence[str], rows: Iterable[Sequence[str]], cls: str = "") -> str:
    """Cells are HTML already (escaped by the caller)."""
    th = "".join(f"<th>{h}</th>" for h in head)
    trs = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{cls}"><thead><tr>{th}</tr></thead><tbody>{trs}</tbody></table>'


def _header(report: Report, sources: ReportSources) -> str:
    q = sources.questionnaire
    notes = "".join(f"<li>{_e(n)}</li>" for n in report.notes)
    return (
        f"<h1>{_e(q.title or q.id)}</h1>"
        f'<p class="meta">questionnaire <code>{_e(q.id)}</code> · humans '
        f"<code>{_e(report.humans)}</code> ({report.n_humans}, {report.n_complete_humans} "
        f"complete cases) · interviewer {_e(__version__)} · written "
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC</p>" + (f"<ul>{notes}</ul>" if notes else "")
    )


def _methods_section(report: Report) -> str:
    if not report.methods:
        return ""
    head = ["method", "n", "WD mean", "Fro", "alpha (n)", "repr.", "SimBench", "JSD"]
    head += ["dispersion", "extreme"]
    rows = [_metric_row(m.label, m.overall) for m in report.methods]
    bound = report.bound
    bound_row = _metric_row("human bound", bound)
    bound_row[4] = f"{_num(report.alpha_human, 2)} ({report.alpha_human_n})"
    bound_row[-1] = ""
    rows.append(bound_row)
    rules = report.rules
    caption = (
        f"missing data: {_e(rules.get('missing', '?'))} · simulated distribution: "
        f"{_e(rules.get('sim_dist', '?'))} · 95% bootstrap intervals in brackets · the last "
        "row is the humans' split-half bound"
        + (
            " · *: some items had no variance; their correlations count as 0 (report.json "
            "names them)"
            if any(m.overall.degenerate for m in report.methods)
            else ""
        )
    )
    table = _table([_e(h) for h in head], rows, "metrics")
    return f"<h2>Methods × metrics</h2>{table}<p class='caption'>{caption}</p>"


def _metric_row(label: str, s: Scores) -> list[str]:
    starred = "*" if s.degenerate else ""
    return [
        _e(label),
        str(s.n),
        _num(s.wd_mean) + _ci(s.wd_mean_ci),
        _num(s.fro, 2) + starred + _ci(s.fro_ci),
        f"{_num(s.alpha, 2)} ({s.alpha_n})",
        _num(s.representativeness),
        _num(s.simbench, 1),
        _num(s.jsd),
        _num(s.dispersion, 2),
        _num(s.extremity * 100, 0) + "%" if math.isfinite(s.extremity) else _num(None),
    ]


def _subgroups_section(report: Report) -> str:
    traits = [t for t in report.subgroup_bounds if any(t in m.subgroups for m in report.methods)]
    parts = []
    for trait in traits:
        values = list(report.subgroup_bounds[trait])
        rows = []
        for m in report.methods:
            cells = [_sub_cell(m.subgroups.get(trait, {}).get(v)) for v in values]
            rows.append([_e(m.label), *cells])
        bounds = report.subgroup_bounds[trait]
        rows.append(["human bound", *[_sub_cell(bounds.get(v)) for v in values]])
        head = ["method", *[_e(v) for v in values]]
        parts.append(f"<h3>WD mean by {_e(trait)}</h3>{_table(head, rows, 'metrics')}")
    if not parts:
        return ""
    note = (
        "<p class='caption'>respondents in brackets (for the human bound: humans per "
        "half); — : nobody in that subgroup, or too few humans to split</p>"
    )
    return "<h2>Subgroups</h2>" + "".join(parts) + note


def _sub_cell(s: Scores | None) -> str:
    return "—" if s is None else f"{_num(s.wd_mean)} ({s.n})"


def _gaps_section(gaps: Mapping[str, list[Gap]]) -> str:
    if not gaps:
        return ""
    head = ["method", "study", "party", "gap Δ", "target Δ", "d", "target d", "n", "direction"]
    rows = []
    for label, found in gaps.items():
        for g in found:
            verdict = g.direction or "n/a"
            mark = {"wrong sign": "✗ wrong sign", "right": "✓ right"}.get(verdict, verdict)
            css = "wrong" if verdict == "wrong sign" else ("right" if verdict == "right" else "")
            rows.append(
                [
                    _e(label),
                    _e(g.study),
                    _e(g.party),
                    _num(g.gap, 2),
                    _num(g.target_gap, 2),
                    _num(g.d, 2),
                    _num(g.target_d, 2),
                    str(g.n),
                    f'<span class="{css}">{_e(mark)}</span>',
                ]
            )
    return "<h2>Higher-order gaps vs published targets</h2>" + _table(head, rows, "metrics")


MORE_PLOTS = "<!-- more plots -->"
"""Where ``add_plots`` puts plots drawn after the report (a suite's ablation lines)."""


def _plots_section(images: Sequence[Path]) -> str:
    return "<h2>Plots</h2>" + "".join(_figure(image) for image in images) + MORE_PLOTS


def _figure(image: Path) -> str:
    data = base64.b64encode(image.read_bytes()).decode("ascii")
    return (
        f'<figure><img alt="{_e(image.name)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{_e(image.name)}</figcaption></figure>"
    )


def add_plots(page: Path, images: Sequence[Path]) -> None:
    """Embed ``images`` in an existing report.html, after its other plots."""
    from interviewer.storage import atomic_write_text

    text = page.read_text(encoding="utf-8")
    figures = "".join(_figure(image) for image in images)
    atomic_write_text(page, text.replace(MORE_PLOTS, figures + MORE_PLOTS, 1))


def _distributions_section(report: Report, questionnaire: Questionnaire) -> str:
    if not report.human_distributions:
        return ""
    parts: list[str] = []
    labels = [m.label for m in report.methods]
    for question in questionnaire.questions:
        human = report.human_distributions.get(question.id)
        if human is None:
            continue
        rows = []
        for k, option in enumerate(question.options):
            shares = [_share(m.distributions.get(question.id), k) for m in report.methods]
            rows.append([f"{chr(65 + k)}. {_e(option)}", _share(human, k), *shares])
        head = ["option", "human", *[_e(label) for label in labels]]
        parts.append(
            f"<details{' open' if not parts else ''}><summary><code>{_e(question.id)}</code> "
            f"{_e(question.text)}</summary>"
            f"{_table(head, rows, 'dist')}</details>"
        )
    return "<h2>Answer distributions, question by question</h2>" + "".join(parts)


def _share(dist: Sequence[float] | None, k: int) -> str:
    if dist is None or k >= len(dist):
        return _num(None)
    return f"{dist[k] * 100:.0f}%"


def _suite_persona_dirs(out_dir: Path, responses: Mapping[str, Path]) -> list[Path]:
    """In a suite's or the demo's output, ``report/`` sits beside one run per method."""
    return [
        out_dir.parent / label
        for label in responses
        if (out_dir.parent / label / "manifest.json").is_file()
    ]


def _samples(personas: Sequence[Persona]) -> list[Persona]:
    """Up to ``SAMPLE_TRANSCRIPTS`` personas, flagged or repaired ones first."""
    ranked = sorted(
        personas, key=lambda p: (not any(not v.consistent for v in p.critic), p.method, p.id)
    )
    return ranked[:SAMPLE_TRANSCRIPTS]


def _transcripts_section(personas: Sequence[Persona]) -> str:
    personas = _samples(personas)
    if not personas:
        return ""
    shown = [_transcript(p, open_=i == 0) for i, p in enumerate(personas)]
    return "<h2>Sample transcripts</h2>" + "".join(shown)


def _transcript(persona: Persona, open_: bool) -> str:
    verdicts: dict[int, list[Any]] = {}
    for v in persona.critic:
        verdicts.setdefault(v.turn, []).append(v)
    lines = []
    for index, turn in enumerate(persona.transcript[:MAX_TURNS]):
        who = "Interviewer" if turn.role == "interviewer" else "Persona"
        tag = (
            f" [{_e(turn.question_id)}]" if turn.role == "interviewer" and turn.question_id else ""
        )
        follow = " (follow-up)" if turn.kind == "followup" else ""
        lines.append(f'<p class="{turn.role}"><b>{who}{tag}{follow}:</b> {_e(turn.text)}</p>')
        lines += [_verdict(v) for v in verdicts.get(index, [])]
    more = len(persona.transcript) - MAX_TURNS
    if more > 0:
        lines.append(f'<p class="na">… {more} more turns</p>')
    summary = (
        f"{_e(persona.id)} · {_e(persona.method)} · {persona.stats.words} words · "
        f"{sum(not v.consistent for v in persona.critic)} flags · "
        f"{sum(v.action == 'repaired' for v in persona.critic)} repairs"
    )
    state = " open" if open_ else ""
    return f"<details{state}><summary>{summary}</summary>{''.join(lines)}</details>"


def _verdict(v: Any) -> str:
    if v.consistent:
        return f'<p class="verdict ok">✓ critic: consistent (draft {v.attempt})</p>'
    said = f" — contradicts: “{_e(v.contradiction)}”" if v.contradiction else ""
    rejected = (
        f'<br><span class="rejected">rejected draft: {_e(v.rejected_text)}</span>'
        if v.rejected_text
        else ""
    )
    return f'<p class="verdict flag">✗ critic: {_e(v.action)}{said}{rejected}</p>'


def _provenance_section(report: Report, sources: ReportSources, dirs: Sequence[Path]) -> str:
    items = {"package version": __version__, "rules": report.rules}
    for d in dirs:
        manifest_path = d / "manifest.json"
        if manifest_path.is_file():
            manifest = Manifest.model_validate_json(manifest_path.read_bytes())
            items[f"personas {d.name}"] = {
                "package_version": manifest.package_version,
                "created": manifest.created,
                "models": manifest.models,
                "prompts": manifest.prompts,
                "settings": manifest.settings,
            }
    for label, path in sources.responses.items():
        meta = path.with_name(path.name + ".meta.json")
        if meta.is_file():
            items[f"responses {label}"] = json.loads(meta.read_text(encoding="utf-8"))
    blocks = "".join(
        f"<details><summary>{_e(name)}</summary><pre>{_e(json.dumps(value, indent=2))}</pre>"
        "</details>"
        for name, value in items.items()
    )
    return f"<h2>Provenance</h2>{blocks}"


_STYLE = """
.simulated{background:#fde2e1;border:2px solid #b00;padding:.6rem;color:#700}
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:72rem;
margin:2rem auto;padding:0 1rem;color:#222;line-height:1.4}
h1{font-size:1.6rem}h2{border-bottom:1px solid #ddd;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0}th,td{padding:.25rem .6rem;
border-bottom:1px solid #eee;text-align:right}th:first-child,td:first-child{text-align:left}
thead th{background:#f5f5f5}.metrics tr:last-child td{font-style:italic;color:#555}
.ci{color:#777;font-size:.85em}.na{color:#999}.caption,.meta{color:#666;font-size:.9em}
.wrong{color:#b00020;font-weight:bold}.right{color:#17803d}
figure{margin:1rem 0}img{max-width:100%}pre{background:#f7f7f7;padding:.5rem;
overflow-x:auto;font-size:.8em}details{margin:.3rem 0}summary{cursor:pointer}
p.interviewer{color:#0b5394}p.verdict{margin:.1rem 0 .6rem 1.5rem;font-size:.9em}
.verdict.ok{color:#17803d}.verdict.flag{color:#b00020}.rejected{color:#777}
"""
