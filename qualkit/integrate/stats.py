"""Tests of independence for contingency tables, and small descriptive helpers (pure numpy/scipy).

* Pearson's chi-square without continuity correction (``scipy.stats.chi2_contingency(...,
  correction=False)``), with Cramér's V = sqrt(chi2 / (n (min(r, c) - 1))), no bias correction.
* A 2 x 2 table with any expected count below 5: Fisher's exact test (two-sided,
  ``scipy.stats.fisher_exact``) instead; Cramér's V (= |phi|) is still reported.
* Larger tables with expected counts below 5: the chi-square is kept with a warning that its
  p-value is approximate (Cochran's rule: no expected count below 1, at most 20 % below 5).
* Rows or columns that are all zero carry no information and are dropped before testing.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

SMALL = 5.0


@dataclass(frozen=True)
class TableTest:
    """The test of one contingency table."""

    test: str
    statistic: float | None
    df: int | None
    p: float | None
    cramers_v: float | None
    min_expected: float | None
    small_cells: int
    warning: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def independence_test(table: np.ndarray) -> TableTest:
    """Chi-square (or Fisher's exact for a sparse 2 x 2) test of independence.

    Args:
        table: Counts, rows x columns.

    Returns:
        The :class:`TableTest`; ``test`` says which test ran, or why none could.
    """
    from scipy.stats import chi2_contingency, fisher_exact

    t = np.asarray(table, dtype=float)
    t = t[t.sum(axis=1) > 0][:, t.sum(axis=0) > 0] if t.size else t
    if t.ndim != 2 or t.shape[0] < 2 or t.shape[1] < 2:
        return TableTest("not tested: fewer than two non-empty rows or columns", None, None,
                         None, None, None, 0)
    chi2, p, dof, expected = chi2_contingency(t, correction=False)
    n = t.sum()
    v = math.sqrt(chi2 / (n * (min(t.shape) - 1)))
    small = int((expected < SMALL).sum())
    least = float(expected.min())
    if t.shape == (2, 2) and small:
        _, p_exact = fisher_exact(t, alternative="two-sided")
        return TableTest("Fisher's exact (2x2, expected < 5)", None, None, float(p_exact), v,
                         least, small)
    warning = ""
    if small:
        warning = (f"{small} of {expected.size} cells have expected counts below 5 (smallest "
                   f"{least:.2g}): the chi-square p-value is approximate")
    return TableTest("Pearson chi-square", float(chi2), int(dof), float(p), v, least, small,
                     warning)


def describe(values: np.ndarray) -> dict:
    """n, mean and SD (n - 1) of a sample; ``None`` where undefined."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = int(x.size)
    return {"n": n, "mean": float(x.mean()) if n else None,
            "sd": float(x.std(ddof=1)) if n > 1 else None}
