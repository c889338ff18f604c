"""Outcome evaluation: propensity-score matching and ATT estimates compatible with R's MatchIt.

Typical use::

    from qualkit.outcomes import match_outcomes, love_plot

    run = match_outcomes("lead_cohort.csv", treatment="treated",
                         covariates=["sex", "race", "age", "prior_misd_arrests"],
                         outcomes=["misd_arrests"], caliper=0.2)
    run.result["effects"][0]["estimate"]
    love_plot(run.balance, "balance.png")          # writes balance.png and balance.svg

The building blocks are importable on their own: :func:`prepare_cohort` (validation and coding),
:func:`fit_propensity`, :func:`nearest_neighbor`, :func:`balance_table`, :func:`estimate_effect`.
Heavy libraries (pandas, statsmodels, matplotlib) are imported inside the functions that need them.
"""

from __future__ import annotations

from qualkit.outcomes.analysis import match_outcomes
from qualkit.outcomes.balance import BalanceRow, balance_table, sample_sizes
from qualkit.outcomes.data import Cohort, prepare_cohort, read_table
from qualkit.outcomes.effects import Effect, estimate_effect
from qualkit.outcomes.matching import ORDERS, Matching, matchit_weights, nearest_neighbor
from qualkit.outcomes.plot import love_plot
from qualkit.outcomes.propensity import DISTANCES, Propensity, fit_propensity
from qualkit.outcomes.result import OutcomeRun, json_safe

__all__ = [
    "DISTANCES",
    "ORDERS",
    "BalanceRow",
    "Cohort",
    "Effect",
    "Matching",
    "OutcomeRun",
    "Propensity",
    "balance_table",
    "estimate_effect",
    "fit_propensity",
    "json_safe",
    "love_plot",
    "match_outcomes",
    "matchit_weights",
    "nearest_neighbor",
    "prepare_cohort",
    "read_table",
    "sample_sizes",
]
