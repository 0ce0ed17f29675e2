"""The inference section of ``report.html``: intervals table, plot, notes, provenance.

Into a page an evaluation already wrote in the same folder, the section goes before
``</body>`` (replacing an earlier inference section); otherwise it is a page of its own,
styled as the evaluation's.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from interviewer.evaluation.html import _STYLE, _e, _figure, _num, _table
from interviewer.simulated import SIMULATED_NOTE, SIMULATED_PREFIX
from interviewer.storage import atomic_write_text

START, END = "<!-- inference -->", "<!-- /inference -->"


def write_inference_html(out: Path, section: dict[str, Any], plot: Path) -> Path:
    path = out / "report.html"
    block = f"{START}\n{render_section(section, plot)}\n{END}"
    if path.is_file():
        page = path.read_text(encoding="utf-8")
        if START in page:
            page = re.sub(
                f"{re.escape(START)}.*?{re.escape(END)}", lambda _: block, page, count=1, flags=re.S
            )
        else:
            page = page.replace("</body>", block + "\n</body>", 1)
    else:
        prefix = f"{SIMULATED_PREFIX} " if section["simulated"] else ""
        title = _e(f"{prefix}interviewer infer: {section['provenance']['questionnaire']}")
        page = (
            f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}'
            f"</title><style>{_STYLE}</style></head>\n<body>\n{block}\n</body></html>\n"
        )
    atomic_write_text(path, page)
    return path


def render_section(section: dict[str, Any], plot: Path) -> str:
    level = f"{section['level']:.0%}"
    parts = [f"<h2>Population estimates ({level} intervals)</h2>"]
    if section["simulated"]:
        parts.append(f'<p class="simulated"><strong>{_e(SIMULATED_NOTE)}</strong></p>')
    parts.append(
        f'<p class="meta">frame {section["n_frame"]} respondents · pilot '
        f"{section['n_pilot']} · effective sample size {_num(section['ess'], 0)} · "
        f"match {_e(section['provenance']['match']['method'])}</p>"
    )
    parts += [f'<p class="wrong">{_e(w)}</p>' for w in section["warnings"]]
    parts += [f'<p class="caption">{_e(note)}</p>' for note in section["notes"]]
    parts.append(_figure(plot))
    for question in section["questions"]:
        parts.append(f"<h3>{_e(question['id'])}</h3><p>{_e(question['text'])}</p>")
        parts.append(_question_table(question["overall"]))
        for value, group in question.get("by", {}).items():
            parts.append(f'<p class="caption">{_e(section["by"])} = {_e(value)}</p>')
            parts.append(_question_table(group))
    parts.append(
        "<details><summary>inference provenance</summary><pre>"
        f"{_e(json.dumps(section['provenance'], indent=2))}</pre></details>"
    )
    return "\n".join(parts)


def _question_table(group: dict[str, Any]) -> str:
    rows = [
        [
            _e(t["label"]),
            _cell(t["naive"]),
            _cell(t["pilot"]),
            _cell(t["rectified"]),
            _num(t["rectified"]["lam"], 2) if t["rectified"] else _num(None),
            _num(t["ess"], 0),
        ]
        for t in [*group["options"], group["mean"]]
    ]
    spread = group["dispersion"]
    caption = (
        f'<p class="caption">frame {group["n_frame"]}, pilot {group["n_pilot"]}'
        + (f" · {_e(group['note'])}" if group["note"] else "")
        + (
            f" · personas' rating variance {_num(spread['ratio'], 2)} of the pilot's"
            if spread
            else ""
        )
        + "</p>"
    )
    head = ["", "naive (personas only)", "pilot only", "rectified", "λ", "ESS"]
    return caption + _table(head, rows, "metrics")


def _cell(e: dict[str, Any] | None) -> str:
    if e is None:
        return _num(None)
    return f'{_num(e["value"])} <span class="ci">[{_num(e["lower"])}, {_num(e["upper"])}]</span>'
