"""All agreement statistics for one ratings matrix, and the registry that builds their kernels.

:func:`summarize` is what the CLI reports: every statistic as a Python float or None (with a note
saying why), optional bootstrap intervals, and a JSON-ready :meth:`AgreementSummary.to_dict`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qualkit.agreement.stats.alpha import alpha_kernel
from qualkit.agreement.stats.boot import BootstrapCI, bootstrap_kernels, check_options, make_rng
from qualkit.agreement.stats.data import Ratings, ratings_from_wide
from qualkit.agreement.stats.kernels import (
    Kernel,
    UndefinedStatisticError,
    brennan_prediger_kernel,
    cohen_kernel,
    fleiss_kernel,
    gwet_kernel,
    patterns_of,
    percent_agreement_kernel,
    weight_matrix,
)

STATISTICS = (
    "percent_agreement",
    "cohen_kappa",
    "fleiss_kappa",
    "krippendorff_alpha",
    "gwet_ac1",
    "brennan_prediger",
)
_WEIGHTED = {
    "percent_agreement": percent_agreement_kernel,
    "cohen_kappa": cohen_kernel,
    "fleiss_kappa": fleiss_kernel,
    "gwet_ac1": gwet_kernel,
    "brennan_prediger": brennan_prediger_kernel,
}


def as_ratings(ratings: Ratings | object) -> Ratings:
    """``ratings`` itself, or a 2-D array-like read as nominal wide data."""
    return ratings if isinstance(ratings, Ratings) else ratings_from_wide(ratings)


def _metric_values(ratings: Ratings, metric: str) -> np.ndarray:
    """Category values for alpha's metric: numbers for interval/ratio, ranks otherwise."""
    if metric not in ("interval", "ratio") or ratings.level in ("interval", "ratio"):
        return ratings.values
    try:
        values = np.array([float(c) for c in ratings.categories], dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"the {metric} metric needs numeric categories") from None
    if metric == "ratio" and (values < 0).any():
        raise ValueError("the ratio metric needs non-negative categories")
    return values


def build_kernel(
    ratings: Ratings, name: str, *, weights: object = "unweighted", metric: str | None = None
) -> Kernel:
    """Build the vectorised kernel of statistic ``name`` for ``ratings``."""
    pat = patterns_of(ratings)
    if name == "krippendorff_alpha":
        metric = metric or ratings.level
        return alpha_kernel(pat, metric, _metric_values(ratings, metric))
    if name not in _WEIGHTED:
        raise ValueError(f"unknown statistic {name!r}; use one of {', '.join(STATISTICS)}")
    if name == "cohen_kappa" and ratings.n_coders != 2:
        raise UndefinedStatisticError(
            f"Cohen's kappa needs exactly 2 coders; there are {ratings.n_coders} (see fleiss_kappa)"
        )
    return _WEIGHTED[name](pat, weight_matrix(weights, ratings.n_categories, ratings.values))


def point_value(ratings: Ratings | object, name: str, **options: object) -> float:
    """The statistic as a Python float; raises UndefinedStatisticError with the reason."""
    ratings = as_ratings(ratings)
    values, reason = build_kernel(ratings, name, **options)(patterns_of(ratings).weight[None, :])
    if reason is not None or not np.isfinite(values[0]):
        raise UndefinedStatisticError(f"{name} is undefined: {reason}")
    return float(values[0])


