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
covers the held-back share, the mean widths, and the effective sample size; then one
``infer`` run as a user runs it, and the adaptive simulation size with the first five
questions as a past survey and no pilot.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
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


def draws_stage(
    run_dir: Path, responses: Path, draws: int, pilot_n: int, alpha: float, unweighted: bool
) -> dict[str, list[float]]:
    """Coverage of the held-back shares over ``draws`` pilots; prints the table."""
    import numpy as np

    import interviewer.api as iv
    from interviewer.inference.population import Inputs, assemble
    from interviewer.inference.results import estimate

    q = iv.open_questionnaire(GSS / "gss2022.yaml")
    file = GSS / "gss2022.csv"
    full = assemble(Inputs(responses, run_dir, q, file, pilot=file))
    source = full.pilot
    assert source is not None
    if unweighted:  # every respondent 1: the truth, the pilot and the frame unweighted
        ones = replace(source.people, weights=np.ones(len(source.people)))
        source = replace(source, people=ones)
        full = replace(full, frame=replace(full.frame, people=ones), pilot=source)
    people = source.people
    rng = np.random.default_rng(0)
    kinds = ("naive", "pilot", "rectified")
    rows: dict[tuple[str, str], dict[str, list[float]]] = {}
    started = time.perf_counter()
    for _ in range(draws):
        chosen = rng.choice(len(people), pilot_n, replace=False)
        rest = np.setdiff1d(np.arange(len(people)), chosen)
        drawn = replace(full, pilot=source.take(chosen))
        for result in estimate(drawn, alpha).questions:
            qid = result.question.id
            answers = people.answers[qid][rest]
            kept = ~np.isnan(answers)
            weights = people.weights[rest][kept]
            for k, target in enumerate(result.overall.options):
                assert target.pilot is not None and target.rectified is not None
                truth = float(np.average(answers[kept] == k, weights=weights))
                cell = rows.setdefault((qid, target.label), {})
                for kind in kinds:
                    e = getattr(target, kind)
                    cell.setdefault(kind, []).append(float(e.lower <= truth <= e.upper))
                    cell.setdefault(kind + "_w", []).append(e.width)
                cell.setdefault("ess", []).append(target.ess or float("nan"))
                cell.setdefault("lam", []).append(target.rectified.lam or 0.0)
                cell.setdefault("n", []).append(float(target.pilot.n))
    elapsed = time.perf_counter() - started
    _print_table(rows, draws, pilot_n, alpha, elapsed)
    print("\ndispersion over the whole file (personas' rating variance / people's):")
    for result in estimate(full, alpha).questions:
        spread = result.overall.dispersion
        assert spread is not None
        warning = spread.warning(alpha)
        print(f"  {result.question.id:10} {spread.ratio:.2f}  {warning or ''}")
    return {k: [float(np.mean(c[k])) for c in rows.values()] for k in ("rectified", "ess")}


def _print_table(
    rows: dict[tuple[str, str], dict[str, list[float]]],
    draws: int,
    pilot_n: int,
    alpha: float,
    elapsed: float,
) -> None:
    import numpy as np

    print(
        f"\n{draws} pilots of {pilot_n} from GSS 2022 (rest = truth), {1 - alpha:.0%} "
        f"intervals, {elapsed:.1f} s"
    )
    head = f"{'question':10} {'option':28} {'n':>5} {'cov naive':>9} {'cov pilot':>9} "
    head += f"{'cov rect':>8} {'w naive':>8} {'w pilot':>8} {'w rect':>7} {'lam':>5} {'ESS':>6}"
    print(head)
    for (qid, label), c in rows.items():
        print(
            f"{qid:10} {label[:28]:28} {np.mean(c['n']):5.0f} {np.mean(c['naive']):9.3f} "
            f"{np.mean(c['pilot']):9.3f} {np.mean(c['rectified']):8.3f} "
            f"{np.mean(c['naive_w']):8.3f} {np.mean(c['pilot_w']):8.3f} "
            f"{np.mean(c['rectified_w']):7.3f} {np.mean(c['lam']):5.2f} "
            f"{np.nanmean(c['ess']):6.1f}"
        )
    every = {k: np.mean([np.mean(c[k]) for c in rows.values()]) for k in rows[next(iter(rows))]}
    ratio = (
        np.mean([np.mean(c["n"]) for c in rows.values()])
        * np.sum([np.mean(c["pilot_w"]) ** 2 for c in rows.values()])
        / np.sum([np.mean(c["rectified_w"]) ** 2 for c in rows.values()])
    )
    print(
        f"{'ALL':39} {every['n']:5.0f} {every['naive']:9.3f} {every['pilot']:9.3f} "
        f"{every['rectified']:8.3f} {every['naive_w']:8.3f} {every['pilot_w']:8.3f} "
        f"{every['rectified_w']:7.3f} {every['lam']:5.2f} {ratio:6.1f}"
    )
    print(f"ESS / n over every option: {ratio / every['n']:.2f}")
    print(
        "ESS column: mean over draws of n·(pilot width / rectified width)²; the ALL row's: "
        "the same ratio on the mean squared widths over every option"
    )


