"""The known-answer suite end to end on the simulated engine: wall time and what it finds.

Runs evals/suites/known_answer.yaml (scaled by ``--scale``) through ``run_suite``, the
code ``interviewer eval --suite`` runs, with the cache off, and prints the wall and CPU
time, each method's WD mean with its bootstrap interval and the planted ordering's
verdict. The numbers are the simulated engine's (SIMULATED), never a model's.

    python -m bench.known_answer [--scale 1.0]
"""

from __future__ import annotations

import argparse
import io
import json
import tempfile
import time
from pathlib import Path

from rich.console import Console

from interviewer.paths import resource_dir
from interviewer.settings import load_settings
from interviewer.study import load_suite, run_suite, scaled


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    suite = scaled(load_suite(resource_dir("evals") / "suites" / "known_answer.yaml"), args.scale)
    settings = load_settings(base=suite.settings, overrides={"cache": False})
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        wall, cpu = time.perf_counter(), time.process_time()
        run_suite(suite, settings, out, Console(file=io.StringIO()))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        report = json.loads((out / "report" / "report.json").read_text())
    print(f"known_answer x{args.scale}: {wall:.1f} s wall, {cpu:.1f} s CPU (SIMULATED engine)")
    overall = {m["label"]: m["overall"] for m in report["methods"]}
    for label, o in overall.items():
        low, high = o["wd_mean_ci"]
        print(f"  {label:<10} n={o['n']:<4} WD mean {o['wd_mean']:.3f} [{low:.3f}, {high:.3f}]")
    print(f"  human split-half bound {report['bound']['wd_mean']:.3f}")
    ci = {label: o["wd_mean_ci"] for label, o in overall.items()}
    apart = all(
        ci["interview"][1] < ci["anthology"][0] and ci["anthology"][1] < ci[b][0]
        for b in ("qa", "bio", "portray")
    )
    print(f"  planted ordering interview < anthology < qa/bio/portray, intervals apart: {apart}")


if __name__ == "__main__":
    main()
