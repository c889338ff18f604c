"""Effect of treatment on the treated (ATT) in the matched sample, one outcome at a time.

Estimators (each result carries an ``estimator`` string saying which one produced it):

* Difference in weighted means = coefficient of ``treat`` in a weighted least-squares regression of
  the outcome on ``treat`` using the matching weights.
* ``adjust=True``: g-computation ATT from WLS of the outcome on ``treat * (covariates centred at the
  treated means)``; with that centring the ``treat`` coefficient *is* the g-computation ATT that
  MatchIt's vignette obtains with ``marginaleffects::avg_comparisons(newdata = treated)``.
* Standard errors are cluster-robust on matched pairs/subclasses (statsmodels
  ``cov_type="cluster"``, CR1 small-sample factor G/(G-1)·(N-1)/(N-K), the same as R
  ``sandwich::vcovCL``'s default). With replacement a control can sit in several pairs, so HC1
  robust SEs are used instead. Intervals and p-values use the normal distribution (as
  ``marginaleffects``).
* Count outcomes (all values non-negative integers): rate ratio exp(b) from a Poisson GLM with a
  log link and the matching weights (``var_weights``), with the same cluster-robust SEs. The
  sandwich makes the Poisson estimate valid under over-dispersion (quasi-Poisson logic), and with
  ``treat`` as the only regressor the Poisson and negative-binomial MLEs of the rate ratio are
  identical (both equal the ratio of weighted means), so no negative-binomial model is fitted; the
  Pearson dispersion is reported so readers can see how over-dispersed the counts are.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import asdict, dataclass

import numpy as np

Z95 = 1.959963984540054


@dataclass
class Effect:
    """ATT estimates for one outcome (``None`` where a number is undefined)."""

    outcome: str
    mean_treated: float
    mean_control: float
    estimate: float
    se: float | None
    ci_low: float | None
    ci_high: float | None
    p: float | None
    estimator: str
    naive_mean_treated: float
    naive_mean_control: float
    naive_estimate: float
    is_count: bool = False
    rate_ratio: float | None = None
    rr_ci_low: float | None = None
    rr_ci_high: float | None = None
    rr_p: float | None = None
    rr_estimator: str | None = None
    dispersion: float | None = None

    def to_dict(self) -> dict:
        """Plain dict for JSON (count fields only for count outcomes)."""
        d = asdict(self)
        if not self.is_count:
            for key in ("rate_ratio", "rr_ci_low", "rr_ci_high", "rr_p", "rr_estimator",
                        "dispersion"):
                d.pop(key)
        return d


def is_count(y: np.ndarray) -> bool:
    """Whether an outcome is a count: every value a non-negative integer."""
    return bool(np.all(y >= 0) and np.all(np.floor(y) == y))


def _finite(x: float | None) -> float | None:
    """``None`` for NaN/inf so JSON never carries them."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def _cov_args(clusters: np.ndarray | None) -> tuple[str, dict]:
    """statsmodels covariance options: pair-clustered, or HC1 when pairs are not defined."""
    if clusters is None:
        return "HC1", {}
    return "cluster", {"groups": clusters}


def _se_text(clusters: np.ndarray | None) -> str:
    if clusters is None:
        return "HC1 robust SE (controls reused, so pairs are not clusters)"
    return "SE clustered on matched pairs (CR1)"


