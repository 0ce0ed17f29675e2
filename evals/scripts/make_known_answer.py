"""Write the known-answer world's humans: evals/humans/known_answer.csv.

The population, its weighted sample and the response model are in
src/interviewer/simulated/world.py; the file is a pure function of (seed, n), so this
script reproduces it byte for byte (tests/test_known_answer.py checks). Run from the
repository root:

    python evals/scripts/make_known_answer.py
"""

from __future__ import annotations

from pathlib import Path

from interviewer.contracts.questionnaire import load_questionnaire
from interviewer.simulated.world import humans_csv, sample_humans

SEED = 0
N = 2000
ROOT = Path(__file__).resolve().parents[1]
QUESTIONNAIRE = ROOT / "questionnaires" / "known_answer.yaml"
TARGET = ROOT / "humans" / "known_answer.csv"


def known_answer_csv(seed: int = SEED, n: int = N) -> str:
    questionnaire = load_questionnaire(QUESTIONNAIRE)
    return humans_csv(sample_humans(seed, n, questionnaire), questionnaire)


if __name__ == "__main__":
    TARGET.write_text(known_answer_csv(), encoding="utf-8")
    print(f"wrote {TARGET}")
