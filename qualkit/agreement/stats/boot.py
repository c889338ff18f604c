"""Percentile bootstrap confidence intervals over units.

Resampling n units with replacement is the same as drawing, for each distinct row pattern, how
many copies of it the resample holds: a multinomial over patterns with probabilities
count / n.  Drawing those counts directly costs O(patterns) per resample instead of O(units),
and the kernels then evaluate a whole block of resamples with one matrix product.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import numpy as np

from qualkit.agreement.stats.data import MISSING, Ratings
from qualkit.agreement.stats.kernels import Kernel, Patterns, UndefinedStatisticError

# 100,000 resamples bound a 95% interval's Monte Carlo error far below any reported digit;
# more only burns time (100 million ran for hours).
MAX_BOOT = 100_000
CELL_BUDGET = 1_000_000  # resamples x patterns evaluated per block, to bound memory


@dataclass(frozen=True)
class BootstrapCI:
    """A percentile bootstrap interval.

    Attributes:
        statistic: name of the statistic.
        low: lower bound, or None when no resample gave a value.
        high: upper bound, or None when no resample gave a value.
        ci_level: confidence level, e.g. 0.95.
        n_boot: number of resamples drawn.
        n_skipped: resamples in which the statistic was undefined (left out of the percentiles).
    """

    statistic: str
    low: float | None
    high: float | None
    ci_level: float
    n_boot: int
    n_skipped: int

    def as_list(self) -> list[float | None]:
        """``[low, high]`` as JSON-ready Python floats (or None)."""
        return [self.low, self.high]


def make_rng(seed: int | None, rng: np.random.Generator | None) -> np.random.Generator:
    """One generator from either a seed or a caller's generator, never both."""
    if seed is not None and rng is not None:
        raise ValueError("pass seed or rng, not both")
    return rng if rng is not None else np.random.default_rng(seed)


def check_options(n_boot: int, ci_level: float) -> None:
    """Reject a non-positive resample count or a level outside (0, 1)."""
    if int(n_boot) != n_boot or n_boot < 1:
        raise ValueError(f"n_boot must be a positive integer, got {n_boot!r}")
    if n_boot > MAX_BOOT:
        raise ValueError(f"n_boot is at most {MAX_BOOT:,} resamples, got {n_boot:,}")
    if not 0.0 < ci_level < 1.0:
        raise ValueError(f"ci_level must lie strictly between 0 and 1, got {ci_level!r}")


def resample_weights(pat: Patterns, n_boot: int, rng: np.random.Generator) -> Iterator[np.ndarray]:
    """Yield blocks of (b, p) pattern counts, one row per resample of the rated units."""
    n, p = int(pat.weight.sum()), pat.weight.size
    if n == 0:
        yield np.zeros((n_boot, 0))
        return
    block = max(1, CELL_BUDGET // max(p, 1))
    probs = pat.weight / n
    done = 0
    while done < n_boot:
        b = min(block, n_boot - done)
        if 4 * p <= n:
            counts = rng.multinomial(n, probs, size=b)
        else:
            # Nearly every unit is its own pattern: drawing unit indices is cheaper.
            picks = pat.inverse[rng.integers(0, n, size=(b, n))]
            flat = (picks + p * np.arange(b)[:, None]).ravel()
            counts = np.bincount(flat, minlength=b * p).reshape(b, p)
        done += b
        yield counts.astype(float)


def percentile_interval(name: str, draws: np.ndarray, ci_level: float, n_boot: int) -> BootstrapCI:
    """Percentile interval of the finite draws; NaN draws count as skipped."""
    finite = draws[np.isfinite(draws)]
    skipped = int(n_boot - finite.size)
    if not finite.size:
        return BootstrapCI(name, None, None, ci_level, n_boot, skipped)
    tail = (1.0 - ci_level) / 2.0 * 100.0
    low, high = np.percentile(finite, [tail, 100.0 - tail])
    return BootstrapCI(name, float(low), float(high), ci_level, n_boot, skipped)


def bootstrap_kernels(
    pat: Patterns,
    kernels: Mapping[str, Kernel],
    *,
    n_boot: int,
    ci_level: float,
    rng: np.random.Generator,
) -> dict[str, BootstrapCI]:
    """Evaluate several kernels on the same resamples and return one interval per kernel."""
    draws: dict[str, list[np.ndarray]] = {name: [] for name in kernels}
    for block in resample_weights(pat, n_boot, rng):
        for name, kernel in kernels.items():
            draws[name].append(kernel(block)[0])
    return {
        name: percentile_interval(name, np.concatenate(parts), ci_level, n_boot)
        for name, parts in draws.items()
    }


def bootstrap_callable(
    ratings: Ratings,
    statistic: Callable[[Ratings], float],
    *,
    n_boot: int,
    ci_level: float,
    rng: np.random.Generator,
) -> BootstrapCI:
    """Slow, general path: call ``statistic`` on every resampled :class:`Ratings`.

    Undefined resamples (the callable raises :class:`UndefinedStatisticError` or returns a
    non-finite value) are skipped and counted.
    """
    rated = np.flatnonzero((ratings.codes != MISSING).any(axis=1))
    draws = np.full(n_boot, np.nan)
    for i in range(n_boot):  # one call per resample: the price of accepting any callable
        rows = rated[rng.integers(0, rated.size, size=rated.size)] if rated.size else rated
        sample = Ratings(
            ratings.codes[rows], ratings.categories, ratings.level, coders=ratings.coders
        )
        try:
            draws[i] = float(statistic(sample))
        except UndefinedStatisticError:
            continue
    name = getattr(statistic, "__name__", "statistic")
    return percentile_interval(name, draws, ci_level, n_boot)
