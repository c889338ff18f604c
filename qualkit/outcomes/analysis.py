"""One call from a table to balance and ATT estimates: validate, fit, match, check, estimate."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from qualkit.errors import InputError, located
from qualkit.outcomes.balance import balance_row, balance_table, sample_sizes
from qualkit.outcomes.data import Cohort, prepare_cohort
from qualkit.outcomes.effects import estimate_effect
from qualkit.outcomes.matching import Matching, nearest_neighbor
from qualkit.outcomes.propensity import Propensity, check_separation, fit_propensity
from qualkit.outcomes.result import BALANCE_KEYS, OutcomeRun, json_safe

METHOD = "greedy nearest-neighbour matching on the propensity score (MatchIt method = 'nearest')"


def _check_matched(matching: Matching, treat: np.ndarray, source: str, caliper: float | None,
                   exact: list[str]) -> None:
    """Refuse a match that left no treated units or no controls in the matched sample."""
    w = matching.weights
    if (w[treat == 1] > 0).any() and (w[treat == 0] > 0).any():
        return
    if exact:
        hint = f"no exact stratum of {', '.join(exact)} has both treated and control rows " \
               "within reach; match on fewer --exact variables"
    elif caliper is not None:
        hint = f"no control lies within the caliper ({caliper:g} SD); widen --caliper"
    else:
        hint = "check the treatment column"
    raise InputError(located(source, f"no treated or no control units left after matching: {hint}"))


def _balance_payload(cohort: Cohort, prop: Propensity, weights: np.ndarray) -> tuple[list, dict]:
    """Balance rows (one per covariate column) and the balance of the distance itself."""
    rows = balance_table(cohort.balance, cohort.balance_names, cohort.balance_binary,
                         cohort.treat, weights)
    dist = balance_row("distance", prop.distance, cohort.treat, weights, False).to_dict()
    table = [{k: r.to_dict()[k] for k in BALANCE_KEYS} for r in rows]
    return table, dist


def _effects_payload(cohort: Cohort, matching: Matching, adjust: bool) -> list[dict]:
    """Effect rows, one per outcome."""
    clusters = None if matching.replace else matching.subclass
    design = cohort.design if adjust else None
    return [estimate_effect(name, y, cohort.treat, matching.weights, clusters, design).to_dict()
            for name, y in cohort.outcomes.items()]


def _params(data: Any, opts: dict) -> dict:
    """The options of a run, JSON-safe, for ``--save`` and for the payload."""
    source = str(data) if isinstance(data, str | Path) else "<data>"
    return json_safe({"data": source, **opts})


def match_outcomes(
    data: Any,
    *,
    treatment: str,
    covariates: list[str],
    outcomes: list[str],
    id_col: str = "id",
    treated_value: str | None = None,
    ratio: int = 1,
    caliper: float | None = None,
    exact: list[str] | None = None,
    order: str = "largest",
    replace: bool = False,
    distance: str = "score",
    adjust: bool = False,
    seed: int | None = None,
    dropna: bool = False,
) -> OutcomeRun:
    """Propensity-score matching and ATT estimates, MatchIt-compatible.

    Args:
        data: CSV/XLSX path or a pandas DataFrame.
        treatment: Two-valued treatment column.
        covariates: Columns for the propensity model and balance table.
        outcomes: Numeric outcome columns.
        id_col: Unique identifier column.
        treated_value: Which treatment value is treated (default: 1, else the value sorting last).
        ratio: Controls per treated unit.
        caliper: Caliper in SDs of the distance over the full sample.
        exact: Columns to match exactly on.
        order: ``largest`` / ``smallest`` / ``random`` / ``data``.
        replace: Match with replacement.
        distance: ``score`` or ``logit``.
        adjust: Covariate-adjusted (g-computation) effects.
        seed: Seed for ``order="random"``.
        dropna: Drop rows with missing values instead of refusing.

    Returns:
        An :class:`OutcomeRun` with the JSON payload, the pairs and the intermediate objects.

    Raises:
        InputError: For every input problem, with a one-line fix.
    """
    exact = list(exact or [])
    opts = {"treatment": treatment, "covariates": list(covariates), "outcomes": list(outcomes),
            "id": id_col, "treated_value": treated_value, "ratio": ratio, "caliper": caliper,
            "exact": exact, "order": order, "replace": replace, "distance": distance,
            "adjust": adjust, "seed": seed, "dropna": dropna}
    cohort = prepare_cohort(data, treatment=treatment, covariates=list(covariates),
                            outcomes=list(outcomes), id_col=id_col, exact=exact,
                            treated_value=treated_value, dropna=dropna)
    model = [j for j, src in enumerate(cohort.balance_source) if src not in cohort.exact_only]
    check_separation(cohort.balance[:, model], [cohort.balance_names[j] for j in model],
                     [cohort.balance_binary[j] for j in model],
                     [cohort.balance_source[j] for j in model], cohort.treat, cohort.source)
    prop = fit_propensity(cohort.design, cohort.design_names, cohort.treat, distance=distance,
                          source=cohort.source)
    matching = nearest_neighbor(prop.distance, cohort.treat, ratio=ratio, replace=replace,
                                caliper=caliper, order=order, exact=cohort.exact, seed=seed)
    _check_matched(matching, cohort.treat, cohort.source, caliper, exact)
    balance, dist_balance = _balance_payload(cohort, prop, matching.weights)
    result = {
        **sample_sizes(cohort.treat, matching.weights),
        "n_dropped": cohort.n_dropped,
        "treated_value": cohort.treated_label,
        "control_value": cohort.control_label,
        "method": METHOD,
        "propensity": {"estimator": prop.estimator, "distance": prop.distance_kind,
                       "caliper_width": matching.caliper, "coefficients": prop.coefficients},
        "distance_balance": dist_balance,
        "balance": balance,
        "effects": _effects_payload(cohort, matching, adjust),
        "notes": list(cohort.notes),
    }
    return OutcomeRun(params=_params(data, opts), result=json_safe(result),
                      pairs=matching.pairs(cohort.ids), cohort=cohort, matching=matching,
                      propensity=prop)
