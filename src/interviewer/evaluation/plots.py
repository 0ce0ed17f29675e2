"""PNG plots of an evaluation: answer distributions, metric summary, higher-order gaps."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import matplotlib

if "ipykernel" not in sys.modules:
    # Files only; never a window. A notebook keeps its inline backend: its own plots
    # must still show (ours are closed once saved, so they do not).
    matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from interviewer.evaluation.higher_order import Gap
from interviewer.evaluation.scoring import Report

HUMAN_COLOR = "#222222"
COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"]


def distributions_png(report: Report, path: Path, max_questions: int = 16) -> Path:
    """Per question: the human distribution beside each method's, option by option."""
    questions = list(report.human_distributions)[:max_questions]
    cols = min(4, len(questions))
    rows = math.ceil(len(questions) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 2.8 * rows), squeeze=False)
    series = [("human", report.human_distributions, HUMAN_COLOR)] + [
        (m.label, m.distributions, COLORS[i % len(COLORS)]) for i, m in enumerate(report.methods)
    ]
    width = 0.8 / len(series)
    for ax, qid in zip(axes.flat, questions, strict=False):
        options = len(report.human_distributions[qid])
        for k, (label, dists, color) in enumerate(series):
            if qid in dists:
                x = np.arange(options) + (k - (len(series) - 1) / 2) * width
                ax.bar(x, dists[qid], width, label=label, color=color)
        ax.set_title(qid, fontsize=9)
        ax.set_xticks(range(options), [chr(65 + i) for i in range(options)])
        ax.set_ylim(0, 1)
    for ax in list(axes.flat)[len(questions) :]:
        ax.axis("off")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.suptitle(
        f"{_mark(report.simulated)}{report.questionnaire}: answer distributions "
        "(options A = first listed)"
    )
    fig.tight_layout(rect=(0, 0, 1, 0.93))
    fig.legend(
        handles,
        labels,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.965),
        ncol=len(series),
        frameon=False,
    )
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return path


def summary_png(report: Report, path: Path) -> Path:
    """Mean WD, Frobenius and OpinionQA representativeness per method, the human
    split-half bound as a dashed line."""
    fig, axes = plt.subplots(1, 3, figsize=(13.5, 3.4))
    labels = [m.label for m in report.methods]
    for ax, metric, bound, title in (
        (axes[0], "wd_mean", report.bound.wd_mean, "mean Wasserstein distance (lower is better)"),
        (axes[1], "fro", report.bound.fro, "correlation Frobenius norm (lower is better)"),
        (
            axes[2],
            "representativeness",
            report.bound.representativeness,
            "OpinionQA representativeness (higher is better)",
        ),
    ):
        values = [getattr(m.overall, metric) for m in report.methods]
        ax.bar(
            labels,
            [v if math.isfinite(v) else 0 for v in values],
            color=[COLORS[i % len(COLORS)] for i in range(len(labels))],
        )
        for i, value in enumerate(values):
            ax.text(
                i,
                value if math.isfinite(value) else 0,
                "n/a" if not math.isfinite(value) else f"{value:.3f}",
                ha="center",
                va="bottom",
                fontsize=8,
            )
        if math.isfinite(bound):
            ax.axhline(bound, color=HUMAN_COLOR, linestyle="--", label="human split-half bound")
            ax.legend(fontsize=8, loc="lower right")
        ax.set_title(title, fontsize=9)
    if report.simulated:
        fig.suptitle(_mark(True) + report.questionnaire, color="#b00020")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _mark(simulated: bool) -> str:
    """The title prefix of a plot of simulated-engine answers."""
    return "SIMULATED engine, not a model: " if simulated else ""


def gaps_png(gaps: dict[str, list[Gap]], path: Path, simulated: bool = False) -> Path:
    """Simulated gap per party and method, the published human gap marked."""
    methods = list(gaps)
    parties = ["Democrat", "Republican"]
    fig, ax = plt.subplots(figsize=(7, 3.6))
    width = 0.8 / max(len(methods), 1)
    for k, method in enumerate(methods):
        by_party = {g.party: g for g in gaps[method]}
        values = [by_party[p].gap if p in by_party else float("nan") for p in parties]
        x = np.arange(len(parties)) + (k - (len(methods) - 1) / 2) * width
        ax.bar(
            x,
            [v if math.isfinite(v) else 0 for v in values],
            width,
            label=method,
            color=COLORS[k % len(COLORS)],
        )
        for xi, value in zip(x, values, strict=True):
            if not math.isfinite(value):
                ax.text(xi, 0.02, "n/a", ha="center", va="bottom", fontsize=8)
    first = gaps[methods[0]] if methods else []
    study = first[0].study if first else ""
    for i, party in enumerate(parties):
        target = next((g.target_gap for g in first if g.party == party), None)
        if target is not None:
            ax.plot(
                [i - 0.45, i + 0.45],
                [target, target],
                color=HUMAN_COLOR,
                linewidth=2.5,
                label="human target" if i == 0 else None,
            )
    ax.axhline(0, color="#999999", linewidth=0.8)
    ax.set_xticks(range(len(parties)), parties)
    ax.set_ylabel("gap Δ (rating points)")
    ax.set_title(f"{_mark(simulated)}{study}: simulated gap vs published human gap")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


AXES = {
    "H1": "personas in the matching pool",
    "H2": "mean words per persona transcript",
    "H3": "critic (0 = off, 1 = on)",
}
TITLES = {"H1": "H1 quantity", "H2": "H2 depth", "H3": "H3 consistency"}


def ablation_png(
    hypothesis: str, points: list[dict[str, float | str]], path: Path, simulated: bool = False
) -> Path:
    """Mean WD and Frobenius against the ablated variable, one point per method."""
    xs = [float(p["x"]) for p in points]
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
    for ax, metric, title in (
        (axes[0], "wd_mean", "mean Wasserstein distance"),
        (axes[1], "fro", "correlation Frobenius norm"),
    ):
        ys = [float(p[metric]) if p[metric] is not None else float("nan") for p in points]
        _ablation_panel(ax, xs, ys, [str(p["label"]) for p in points])
        ax.set_xlabel(AXES.get(hypothesis, "x"))
        ax.set_title(f"{title} (lower is better)", fontsize=9)
        if hypothesis == "H3":
            ax.set_xticks([0, 1], ["off", "on"])
            ax.set_xlim(-0.3, 1.3)
    fig.suptitle(
        f"{_mark(simulated)}{TITLES.get(hypothesis, hypothesis)}: metrics against the ablated "
        "variable"
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _ablation_panel(ax: Axes, xs: list[float], ys: list[float], labels: list[str]) -> None:
    defined = [
        (x, y, label) for x, y, label in zip(xs, ys, labels, strict=True) if math.isfinite(y)
    ]
    if not defined:
        ax.text(
            0.5,
            0.5,
            "n/a: undefined for every point\n(too few respondents to correlate)",
            ha="center",
            va="center",
            transform=ax.transAxes,
            fontsize=9,
        )
        ax.set_yticks([])
        if xs:
            ax.set_xlim(min(xs) - 0.5, max(xs) + 0.5)
        return
    ax.plot([d[0] for d in defined], [d[1] for d in defined], marker="o", color=COLORS[0])
    for x, y, label in defined:
        ax.annotate(
            label, (x, y), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=7
        )
    low = min(d[1] for d in defined)
    for x, y, label in zip(xs, ys, labels, strict=True):
        if not math.isfinite(y):
            ax.annotate(
                f"{label}: n/a",
                (x, low),
                textcoords="offset points",
                xytext=(0, -14),
                ha="center",
                fontsize=7,
                color="#999999",
            )
