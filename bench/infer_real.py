"""Real data, real model: how well `interviewer infer` does on GSS 2022 with the
embedded Gemma-3-270M's personas.

    python bench/infer_real.py [--personas 40] [--draws 500] [--out runs/infer_real]

Model stage (once; the response cache answers a rerun): ``--personas`` Anthology
backstories on the embedded model (``--tokens`` long), their demographics, and the GSS
2022 questionnaire asked by logprobs. Inference stage: the whole GSS file is the frame
(demographics and weights); each of ``--draws`` pilots is 100 respondents drawn from
it, the other respondents' weighted answers the truth. Predictions are fixed once
surveyed, so only the pilot changes per draw. Prints, per question and option, how
often each 90% interval (naive: personas only; pilot: the 100 only; rectified: PPI++)
covers the held-back share, the mean widths, and the effective sample size.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

GSS = Path(__file__).resolve().parent.parent / "evals" / "humans"


def model_stage(out: Path, personas: int, tokens: int) -> tuple[Path, Path]:
    """Personas, demographics and the survey on the embedded model (resumable)."""
    import interviewer as iv

    run_dir, responses = out / "personas", out / "responses.jsonl"
    started = time.perf_counter()
    have = len(list(run_dir.glob("p*.json"))) if run_dir.is_dir() else 0
    if have < personas:
        iv.make_personas(
            run_dir,
            personas,
            method="anthology",
            overrides={"interview.anthology_tokens": tokens},
            resume=(run_dir / "manifest.json").is_file(),
            progress=False,
        )
    print(f"personas: {personas} in {time.perf_counter() - started:.0f} s", flush=True)
    iv.fill_demographics(run_dir, progress=False)
    print(f"demographics: done at {time.perf_counter() - started:.0f} s", flush=True)
    iv.run_survey(
        GSS / "gss2022.yaml",
        responses,
        run=run_dir,
        resume=responses.is_file(),
        progress=False,
    )
    print(f"survey: done at {time.perf_counter() - started:.0f} s", flush=True)
    return run_dir, responses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--personas", type=int, default=40)
    parser.add_argument("--tokens", type=int, default=120)
    parser.add_argument("--draws", type=int, default=500)
    parser.add_argument("--pilot", type=int, default=100)
    parser.add_argument("--alpha", type=float, default=0.1)
    parser.add_argument("--out", type=Path, default=Path("runs/infer_real"))
    parser.add_argument("--model-only", action="store_true")
    args = parser.parse_args()
    model_stage(args.out, args.personas, args.tokens)


if __name__ == "__main__":
    main()
