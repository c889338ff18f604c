"""Vectorised kernels behind the agreement statistics.

Speed comes from two ideas:

* **Patterns.**  Units with the same row of ratings contribute identically to every statistic, so
  the units x coders matrix is collapsed to its distinct rows ("patterns") with a count each.
  Binary codes with 3 coders have at most 27 patterns however many units there are.
* **Weighted sums.**  Every statistic here is a function of per-unit quantities summed over units.
  A kernel takes a (b, p) matrix of unit weights per pattern and returns b values.  Row ``1 x
  counts`` gives the statistic itself; multinomial rows give bootstrap resamples, all at once.

Undefined results are NaN inside a batch; the kernel also returns a reason string that the
public functions turn into :class:`UndefinedStatisticError` or a summary note.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from qualkit.agreement.stats.data import MISSING, Ratings

Kernel = Callable[[np.ndarray], tuple[np.ndarray, str | None]]
EPS = 1e-12
MAX_COUNT_CELLS = 20_000_000  # patterns x categories: beyond this the count table is too big
MAX_WEIGHT_CATEGORIES = 4_000  # a q x q weight matrix beyond this is too big

NO_PAIRS = "no unit has ratings from 2 or more coders"
ONE_CATEGORY = "every rating is in the same category, so chance agreement is 1 and the value is 0/0"
NO_BOTH = "no unit was rated by both coders"


class UndefinedStatisticError(ValueError):
    """The statistic has no value for these ratings; the message says why."""


@dataclass(frozen=True, eq=False)
class Patterns:
    """Distinct rows of a ratings matrix (units with no rating dropped) and their counts.

    Attributes:
        codes: (p, r) distinct rows of category indices, -1 = missing.
        weight: (p,) number of units with each row, as float.
        inverse: (n_rated,) pattern index of each rated unit, in unit order.
        q: number of categories.
    """

    codes: np.ndarray
    weight: np.ndarray
    inverse: np.ndarray
    q: int

    @cached_property
    def raters(self) -> np.ndarray:
        """(p,) number of ratings in each pattern."""
        return (self.codes >= 0).sum(axis=1).astype(float)

    @cached_property
    def counts(self) -> np.ndarray:
        """(p, q) number of coders who put the pattern's unit in each category."""
        p, q = self.codes.shape[0], self.q
        _check_table_size(p, q)
        rows, cols = np.nonzero(self.codes >= 0)
        flat = np.bincount(rows * q + self.codes[rows, cols], minlength=p * q)
        return flat.reshape(p, q).astype(float)


def _check_table_size(rows: int, q: int) -> None:
    """Refuse tables that would not fit in memory (continuous values with thousands of levels)."""
    if rows * q > MAX_COUNT_CELLS or q > MAX_WEIGHT_CATEGORIES:
        raise UndefinedStatisticError(
            f"{q} distinct values are too many for this coefficient; "
            "recode the values into fewer categories"
        )


_PATTERNS: weakref.WeakKeyDictionary[Ratings, Patterns] = weakref.WeakKeyDictionary()


def patterns_of(ratings: Ratings) -> Patterns:
    """Collapse ``ratings`` to its patterns, cached per (immutable) Ratings object."""
    cached = _PATTERNS.get(ratings)
    if cached is None:
        cached = _PATTERNS[ratings] = compress(ratings.codes, ratings.n_categories)
    return cached


