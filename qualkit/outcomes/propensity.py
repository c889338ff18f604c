"""Propensity scores by logistic regression, with the separation and overlap checks a user needs.

A logit whose maximum-likelihood estimate does not exist (perfect separation) still "fits" in most
software, with huge coefficients and scores of exactly 0 or 1; matching on such scores is
meaningless, so we refuse before the fit (one covariate separates the groups) and after it (a
combination does, so the score ranges of the groups do not overlap).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from qualkit.errors import InputError, ParameterError, located

DISTANCES = ("score", "logit")


@dataclass
class Propensity:
    """A fitted propensity model.

    Attributes:
        score: Estimated P(treated | covariates) per row.
        linear: The linear predictor (log-odds of the score).
        distance: What matching uses: ``score`` or ``linear`` (``--distance logit``).
        distance_kind: ``"score"`` or ``"logit"``.
        coefficients: Coefficients on the original covariate scale, ``"(Intercept)"`` first.
        estimator: Human-readable description of the model.
    """

    score: np.ndarray
    linear: np.ndarray
    distance: np.ndarray
    distance_kind: str
    coefficients: dict[str, float]
    estimator: str


def _describe_binary(name: str, source: str, level_of: str) -> str:
    """Name a 0/1 balance column for a message: a categorical level or a 0/1 covariate."""
    if name != level_of and name.startswith(f"{level_of}_"):
        return f"covariate '{level_of}' level '{name[len(level_of) + 1:]}'"
    return f"covariate '{name}' = 1"


def check_separation(
    balance: np.ndarray,
    names: list[str],
    binary: list[bool],
    sources: list[str],
    treat: np.ndarray,
    source: str,
) -> None:
    """Refuse a covariate that on its own predicts treatment perfectly.

    A category (or a 0/1 value) present in only one group, or a numeric covariate whose treated and
    control ranges do not overlap, makes the logit's estimate infinite.

    Args:
        balance: Balance matrix (every level of every categorical, 0/1 columns for binaries).
        names: Column names of ``balance``.
        binary: Whether each column is binary.
        sources: The covariate each column came from.
        treat: 0/1 treatment.
        source: File name for the message.

    Raises:
        InputError: Naming the covariate (and level) that separates the groups.
    """
    t = treat.astype(bool)
    for j, name in enumerate(names):
        x = balance[:, j]
        if not binary[j]:
            _check_ranges(x[t], x[~t], name, source)
            continue
        how = _binary_separation(x, t)
        if how:
            what = _describe_binary(name, source, sources[j])
            raise InputError(located(source, _separation_message(f"{what} {how}", sources[j])))


def _binary_separation(x: np.ndarray, t: np.ndarray) -> str | None:
    """How a 0/1 column predicts treatment perfectly, or ``None`` when it does not."""
    ones, zeros = t[x == 1], t[x == 0]
    if len(ones) and ones.all():
        return "occurs only among treated rows"
    if len(ones) and not ones.any():
        return "occurs only among control rows"
    if len(zeros) and zeros.all():  # every control has it
        return "is present in every control row"
    if len(zeros) and not zeros.any():
        return "is present in every treated row"
    return None


def _separation_message(what: str, covariate: str) -> str:
    """One-line separation message with the fix."""
    return (f"perfect separation: {what}, so the propensity model has no finite estimate; "
            f"merge rare levels of '{covariate}', drop those rows, or drop it from --covariates")


def _check_ranges(xt: np.ndarray, xc: np.ndarray, name: str, source: str) -> None:
    """Refuse a numeric covariate whose treated and control ranges touch at most at one point."""
    if xt.max() <= xc.min() or xc.max() <= xt.min():
        raise InputError(
            located(source, f"perfect separation: covariate '{name}' splits the groups (treated "
                    f"{xt.min():g} to {xt.max():g}, controls {xc.min():g} to {xc.max():g}); "
                    "drop it from --covariates or restrict the cohort to overlapping values")
        )


def _standardize(design: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Centre and scale columns: Newton's method is scale-free but the linear algebra is not."""
    mean = design.mean(axis=0)
    scale = design.std(axis=0)
    scale[scale == 0] = 1.0
    return (design - mean) / scale, mean, scale


def _check_collinear(z: np.ndarray, names: list[str], source: str) -> None:
    """Refuse covariates that are linear combinations of others (the logit is then unidentified)."""
    x = np.column_stack([np.ones(len(z)), z])
    if np.linalg.matrix_rank(x) == x.shape[1]:
        return
    for j in range(1, x.shape[1]):
        if np.linalg.matrix_rank(x[:, : j + 1]) < j + 1:
            raise InputError(
                located(source, f"covariate column '{names[j - 1]}' is a linear combination of "
                        "the others (collinear); drop one of the redundant covariates")
            )


