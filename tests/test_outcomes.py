"""Outcome module: effect recovery on the sample cohort, matching invariants, errors, CLI."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from qualkit.errors import InputError
from qualkit.outcomes import (
    fit_propensity,
    love_plot,
    match_outcomes,
    matchit_weights,
    nearest_neighbor,
    prepare_cohort,
)
from tests.conftest import assert_user_error, cli

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "outcomes_sample" / "lead_cohort.csv"
COVS = ["sex", "race", "age", "prior_citations", "prior_misd_arrests", "prior_felony_arrests",
        "prior_misd_cases", "prior_felony_cases"]
OUTS = ["citations", "misd_arrests", "felony_arrests", "misd_cases", "felony_cases"]


def _generator():
    spec = importlib.util.spec_from_file_location("lead_generate",
                                                  ROOT / "outcomes_sample" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def cohort_df() -> pd.DataFrame:
    return pd.read_csv(SAMPLE)


@pytest.fixture(scope="module")
def sample_run(cohort_df):
    return match_outcomes(cohort_df, treatment="treated", covariates=COVS, outcomes=OUTS)


@pytest.fixture(scope="module")
def sample_ps(cohort_df):
    c = prepare_cohort(cohort_df, treatment="treated", covariates=COVS, outcomes=OUTS,
                       exact=["sex"])
    return c, fit_propensity(c.design, c.design_names, c.treat)


# -- sample data ---------------------------------------------------------------------------------


def test_sample_csv_is_what_the_generator_writes(cohort_df):
    fresh = _generator().generate(20261124)
    pd.testing.assert_frame_equal(fresh.reset_index(drop=True), cohort_df, check_dtype=False)
    assert int(cohort_df.treated.sum()) == 100
    assert len(cohort_df) == 1100


def test_matching_recovers_the_true_att_and_beats_the_naive_difference(cohort_df, sample_run):
    truth = _generator().true_effects(cohort_df)
    assert sample_run.result["n_treated_matched"] == 100  # so the truth is over all participants
    for e in sample_run.effects:
        true_att = truth[e["outcome"]]["att"]
        assert e["ci_low"] <= true_att <= e["ci_high"], e
        assert abs(e["estimate"] - true_att) < abs(e["naive_estimate"] - true_att), e
        assert e["rr_ci_low"] <= truth[e["outcome"]]["rate_ratio"] <= e["rr_ci_high"], e


def test_naive_comparison_is_biased_and_matching_improves_balance(cohort_df, sample_run):
    truth = _generator().true_effects(cohort_df)
    misd = next(e for e in sample_run.effects if e["outcome"] == "misd_arrests")
    # the naive difference hides most of the benefit: it lies far outside the matched CI
    assert misd["naive_estimate"] - truth["misd_arrests"]["att"] > 0.5
    assert misd["naive_estimate"] > misd["ci_high"]
    before = max(abs(r["smd_before"]) for r in sample_run.balance)
    after = max(abs(r["smd_after"]) for r in sample_run.balance)
    assert before > 0.5 > after


def test_adjusted_and_count_estimators_are_labelled(cohort_df):
    run = match_outcomes(cohort_df, treatment="treated", covariates=COVS, outcomes=["misd_arrests"],
                         adjust=True, caliper=0.2)
    e = run.effects[0]
    assert e["estimator"].startswith("g-computation ATT")
    assert "clustered on matched pairs" in e["estimator"]
    assert e["rr_estimator"].startswith("Poisson GLM")
    assert e["dispersion"] > 1  # the sample counts are over-dispersed by construction


# -- matching invariants ---------------------------------------------------------------------------


@pytest.mark.parametrize("ratio", [1, 2, 3])
def test_no_control_reused_without_replacement_and_ratio_respected(sample_ps, ratio):
    c, p = sample_ps
    m = nearest_neighbor(p.distance, c.treat, ratio=ratio)
    used = m.match_matrix[m.match_matrix >= 0]
    assert len(used) == len(set(used.tolist()))
    assert (c.treat[used] == 0).all()
    assert m.match_matrix.shape[1] == ratio
    assert ((m.match_matrix >= 0).sum(axis=1) == ratio).all()  # 1,000 controls: enough for all


def test_with_replacement_controls_repeat_but_not_within_a_treated_unit(sample_ps):
    c, p = sample_ps
    m = nearest_neighbor(p.distance, c.treat, ratio=3, replace=True)
    used = m.match_matrix.ravel()
    assert len(set(used.tolist())) < len(used)
    for row in m.match_matrix:
        assert len(set(row.tolist())) == len(row)


def test_caliper_is_respected_in_sd_of_the_full_sample_distance(sample_ps):
    c, p = sample_ps
    m = nearest_neighbor(p.distance, c.treat, caliper=0.05)
    assert m.caliper == pytest.approx(0.05 * np.std(p.distance, ddof=1))
    rows, cols = np.nonzero(m.match_matrix >= 0)
    gaps = np.abs(p.distance[m.treated_rows[rows]] - p.distance[m.match_matrix[rows, cols]])
    assert (gaps <= m.caliper).all()
    assert (m.match_matrix[:, 0] < 0).any()  # a narrow caliper drops some treated units


def test_exact_variables_are_equal_within_pairs(sample_ps):
    c, p = sample_ps
    m = nearest_neighbor(p.distance, c.treat, ratio=2, exact=c.exact)
    rows, cols = np.nonzero(m.match_matrix >= 0)
    assert (c.exact[m.treated_rows[rows]] == c.exact[m.match_matrix[rows, cols]]).all()
    sex = c.frame["sex"].to_numpy()
    assert (sex[m.treated_rows[rows]] == sex[m.match_matrix[rows, cols]]).all()


def _tiny(treated: list[float], controls: list[float]) -> tuple[np.ndarray, np.ndarray]:
    d = np.array(treated + controls)
    t = np.array([1] * len(treated) + [0] * len(controls))
    return d, t


@pytest.mark.parametrize("order, winner", [("largest", 0), ("smallest", 1), ("data", 0)])
def test_order_decides_who_gets_a_contested_control(order, winner):
    d, t = _tiny([0.9, 0.5], [0.7])
    m = nearest_neighbor(d, t, order=order)
    assert m.match_matrix[winner, 0] == 2
    assert m.match_matrix[1 - winner, 0] == -1


def test_data_order_and_ties_follow_the_rows():
    d, t = _tiny([0.5, 0.9], [0.7])
    assert nearest_neighbor(d, t, order="data").match_matrix[:, 0].tolist() == [2, -1]
    d, t = _tiny([0.6, 0.6], [0.6])  # equal distances: the first treated row goes first
    assert nearest_neighbor(d, t).match_matrix[:, 0].tolist() == [2, -1]
    d, t = _tiny([0.5], [0.6, 0.4])  # equidistant controls: the lower one (MatchIt's "left")
    assert nearest_neighbor(d, t).match_matrix[0, 0] == 2


def test_ratio_goes_round_the_treated_units_before_second_matches():
    d, t = _tiny([0.9, 0.8], [0.85, 0.84, 0.1])
    m = nearest_neighbor(d, t, ratio=2)
    # round 1: 0.9 takes 0.85, 0.8 takes 0.84; round 2: 0.9 takes 0.1, nothing left for 0.8
    assert m.match_matrix.tolist() == [[2, 4], [3, -1]]
    w = m.weights
    assert w[0] == w[1] == 1
    assert w[2:].sum() == pytest.approx(3)  # controls rescaled to the number matched
    assert w[2] == pytest.approx(w[4]) and w[3] == pytest.approx(2 * w[2])


def test_random_order_is_deterministic_with_a_seed(sample_ps):
    c, p = sample_ps
    a = nearest_neighbor(p.distance, c.treat, order="random", seed=7, caliper=0.1)
    b = nearest_neighbor(p.distance, c.treat, order="random", seed=7, caliper=0.1)
    assert np.array_equal(a.match_matrix, b.match_matrix)


def test_matchit_weights_with_replacement_sum_to_matched_controls():
    mm = np.array([[3, 4], [3, -1]])
    w = matchit_weights(mm, np.array([0, 1]), 5)
    assert w[:2].tolist() == [1, 1]
    # control 3 serves both treated units (1/2 + 1), control 4 half of the first
    assert w[3] == pytest.approx(3 * w[4]) and w[2:].sum() == pytest.approx(2)


def test_sorted_search_scales_without_an_all_pairs_matrix():
    rng = np.random.default_rng(1)
    d, t = _tiny(list(rng.random(1000)), list(rng.random(100_000)))
    start = time.perf_counter()
    m = nearest_neighbor(d, t, caliper=0.2)
    assert time.perf_counter() - start < 5
    assert (m.match_matrix[:, 0] >= 0).all()


# -- errors ---------------------------------------------------------------------------------------


def _write(tmp_path: Path, df: pd.DataFrame, name: str = "c.csv") -> Path:
    path = tmp_path / name
    df.to_csv(path, index=False)
    return path


def _toy(n: int = 60, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    return pd.DataFrame({"id": range(n), "t": (rng.random(n) < 0.4).astype(int), "x": x,
                         "g": rng.choice(["a", "b", "c"], n), "y": rng.poisson(2, n)})


def _match(path: Path, *extra: str, covs: str = "x,g"):
    return cli("outcomes", "match", path, "--treatment", "t", "--covariates", covs,
               "--outcomes", "y", *extra)


def test_missing_file(tmp_path):
    assert_user_error(_match(tmp_path / "nope.csv"), "nope.csv", "file not found")


def test_missing_columns_are_named(tmp_path):
    path = _write(tmp_path, _toy())
    assert_user_error(_match(path, covs="x,zz,ww"), "missing column(s)", "'zz'", "'ww'",
                      "(covariates)")


def test_treatment_must_be_binary(tmp_path):
    df = _toy()
    df.loc[:5, "t"] = 2
    assert_user_error(_match(_write(tmp_path, df)), "treatment column 't'", "exactly two values")


def test_missing_covariates_refused_or_dropped_with_count(tmp_path):
    df = _toy()
    df.loc[[1, 2, 3], "x"] = np.nan
    path = _write(tmp_path, df)
    assert_user_error(_match(path), "3 row(s) have missing values", "x: 3", "--dropna")
    ok = _match(path, "--dropna", "--json")
    assert ok.exit_code == 0, ok.stderr
    assert json.loads(ok.stdout)["n_dropped"] == 3


def test_constant_covariate(tmp_path):
    df = _toy()
    df["k"] = 5
    assert_user_error(_match(_write(tmp_path, df), covs="x,k"), "covariate 'k' is constant")


def test_perfect_separation_by_one_covariate(tmp_path):
    df = _toy()
    df.loc[df.t == 0, "g"] = df.loc[df.t == 0, "g"].replace("c", "a")
    df.loc[df.t == 1, "g"] = "c"
    assert_user_error(_match(_write(tmp_path, df)), "perfect separation", "'g'")
    df = _toy()
    df["x"] = np.where(df.t == 1, 10 + df.x.abs(), -df.x.abs())
    assert_user_error(_match(_write(tmp_path, df), covs="x"), "perfect separation", "'x'")


def test_no_overlap_when_covariates_separate_together(tmp_path):
    rng = np.random.default_rng(5)
    n = 80
    a, b = rng.normal(size=n), rng.normal(size=n)
    t = (a + b > 0).astype(int)
    df = pd.DataFrame({"id": range(n), "t": t, "a": a, "b": b, "y": rng.poisson(1, n)})
    assert_user_error(_match(_write(tmp_path, df), covs="a,b"), "no overlap", "separate")


def test_no_treated_left_after_dropna(tmp_path):
    df = _toy()
    df.loc[df.t == 1, "x"] = np.nan
    assert_user_error(_match(_write(tmp_path, df), "--dropna"), "no treated rows left")


def test_nothing_matched_within_a_tiny_caliper(tmp_path):
    df = pd.DataFrame({"id": range(6), "t": [1, 1, 0, 0, 0, 0],
                       "x": [0.0, 3.0, 1.0, 2.2, 4.5, -1.3], "y": [1, 2, 3, 4, 5, 6]})
    assert_user_error(_match(_write(tmp_path, df), "--caliper", "0.0001", covs="x"),
                      "no treated or no control units left", "widen --caliper")


def test_duplicate_ids_and_bad_treated_value(tmp_path):
    df = _toy()
    df.loc[1, "id"] = 0
    assert_user_error(_match(_write(tmp_path, df)), "duplicated", "'id'")
    path = _write(tmp_path, _toy(), "ok.csv")
    assert_user_error(_match(path, "--treated-value", "yes"), "--treated-value 'yes'")


def test_errors_from_the_api_are_input_errors():
    with pytest.raises(InputError, match="exactly two values"):
        prepare_cohort(pd.DataFrame({"id": [1, 2, 3], "t": [0, 1, 2], "x": [1.0, 2, 3],
                                     "y": [1, 2, 3]}),
                       treatment="t", covariates=["x"], outcomes=["y"])


def test_text_treatment_labels_take_the_last_sorted_as_treated(tmp_path):
    df = _toy()
    df["group"] = np.where(df.t == 1, "treated", "comparison")
    path = _write(tmp_path, df)
    res = cli("outcomes", "match", path, "--treatment", "group", "--covariates", "x,g",
              "--outcomes", "y", "--json")
    assert json.loads(res.stdout)["treated_value"] == "treated"
    res = cli("outcomes", "match", path, "--treatment", "group", "--covariates", "x,g",
              "--outcomes", "y", "--json", "--treated-value", "comparison")
    out = json.loads(res.stdout)
    assert out["treated_value"] == "comparison" and out["n_treated"] == int((df.t == 0).sum())


# -- JSON, plot, CLI ------------------------------------------------------------------------------


def _reject_nan(token: str):
    raise AssertionError(f"JSON contains {token}")


def test_json_payload_keys_and_no_nan(tmp_path):
    res = cli("outcomes", "match", SAMPLE, "--treatment", "treated", "--covariates", ",".join(COVS),
              "--outcomes", ",".join(OUTS), "--json", "--ratio", "2", "--caliper", "0.25")
    assert res.exit_code == 0, res.stderr
    out = json.loads(res.stdout, parse_constant=_reject_nan)
    for key in ("n_treated", "n_control", "n_treated_matched", "n_control_matched", "balance",
                "effects"):
        assert key in out
    names = [r["covariate"] for r in out["balance"]]
    assert {"race_Black", "race_White", "race_Latino", "race_Other", "sex_Female",
            "sex_Male"} <= set(names)
    for row in out["balance"]:
        assert {"covariate", "smd_before", "smd_after", "var_ratio_before",
                "var_ratio_after"} <= set(row)
    assert next(r for r in out["balance"] if r["covariate"] == "race_Black")["var_ratio_after"] \
        is None
    for e in out["effects"]:
        assert {"outcome", "mean_treated", "mean_control", "estimate", "se", "ci_low", "ci_high",
                "p", "estimator", "rate_ratio", "rr_ci_low", "rr_ci_high", "rr_p",
                "rr_estimator"} <= set(e)


def test_love_plot_writes_png_and_svg(tmp_path, sample_run):
    written = love_plot(sample_run.balance, tmp_path / "love.png")
    png, svg = written
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 1000
    assert "<svg" in svg.read_text() and svg.stat().st_size > 1000


def test_cli_end_to_end_human_output_and_plot(tmp_path):
    plot = tmp_path / "balance.png"
    res = cli("outcomes", "match", SAMPLE, "--treatment", "treated", "--covariates", ",".join(COVS),
              "--outcomes", "misd_arrests,felony_cases", "--caliper", "0.2", "--adjust",
              "--plot", plot)
    assert res.exit_code == 0, res.stderr
    assert "Covariate balance" in res.stdout and "Effect on the treated" in res.stdout
    assert "misd_arrests" in res.stdout and "g-computation" in res.stdout
    assert plot.exists() and plot.with_suffix(".svg").exists()


def test_save_and_show_a_run(empty_project):
    args = ["outcomes", "match", SAMPLE, "--treatment", "treated", "--covariates", ",".join(COVS),
            "--outcomes", "misd_arrests", "--save", empty_project, "--name", "nn"]
    res = cli(*args, "--json")
    assert res.exit_code == 0, res.stderr
    saved = json.loads(res.stdout)
    shown = cli("outcomes", "show", empty_project, "nn", "--json")
    assert shown.exit_code == 0, shown.stderr
    assert json.loads(shown.stdout) == saved
    human = cli("outcomes", "show", empty_project, "nn")
    assert "run 'nn'" in human.stdout and "misd_arrests" in human.stdout
    assert_user_error(cli(*args), "already exists")
    assert_user_error(cli("outcomes", "show", empty_project, "nope"), "no outcome run named")


def test_save_needs_a_name(tmp_path):
    assert_user_error(_match(_write(tmp_path, _toy()), "--save", tmp_path / "p.qualkit"),
                      "--save and --name go together")


def test_every_command_has_help_with_an_example():
    for args in (["outcomes", "--help"], ["outcomes", "match", "--help"],
                 ["outcomes", "show", "--help"]):
        res = cli(*args)
        assert res.exit_code == 0 and "qualkit outcomes" in res.stdout


def _modules_after(code: str) -> set[str]:
    probe = f"import sys\n{code}\nprint(' '.join(sorted(m.split('.')[0] for m in sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_outcomes_help_is_light_and_the_package_has_no_ui_or_store():
    help_code = ("import sys; sys.argv = ['qualkit', 'outcomes', 'match', '--help']\n"
                 "from qualkit.cli import main\ntry:\n    main()\nexcept SystemExit:\n    pass")
    heavy = {"numpy", "pandas", "statsmodels", "matplotlib", "scipy", "sklearn", "rich"}
    assert not _modules_after(help_code) & heavy
    loaded = _modules_after("import qualkit.outcomes")
    assert not loaded & {"click", "rich", "textual", "pandas", "statsmodels", "matplotlib"}
    full = subprocess.run([sys.executable, "-c", "import qualkit.outcomes, sys; "
                           "print('qualkit.store' in sys.modules)"],
                          capture_output=True, text=True, check=True)
    assert full.stdout.strip() == "False"
