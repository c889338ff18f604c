"""Effect of treatment on the treated (ATT) in the matched sample, one outcome at a time.

Estimators (each result carries an ``estimator`` string saying which one produced it):

* Difference in weighted means = coefficient of ``treat`` in a weighted least-squares regression of
  the outcome on ``treat`` using the matching weights.
* ``adjust=True``: g-computation ATT from WLS of the outcome on ``treat * (covariates centred at the
  treated means)``; with that centring the ``treat`` coefficient *is* the g-computation ATT that
  MatchIt's vignette obtains with ``marginaleffects::avg_comparisons(newdata = treated)``.
* Standard errors of the difference are cluster-robust on matched pairs/subclasses (statsmodels
  ``cov_type="cluster"``: CR1, small-sample factor G/(G-1)·(N-1)/(N-K), the same as R
  ``sandwich::vcovCL``'s default for a linear model, type "HC1"). With replacement a control can
  sit in several pairs, so HC1 robust SEs are used instead. Intervals and p-values use the
  normal distribution (as ``marginaleffects``).
* Count outcomes (all values non-negative integers): rate ratio exp(b) from a Poisson GLM with a
  log link and the matching weights (``var_weights``). Its sandwich covariance is computed here,
  not by statsmodels, because statsmodels 0.15's ``GLM.fit(cov_type="HC1")`` silently returns
  HC0. The SE used is CR1 on pairs (as for the difference; equal to ``vcovCL(type = "HC1")``)
  or, with replacement, HC1 = HC0 · N/(N-K) (``vcovHC(type = "HC1")``). The alternative that R
  users get by default is reported beside it (``rr_se_alt``): ``vcovCL``'s default for a GLM is
  type "HC0" with only the G/(G-1) cluster adjustment, and ``sandwich()`` is plain HC0. The
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
#: Fields of an :class:`Effect` that only count outcomes carry.
COUNT_KEYS = ("rate_ratio", "rr_ci_low", "rr_ci_high", "rr_p", "rr_estimator", "rr_se",
              "rr_se_alt", "rr_se_alt_label", "dispersion")


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
    rr_se: float | None = None
    rr_se_alt: float | None = None
    rr_se_alt_label: str | None = None
    dispersion: float | None = None

    def to_dict(self) -> dict:
        """Plain dict for JSON (count fields only for count outcomes)."""
        d = asdict(self)
        if not self.is_count:
            for key in COUNT_KEYS:
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


def poisson_sandwich(x: np.ndarray, y: np.ndarray, w: np.ndarray, mu: np.ndarray,
                     clusters: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Sandwich covariances of a weighted Poisson GLM: ``(used, alternative)``.

    Bread (X' W mu X)^-1, scores x_i w_i (y_i - mu_i). With ``clusters`` the scores are summed per
    cluster: *used* applies CR1, G/(G-1)·(N-1)/(N-K) (Stata's and statsmodels' factor, equal to
    ``sandwich::vcovCL(type = "HC1")``), *alternative* only G/(G-1) (``vcovCL``'s default for a
    GLM, type "HC0"). Without clusters *used* is HC1 = HC0·N/(N-K) (``vcovHC(type = "HC1")``)
    and *alternative* HC0.
    """
    n, k = x.shape
    bread = np.linalg.inv((x * (w * mu)[:, None]).T @ x)
    scores = x * (w * (y - mu))[:, None]
    if clusters is not None:
        _, index = np.unique(clusters, return_inverse=True)
        summed = np.zeros((index.max() + 1, k))
        np.add.at(summed, index, scores)
        g = len(summed)
        base = bread @ (summed.T @ summed) @ bread
        adjust = g / (g - 1) if g > 1 else float("nan")
        return base * adjust * (n - 1) / (n - k), base * adjust
    base = bread @ (scores.T @ scores) @ bread
    return base * n / (n - k), base


def _alt_label(clusters: np.ndarray | None) -> str:
    if clusters is None:
        return "HC0 (R sandwich::sandwich)"
    return "clustered on pairs, HC0 type with G/(G-1) (R sandwich::vcovCL default for a GLM)"


def poisson_rate_ratio(y: np.ndarray, t: np.ndarray, w: np.ndarray,
                       clusters: np.ndarray | None) -> dict:
    """Rate ratio of treated vs control from a weighted Poisson GLM with robust SEs.

    Returns:
        Dict with ``rate_ratio``, ``rr_ci_low``, ``rr_ci_high``, ``rr_p``, ``rr_estimator``,
        ``rr_se`` (SE of log rate ratio used for the interval), ``rr_se_alt`` and
        ``rr_se_alt_label`` (the other common small-sample choice, see
        :func:`poisson_sandwich`) and ``dispersion`` (Pearson chi2 / residual df); ratio fields
        are ``None`` when a group has no events (the ratio is then 0 or infinite).
    """
    import statsmodels.api as sm
    from scipy.stats import norm

    if np.dot(w[t == 1], y[t == 1]) == 0 or np.dot(w[t == 0], y[t == 0]) == 0:
        return {"rate_ratio": None, "rr_ci_low": None, "rr_ci_high": None, "rr_p": None,
                "rr_estimator": "not estimable: no events in one matched group", "rr_se": None,
                "rr_se_alt": None, "rr_se_alt_label": None, "dispersion": None}
    x = np.column_stack([np.ones(len(y)), t])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = sm.GLM(y, x, family=sm.families.Poisson(), var_weights=w).fit()
    used, alt = poisson_sandwich(x, y, w, fit.mu, clusters)
    b, se, se_alt = float(fit.params[1]), _finite(np.sqrt(used[1, 1])), _finite(np.sqrt(alt[1, 1]))
    est = (f"Poisson GLM log E[y] ~ treat with matching weights; {_se_text(clusters)}, robust "
           "to over-dispersion")
    out = {"rate_ratio": math.exp(b), "rr_ci_low": None, "rr_ci_high": None, "rr_p": None,
           "rr_estimator": est, "rr_se": se, "rr_se_alt": se_alt,
           "rr_se_alt_label": _alt_label(clusters),
           "dispersion": _finite(fit.pearson_chi2 / max(len(y) - 2, 1))}
    if se is not None:
        out.update(rr_ci_low=_finite(math.exp(b - Z95 * se)),
                   rr_ci_high=_finite(math.exp(b + Z95 * se)),
                   rr_p=_finite(2 * norm.sf(abs(b / se))) if se > 0 else None)
    return out


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