def _adjust_block(design: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Covariates centred at the treated means plus their interactions with treatment."""
    keep = design.std(axis=0) > 0  # constants in the matched sample carry no information
    xc = design[:, keep] - design[t == 1][:, keep].mean(axis=0)
    return np.column_stack([xc, xc * t[:, None]])


def _wls(y: np.ndarray, x: np.ndarray, w: np.ndarray, clusters: np.ndarray | None) -> tuple:
    """Coefficient, SE and p of column 1 (``treat``) of a weighted least-squares fit."""
    import statsmodels.api as sm

    cov_type, kwds = _cov_args(clusters)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. singular-covariance notes when y is constant
        fit = sm.WLS(y, x, weights=w).fit(cov_type=cov_type, cov_kwds=kwds, use_t=False)
    return float(fit.params[1]), _finite(fit.bse[1]), _finite(fit.pvalues[1])


def mean_difference(y: np.ndarray, t: np.ndarray, w: np.ndarray, clusters: np.ndarray | None,
                    design: np.ndarray | None = None) -> tuple[float, float | None, float | None]:
    """ATT as the ``treat`` coefficient of WLS (g-computation form when ``design`` is given).

    Args:
        y: Outcome in the matched sample.
        t: 0/1 treatment in the matched sample.
        w: Matching weights (all > 0).
        clusters: Pair id per row, or ``None`` for HC1 SEs.
        design: Covariates for adjustment, or ``None``.

    Returns:
        ``(estimate, se, p)``.
    """
    x = np.column_stack([np.ones(len(y)), t])
    if design is not None:
        x = np.column_stack([x, _adjust_block(design, t)])
    return _wls(y, x, w, clusters)


def poisson_rate_ratio(y: np.ndarray, t: np.ndarray, w: np.ndarray,
                       clusters: np.ndarray | None) -> dict:
    """Rate ratio of treated vs control from a weighted Poisson GLM with robust SEs.

    Returns:
        Dict with ``rate_ratio``, ``rr_ci_low``, ``rr_ci_high``, ``rr_p``, ``rr_estimator`` and
        ``dispersion`` (Pearson chi2 / residual df); ratio fields are ``None`` when a group has no
        events (the ratio is then 0 or infinite).
    """
    import statsmodels.api as sm

    est = (f"Poisson GLM log E[y] ~ treat with matching weights; {_se_text(clusters)}, "
           "robust to over-dispersion")
    if np.dot(w[t == 1], y[t == 1]) == 0 or np.dot(w[t == 0], y[t == 0]) == 0:
        return {"rate_ratio": None, "rr_ci_low": None, "rr_ci_high": None, "rr_p": None,
                "rr_estimator": "not estimable: no events in one matched group",
                "dispersion": None}
    x = np.column_stack([np.ones(len(y)), t])
    model = sm.GLM(y, x, family=sm.families.Poisson(), var_weights=w)
    cov_type, kwds = _cov_args(clusters)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = model.fit(cov_type=cov_type, cov_kwds=kwds)
        dispersion = float(model.fit().pearson_chi2 / max(len(y) - 2, 1))
    b, se = float(fit.params[1]), float(fit.bse[1])
    return {"rate_ratio": math.exp(b), "rr_ci_low": _finite(math.exp(b - Z95 * se)),
            "rr_ci_high": _finite(math.exp(b + Z95 * se)), "rr_p": _finite(fit.pvalues[1]),
            "rr_estimator": est, "dispersion": _finite(dispersion)}


def estimate_effect(name: str, y: np.ndarray, treat: np.ndarray, weights: np.ndarray,
                    clusters: np.ndarray | None, design: np.ndarray | None = None) -> Effect:
    """All ATT estimates for one outcome.

    Args:
        name: Outcome name.
        y: Outcome for every row of the cohort.
        treat: 0/1 treatment for every row.
        weights: Matching weights for every row (0 = unmatched).
        clusters: Pair id for every row (only matched rows are used), or ``None`` with replacement.
        design: Covariate matrix for every row when ``--adjust`` is on, else ``None``.

    Returns:
        The :class:`Effect`.
    """
    m = weights > 0
    y_m, t_m, w_m = y[m], treat[m].astype(float), weights[m]
    c_m = None if clusters is None else clusters[m]
    d_m = None if design is None else design[m]
    est, se, p = mean_difference(y_m, t_m, w_m, c_m, d_m)
    what = ("g-computation ATT: WLS y ~ treat * (covariates centred at treated means)"
            if design is not None else "difference in weighted means: WLS y ~ treat")
    mt = float(np.average(y_m[t_m == 1], weights=w_m[t_m == 1]))
    mc = float(np.average(y_m[t_m == 0], weights=w_m[t_m == 0]))
    effect = Effect(
        outcome=name, mean_treated=mt, mean_control=mc, estimate=est, se=se,
        ci_low=None if se is None else est - Z95 * se,
        ci_high=None if se is None else est + Z95 * se,
        p=p, estimator=f"{what}, matching weights; {_se_text(c_m)}; normal 95% CI",
        naive_mean_treated=float(y[treat == 1].mean()),
        naive_mean_control=float(y[treat == 0].mean()),
        naive_estimate=float(y[treat == 1].mean() - y[treat == 0].mean()),
    )
    if is_count(y):
        effect.is_count = True
        for key, value in poisson_rate_ratio(y_m, t_m, w_m, c_m).items():
            setattr(effect, key, value)
    return effect
