"""Krippendorff's alpha kernels: nominal, ordinal, interval and ratio metrics.

alpha = 1 - (n - 1) * sum_ck o_ck d_ck / sum_ck n_c n_k d_ck, where o is the coincidence matrix
of pairable values (units with 2+ ratings), n_c its margins, n their total and d the metric's
squared difference (Krippendorff 2011).  The observed part is summed per unit over coder pairs,
so no units x categories x categories array is ever built; see ``agreement_kernels`` for the
batching over bootstrap resamples.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import combinations

import numpy as np

from qualkit.agreement.stats.kernels import (
    NO_PAIRS,
    Kernel,
    Patterns,
    UndefinedStatisticError,
)

MAX_RATIO_CATEGORIES = 4_000  # the ratio metric needs a q x q difference table
NO_SPREAD = "all pairable ratings are identical, so expected disagreement is 0 and alpha is 0/0"


def _pairwise_sum(
    pat: Patterns, delta: Callable[[np.ndarray, np.ndarray], np.ndarray]
) -> np.ndarray:
    """Per pattern: sum over coder pairs j < l, both present, of delta(code_j, code_l)."""
    total = np.zeros(pat.codes.shape[0])
    for j, k in combinations(range(pat.codes.shape[1]), 2):  # loops over coder pairs only
        a, b = pat.codes[:, j], pat.codes[:, k]
        both = (a >= 0) & (b >= 0)
        total[both] += delta(a[both], b[both])
    return total


def _spread(pat: Patterns, pairable: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Smallest and largest category index among each pairable pattern's ratings."""
    big = pat.q + 1
    low = np.where(pat.codes >= 0, pat.codes, big).min(axis=1, initial=big)
    high = pat.codes.max(axis=1, initial=-1)
    return np.where(pairable, low, big), np.where(pairable, high, -1)


def alpha_kernel(pat: Patterns, metric: str, values: np.ndarray) -> Kernel:
    """Kernel of Krippendorff's alpha for ``metric``; ``values`` are the category values."""
    raters = pat.raters
    pairable = raters >= 2
    low, high = _spread(pat, pairable)
    scale = np.divide(2.0, raters - 1.0, out=np.zeros_like(raters), where=pairable)
    if metric == "ordinal":
        return _ordinal_alpha(pat, pairable, scale, low, high)
    if metric == "interval":
        centred = values - values.mean() if values.size else values
        return _interval_alpha(pat, pairable, scale, centred, low, high)
    if metric == "ratio":
        if pat.q > MAX_RATIO_CATEGORIES:
            raise UndefinedStatisticError(
                f"{pat.q} distinct values are too many for the ratio metric; recode them"
            )
        delta = _ratio_delta(values[:, None], values[None, :])
        n_pairs = pat.codes.shape[1] * (pat.codes.shape[1] - 1) // 2
        if n_pairs <= pat.q:  # few coders: loop over their pairs
            observed = _pairwise_sum(pat, lambda a, b: _ratio_delta(values[a], values[b]))
        else:  # many coders: sum_{c<k} n_c n_k delta_ck from the counts, linear in coders
            observed = 0.5 * ((pat.counts @ delta) * pat.counts).sum(axis=1)
        return _table_alpha(pat, pairable, observed * scale, delta, low, high)
    if metric == "nominal":
        # pairs of coders who differ: (m^2 - sum_c n_c^2) / 2, linear in coders (3,000 coders
        # would otherwise loop over 4.5 million pairs)
        counts = pat.counts
        observed = 0.5 * (raters**2 - (counts**2).sum(axis=1)) * scale
        return _table_alpha(pat, pairable, observed, None, low, high)
    raise ValueError(f"unknown metric {metric!r}; use nominal, ordinal, interval or ratio")


def _table_alpha(
    pat: Patterns,
    pairable: np.ndarray,
    observed: np.ndarray,
    delta: np.ndarray | None,
    low: np.ndarray,
    high: np.ndarray,
) -> Kernel:
    """Alpha whose expected disagreement comes from the margins n_c (nominal: delta None)."""
    features = np.column_stack([observed, pat.counts * pairable[:, None]])

    def evaluate(unit_weights: np.ndarray) -> tuple[np.ndarray, str | None]:
        sums = unit_weights @ features
        n_c = sums[:, 1:]
        total_n = n_c.sum(axis=1)
        if delta is None:  # nominal: sum_{c != k} n_c n_k = n^2 - sum_c n_c^2
            expected = total_n**2 - (n_c**2).sum(axis=1)
        else:
            expected = ((n_c @ delta) * n_c).sum(axis=1)
        return _alpha_from(sums[:, 0], expected, total_n, unit_weights, low, high)

    return evaluate