def one_run(run_dir: Path, responses: Path, out: Path, pilot_n: int) -> None:
    """One ``interviewer infer`` as a user runs it, on a pilot CSV of ``pilot_n``."""
    import csv

    import numpy as np

    from interviewer.cli import main as cli

    rows = list(csv.DictReader((GSS / "gss2022.csv").open(newline="")))
    chosen = np.random.default_rng(1).choice(len(rows), pilot_n, replace=False)
    pilot = out / "pilot100.csv"
    with pilot.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows[int(i)] for i in chosen)
    args = ["infer", str(responses), "--personas", str(run_dir), "-q"]
    args += [str(GSS / "gss2022.yaml"), "--frame", str(GSS / "gss2022.csv")]
    args += ["--pilot", str(pilot), "--out", str(out / "report")]
    print("\n$ interviewer " + " ".join(args))
    cli(args)


def adaptive_stage(run_dir: Path, responses: Path, out: Path, alpha: float) -> None:
    """No pilot: the first five GSS questions as the past survey, the other four new."""
    import json

    import interviewer.api as iv

    q = iv.open_questionnaire(GSS / "gss2022.yaml")
    ids = [question.id for question in q.questions]
    lines = responses.read_text(encoding="utf-8").splitlines()
    split = {}
    for name, keep in (("past", ids[:5]), ("new", ids[5:])):
        split[name] = out / f"responses_{name}.jsonl"
        chosen = [line for line in lines if json.loads(line)["question_id"] in keep]
        split[name].write_text("".join(f"{line}\n" for line in chosen), encoding="utf-8")
    result = iv.infer(
        split["new"],
        run_dir,
        iv.open_questionnaire(GSS / "gss2022.yaml", ids[5:]),
        GSS / "gss2022.csv",
        out / "adaptive",
        alpha=alpha,
        past_humans=GSS / "gss2022.csv",
        past_responses=split["past"],
        past_questionnaire=iv.open_questionnaire(GSS / "gss2022.yaml", ids[:5]),
    )
    adaptive = result.body["adaptive"]
    print(f"\nadaptive simulation size, past = {ids[:5]}, new = {ids[5:]}:")
    print(f"  k-hat {adaptive['k']} over {adaptive['past_targets']} past options")
    for line in result.summary:
        print(" ", line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--personas", type=int, default=40)
    parser.add_argument("--tokens", type=int, default=120)
    parser.add_argument("--draws", type=int, default=500)
    parser.add_argument("--pilot", type=int, default=100)
    parser.add_argument("--alpha", type=float, default=0.1)
    parser.add_argument("--out", type=Path, default=Path("runs/infer_real"))
    parser.add_argument("--model-only", action="store_true")
    parser.add_argument(
        "--unweighted", action="store_true", help="ignore the GSS weights (pilot, frame, truth)"
    )
    args = parser.parse_args()
    run_dir, responses = model_stage(args.out, args.personas, args.tokens)
    if args.model_only:
        return
    draws_stage(run_dir, responses, args.draws, args.pilot, args.alpha, args.unweighted)
    if not args.unweighted:
        one_run(run_dir, responses, args.out, args.pilot)
        adaptive_stage(run_dir, responses, args.out, args.alpha)


if __name__ == "__main__":
    main()
