"""Benchmark: 1:1 caliper matching of 1,000 treated units against 100,000 controls.

Times qualkit's whole match (validation, logistic propensity model, greedy nearest-neighbour
matching with a 0.2-SD caliper on the logit) and the full ``match_outcomes`` run (plus balance and
effects), then compares propensity + matching with the ``psmpy`` package on the same data.

psmpy's ``kdtree_matched`` queries *every* control for every treated unit (k = number of controls)
and then filters in Python, so its time and memory grow with treated x controls; at 1,000 x 100,000
that is 10^8 neighbours (about 1.6 GB) and far too slow, so the ratio is measured at a smaller
size (``--psmpy-controls``, default 10,000) and reported as such.

Usage::

    .venv/bin/python bench/outcomes_bench.py                 # defaults: 1000 x 100000, psmpy 10000
    .venv/bin/python bench/outcomes_bench.py --psmpy-controls 0   # skip psmpy
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np


def make_data(n_treated: int, n_controls: int, seed: int = 1):
    """A cohort with numeric, binary and categorical covariates and overlapping groups."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    n = n_treated + n_controls
    df = pd.DataFrame({
        "age": rng.normal(38, 11, n).round(),
        "prior_arrests": rng.poisson(1.2, n),
        "prior_citations": rng.poisson(0.9, n),
        "female": (rng.random(n) < 0.35).astype(int),
        "race": rng.choice(["Black", "White", "Latino", "Other"], n, p=[.4, .4, .12, .08]),
    })
    # treated units drawn by a propensity that depends on the covariates (overlap everywhere)
    score = 0.5 * df.prior_arrests + 0.3 * df.prior_citations - 0.02 * (df.age - 38) \
        + 0.4 * df.female + 0.3 * (df.race == "Black") + rng.gumbel(size=n)
    treated = np.zeros(n, dtype=int)
    treated[np.argsort(-score.to_numpy())[:n_treated]] = 1
    df.insert(0, "treated", treated)
    df.insert(0, "id", np.arange(n))
    df["arrests"] = rng.poisson(1.0 + 0.3 * df.prior_arrests - 0.3 * df.treated)
    return df


COVS = ["age", "prior_arrests", "prior_citations", "female", "race"]


def time_qualkit(df, caliper: float, repeat: int) -> dict[str, float]:
    """Best-of-``repeat`` seconds for propensity + matching, and for the full run."""
    from qualkit.outcomes import fit_propensity, match_outcomes, nearest_neighbor, prepare_cohort

    core, full, match_only = [], [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        c = prepare_cohort(df, treatment="treated", covariates=COVS, outcomes=["arrests"])
        p = fit_propensity(c.design, c.design_names, c.treat, distance="logit")
        t1 = time.perf_counter()
        m = nearest_neighbor(p.distance, c.treat, caliper=caliper)
        t2 = time.perf_counter()
        core.append(t2 - t0)
        match_only.append(t2 - t1)
        t0 = time.perf_counter()
        run = match_outcomes(df, treatment="treated", covariates=COVS, outcomes=["arrests"],
                             caliper=caliper, distance="logit")
        full.append(time.perf_counter() - t0)
    matched = int((m.match_matrix[:, 0] >= 0).sum())
    assert matched == run.result["n_treated_matched"]
    return {"propensity+match": min(core), "match only": min(match_only),
            "full run": min(full), "treated matched": matched}


def time_psmpy(df, caliper_sd: float) -> tuple[float, int]:
    """Seconds for psmpy's logistic_ps + kdtree_matched (1:1, no replacement, same caliper)."""
    import pandas as pd
    from psmpy import PsmPy

    data = pd.get_dummies(df.drop(columns=["arrests"]), columns=["race"], drop_first=True,
                          dtype=float)
    t0 = time.perf_counter()
    psm = PsmPy(data, treatment="treated", indx="id", exclude=[])
    psm.logistic_ps(balance=False)
    logit = psm.predicted_data["propensity_logit"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Some values do not have a match" under a caliper
        psm.kdtree_matched(matcher="propensity_logit", replacement=False,
                           caliper=caliper_sd * float(np.std(logit, ddof=1)))
    return time.perf_counter() - t0, len(psm.matched_ids)


def main() -> None:
    """Run the benchmark and print the numbers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--treated", type=int, default=1000)
    parser.add_argument("--controls", type=int, default=100_000)
    parser.add_argument("--psmpy-controls", type=int, default=10_000)
    parser.add_argument("--caliper", type=float, default=0.2)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import statsmodels.api  # noqa: F401  (import cost is not part of the timing)

    import qualkit.outcomes  # noqa: F401

    df = make_data(args.treated, args.controls)
    q = time_qualkit(df, args.caliper, args.repeat)
    print(f"qualkit, {args.treated} treated x {args.controls} controls, caliper {args.caliper} SD:")
    for key, value in q.items():
        print(f"  {key:18s} {value:.3f} s" if isinstance(value, float) else f"  {key:18s} {value}")
    status = "OK" if q["propensity+match"] <= 5 else "OVER"
    print(f"  target <= 5 s for propensity + match: {status}")

    if args.psmpy_controls > 0:
        small = make_data(args.treated, args.psmpy_controls)
        mine = time_qualkit(small, args.caliper, args.repeat)["propensity+match"]
        theirs, n = time_psmpy(small, args.caliper)
        print(f"psmpy comparison at {args.treated} x {args.psmpy_controls} (psmpy cannot do "
              f"{args.controls}: it queries all controls per treated unit):")
        print(f"  qualkit propensity+match {mine:.3f} s; psmpy logistic_ps+kdtree_matched "
              f"{theirs:.3f} s ({n} matched rows); psmpy / qualkit = {theirs / mine:.1f}x")


if __name__ == "__main__":
    main()