def _ratio_delta(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    total = a + b
    return np.divide(a - b, total, out=np.zeros(np.broadcast(a, b).shape), where=total > 0) ** 2


def _alpha_from(
    observed: np.ndarray,
    expected: np.ndarray,
    total_n: np.ndarray,
    unit_weights: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
) -> tuple[np.ndarray, str | None]:
    """Finish alpha, NaN where no unit is pairable or every pairable value is the same."""
    used = unit_weights > 0
    top = np.where(used, high, -1).max(axis=1, initial=-1)
    bottom = np.where(used, low, np.iinfo(np.int64).max).min(axis=1, initial=np.iinfo(np.int64).max)
    spread = top > bottom
    no_pairs = total_n < 2
    ok = spread & ~no_pairs
    values = np.full(observed.shape, np.nan)
    values[ok] = 1.0 - (total_n[ok] - 1.0) * observed[ok] / expected[ok]
    reason = NO_PAIRS if no_pairs.any() else NO_SPREAD if (~ok).any() else None
    return values, reason


def _interval_alpha(
    pat: Patterns,
    pairable: np.ndarray,
    scale: np.ndarray,
    centred: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
) -> Kernel:
    # Moments instead of a count table: sum_ck n_c n_k (v_c - v_k)^2 = 2 (N S2 - S1^2), which
    # works for any number of distinct values.  Values are centred to limit cancellation.  The
    # same identity per unit gives the observed part, sum over coder pairs of (x_j - x_k)^2 =
    # m S2 - S1^2, in time linear in the number of coders.
    present = pat.codes >= 0
    vals = np.where(present, centred[np.where(present, pat.codes, 0)], 0.0)
    mask = pairable.astype(float)
    observed = np.maximum(pat.raters * (vals**2).sum(1) - vals.sum(1) ** 2, 0.0) * scale
    features = np.column_stack(
        [observed, pat.raters * mask, vals.sum(1) * mask, (vals**2).sum(1) * mask]
    )

    def evaluate(unit_weights: np.ndarray) -> tuple[np.ndarray, str | None]:
        sums = unit_weights @ features
        expected = 2.0 * (sums[:, 1] * sums[:, 3] - sums[:, 2] ** 2)
        return _alpha_from(sums[:, 0], expected, sums[:, 1], unit_weights, low, high)

    return evaluate


def _ordinal_alpha(
    pat: Patterns, pairable: np.ndarray, scale: np.ndarray, low: np.ndarray, high: np.ndarray
) -> Kernel:
    # Krippendorff's ordinal difference (sum_{g=c..k} n_g - (n_c + n_k)/2)^2 equals (M_k - M_c)^2
    # with the mid-rank M_c = sum_{g<c} n_g + n_c / 2.  M depends on the margins, so every
    # resample gets its own M and the pairwise differences are recomputed from the codes.
    margins = pat.counts * pairable[:, None]
    counts_t = pat.counts.T  # (q, p)

    def evaluate(unit_weights: np.ndarray) -> tuple[np.ndarray, str | None]:
        n_c = unit_weights @ margins
        total_n = n_c.sum(axis=1)
        mid = np.cumsum(n_c, axis=1) - n_c / 2.0
        mean = np.divide(
            (n_c * mid).sum(axis=1), total_n, out=np.zeros_like(total_n), where=total_n > 0
        )
        expected = 2.0 * total_n * (n_c * (mid - mean[:, None]) ** 2).sum(axis=1)
        # per unit, sum over coder pairs of (M_a - M_b)^2 = m sum M^2 - (sum M)^2: linear in
        # the number of coders where a loop over their pairs is quadratic
        first, second = mid @ counts_t, (mid**2) @ counts_t
        per_unit = np.maximum(pat.raters[None, :] * second - first**2, 0.0)
        observed = (unit_weights * per_unit * scale).sum(axis=1)
        return _alpha_from(observed, expected, total_n, unit_weights, low, high)

    return evaluate
