"""Covariate balance before and after matching, with MatchIt's ``summary()`` rules for the ATT.

* Standardised mean difference (SMD) = (weighted mean treated - weighted mean control) / s, where s
  is the standard deviation of the *treated* group in the *full* (unmatched) sample, the same
  divisor before and after matching: sd with n - 1 for numeric covariates, sqrt(p (1 - p)) for
  binary ones. If the treated group does not vary, the pooled sd sqrt((s_t^2 + s_c^2) / 2) is used.
* Variance ratio = weighted variance treated / weighted variance control, for numeric covariates
  only (``None`` for binary ones, as MatchIt prints "."); weighted variances use reliability
  weights, sum(w (x - m)^2) / (sum(w) - sum(w^2) / sum(w)): the n - 1 variance for unit weights.
* eCDF mean / max = mean / maximum, over the distinct values of the covariate in the whole sample,
  of the absolute difference between the weighted empirical CDFs of the two groups (for a binary
  covariate both equal the absolute difference in proportions).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np


@dataclass
class BalanceRow:
    """Balance of one covariate column (a categorical contributes one row per level)."""

    covariate: str
    kind: str
    mean_treated_before: float
    mean_control_before: float
    smd_before: float | None
    var_ratio_before: float | None
    ecdf_mean_before: float
    ecdf_max_before: float
    mean_treated_after: float
    mean_control_after: float
    smd_after: float | None
    var_ratio_after: float | None
    ecdf_mean_after: float
    ecdf_max_after: float

    def to_dict(self) -> dict:
        """Plain dict for JSON."""
        return asdict(self)


def weighted_mean(x: np.ndarray, w: np.ndarray) -> float:
    """Weighted mean (NaN when the weights sum to zero)."""
    total = w.sum()
    return float(np.dot(w, x) / total) if total > 0 else float("nan")


def weighted_var(x: np.ndarray, w: np.ndarray) -> float:
    """Reliability-weighted variance (the n - 1 variance when all weights are 1)."""
    total = w.sum()
    denom = total - np.dot(w, w) / total if total > 0 else 0.0
    if denom <= 0:
        return float("nan")
    m = np.dot(w, x) / total
    return float(np.dot(w, (x - m) ** 2) / denom)


def ecdf_stats(xt: np.ndarray, wt: np.ndarray, xc: np.ndarray, wc: np.ndarray,
               binary: bool = False) -> tuple[float, float]:
    """Mean and maximum absolute difference between two weighted empirical CDFs.

    As MatchIt's ``qqsum``: the CDFs are compared at every distinct value of the covariate in the
    *whole* sample (units with zero weight add grid points but no mass), and a binary covariate
    gives the absolute difference in weighted proportions for both.
    """
    if wt.sum() <= 0 or wc.sum() <= 0:
        return float("nan"), float("nan")
    if binary:
        d = abs(weighted_mean(xt, wt) - weighted_mean(xc, wc))
        return d, d
    x = np.concatenate([xt, xc])
    # control mass counts up, treated mass down: the running sum is F_c - F_t
    mass = np.concatenate([-wt / wt.sum(), wc / wc.sum()])
    order = np.argsort(x, kind="stable")
    xs, run = x[order], np.cumsum(mass[order])
    last_of_value = np.append(np.diff(xs) != 0, True)
    diff = np.abs(run[last_of_value])
    return float(diff.mean()), float(diff.max())


def smd_scale(x_treated: np.ndarray, x_control: np.ndarray, binary: bool) -> float:
    """The SMD divisor: the full-sample treated SD (pooled SD if treated units do not vary)."""
    if binary:
        p = float(np.mean(x_treated))
        s = np.sqrt(p * (1 - p))
        if s > 0:
            return float(s)
        q = float(np.mean(x_control))
        return float(np.sqrt((p * (1 - p) + q * (1 - q)) / 2))
    s = float(np.std(x_treated, ddof=1)) if len(x_treated) > 1 else 0.0
    if s > 0:
        return s
    sc = float(np.std(x_control, ddof=1)) if len(x_control) > 1 else 0.0
    return float(np.sqrt((s**2 + sc**2) / 2))


def _side(x: np.ndarray, t: np.ndarray, w: np.ndarray, scale: float, binary: bool) -> dict:
    """Balance statistics of one column for one weighting (before: all 1; after: matching)."""
    wt, wc = w[t], w[~t]
    mt, mc = weighted_mean(x[t], wt), weighted_mean(x[~t], wc)
    smd = (mt - mc) / scale if scale > 0 else (0.0 if mt == mc else None)
    vr = None
    if not binary:
        vc = weighted_var(x[~t], wc)
        vr = weighted_var(x[t], wt) / vc if vc > 0 else None
    e_mean, e_max = ecdf_stats(x[t], wt, x[~t], wc, binary)
    return {"mean_treated": mt, "mean_control": mc, "smd": smd, "var_ratio": vr,
            "ecdf_mean": e_mean, "ecdf_max": e_max}


def balance_row(name: str, x: np.ndarray, treat: np.ndarray, weights: np.ndarray,
                binary: bool) -> BalanceRow:
    """Balance of one column before (unit weights) and after (matching weights) matching."""
    t = treat.astype(bool)
    scale = smd_scale(x[t], x[~t], binary)
    before = _side(x, t, np.ones(len(x)), scale, binary)
    after = _side(x, t, weights, scale, binary)
    return BalanceRow(
        covariate=name, kind="binary" if binary else "continuous",
        **{f"{k}_before": v for k, v in before.items()},
        **{f"{k}_after": v for k, v in after.items()},
    )


def balance_table(matrix: np.ndarray, names: list[str], binary: list[bool], treat: np.ndarray,
                  weights: np.ndarray) -> list[BalanceRow]:
    """Balance rows for every column of ``matrix``.

    Args:
        matrix: Balance variables, one column each (every level of a categorical).
        names: Column names.
        binary: Whether each column is binary.
        treat: 0/1 treatment.
        weights: Matching weights (0 = not in the matched sample).

    Returns:
        One :class:`BalanceRow` per column, in column order.
    """
    return [balance_row(n, matrix[:, j], treat, weights, b)
            for j, (n, b) in enumerate(zip(names, binary, strict=True))]


def sample_sizes(treat: np.ndarray, weights: np.ndarray) -> dict[str, int]:
    """Counts of treated/control units, all and matched (weight > 0)."""
    t = treat.astype(bool)
    matched = weights > 0
    return {
        "n_treated": int(t.sum()),
        "n_control": int((~t).sum()),
        "n_treated_matched": int((t & matched).sum()),
        "n_control_matched": int((~t & matched).sum()),
        "n_treated_unmatched": int((t & ~matched).sum()),
        "n_control_unmatched": int((~t & ~matched).sum()),
    }
