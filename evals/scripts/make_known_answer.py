"""Write the known-answer world's humans: evals/humans/known_answer.csv.

The population, its weighted sample and the response model are in
src/interviewer/simulated/world.py; the file is a pure function of (seed 0, 2,000
humans), so this script reproduces it byte for byte (tests/test_known_answer.py
checks). Run from the repository root:

    python evals/scripts/make_known_answer.py
"""

from __future__ import annotations

from pathlib import Path

from interviewer.simulated.world import shipped_humans_csv

TARGET = Path(__file__).resolve().parents[1] / "humans" / "known_answer.csv"

if __name__ == "__main__":
    TARGET.write_text(shipped_humans_csv(), encoding="utf-8")
    print(f"wrote {TARGET}")
