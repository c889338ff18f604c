"""Inter-rater agreement statistics for coded transcripts: pure functions over a ratings matrix.

Every statistic takes a :class:`~qualkit.agreement.stats.data.Ratings` (a units x coders matrix of
category indices, -1 = missing; build one with :func:`ratings_from_long` or
:func:`ratings_from_wide`) or any 2-D array-like, which is read as nominal wide data.

Statistics return a Python float or raise :class:`UndefinedStatisticError` saying why there is
no value (e.g. every rating is the same category).  :func:`summarize` computes all of them and
never raises for undefined values: it reports None plus a note.  Formulas, missing-data rules
and references are in ``docs/agreement.md``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from qualkit.agreement.stats.boot import (
    BootstrapCI,
    bootstrap_callable,
    bootstrap_kernels,
    check_options,
    make_rng,
)
from qualkit.agreement.stats.data import (
    LEVELS,
    MISSING,
    Ratings,
    ratings_from_long,
    ratings_from_wide,
)
from qualkit.agreement.stats.kernels import UndefinedStatisticError, patterns_of
from qualkit.agreement.stats.summary import (
    STATISTICS,
    AgreementSummary,
    as_ratings,
    build_kernel,
    point_value,
    summarize,
)

__all__ = [
    "LEVELS",
    "MISSING",
    "STATISTICS",
    "AgreementSummary",
    "BootstrapCI",
    "Ratings",
    "UndefinedStatisticError",
    "bootstrap_ci",
    "brennan_prediger",
    "cohen_kappa",
    "fleiss_kappa",
    "gwet_ac1",
    "krippendorff_alpha",
    "percent_agreement",
    "ratings_from_long",
    "ratings_from_wide",
    "summarize",
]


def percent_agreement(ratings: Ratings | object, *, weights: object = "unweighted") -> float:
    """Share of agreeing coder pairs, averaged over units rated by 2 or more coders.

    For unit i with r_i ratings, r_ik of them in category k: p_i = sum_k r_ik (r*_ik - 1) /
    (r_i (r_i - 1)) with r*_ik = sum_l w_kl r_il (= r_ik unweighted); pa = mean of p_i
    (Gwet 2014).  With 2 coders and no missing data this is the plain share of matching units.

    Args:
        ratings: the ratings matrix.
        weights: "unweighted", "linear", "quadratic" or a q x q agreement-weight matrix.

    Raises:
        UndefinedStatisticError: no unit has 2 or more ratings.
    """
    return point_value(ratings, "percent_agreement", weights=weights)


def cohen_kappa(ratings: Ratings | object, *, weights: object = "unweighted") -> float:
    """Cohen's kappa (weighted kappa with ``weights``) for exactly 2 coders.

    Missing ratings follow Gwet (2014): observed agreement uses units both coders rated; each
    coder's category shares use every unit that coder rated.  Without missing data this is the
    textbook kappa (Cohen 1960; Cohen 1968 for weights).

    Args:
        ratings: the ratings matrix with 2 coder columns.
        weights: "unweighted", "linear", "quadratic" or a q x q agreement-weight matrix.

    Raises:
        UndefinedStatisticError: not exactly 2 coders, no unit rated by both, or pe = 1.
    """
    return point_value(ratings, "cohen_kappa", weights=weights)


def fleiss_kappa(ratings: Ratings | object, *, weights: object = "unweighted") -> float:
    """Fleiss' kappa, generalised to missing ratings and varying raters per unit (Gwet 2014).

    pe = sum_kl w_kl pi_k pi_l where pi_k is the mean over rated units of r_ik / r_i.

    Args:
        ratings: the ratings matrix.
        weights: "unweighted", "linear", "quadratic" or a q x q agreement-weight matrix.

    Raises:
        UndefinedStatisticError: no unit has 2 or more ratings, or pe = 1.
    """
    return point_value(ratings, "fleiss_kappa", weights=weights)


def gwet_ac1(ratings: Ratings | object, *, weights: object = "unweighted") -> float:
    """Gwet's AC1 (AC2 when ``weights`` is not unweighted).

    pe = T_w / (q (q - 1)) * sum_k pi_k (1 - pi_k), T_w = sum of the weights (q unweighted) and
    q = ``ratings.n_categories`` (Gwet 2008, 2014).

    Args:
        ratings: the ratings matrix.
        weights: "unweighted", "linear", "quadratic" or a q x q agreement-weight matrix.

    Raises:
        UndefinedStatisticError: q < 2 or no unit has 2 or more ratings.
    """
    return point_value(ratings, "gwet_ac1", weights=weights)


def brennan_prediger(ratings: Ratings | object, *, weights: object = "unweighted") -> float:
    """Brennan & Prediger's kappa: chance agreement pe = T_w / q^2 (1 / q unweighted).

    Args:
        ratings: the ratings matrix.
        weights: "unweighted", "linear", "quadratic" or a q x q agreement-weight matrix.

    Raises:
        UndefinedStatisticError: q < 2 or no unit has 2 or more ratings.
    """
    return point_value(ratings, "brennan_prediger", weights=weights)


def krippendorff_alpha(ratings: Ratings | object, *, metric: str | None = None) -> float:
    """Krippendorff's alpha from the coincidence matrix; missing ratings are handled natively.

    Args:
        ratings: the ratings matrix.
        metric: nominal, ordinal, interval or ratio; defaults to ``ratings.level``.

    Raises:
        UndefinedStatisticError: no unit has 2 or more ratings, or all of them are equal.
    """
    return point_value(ratings, "krippendorff_alpha", metric=metric)


def bootstrap_ci(
    ratings: Ratings | object,
    statistic: str | Callable[[Ratings], float] = "krippendorff_alpha",
    *,
    n_boot: int = 1000,
    ci_level: float = 0.95,
    seed: int | None = None,
    rng: np.random.Generator | None = None,
    weights: object = "unweighted",
    metric: str | None = None,
) -> BootstrapCI:
    """Percentile bootstrap interval: resample units with replacement ``n_boot`` times.

    Resamples in which the statistic is undefined are skipped and counted in ``n_skipped``.
    A statistic name (see :data:`STATISTICS`) runs vectorised; a callable taking a
    :class:`Ratings` works too but is called once per resample.

    Args:
        ratings: the ratings matrix.
        statistic: a name from :data:`STATISTICS` or a callable.
        n_boot: number of resamples.
        ci_level: confidence level in (0, 1).
        seed: seed for a fresh ``numpy.random.default_rng``; or pass ``rng``.
        rng: a generator to draw from (not both with ``seed``).
        weights: agreement weights for the kappa-type statistics.
        metric: Krippendorff metric; defaults to ``ratings.level``.

    Raises:
        UndefinedStatisticError: Cohen's kappa asked for with other than 2 coders.
    """
    check_options(n_boot, ci_level)
    ratings, generator = as_ratings(ratings), make_rng(seed, rng)
    if callable(statistic):
        return bootstrap_callable(
            ratings, statistic, n_boot=n_boot, ci_level=ci_level, rng=generator
        )
    options = {"metric": metric} if statistic == "krippendorff_alpha" else {"weights": weights}
    kernel = build_kernel(ratings, statistic, **options)
    return bootstrap_kernels(
        patterns_of(ratings), {statistic: kernel}, n_boot=n_boot, ci_level=ci_level, rng=generator
    )[statistic]
