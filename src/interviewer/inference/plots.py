"""Interval plots of ``interviewer infer``: per question, each option's share with its
naive, pilot and rectified intervals, one above the other."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt

from interviewer.evaluation.plots import COLORS, _mark

KINDS = (("naive", COLORS[1]), ("pilot", COLORS[0]), ("rectified", COLORS[2]))
MAX_QUESTIONS = 16


def intervals_png(section: dict[str, Any], path: Path) -> Path:
    """Overall estimates only (subgroups are in the tables)."""
    questions = section["questions"][:MAX_QUESTIONS]
    cols = min(3, len(questions))
    rows = math.ceil(len(questions) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5 * cols, 0.5 + 1.1 * rows * 3), squeeze=False)
    for ax, question in zip(axes.flat, questions, strict=False):
        options = question["overall"]["options"]
        for k, target in enumerate(options):
            for j, (kind, color) in enumerate(KINDS):
                e = target[kind]
                if e is None:
                    continue
                y = k + (1 - j) * 0.25
                ax.plot([e["lower"], e["upper"]], [y, y], color=color, linewidth=2.5)
                ax.plot([e["value"]], [y], "o", color=color, markersize=3.5)
        ax.set_yticks(range(len(options)), [_short(t["label"]) for t in options], fontsize=7)
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        ax.set_title(question["id"], fontsize=9)
    for ax in list(axes.flat)[len(questions) :]:
        ax.axis("off")
    for kind, color in KINDS:
        axes.flat[0].plot([], [], color=color, linewidth=2.5, label=kind)
    fig.legend(loc="upper center", ncol=3, frameon=False, bbox_to_anchor=(0.5, 1.0))
    fig.suptitle(
        f"{_mark(section['simulated'])}option shares, {section['level']:.0%} intervals "
        "(naive = personas only)",
        y=1.03,
        fontsize=10,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return path


def _short(label: str, size: int = 22) -> str:
    return label if len(label) <= size else label[: size - 1] + "…"
