"""Statistics corrections found by comparison with R (issue 9 §6), each against a direct formula.

(a) With ``--replace`` the rate-ratio SE is HC1 = HC0 · N/(N-K), as ``sandwich::vcovHC(type =
"HC1")``; statsmodels 0.15's ``GLM.fit(cov_type="HC1")`` silently returns HC0.
(b) The pair-clustered rate-ratio SE is CR1 (``vcovCL(type = "HC1")``); ``vcovCL``'s default for
a GLM (HC0 type, G/(G-1) only) is reported beside it.
(c) A variable used only in ``--exact`` is listed in the balance table, as MatchIt's ``summary()``.
(d) Messages: the no-overlap error reports scores as scores; constants print as the user typed them.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from qualkit.outcomes import match_outcomes
from tests.conftest import assert_user_error, cli

Z = 1.959963984540054


def _cohort(n: int = 90, seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    t = (rng.random(n) < 1 / (1 + np.exp(-(x - 0.8)))).astype(int)
    y = rng.poisson(np.exp(0.2 + 0.3 * x - 0.4 * t))
    sex = rng.choice(["F", "M"], n)
    return pd.DataFrame({"id": [f"p{i}" for i in range(n)], "t": t, "x": x, "sex": sex, "y": y})


def _glm_by_hand(run, clusters_from_pairs: bool):
    """Poisson MLE and sandwich pieces written out from the matched sample (no statsmodels)."""
    w = run.matching.weights
    m = w > 0
    y, t, w = run.cohort.outcomes["y"][m], run.cohort.treat[m].astype(float), w[m]
    # with treat as the only regressor the MLE is the ratio of weighted means
    mu0 = np.average(y[t == 0], weights=w[t == 0])
    mu1 = np.average(y[t == 1], weights=w[t == 1])
    b = np.log(mu1 / mu0)
    x = np.column_stack([np.ones(len(y)), t])
    mu = np.where(t == 1, mu1, mu0)
    bread = np.linalg.inv(x.T @ (x * (w * mu)[:, None]))
    u = x * (w * (y - mu))[:, None]
    if clusters_from_pairs:
        sub = run.matching.subclass[m]
        u = np.array([u[sub == g].sum(axis=0) for g in np.unique(sub)])
    meat = u.T @ u
    return b, bread @ meat @ bread, len(y), len(u)


def test_rate_ratio_se_with_replacement_is_hc1_not_hc0():
    run = match_outcomes(_cohort(), treatment="t", covariates=["x"], outcomes=["y"],
                         replace=True, ratio=2)
    e = run.effects[0]
    b, hc0, n, _ = _glm_by_hand(run, clusters_from_pairs=False)
    hc1_se = np.sqrt(hc0[1, 1] * n / (n - 2))
    assert e["rate_ratio"] == pytest.approx(np.exp(b), rel=1e-9)
    assert e["rr_se"] == pytest.approx(hc1_se, rel=1e-9)
    assert e["rr_se_alt"] == pytest.approx(np.sqrt(hc0[1, 1]), rel=1e-9)
    assert e["rr_ci_low"] == pytest.approx(np.exp(b - Z * hc1_se), rel=1e-9)
    assert e["rr_ci_high"] == pytest.approx(np.exp(b + Z * hc1_se), rel=1e-9)
    assert "HC1" in e["rr_estimator"] and "HC0" in e["rr_se_alt_label"]


def test_rate_ratio_pair_clustered_se_is_cr1_with_vcovcl_default_beside_it():
    run = match_outcomes(_cohort(), treatment="t", covariates=["x"], outcomes=["y"])
    e = run.effects[0]
    b, v, n, g = _glm_by_hand(run, clusters_from_pairs=True)
    cr1 = np.sqrt(v[1, 1] * g / (g - 1) * (n - 1) / (n - 2))
    vcovcl_glm_default = np.sqrt(v[1, 1] * g / (g - 1))
    assert e["rr_se"] == pytest.approx(cr1, rel=1e-9)
    assert e["rr_se_alt"] == pytest.approx(vcovcl_glm_default, rel=1e-9)
    assert "CR1" in e["rr_estimator"] and "vcovCL" in e["rr_se_alt_label"]
    assert e["rr_ci_low"] == pytest.approx(np.exp(b - Z * cr1), rel=1e-9)


def test_a_variable_used_only_for_exact_matching_is_in_the_balance_table():
    run = match_outcomes(_cohort(), treatment="t", covariates=["x"], outcomes=["y"],
                         exact=["sex"])
    rows = {r["covariate"]: r for r in run.balance}
    assert {"x", "sex_F", "sex_M"} <= set(rows)
    for level in ("sex_F", "sex_M"):
        assert rows[level]["smd_after"] == pytest.approx(0.0, abs=1e-12)  # exact: balanced
        assert rows[level]["smd_before"] is not None
    # it stays out of the propensity model
    assert set(run.result["propensity"]["coefficients"]) == {"(Intercept)", "x"}


def test_a_constant_exact_only_variable_is_harmless():
    df = _cohort()
    df["site"] = "A"
    run = match_outcomes(df, treatment="t", covariates=["x"], outcomes=["y"], exact=["site"])
    assert "site_A" in {r["covariate"] for r in run.balance}


def test_constant_covariate_message_shows_the_value_as_typed(tmp_path):
    df = _cohort()
    df["k"] = 3
    path = tmp_path / "c.csv"
    df.to_csv(path, index=False)
    result = cli("outcomes", "match", path, "--treatment", "t", "--covariates", "x,k",
                 "--outcomes", "y")
    assert_user_error(result, "covariate 'k' is constant (every row is 3)")
    assert "np." not in result.stderr


def test_no_overlap_message_reports_scores_as_probabilities(tmp_path):
    rng = np.random.default_rng(5)
    n = 80
    a, b = rng.normal(size=n), rng.normal(size=n)
    df = pd.DataFrame({"id": range(n), "t": (a + b > 0).astype(int), "a": a, "b": b,
                       "y": rng.poisson(1, n)})
    path = tmp_path / "c.csv"
    df.to_csv(path, index=False)
    result = cli("outcomes", "match", path, "--treatment", "t", "--covariates", "a,b",
                 "--outcomes", "y")
    assert_user_error(result, "no overlap of propensity scores", "log-odds")
    found = re.search(r"treated ([-\d.e]+) to ([-\d.e]+) \(log-odds", result.stderr)
    assert found, result.stderr
    assert all(0 <= float(v) <= 1 for v in found.groups())
