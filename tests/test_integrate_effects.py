"""Effects within groups and the interaction test, against direct statsmodels fits.

The direct fits below are written from the run's own match matrix, independently of
``qualkit.outcomes.subgroups``: the subgroup's treated rows and their controls, WLS of the
outcome on treatment with the same cluster-robust (CR1, pairs) covariance, and for the
interaction a WLS with treat x group terms and statsmodels' own Wald test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from qualkit.outcomes import match_outcomes
from qualkit.outcomes.matched import decode, encode, matched_data
from qualkit.outcomes.subgroups import group_effects, interaction_test

from .integrate_helpers import COHORT

COVS = ["sex", "race", "age", "prior_citations", "prior_misd_arrests", "prior_felony_arrests"]


@pytest.fixture(scope="module")
def cohort():
    return pd.read_csv(COHORT)


@pytest.fixture(scope="module")
def run(cohort):
    return match_outcomes(cohort, treatment="treated", covariates=COVS,
                          outcomes=["misd_arrests", "citations"])


def _stored(run):
    """The matched data as a saved run keeps it (through its stored form)."""
    fmt, blob, _ = encode(matched_data(run))
    return decode(fmt, blob, pairs=run.pairs, params=run.params)


def _pairs_by_hand(run, race: str | None):
    """Rows, treatment and pair id of the 1:1 pairs whose treated person has this race."""
    c, m = run.cohort, run.matching
    races = c.frame["race"].to_numpy()
    rows, treat, pair = [], [], []
    for i, t_row in enumerate(m.treated_rows):
        control = m.match_matrix[i, 0]
        if control < 0 or (race is not None and races[t_row] != race):
            continue
        rows += [t_row, control]
        treat += [1.0, 0.0]
        pair += [i, i]
    return np.array(rows), np.array(treat), np.array(pair)


@pytest.mark.parametrize("race", ["Black", "White", "Latino"])
def test_subgroup_effect_equals_a_direct_wls_with_pair_clustered_se(run, race):
    rows, t, pair = _pairs_by_hand(run, race)
    y = run.cohort.outcomes["misd_arrests"][rows]
    direct = sm.WLS(y, sm.add_constant(t), weights=np.ones(len(y))).fit(
        cov_type="cluster", cov_kwds={"groups": pair}, use_t=False)
    data = _stored(run)
    got = next(e for e in group_effects(data, data.frame["race"].tolist(),
                                        outcomes=["misd_arrests"]) if e.group == race)
    assert got.status == "ok"
    assert got.n_treated_matched == len(rows) // 2 == got.n_control
    assert got.estimate == pytest.approx(direct.params[1], rel=1e-10)
    assert got.se == pytest.approx(direct.bse[1], rel=1e-10)
    assert got.p == pytest.approx(direct.pvalues[1], rel=1e-8)


def test_interaction_equals_statsmodels_wald_test_on_the_stacked_wls(run):
    data = _stored(run)
    test = interaction_test(data, data.frame["race"].tolist(), "misd_arrests")
    assert test.groups == ["Black", "Latino", "White"]  # "Other" has 7 treated: left out
    rows, t, pair = _pairs_by_hand(run, None)
    races = run.cohort.frame["race"].to_numpy()
    group = np.repeat(races[rows[::2]], 2)  # a control takes its treated partner's race
    keep = np.isin(group, test.groups)
    rows, t, pair, group = rows[keep], t[keep], pair[keep], group[keep]
    d = np.column_stack([(group == g).astype(float) for g in ("Latino", "White")])
    x = np.column_stack([np.ones(len(t)), t, d, d * t[:, None]])
    y = run.cohort.outcomes["misd_arrests"][rows]
    fit = sm.WLS(y, x, weights=np.ones(len(y))).fit(cov_type="cluster",
                                                     cov_kwds={"groups": pair}, use_t=False)
    wald = fit.wald_test(np.eye(6)[4:], scalar=True)
    assert test.df == 2
    assert test.chi2 == pytest.approx(float(wald.statistic), rel=1e-9)
    assert test.p == pytest.approx(float(wald.pvalue), rel=1e-9)


@pytest.mark.parametrize("options", [{}, {"adjust": True}, {"replace": True, "ratio": 2},
                                     {"caliper": 0.1, "ratio": 3}])
def test_a_group_of_every_treated_person_reproduces_the_run(cohort, options):
    run = match_outcomes(cohort, treatment="treated", covariates=COVS,
                         outcomes=["misd_arrests", "felony_arrests"], **options)
    data = _stored(run)
    for saved, again in zip(run.effects, group_effects(data, ["all"] * len(data.ids)),
                            strict=True):
        assert again.status == "ok"
        for key in ("estimate", "se", "p", "rate_ratio", "rr_ci_low"):
            assert getattr(again, key) == pytest.approx(saved[key], rel=1e-10), key


def test_with_replacement_a_subgroup_rebuilds_matchit_weights(cohort):
    run = match_outcomes(cohort, treatment="treated", covariates=COVS,
                         outcomes=["misd_arrests"], replace=True, ratio=2)
    c, m = run.cohort, run.matching
    races = c.frame["race"].to_numpy()
    weight: dict[int, float] = {}
    treated = []
    for i, t_row in enumerate(m.treated_rows):
        got = [r for r in m.match_matrix[i] if r >= 0]
        if races[t_row] != "Black" or not got:
            continue
        treated.append(t_row)
        for r in got:
            weight[r] = weight.get(r, 0.0) + 1 / len(got)
    y = c.outcomes["misd_arrests"]
    controls = np.array(list(weight))
    w = np.array([weight[r] for r in controls])
    expected = y[treated].mean() - np.average(y[controls], weights=w)
    data = _stored(run)
    got = next(e for e in group_effects(data, data.frame["race"].tolist()) if e.group == "Black")
    assert got.estimate == pytest.approx(expected, rel=1e-10)
    assert got.n_control == len(controls)


def test_too_small_and_no_variation_are_said_not_estimated(run):
    data = _stored(run)
    data.frame["nothing"] = 0.0
    effects = group_effects(data, data.frame["race"].tolist(), outcomes=["nothing",
                                                                         "misd_arrests"])
    other = [e for e in effects if e.group == "Other"]
    assert all(e.status.startswith("too small to estimate: 7 matched treated") for e in other)
    assert all(e.estimate is None for e in other)
    flat = [e for e in effects if e.outcome == "nothing" and e.group == "Black"]
    assert flat[0].status == "not estimable: the outcome does not vary in this group"
    single = interaction_test(data, ["Black" if r == "Black" else "Other"
                                     for r in data.frame["race"]], "misd_arrests",
                              min_treated=60)
    assert single.chi2 is None and "fewer than two groups" in single.note


def test_matched_data_round_trip_keeps_every_column_and_id(run):
    data = matched_data(run)
    back = _stored(run)
    assert list(back.frame.columns) == list(data.frame.columns)
    assert list(back.ids) == [str(i) for i in data.ids]
    assert back.treat.sum() == 100 and (back.weights > 0).sum() == 200
    assert back.frame["district"].tolist() == data.frame["district"].tolist()