def _fit_logit(z: np.ndarray, treat: np.ndarray) -> tuple[np.ndarray, bool, bool]:
    """Newton-Raphson logit; returns coefficients, convergence and a separation warning flag."""
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import (
        ConvergenceWarning,
        PerfectSeparationError,
        PerfectSeparationWarning,
    )

    x = sm.add_constant(z, has_constant="add")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fit = sm.Logit(treat.astype(float), x).fit(method="newton", maxiter=100, disp=0)
        except (PerfectSeparationError, np.linalg.LinAlgError):
            return np.full(x.shape[1], np.nan), False, True
    separated = any(issubclass(w.category, PerfectSeparationWarning) for w in caught)
    not_conv = any(issubclass(w.category, ConvergenceWarning) for w in caught)
    converged = bool(fit.mle_retvals.get("converged", True)) and not not_conv
    return np.asarray(fit.params), converged, separated


def _check_overlap(linear: np.ndarray, treat: np.ndarray, source: str) -> None:
    """Refuse when the treated and control ranges of the score do not overlap at all.

    Checked on the log-odds (scores of 1 - 1e-17 and 1 both print as 1), reported as scores,
    with the log-odds beside them so that the size of the gap is visible.
    """
    t = treat.astype(bool)
    lo_t, hi_t, lo_c, hi_c = linear[t].min(), linear[t].max(), linear[~t].min(), linear[~t].max()
    if hi_t < lo_c or hi_c < lo_t:
        def score(v: float) -> str:
            return f"{0.5 * (1.0 + np.tanh(v / 2)):.4g}"  # the logistic, without overflow

        raise InputError(
            located(source, f"no overlap of propensity scores: treated {score(lo_t)} to "
                    f"{score(hi_t)} (log-odds {lo_t:.4g} to {hi_t:.4g}), controls {score(lo_c)} "
                    f"to {score(hi_c)} (log-odds {lo_c:.4g} to {hi_c:.4g}); the covariates "
                    "together separate the groups, so drop or coarsen some of them")
        )


def fit_propensity(
    design: np.ndarray,
    names: list[str],
    treat: np.ndarray,
    *,
    distance: str = "score",
    source: str = "<data>",
) -> Propensity:
    """Fit ``treat ~ covariates`` by logistic regression and return the matching distance.

    Args:
        design: Covariate matrix without intercept (reference levels already dropped).
        names: Column names of ``design``.
        treat: 0/1 treatment.
        distance: ``"score"`` (the probability, MatchIt's default) or ``"logit"`` (its log-odds,
            MatchIt's ``link = "linear.logit"``).
        source: File name for messages.

    Returns:
        The fitted :class:`Propensity`.

    Raises:
        InputError: Collinear covariates, perfect separation or no overlap.
    """
    if distance not in DISTANCES:
        raise ParameterError("distance", f"must be one of {', '.join(DISTANCES)}, not '{distance}'")
    z, mean, scale = _standardize(design)
    _check_collinear(z, names, source)
    beta, converged, separated = _fit_logit(z, treat)
    if not np.all(np.isfinite(beta)):
        raise InputError(located(source, "perfect separation: the covariates together predict "
                                 "treatment exactly; drop or coarsen some of them"))
    # Row-wise products and sums, not a BLAS matrix product: BLAS kernels may round identical
    # rows differently, and exact ties between identical rows decide MatchIt's tie-breaking.
    linear = beta[0] + (z * beta[1:]).sum(axis=1)
    _check_overlap(linear, treat, source)
    if separated or not converged:
        raise InputError(
            located(source, "perfect separation: the propensity model did not converge (scores of "
                    "0 or 1); some combination of covariates predicts treatment, so drop or "
                    "coarsen some of them")
        )
    score = 1.0 / (1.0 + np.exp(-linear))
    return Propensity(
        score=score, linear=linear, distance=score if distance == "score" else linear,
        distance_kind=distance, coefficients=_original_scale(beta, mean, scale, names),
        estimator="logistic regression (maximum likelihood, Newton-Raphson; statsmodels Logit)",
    )


def _original_scale(beta: np.ndarray, mean: np.ndarray, scale: np.ndarray,
                    names: list[str]) -> dict[str, float]:
    """Undo the standardisation so reported coefficients match R's ``glm`` output."""
    slopes = beta[1:] / scale
    intercept = beta[0] - float(np.sum(slopes * mean))
    return {"(Intercept)": float(intercept), **{n: float(b) for n, b in zip(names, slopes,
                                                                                  strict=True)}}
