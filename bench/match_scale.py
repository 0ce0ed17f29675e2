"""Benchmark: matching humans to personas at paper scale (default 5,000 × 40,000).

Personas get random demographic distributions over the canonical traits and humans
random profiles; prints the time and peak memory of each matching method.

    python bench/match_scale.py [--humans 5000] [--personas 40000] [--seed 0]
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np

from interviewer.demographics import traits
from interviewer.matching import METHODS, TraitTable, match


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--humans", type=int, default=5000)
    parser.add_argument("--personas", type=int, default=40000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
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