@dataclass(frozen=True)
class AgreementSummary:
    """All agreement statistics for one ratings matrix.

    Attributes:
        n_units: rows of the matrix (units), including units nobody rated.
        n_coders: columns (coders).
        level: level of measurement, which picked alpha's metric and the default weights.
        percent_agreement, cohen_kappa, fleiss_kappa, krippendorff_alpha, gwet_ac1,
        brennan_prediger: the values, None where undefined (see ``notes``).
        intervals: bootstrap intervals, one per statistic with a value (empty without bootstrap).
        notes: human-readable remarks: undefined values, weights, coverage, bootstrap.
        weights: the agreement weights used by the kappa-type statistics.
        n_boot: resamples drawn (0 = no bootstrap).
        ci_level: confidence level of the intervals.
    """

    n_units: int
    n_coders: int
    level: str
    percent_agreement: float | None
    cohen_kappa: float | None
    fleiss_kappa: float | None
    krippendorff_alpha: float | None
    gwet_ac1: float | None
    brennan_prediger: float | None
    intervals: tuple[BootstrapCI, ...] = ()
    notes: tuple[str, ...] = ()
    weights: str = "unweighted"
    n_boot: int = 0
    ci_level: float = 0.95

    def interval(self, statistic: str) -> BootstrapCI | None:
        """The bootstrap interval of ``statistic``, or None."""
        return next((ci for ci in self.intervals if ci.statistic == statistic), None)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dict: counts, six statistics, ``<key>_ci`` (with bootstrap), notes, level."""
        out: dict[str, object] = {"n_units": self.n_units, "n_coders": self.n_coders}
        out.update({name: getattr(self, name) for name in STATISTICS})
        if self.n_boot:
            for name in STATISTICS:
                ci = self.interval(name)
                out[f"{name}_ci"] = ci.as_list() if ci is not None and ci.low is not None else None
        out["notes"] = list(self.notes)
        out["level"] = self.level
        return out


def summarize(
    ratings: Ratings | object,
    *,
    weights: object = None,
    n_boot: int = 0,
    ci_level: float = 0.95,
    seed: int | None = None,
    rng: np.random.Generator | None = None,
) -> AgreementSummary:
    """Compute every statistic (and optionally bootstrap intervals) for one ratings matrix.

    Undefined values become None with a note; this function does not raise for them.

    Args:
        ratings: the ratings matrix.
        weights: agreement weights for Cohen, Fleiss, AC1/AC2 and Brennan-Prediger.  None picks
            "unweighted" for nominal data and "quadratic" otherwise.  Percent agreement always
            counts exact matches.
        n_boot: bootstrap resamples (0 = none).
        ci_level: confidence level of the intervals.
        seed: bootstrap seed; or pass ``rng``.
        rng: a generator for the bootstrap (not both with ``seed``).
    """
    ratings = as_ratings(ratings)
    if weights is None:
        weights = "unweighted" if ratings.level == "nominal" else "quadratic"
    values, kernels, notes = _point_estimates(ratings, weights)
    notes += _coverage_notes(ratings, weights)
    intervals: tuple[BootstrapCI, ...] = ()
    if n_boot:
        check_options(n_boot, ci_level)
        found = bootstrap_kernels(
            patterns_of(ratings), kernels, n_boot=n_boot, ci_level=ci_level, rng=make_rng(seed, rng)
        )
        intervals = tuple(found.values())
        notes += _bootstrap_notes(intervals, n_boot, ci_level, seed)
    return AgreementSummary(
        n_units=ratings.n_units,
        n_coders=ratings.n_coders,
        level=ratings.level,
        **values,
        intervals=intervals,
        notes=tuple(notes),
        weights=weights if isinstance(weights, str) else "custom",
        n_boot=int(n_boot),
        ci_level=float(ci_level),
    )


def _point_estimates(
    ratings: Ratings,
    weights: object,
) -> tuple[dict[str, float | None], dict[str, Kernel], list[str]]:
    values: dict[str, float | None] = {}
    kernels: dict[str, Kernel] = {}
    notes: list[str] = []
    unit_weights = patterns_of(ratings).weight[None, :]
    for name in STATISTICS:
        options: dict[str, object] = {"weights": weights}
        if name == "percent_agreement":
            options = {}
        elif name == "krippendorff_alpha":
            options = {"metric": None}
        try:
            kernel = build_kernel(ratings, name, **options)
            result, reason = kernel(unit_weights)
        except UndefinedStatisticError as exc:
            values[name] = None
            notes.append(f"{name} is undefined: {exc}")
            continue
        if reason is not None or not np.isfinite(result[0]):
            values[name] = None
            notes.append(f"{name} is undefined: {reason}")
            continue
        values[name], kernels[name] = float(result[0]), kernel
    return values, kernels, notes


def _coverage_notes(ratings: Ratings, weights: object) -> list[str]:
    notes = []
    pat = patterns_of(ratings)
    unrated = ratings.n_units - int(pat.weight.sum())
    single = int(pat.weight[pat.raters == 1].sum())
    if unrated:
        notes.append(f"{unrated} of {ratings.n_units} units have no rating and are ignored")
    if single:
        notes.append(
            f"{single} of {ratings.n_units} units have a single rating: they count towards "
            "category shares but not towards observed agreement or alpha"
        )
    if weights != "unweighted":
        shown = weights if isinstance(weights, str) else "custom"
        notes.append(
            f"cohen_kappa, fleiss_kappa, gwet_ac1 (AC2) and brennan_prediger use {shown}"
            " weights; percent_agreement counts exact matches"
        )
    labels = ", ".join(repr(c) for c in ratings.categories[:8])
    more = ", ..." if ratings.n_categories > 8 else ""
    notes.append(
        f"gwet_ac1 and brennan_prediger use q = {ratings.n_categories} categories ({labels}{more})"
    )
    return notes


def _bootstrap_notes(
    intervals: tuple[BootstrapCI, ...], n_boot: int, ci_level: float, seed: int | None
) -> list[str]:
    seeded = f", seed {seed}" if seed is not None else ""
    notes = [
        f"{ci_level:.0%} percentile bootstrap intervals from {n_boot} resamples of units{seeded}"
    ]
    for ci in intervals:
        if ci.low is None:
            notes.append(
                f"{ci.statistic}_ci is None: the statistic was undefined in every resample"
            )
        elif ci.n_skipped:
            notes.append(
                f"{ci.statistic}_ci: {ci.n_skipped} of {n_boot} resamples skipped "
                "(statistic undefined in them)"
            )
    return notes
