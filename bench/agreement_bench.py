"""Benchmark the agreement statistics on realistic binary coding data.

Each code is applied to a unit with its own prevalence (2-50 %); every coder reports the true
value with a per-code accuracy of 90-96 %, so coders agree on roughly 82-92 % of units.  The
script times all statistics per code (no bootstrap) against the project target, a bootstrap,
and, when the GPL ``krippendorff`` package is installed, Krippendorff's alpha against it.

    python bench/agreement_bench.py --units 100000 --codes 30 --coders 3 --seed 0
    python bench/agreement_bench.py --project   # the same size as a project file, from the store
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable

import numpy as np

from qualkit.agreement.stats import Ratings, krippendorff_alpha, ratings_from_wide, summarize

TARGET_SECONDS = 2.0


def make_codes(units: int, codes: int, coders: int, missing: float, seed: int) -> list[np.ndarray]:
    """One units x coders 0/1 matrix per code (-1 where a rating is missing)."""
    rng = np.random.default_rng(seed)
    matrices = []
    for _ in range(codes):
        prevalence, accuracy = rng.uniform(0.02, 0.5), rng.uniform(0.90, 0.96)
        truth = rng.random(units) < prevalence
        correct = rng.random((units, coders)) < accuracy
        matrix = np.where(correct, truth[:, None], ~truth[:, None]).astype(np.int64)
        matrix[rng.random((units, coders)) < missing] = -1
        matrices.append(matrix)
    return matrices


def timed(action: Callable[[], object], repeats: int) -> list[float]:
    """Wall-clock seconds of ``repeats`` calls."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return times


def time_all_statistics(matrices: list[np.ndarray], repeats: int) -> list[float]:
    """Seconds to summarize every code (no bootstrap), per repeat."""
    times = []
    for _ in range(repeats):
        # Fresh Ratings each repeat, so the per-object pattern cache cannot flatter the timing.
        ratings = [Ratings(matrix, (0, 1)) for matrix in matrices]
        start = time.perf_counter()
        for one in ratings:
            summarize(one)
        times.append(time.perf_counter() - start)
    return times


def row(label: str, times: list[float], extra: str = "") -> None:
    print(f"  {label:<34} {min(times):9.4f} s {statistics.median(times):9.4f} s  {extra}")


def bench_bootstrap(matrices: list[np.ndarray], repeats: int) -> None:
    ratings = Ratings(matrices[0][:1000], (0, 1))
    times = timed(lambda: summarize(ratings, n_boot=1000, seed=0), repeats)
    row("bootstrap: 1000 resamples x 1000 units", times, "(all statistics, one code)")
    rng = np.random.default_rng(1)
    ordinal = rng.integers(1, 6, size=(1000, 4)).astype(float)
    ordinal[rng.random(ordinal.shape) < 0.1] = np.nan
    scale = ratings_from_wide(ordinal, level="ordinal")
    times = timed(lambda: summarize(scale, n_boot=1000, seed=0), repeats)
    row("bootstrap: same, 5-point ordinal", times, "(4 coders, 10 % missing)")


def compare_krippendorff(matrices: list[np.ndarray], repeats: int) -> bool:
    """Time alpha against the krippendorff package on the same float data; True if values match."""
    try:
        import krippendorff
    except ImportError:
        print("  krippendorff package not installed: comparison skipped")
        return True
    data = [np.where(m < 0, np.nan, m.astype(float)) for m in matrices]
    ours = timed(lambda: [krippendorff_alpha(ratings_from_wide(d)) for d in data], repeats)
    theirs = timed(
        lambda: [
            krippendorff.alpha(reliability_data=d.T, level_of_measurement="nominal") for d in data
        ],
        repeats,
    )
    diff = max(
        abs(
            krippendorff_alpha(ratings_from_wide(d))
            - krippendorff.alpha(reliability_data=d.T, level_of_measurement="nominal")
        )
        for d in data
    )
    ratio = min(ours) / min(theirs)
    row("alpha only, qualkit (from floats)", ours)
    row("alpha only, krippendorff package", theirs, f"qualkit/krippendorff = {ratio:.2f}")
    verdict = "OK" if diff <= 1e-9 else "MISMATCH"
    print(f"  max |alpha difference| over {len(data)} codes: {diff:.2e} (tolerance 1e-9) {verdict}")
    return diff <= 1e-9


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--codes", type=int, default=30)
    parser.add_argument("--coders", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--missing", type=float, default=0.0, help="share of missing ratings")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--project",
        action="store_true",
        help="build a real project file (--units segments) and time `agree` from the store",
    )
    args = parser.parse_args(argv)
    if args.project:
        return _project(args)
    matrices = make_codes(args.units, args.codes, args.coders, args.missing, args.seed)
    print(
        f"agreement benchmark: {args.units:,} units x {args.coders} coders x {args.codes} "
        f"binary codes, {args.missing:.0%} missing, seed {args.seed}, "
        f"{os.cpu_count()} CPUs, best/median of {args.repeats}"
    )
    print(f"  {'':<34} {'min':>11} {'median':>11}")
    build = timed(lambda: [Ratings(m, (0, 1)) for m in matrices], args.repeats)
    row("build Ratings, all codes", build)
    total = time_all_statistics(matrices, args.repeats)
    verdict = "OK" if min(total) <= TARGET_SECONDS else "TOO SLOW"
    row("all statistics, all codes", total, f"target <= {TARGET_SECONDS:.1f} s: {verdict}")
    row("all statistics, per code", [t / args.codes for t in total])
    bench_bootstrap(matrices, args.repeats)
    matches = compare_krippendorff(matrices, args.repeats)
    return 0 if verdict == "OK" and matches else 1


def _project(args: argparse.Namespace) -> int:
    """The --project mode lives in agreement_project_bench.py (run as a script next to it)."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from agreement_project_bench import main as project_main

    return project_main(
        [
            f"--segments={args.units}",
            f"--codes={args.codes}",
            f"--coders={args.coders}",
            f"--seed={args.seed}",
            f"--repeats={min(args.repeats, 3)}",
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
