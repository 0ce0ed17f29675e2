"""Benchmark 4: matching and metrics at paper scale (default 5,000 humans × 40,000 personas).

Matching: personas get random demographic distributions over the canonical traits and
humans random profiles; each matching method's time and peak memory. Metrics: 40,000
simulated respondents answer the CCES 2018 items (random probs and draws) and are scored
against 5,000 random humans as ``interviewer eval`` does: WD, Frobenius, alpha, the
bootstrap CIs and the human split-half bound.

    python -m bench.paper_scale [--humans 5000] [--personas 40000] [--resamples 200]
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np

from interviewer.contracts.demographics import traits
from interviewer.contracts.questionnaire import Questionnaire, load_questionnaire
from interviewer.evaluation.scoring import Table, human_bound, score
from interviewer.matching import METHODS, TraitTable, match
from interviewer.paths import resource_dir


def random_table(humans: int, personas: int, seed: int) -> TraitTable:
    rng = np.random.default_rng(seed)
    options = {name: q.options for name, q in traits().items()}
    logp = [
        np.log(np.maximum(rng.dirichlet(np.full(len(o), 0.5), size=personas), 1e-6))
        for o in options.values()
    ]
    codes = np.stack([rng.integers(0, len(o), size=humans) for o in options.values()], axis=1)
    return TraitTable(list(options), logp, codes)


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def answer_tables(
    questionnaire: Questionnaire, humans: int, personas: int, seed: int
) -> tuple[Table, Table]:
    rng = np.random.default_rng(seed)
    sizes = [len(q.options) for q in questionnaire.questions]

    def answers(rows: int) -> np.ndarray:
        return np.stack([rng.integers(0, k, size=rows) for k in sizes], axis=1).astype(float)

    human = Table([f"h{i}" for i in range(humans)], answers(humans), rng.uniform(0.2, 3, humans))
    probs = [
        {
            q.id: rng.dirichlet(np.ones(k)).tolist()
            for q, k in zip(questionnaire.questions, sizes, strict=True)
        }
        for _ in range(personas)
    ]
    ids = [f"p{i:05d}" for i in range(personas)]
    return human, Table(ids, answers(personas), np.ones(personas), probs)


def metrics(args: argparse.Namespace) -> None:
    path = resource_dir("evals") / "humans" / "cces2018.yaml"
    questionnaire = load_questionnaire(path)
    human, simulated = answer_tables(questionnaire, args.humans, args.personas, args.seed)
    print(f"metrics: {len(questionnaire.questions)} CCES 2018 items")
    started = time.perf_counter()
    point = score(human, simulated, questionnaire)
    print(
        f"    score: {time.perf_counter() - started:6.1f} s (WD mean {point.wd_mean:.3f}, "
        f"Fro {point.fro:.3f}, alpha {point.alpha:.2f}), peak RSS {peak_mib():,.0f} MiB"
    )
    started = time.perf_counter()
    score(human, simulated, questionnaire, resamples=args.resamples, seed=args.seed)
    print(
        f"  + {args.resamples} bootstrap resamples: {time.perf_counter() - started:6.1f} s, "
        f"peak RSS {peak_mib():,.0f} MiB"
    )
    started = time.perf_counter()
    human_bound(human, questionnaire, splits=args.splits, seed=args.seed)
    print(
        f"    human split-half bound, {args.splits} splits: "
        f"{time.perf_counter() - started:6.1f} s, peak RSS {peak_mib():,.0f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--humans", type=int, default=5000)
    parser.add_argument("--personas", type=int, default=40000)
    parser.add_argument("--resamples", type=int, default=200)
    parser.add_argument("--splits", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    matching(args)
    metrics(args)


def matching(args: argparse.Namespace) -> None:
    started = time.perf_counter()
    table = random_table(args.humans, args.personas, args.seed)
    print(
        f"{args.humans:,} humans × {args.personas:,} personas, {len(table.traits)} traits "
        f"(built in {time.perf_counter() - started:.1f} s, peak {peak_mib():,.0f} MiB)"
    )
    for method in METHODS:
        started = time.perf_counter()
        result = match(table, method, seed=args.seed)
        print(
            f"{method:>9}: {time.perf_counter() - started:6.1f} s, mean log-weight "
            f"{result.mean_log_weight:8.3f}, {len(result.log_weight):,} pairs, "
            f"distinct personas {len(set(result.persona_index.tolist())):,}, "
            f"peak RSS {peak_mib():,.0f} MiB"
        )


if __name__ == "__main__":
    main()
