"""Convert the Anthology paper's Pew ATP question files into interviewer questionnaires.

Source: ../shared/data/questionnaires/anthology_atp/ATP_W{34,92,99}_questions.yaml
(Moon et al. 2024, BSD-3; wording © Pew Research Center). Run from the repository root:

    python evals/scripts/convert_atp.py ../shared/data/questionnaires/anthology_atp

It rewrites evals/questionnaires/atp_w34.yaml, atp_w92.yaml and atp_w99.yaml.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

WAVES = {
    "34": "Pew ATP Wave 34 (2018): food, GMOs and science",
    "92": "Pew ATP Wave 92 (2021): social change and society",
    "99": "Pew ATP Wave 99 (2021): artificial intelligence and human enhancement",
}


def convert(source: Path, wave: str) -> dict[str, Any]:
    raw = yaml.safe_load((source / f"ATP_W{wave}_questions.yaml").read_text(encoding="utf-8"))
    questions = []
    for key, item in raw["questions"].items():
        question: dict[str, Any] = {
            "id": key,
            "text": item["question_body"].strip(),
            "options": list(item["choices"]),
        }
        if item.get("allow_randomization") and item.get("randomization_pattern"):
            question["orders"] = [list(order) for order in item["randomization_pattern"]]
        else:
            question["orders"] = [list(range(len(item["choices"])))]
        questions.append(question)
    return {
        "id": f"atp_w{wave}",
        "title": WAVES[wave],
        "source": f"anthology_atp/ATP_W{wave}_questions.yaml (Moon et al. 2024, BSD-3); "
        "wording © Pew Research Center",
        "questions": questions,
    }


def main(source: Path) -> None:
    out = Path(__file__).resolve().parents[1] / "questionnaires"
    for wave in WAVES:
        header = (
            f"# Converted by evals/scripts/convert_atp.py from {source.name}/"
            f"ATP_W{wave}_questions.yaml; see evals/ORIGIN.md.\n"
        )
        body = yaml.safe_dump(convert(source, wave), sort_keys=False, allow_unicode=True, width=100)
        (out / f"atp_w{wave}.yaml").write_text(header + body, encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