def compress(codes: np.ndarray, q: int) -> Patterns:
    """Find the distinct rows of ``codes`` among units with at least one rating."""
    n, r = codes.shape
    base = q + 1
    if n == 0 or r == 0:
        return Patterns(np.zeros((0, r), dtype=np.int64), np.zeros(0), np.zeros(0, np.int64), q)
    if r * math.log2(base) >= 62:
        # Rows too wide to pack into one int64 key: sort the rows instead.
        rated_rows = codes[(codes != MISSING).any(axis=1)]
        rows, inverse, weight = np.unique(
            rated_rows, axis=0, return_inverse=True, return_counts=True
        )
        return Patterns(rows.reshape(-1, r), weight.astype(float), inverse.ravel(), q)
    key = codes[:, 0] + 1
    for j in range(1, r):  # a loop over coders, not units
        key = key * base + (codes[:, j] + 1)
    rated = key != 0  # key 0 <=> every rating of the unit is missing
    if not rated.all():
        key = key[rated]
    n = key.size
    space = base**r
    if space <= max(4 * n, 1 << 16):
        present = np.bincount(key, minlength=space)
        ids = np.flatnonzero(present)
        lookup = np.zeros(space, dtype=np.int64)
        lookup[ids] = np.arange(ids.size)
        inverse, weight = lookup[key], present[ids]
    else:
        ids, inverse, weight = np.unique(key, return_inverse=True, return_counts=True)
    digits = [(ids // base ** (r - 1 - j)) % base - 1 for j in range(r)]
    return Patterns(np.stack(digits, axis=1), weight.astype(float), inverse.ravel(), q)


def weight_matrix(weights: object, q: int, values: np.ndarray) -> np.ndarray | None:
    """Agreement weights w[k, l] in [0, 1] with w[k, k] = 1; None means identity (unweighted).

    ``linear`` is 1 - |x_k - x_l| / (x_max - x_min), ``quadratic`` squares the fraction, where x
    are ``values`` (category values at interval/ratio level, ranks otherwise).
    """
    if isinstance(weights, str) or weights is None:
        kind = (weights or "unweighted").lower()
        if kind in ("unweighted", "identity", "nominal"):
            return None
        if kind not in ("linear", "quadratic"):
            raise ValueError(f"unknown weights {weights!r}; use unweighted, linear or quadratic")
        if q < 2:
            return None
        _check_table_size(q, q)
        diff = np.abs(values[:, None] - values[None, :]) / np.ptp(values)
        return 1.0 - (diff if kind == "linear" else diff**2)
    matrix = np.asarray(weights, dtype=float)
    if matrix.shape != (q, q) or not np.isfinite(matrix).all():
        raise ValueError(f"a weight matrix must be a finite {q} x {q} array")
    if (matrix < 0).any() or (matrix > 1).any() or not np.allclose(np.diag(matrix), 1.0):
        raise ValueError("weights must lie in [0, 1] with 1 on the diagonal")
    return matrix


def _unit_agreement(pat: Patterns, w: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Gwet's per-unit share of agreeing (ordered) rater pairs, and the r_i >= 2 indicator."""
    counts, raters = pat.counts, pat.raters
    pairable = raters >= 2
    weighted = counts if w is None else counts @ w.T
    agree = (counts * (weighted - 1.0)).sum(axis=1)
    share = np.divide(agree, raters * (raters - 1.0), out=np.zeros_like(agree), where=pairable)
    return share, pairable.astype(float)


def _corrected(pa: np.ndarray, pe: np.ndarray, pairs: np.ndarray) -> tuple[np.ndarray, str | None]:
    """(pa - pe) / (1 - pe), NaN with a reason where there are no pairs or pe is 1."""
    no_pairs = pairs <= 0
    degenerate = ~no_pairs & (1.0 - pe <= EPS)
    ok = ~(no_pairs | degenerate)
    values = np.full(pa.shape, np.nan)
    values[ok] = (pa[ok] - pe[ok]) / (1.0 - pe[ok])
    reason = NO_PAIRS if no_pairs.any() else ONE_CATEGORY if degenerate.any() else None
    return values, reason


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    return np.divide(num, den, out=np.full(num.shape, np.nan), where=den > 0)


def percent_agreement_kernel(pat: Patterns, w: np.ndarray | None) -> Kernel:
    """Mean, over units with 2+ ratings, of the share of agreeing rater pairs (Gwet 2014)."""
    features = np.column_stack(_unit_agreement(pat, w))

    def evaluate(unit_weights: np.ndarray) -> tuple[np.ndarray, str | None]:
        sums = unit_weights @ features
        return _ratio(sums[:, 0], sums[:, 1]), NO_PAIRS if (sums[:, 1] <= 0).any() else None

    return evaluate


def _pa_pi_features(pat: Patterns, w: np.ndarray | None) -> np.ndarray:
    share, pairable = _unit_agreement(pat, w)
    rated = pat.raters > 0
    shares = np.divide(
        pat.counts, pat.raters[:, None], out=np.zeros_like(pat.counts), where=rated[:, None]
    )
    return np.column_stack([share, pairable, shares, rated.astype(float)])


def _pa_pi(sums: np.ndarray, q: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Observed agreement, category shares pi_k and pairable-unit count from summed features."""
    pa = _ratio(sums[:, 0], sums[:, 1])
    pi = np.divide(
        sums[:, 2 : 2 + q],
        sums[:, -1:],
        out=np.zeros_like(sums[:, 2 : 2 + q]),
        where=sums[:, -1:] > 0,
    )
    return pa, pi, sums[:, 1]


def fleiss_kernel(pat: Patterns, w: np.ndarray | None) -> Kernel:
    """Fleiss' kappa generalised to missing ratings (Gwet 2014): pe = sum_kl w_kl pi_k pi_l."""
    features = _pa_pi_features(pat, w)

    def evaluate(unit_weights: np.ndarray) -> tuple[np.ndarray, str | None]:
        pa, pi, pairs = _pa_pi(unit_weights @ features, pat.q)
        pe = (pi * pi).sum(axis=1) if w is None else ((pi @ w) * pi).sum(axis=1)
        return _corrected(pa, pe, pairs)

    return evaluate


def _few_categories(q: int) -> str:
    return (
        f"only {q} categor{'y' if q == 1 else 'ies'} known, so q < 2; "
        "pass the full category set (categories=)"
    )


def gwet_kernel(pat: Patterns, w: np.ndarray | None) -> Kernel:
    """Gwet's AC1 (AC2 when weighted): pe = T_w / (q (q - 1)) * sum_k pi_k (1 - pi_k)."""
    q = pat.q
    features = _pa_pi_features(pat, w)
    total = float(q if w is None else w.sum())

    def evaluate(unit_weights: np.ndarray) -> tuple[np.ndarray, str | None]:
        if q < 2:
            return np.full(unit_weights.shape[0], np.nan), _few_categories(q)
        pa, pi, pairs = _pa_pi(unit_weights @ features, q)
        pe = total / (q * (q - 1.0)) * (pi * (1.0 - pi)).sum(axis=1)
        return _corrected(pa, pe, pairs)

    return evaluate


def brennan_prediger_kernel(pat: Patterns, w: np.ndarray | None) -> Kernel:
    """Brennan & Prediger (1981) with Gwet's weighting: pe = T_w / q^2 (1 / q unweighted)."""
    q = pat.q
    features = np.column_stack(_unit_agreement(pat, w)) if q >= 2 else np.zeros((0, 2))
    pe_value = float(q if w is None else w.sum()) / q**2 if q else 1.0

    def evaluate(unit_weights: np.ndarray) -> tuple[np.ndarray, str | None]:
        if q < 2:
            return np.full(unit_weights.shape[0], np.nan), _few_categories(q)
        sums = unit_weights @ features
        pa = _ratio(sums[:, 0], sums[:, 1])
        return _corrected(pa, np.full(pa.shape, pe_value), sums[:, 1])

    return evaluate


def cohen_kernel(pat: Patterns, w: np.ndarray | None) -> Kernel:
    """Cohen's kappa for 2 coders with Gwet's missing-data rule.

    Observed agreement uses the units both coders rated; each coder's category shares use every
    unit that coder rated, so pe = sum_kl w_kl pA_k pB_l.
    """
    q = pat.q
    first, second = pat.codes[:, 0], pat.codes[:, 1]
    both = (first >= 0) & (second >= 0)
    agree = np.zeros(first.shape)
    if w is None:
        agree[both] = first[both] == second[both]
    else:
        agree[both] = w[first[both], second[both]]
    features = np.column_stack(
        [agree, both, _one_hot(first, q), first >= 0, _one_hot(second, q), second >= 0]
    ).astype(float)

    def evaluate(unit_weights: np.ndarray) -> tuple[np.ndarray, str | None]:
        sums = unit_weights @ features
        pa = _ratio(sums[:, 0], sums[:, 1])
        p_a = sums[:, 2 : 2 + q] / np.maximum(sums[:, 2 + q : 3 + q], 1.0)
        p_b = sums[:, 3 + q : 3 + 2 * q] / np.maximum(sums[:, 3 + 2 * q :], 1.0)
        pe = (p_a * p_b).sum(axis=1) if w is None else ((p_a @ w) * p_b).sum(axis=1)
        values, reason = _corrected(pa, pe, sums[:, 1])
        return values, NO_BOTH if reason == NO_PAIRS else reason

    return evaluate


def _one_hot(codes: np.ndarray, q: int) -> np.ndarray:
    """(p, q) indicator of each code; a missing code (-1) gives a zero row."""
    _check_table_size(codes.shape[0], q)
    out = np.zeros((codes.shape[0], q))
    rated = np.flatnonzero(codes >= 0)
    out[rated, codes[rated]] = 1.0
    return out
