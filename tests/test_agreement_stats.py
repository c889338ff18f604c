"""Tests for qualkit.agreement.stats: published worked examples, oracles and properties.

Every published number below was reproduced from the cited source before being asserted.
Sources used more than once:

* KRIPP2011: Krippendorff, K. (2011). "Computing Krippendorff's Alpha-Reliability."
  Annenberg School for Communication, Departmental Papers 43,
  https://repository.upenn.edu/asc_papers/43 -- the 4 observers x 12 units example with missing
  values (alpha nominal .743, ordinal .815, interval .849, ratio .797).
* IRRCAC: Gwet, K. L. (2019). irrCAC: Computing Chance-Corrected Agreement Coefficients, R
  package 1.0, README and vignette "Weighted Chance-corrected Agreement Coefficients"
  (https://cran.r-project.org/package=irrCAC, https://github.com/kgwet/irrCAC).  Its datasets
  come from Gwet, K. L. (2014), Handbook of Inter-Rater Reliability, 4th ed. (cac.raw4raters:
  p. 120; cont3x3abstractors) and Fleiss (1971) (distrib.6raters: the first 15 patients).
"""

from __future__ import annotations

import json
from itertools import permutations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from qualkit.agreement.stats import (
    STATISTICS,
    Ratings,
    UndefinedStatisticError,
    bootstrap_ci,
    brennan_prediger,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    percent_agreement,
    ratings_from_long,
    ratings_from_wide,
    summarize,
)
from qualkit.agreement.stats.kernels import patterns_of
from qualkit.agreement.stats.summary import build_kernel

NA = np.nan
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def from_table(table: list[list[int]]) -> np.ndarray:
    """Raw 2-coder ratings (category indices) from a contingency table (rows = coder 1)."""
    rows = [
        [i, j] for i, line in enumerate(table) for j, count in enumerate(line) for _ in range(count)
    ]
    return np.array(rows)


def from_distribution(dist: list[list[int]]) -> np.ndarray:
    """Raw ratings (categories 1..q, NaN-padded) from a subjects x categories count table."""
    dist_arr = np.asarray(dist)
    out = np.full((len(dist_arr), dist_arr.sum(axis=1).max()), NA)
    for i, row in enumerate(dist_arr):
        values = np.repeat(np.arange(1, dist_arr.shape[1] + 1), row)
        out[i, : values.size] = values
    return out


# KRIPP2011, section "C. Nominal data, any number of observers, missing values": observers as
# columns A-D, units as rows.
KRIPP = np.array(
    [
        [1, 1, NA, 1],
        [2, 2, 3, 2],
        [3, 3, 3, 3],
        [3, 3, 3, 3],
        [2, 2, 2, 2],
        [1, 2, 3, 4],
        [4, 4, 4, 4],
        [1, 1, 2, 1],
        [2, 2, 2, 2],
        [NA, 5, 5, 5],
        [NA, NA, 1, 1],
        [NA, 3, NA, NA],
    ]
)
# IRRCAC cac.raw4raters: the same data with unit 12's single rating given to rater 3.
RAW4 = KRIPP.copy()
RAW4[11] = [NA, NA, 3, NA]
# IRRCAC cont3x3abstractors: 100 pregnancies classified by 2 abstractors.
ABSTRACTORS = from_table([[13, 0, 0], [0, 20, 7], [0, 4, 56]])
# IRRCAC distrib.6raters = Fleiss (1971) patients 1-15: 6 psychiatrists x 5 diagnoses.
SIX_RATERS = from_distribution(
    [
        [0, 0, 0, 6, 0],
        [0, 3, 0, 0, 3],
        [0, 1, 4, 0, 1],
        [0, 0, 0, 0, 6],
        [0, 3, 0, 3, 0],
        [2, 0, 4, 0, 0],
        [0, 0, 4, 0, 2],
        [2, 0, 3, 1, 0],
        [2, 0, 0, 4, 0],
        [0, 0, 0, 0, 6],
        [1, 0, 0, 5, 0],
        [1, 1, 0, 4, 0],
        [0, 3, 3, 0, 0],
        [1, 0, 0, 5, 0],
        [0, 2, 0, 3, 1],
    ]
)
# Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters. Psychological
# Bulletin 76(5), 378-382: 30 patients x 6 raters (the R irr package's `diagnoses`).
DIAGNOSES = np.array(
    [
        [4, 4, 4, 4, 4, 4],
        [2, 2, 2, 5, 5, 5],
        [2, 3, 3, 3, 3, 5],
        [5, 5, 5, 5, 5, 5],
        [2, 2, 2, 4, 4, 4],
        [1, 1, 3, 3, 3, 3],
        [3, 3, 3, 3, 5, 5],
        [1, 1, 3, 3, 3, 4],
        [1, 1, 4, 4, 4, 4],
        [5, 5, 5, 5, 5, 5],
        [1, 4, 4, 4, 4, 4],
        [1, 2, 4, 4, 4, 4],
        [2, 2, 2, 3, 3, 3],
        [1, 4, 4, 4, 4, 4],
        [2, 2, 4, 4, 4, 5],
        [3, 3, 3, 3, 3, 5],
        [1, 1, 1, 4, 5, 5],
        [1, 1, 1, 1, 1, 2],
        [2, 2, 4, 4, 4, 4],
        [1, 3, 3, 5, 5, 5],
        [5, 5, 5, 5, 5, 5],
        [2, 4, 4, 4, 4, 4],
        [2, 2, 4, 5, 5, 5],
        [1, 1, 4, 4, 4, 4],
        [1, 4, 4, 4, 4, 5],
        [2, 2, 2, 2, 2, 4],
        [1, 1, 1, 1, 5, 5],
        [2, 2, 4, 4, 4, 4],
        [1, 3, 3, 3, 3, 3],
        [5, 5, 5, 5, 5, 5],
    ]
)
# Wikipedia, "Fleiss' kappa", section "Worked example": 10 subjects, 14 raters, 5 categories.
WIKI_FLEISS = from_distribution(
    [
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ]
)
# R package irr, dataset `anxiety` (20 subjects x 3 raters, scores 1-6), raters 2 and 3.
ANXIETY_23 = np.array(
    [
        [3, 2],
        [6, 1],
        [4, 4],
        [6, 4],
        [2, 3],
        [4, 2],
        [2, 1],
        [4, 6],
        [3, 1],
        [3, 1],
        [2, 1],
        [3, 2],
        [3, 3],
        [3, 3],
        [2, 1],
        [2, 1],
        [1, 3],
        [3, 3],
        [3, 2],
        [4, 2],
    ]
)


# ---------------------------------------------------------------- Krippendorff's alpha


@pytest.mark.parametrize(
    ("metric", "expected"),
    [
        ("nominal", 0.743),
        ("ordinal", 0.815),
        ("interval", 0.849),
        ("ratio", 0.797),
    ],
)
def test_alpha_krippendorff_2011_all_metrics(metric: str, expected: float) -> None:
    """KRIPP2011, section C: the values printed for each metric (3 decimals)."""
    ratings = ratings_from_wide(KRIPP, level=metric)
    assert krippendorff_alpha(ratings) == pytest.approx(expected, abs=5e-4)


def test_alpha_irrcac_raw4raters() -> None:
    """IRRCAC README: krippen.alpha.raw(cac.raw4raters) = 0.74342; the weighting vignette gives
    0.84911 with quadratic weights, which is the interval metric for categories 1..5."""
    assert krippendorff_alpha(ratings_from_wide(RAW4)) == pytest.approx(0.74342, abs=5e-6)
    assert krippendorff_alpha(RAW4, metric="interval") == pytest.approx(0.84911, abs=5e-6)


def test_alpha_irrcac_abstractors_and_six_raters() -> None:
    """IRRCAC README / weighting vignette: krippen2.table(cont3x3abstractors) = 0.7972585
    (quadratic 0.8926487); krippen.alpha.dist(distrib.6raters) = 0.4204384 (quadratic 0.259511)."""
    assert krippendorff_alpha(ABSTRACTORS) == pytest.approx(0.7972585, abs=5e-8)
    assert krippendorff_alpha(ABSTRACTORS, metric="interval") == pytest.approx(0.8926487, abs=5e-8)
    assert krippendorff_alpha(SIX_RATERS) == pytest.approx(0.4204384, abs=5e-8)
    assert krippendorff_alpha(SIX_RATERS, metric="interval") == pytest.approx(0.259511, abs=5e-7)


# ------------------------------------------------------------------- percent agreement


def test_percent_agreement_published() -> None:
    """IRRCAC README: pa.coeff.raw(cac.raw4raters) = 0.8181818, pa2.table(cont3x3abstractors)
    = 0.89; gwet.ac1.dist(distrib.6raters) prints pa = 0.5511111."""
    assert percent_agreement(RAW4) == pytest.approx(0.8181818, abs=5e-8)
    assert percent_agreement(ABSTRACTORS) == pytest.approx(0.89)
    assert percent_agreement(SIX_RATERS) == pytest.approx(0.5511111, abs=5e-8)


def test_percent_agreement_weighted_published() -> None:
    """IRRCAC weighting vignette, quadratic weights: cac.raw4raters 0.9753788,
    cont3x3abstractors 0.9725."""
    assert percent_agreement(RAW4, weights="quadratic") == pytest.approx(0.9753788, abs=5e-8)
    assert percent_agreement(ABSTRACTORS, weights="quadratic") == pytest.approx(0.9725)


# ---------------------------------------------------------------------- Cohen's kappa


def test_cohen_wikipedia_and_abstractors() -> None:
    """Wikipedia "Cohen's kappa", Examples (50 grant proposals: 20 yes/yes, 5 yes/no, 10 no/yes,
    15 no/no; also on tutorialspoint's "Cohen's Kappa Coefficient" page): p_o = 0.70 as printed,
    p_e = 0.5 * 0.6 + 0.5 * 0.4 = 0.5, kappa = 0.4.  IRRCAC README: kappa2.table
    (cont3x3abstractors) = 0.7964094."""
    assert cohen_kappa(from_table([[20, 5], [10, 15]])) == pytest.approx(0.4)
    assert cohen_kappa(ABSTRACTORS) == pytest.approx(0.7964094, abs=5e-8)


def test_cohen_sas_example_unweighted_and_linear() -> None:
    """SAS PROC FREQ agreement printout for the 3 x 3 table [[0,4,1],[0,8,0],[0,1,5]], as
    recorded in statsmodels/stats/tests/test_inter_rater.py: simple kappa 0.4842, weighted kappa
    with Cicchetti-Allison (= linear) weights 0.4701."""
    table = from_table([[0, 4, 1], [0, 8, 0], [0, 1, 5]])
    assert cohen_kappa(table) == pytest.approx(0.4842, abs=5e-5)
    assert cohen_kappa(table, weights="linear") == pytest.approx(0.4701, abs=5e-5)


def test_cohen_weighted_irr_anxiety_and_abstractors() -> None:
    """R irr::kappa2(anxiety[, 2:3]) with weights unweighted / "equal" / "squared" gives
    -0.006289308 / 0.1459075 / 0.2520325 (printouts recorded in statsmodels'
    test_inter_rater.py); IRRCAC weighting vignette: quadratic kappa of cont3x3abstractors is
    0.8921569."""
    assert cohen_kappa(ANXIETY_23) == pytest.approx(-0.006289308, abs=5e-10)
    assert cohen_kappa(ANXIETY_23, weights="linear") == pytest.approx(0.1459075, abs=5e-8)
    assert cohen_kappa(ANXIETY_23, weights="quadratic") == pytest.approx(0.2520325, abs=5e-8)
    assert cohen_kappa(ABSTRACTORS, weights="quadratic") == pytest.approx(0.8921569, abs=5e-8)


def test_cohen_missing_ratings_gwet_rule() -> None:
    """irrCAC dataset cac.ben.gerry (12 units, Gerry skips unit 10): conger.kappa.raw, which is
    Cohen's kappa for 2 raters, gives pa 0.727, pe 0.205, kappa 0.657 (values as asserted in the
    afergadis/irrCAC port's tests/raw/test_conger.py; by hand pa = 8/11, pe = 27/132)."""
    ben = list("aabbdcccedda")
    gerry = [*"babbbccce", None, *"dd"]
    ratings = ratings_from_wide(np.array([ben, gerry], dtype=object).T)
    assert percent_agreement(ratings) == pytest.approx(8 / 11)
    kappa = (8 / 11 - 27 / 132) / (1 - 27 / 132)
    assert cohen_kappa(ratings) == pytest.approx(kappa)
    assert round(kappa, 3) == 0.657


def test_cohen_needs_two_coders() -> None:
    with pytest.raises(UndefinedStatisticError, match="exactly 2 coders"):
        cohen_kappa(RAW4)


# ---------------------------------------------------------------------- Fleiss' kappa


def test_fleiss_1971_and_wikipedia() -> None:
    """Fleiss (1971) reports kappa = .430 for his 30 x 6 data (R irr::kappam.fleiss(diagnoses)
    = 0.4302445, recorded in statsmodels' test_inter_rater.py); Wikipedia "Fleiss' kappa" worked
    example: kappa = 0.210."""
    assert fleiss_kappa(DIAGNOSES) == pytest.approx(0.4302445, abs=5e-8)
    assert fleiss_kappa(WIKI_FLEISS) == pytest.approx(0.210, abs=5e-4)


def test_fleiss_with_missing_ratings_irrcac() -> None:
    """IRRCAC README: fleiss.kappa.raw(cac.raw4raters) = 0.76117 (missing ratings, Gwet's
    generalisation); fleiss.kappa.dist(distrib.6raters) = 0.4139265; with 2 raters and no missing
    data it is Scott's pi: scott2.table(cont3x3abstractors) = 0.7962397."""
    assert fleiss_kappa(RAW4) == pytest.approx(0.76117, abs=5e-6)
    assert fleiss_kappa(SIX_RATERS) == pytest.approx(0.4139265, abs=5e-8)
    assert fleiss_kappa(ABSTRACTORS) == pytest.approx(0.7962397, abs=5e-8)


def test_fleiss_weighted_irrcac() -> None:
    """IRRCAC weighting vignette, quadratic weights: raw4raters 0.86494, distrib.6raters
    0.2511909, Scott's pi of cont3x3abstractors 0.8921093."""
    assert fleiss_kappa(RAW4, weights="quadratic") == pytest.approx(0.86494, abs=5e-6)
    assert fleiss_kappa(SIX_RATERS, weights="quadratic") == pytest.approx(0.2511909, abs=5e-8)
    assert fleiss_kappa(ABSTRACTORS, weights="quadratic") == pytest.approx(0.8921093, abs=5e-8)


# ------------------------------------------------------------------ Gwet's AC1 and AC2


def test_gwet_ac1_published() -> None:
    """IRRCAC README: gwet.ac1.raw(cac.raw4raters) = 0.77544 (pe 0.1903212),
    gwet.ac1.table(cont3x3abstractors) = 0.8493305, gwet.ac1.dist(distrib.6raters) = 0.4448007."""
    assert gwet_ac1(RAW4) == pytest.approx(0.77544, abs=5e-6)
    assert gwet_ac1(ABSTRACTORS) == pytest.approx(0.8493305, abs=5e-8)
    assert gwet_ac1(SIX_RATERS) == pytest.approx(0.4448007, abs=5e-8)


def test_gwet_ac2_published() -> None:
    """IRRCAC weighting vignette, quadratic weights: AC2 = 0.914 (raw4raters), 0.9402369
    (cont3x3abstractors), 0.4837438 (distrib.6raters)."""
    assert gwet_ac1(RAW4, weights="quadratic") == pytest.approx(0.914, abs=5e-4)
    assert gwet_ac1(ABSTRACTORS, weights="quadratic") == pytest.approx(0.9402369, abs=5e-8)
    assert gwet_ac1(SIX_RATERS, weights="quadratic") == pytest.approx(0.4837438, abs=5e-8)


# ------------------------------------------------------------------- Brennan-Prediger


def test_brennan_prediger_published() -> None:
    """IRRCAC README: bp.coeff.raw(cac.raw4raters) = 0.77273 (pe = 1/5),
    bp2.table(cont3x3abstractors) = 0.835, bp.coeff.dist(distrib.6raters) = 0.4388889."""
    assert brennan_prediger(RAW4) == pytest.approx(0.77273, abs=5e-6)
    assert brennan_prediger(ABSTRACTORS) == pytest.approx(0.835)
    assert brennan_prediger(SIX_RATERS) == pytest.approx(0.4388889, abs=5e-8)


def test_brennan_prediger_weighted_published() -> None:
    """IRRCAC weighting vignette, quadratic weights: 0.90152 (raw4raters), 0.9175
    (cont3x3abstractors), 0.4177778 (distrib.6raters)."""
    assert brennan_prediger(RAW4, weights="quadratic") == pytest.approx(0.90152, abs=5e-6)
    assert brennan_prediger(ABSTRACTORS, weights="quadratic") == pytest.approx(0.9175)
    assert brennan_prediger(SIX_RATERS, weights="quadratic") == pytest.approx(0.4177778, abs=5e-8)


def test_q_comes_from_categories() -> None:
    """q for AC1 / BP is len(categories): passing the full binary set keeps them defined."""
    same = np.zeros((5, 2), dtype=int)
    with pytest.raises(UndefinedStatisticError, match="q < 2"):
        gwet_ac1(same)
    binary = ratings_from_wide(same, categories=[0, 1])
    assert gwet_ac1(binary) == 1.0
    assert brennan_prediger(binary) == 1.0
    with pytest.raises(UndefinedStatisticError, match="chance agreement is 1"):
        fleiss_kappa(binary)
    with pytest.raises(UndefinedStatisticError, match="identical"):
        krippendorff_alpha(binary)


# ------------------------------------------------------------------------------ oracles


def naive_alpha(matrix: np.ndarray, metric: str) -> float:
    """Krippendorff's alpha straight from the coincidence-matrix definitions (loops)."""
    values = np.unique(matrix[~np.isnan(matrix)])
    o = np.zeros((values.size, values.size))
    for row in matrix:
        present = np.searchsorted(values, row[~np.isnan(row)])
        for a, b in permutations(range(present.size), 2):
            o[present[a], present[b]] += 1.0 / (present.size - 1)
    n_c = o.sum(axis=1)

    def delta(c: int, k: int) -> float:
        if metric == "nominal":
            return float(c != k)
        if metric == "interval":
            return float(values[c] - values[k]) ** 2
        if metric == "ratio":
            total = values[c] + values[k]
            return 0.0 if total == 0 else float((values[c] - values[k]) / total) ** 2
        low, high = min(c, k), max(c, k)
        return float(n_c[low : high + 1].sum() - (n_c[c] + n_c[k]) / 2) ** 2

    cells = [(c, k) for c in range(values.size) for k in range(values.size)]
    observed = sum(o[c, k] * delta(c, k) for c, k in cells)
    expected = sum(n_c[c] * n_c[k] * delta(c, k) for c, k in cells)
    return 1.0 - (n_c.sum() - 1.0) * observed / expected


def naive_gwet(matrix: np.ndarray, q: int) -> dict[str, float]:
    """pa, Fleiss' kappa, AC1 and BP from Gwet's (2014) unit-by-unit formulas (loops)."""
    shares, pi = [], np.zeros(q)
    rated = [row[~np.isnan(row)].astype(int) for row in matrix]
    rated = [row for row in rated if row.size]
    for row in rated:
        counts = np.bincount(row, minlength=q)
        pi += counts / row.size
        if row.size >= 2:
            shares.append((counts * (counts - 1)).sum() / (row.size * (row.size - 1)))
    pa, pi = float(np.mean(shares)), pi / len(rated)
    pe_fleiss, pe_ac1 = float((pi**2).sum()), float((pi * (1 - pi)).sum() / (q - 1))
    return {
        "percent_agreement": pa,
        "fleiss_kappa": (pa - pe_fleiss) / (1 - pe_fleiss) if pe_fleiss < 1 else None,
        "gwet_ac1": (pa - pe_ac1) / (1 - pe_ac1),
        "brennan_prediger": (pa - 1 / q) / (1 - 1 / q),
    }


@st.composite
def rating_matrices(
    draw: st.DrawFn, *, missing: bool = True, min_coders: int = 2, max_coders: int = 5
) -> np.ndarray:
    """Small float matrices of category values 0..q-1 with NaN for missing ratings."""
    q = draw(st.integers(2, 5))
    shape = (draw(st.integers(2, 25)), draw(st.integers(min_coders, max_coders)))
    low = -1 if missing else 0
    codes = draw(hnp.arrays(np.int64, shape, elements=st.integers(low, q - 1)))
    return np.where(codes < 0, np.nan, codes.astype(float))


def value_or_none(function, *args, **kwargs) -> float | None:
    try:
        return function(*args, **kwargs)
    except UndefinedStatisticError:
        return None


@FAST
@given(rating_matrices(), st.sampled_from(["nominal", "ordinal", "interval", "ratio"]))
def test_alpha_matches_coincidence_definition(matrix: np.ndarray, metric: str) -> None:
    ours = value_or_none(krippendorff_alpha, ratings_from_wide(matrix, level=metric))
    pairable = matrix[(~np.isnan(matrix)).sum(axis=1) >= 2]
    if ours is None:
        assert np.unique(pairable[~np.isnan(pairable)]).size < 2
    else:
        assert ours == pytest.approx(naive_alpha(matrix, metric), abs=1e-9)


@FAST
@given(rating_matrices())
def test_gwet_family_matches_unit_formulas(matrix: np.ndarray) -> None:
    ratings = ratings_from_wide(matrix, categories=range(5))
    if not ((~np.isnan(matrix)).sum(axis=1) >= 2).any():
        return
    expected = naive_gwet(matrix, 5)
    assert percent_agreement(ratings) == pytest.approx(expected["percent_agreement"], abs=1e-12)
    assert gwet_ac1(ratings) == pytest.approx(expected["gwet_ac1"], abs=1e-9)
    assert brennan_prediger(ratings) == pytest.approx(expected["brennan_prediger"], abs=1e-9)
    fleiss = value_or_none(fleiss_kappa, ratings)
    if expected["fleiss_kappa"] is None:
        assert fleiss is None
    else:
        assert fleiss == pytest.approx(expected["fleiss_kappa"], abs=1e-9)


@FAST
@given(rating_matrices(missing=False, max_coders=2), st.sampled_from([None, "linear", "quadratic"]))
def test_cohen_matches_scikit_learn(matrix: np.ndarray, weights: str | None) -> None:
    from sklearn.metrics import cohen_kappa_score

    ours = value_or_none(cohen_kappa, matrix, weights=weights or "unweighted")
    if ours is None:  # scikit-learn returns NaN (with a warning) in the same degenerate case
        assert np.unique(matrix).size == 1
        return
    theirs = cohen_kappa_score(matrix[:, 0], matrix[:, 1], weights=weights)
    assert ours == pytest.approx(theirs, abs=1e-9)


@FAST
@given(rating_matrices(missing=False, min_coders=3))
def test_fleiss_and_bp_match_statsmodels(matrix: np.ndarray) -> None:
    from statsmodels.stats.inter_rater import aggregate_raters
    from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

    table = aggregate_raters(matrix.astype(int), n_cat=5)[0]
    ratings = ratings_from_wide(matrix, categories=range(5))
    # statsmodels' "randolph" is the free-marginal kappa, i.e. Brennan-Prediger with q = n_cat.
    assert brennan_prediger(ratings) == pytest.approx(sm_fleiss(table, method="randolph"))
    ours = value_or_none(fleiss_kappa, ratings)
    if ours is not None:
        assert ours == pytest.approx(sm_fleiss(table), abs=1e-9)


@FAST
@given(rating_matrices(), st.sampled_from(["nominal", "ordinal", "interval", "ratio"]))
def test_alpha_matches_krippendorff_package_if_installed(matrix: np.ndarray, metric: str) -> None:
    krippendorff = pytest.importorskip("krippendorff")
    ours = value_or_none(krippendorff_alpha, ratings_from_wide(matrix, level=metric))
    if ours is not None:
        theirs = krippendorff.alpha(reliability_data=matrix.T, level_of_measurement=metric)
        assert ours == pytest.approx(theirs, abs=1e-9)


# --------------------------------------------------------------------------- properties


def all_values(ratings: Ratings) -> dict[str, float | None]:
    return {k: v for k, v in summarize(ratings).to_dict().items() if k in STATISTICS}


@FAST
@given(rating_matrices(), st.randoms(use_true_random=False))
def test_invariant_to_coder_and_unit_order(matrix: np.ndarray, random) -> None:
    rows, cols = list(range(matrix.shape[0])), list(range(matrix.shape[1]))
    random.shuffle(rows)
    random.shuffle(cols)
    before = all_values(ratings_from_wide(matrix, categories=range(5)))
    after = all_values(ratings_from_wide(matrix[rows][:, cols], categories=range(5)))
    for name, value in before.items():
        assert after[name] == pytest.approx(value, abs=1e-9, nan_ok=False), name


@FAST
@given(rating_matrices(), st.permutations(range(5)))
def test_nominal_invariant_to_relabelling(matrix: np.ndarray, relabel: list[int]) -> None:
    names = np.array(["absent", "present", "unclear", "other", "n/a"], dtype=object)
    codes = np.where(np.isnan(matrix), -1, matrix).astype(int)
    original = np.where(codes < 0, None, names[np.maximum(codes, 0)])
    renamed = np.where(codes < 0, None, names[np.array(relabel)][np.maximum(codes, 0)])
    before = all_values(ratings_from_wide(original, categories=list(names)))
    after = all_values(ratings_from_wide(renamed, categories=list(names)))
    for name, value in before.items():
        assert after[name] == pytest.approx(value, abs=1e-9), name


@FAST
@given(rating_matrices())
def test_values_in_valid_ranges_and_json_safe(matrix: np.ndarray) -> None:
    result = summarize(ratings_from_wide(matrix, categories=range(5))).to_dict()
    json.dumps(result, allow_nan=False)  # never NaN
    if result["percent_agreement"] is not None:
        assert 0.0 <= result["percent_agreement"] <= 1.0
    for name in ("fleiss_kappa", "krippendorff_alpha", "cohen_kappa"):
        assert result[name] is None or result[name] <= 1.0 + 1e-12
    if result["gwet_ac1"] is not None:
        assert -1.0 - 1e-12 <= result["gwet_ac1"] <= 1.0 + 1e-12
    if result["brennan_prediger"] is not None:
        assert -0.25 - 1e-12 <= result["brennan_prediger"] <= 1.0 + 1e-12  # -1/(q-1), q = 5


@FAST
@given(st.integers(2, 20), st.integers(2, 5), st.integers(2, 4), st.data())
def test_perfect_agreement_is_one(units: int, coders: int, q: int, data: st.DataObject) -> None:
    truth = data.draw(hnp.arrays(np.int64, units, elements=st.integers(0, q - 1)))
    ratings = ratings_from_wide(np.repeat(truth[:, None], coders, axis=1), categories=range(q))
    assert percent_agreement(ratings) == 1.0
    assert gwet_ac1(ratings) == 1.0
    assert brennan_prediger(ratings) == 1.0
    if np.unique(truth).size >= 2:  # otherwise kappa and alpha are 0/0
        assert fleiss_kappa(ratings) == pytest.approx(1.0)
        assert krippendorff_alpha(ratings) == pytest.approx(1.0)
        if coders == 2:
            assert cohen_kappa(ratings) == pytest.approx(1.0)


@FAST
@given(rating_matrices(), st.sampled_from(["nominal", "ordinal", "interval", "ratio"]))
def test_missing_data_never_crashes_summary(matrix: np.ndarray, level: str) -> None:
    result = summarize(ratings_from_wide(matrix, level=level)).to_dict()
    for name in STATISTICS:
        assert result[name] is None or isinstance(result[name], float)
        if result[name] is None:
            assert any(note.startswith(name) for note in result["notes"])


# ---------------------------------------------------------------------------- summary


def test_summary_keys_exactly() -> None:
    plain = summarize(ratings_from_wide(ABSTRACTORS)).to_dict()
    assert list(plain) == ["n_units", "n_coders", *STATISTICS, "notes", "level"]
    assert plain["n_units"] == 100 and plain["n_coders"] == 2
    assert plain["cohen_kappa"] == pytest.approx(0.7964094, abs=5e-8)
    boot = summarize(ratings_from_wide(RAW4), n_boot=200, seed=3).to_dict()
    ci_keys = [f"{name}_ci" for name in STATISTICS]
    assert list(boot) == ["n_units", "n_coders", *STATISTICS, *ci_keys, "notes", "level"]
    assert boot["cohen_kappa"] is None and boot["cohen_kappa_ci"] is None
    low, high = boot["krippendorff_alpha_ci"]
    assert isinstance(low, float) and low <= boot["krippendorff_alpha"] <= high
    assert all(isinstance(note, str) for note in boot["notes"])
    json.dumps(boot, allow_nan=False)


def test_summary_undefined_values_are_none_with_notes() -> None:
    same = ratings_from_wide(np.ones((6, 2)), categories=[0, 1])
    result = summarize(same).to_dict()
    assert result["krippendorff_alpha"] is None and result["cohen_kappa"] is None
    assert result["fleiss_kappa"] is None
    assert result["gwet_ac1"] == 1.0 and result["percent_agreement"] == 1.0
    assert any("krippendorff_alpha is undefined" in n for n in result["notes"])
    nobody = summarize(ratings_from_wide(np.array([[1, NA], [NA, 2], [3, NA]])))
    assert nobody.percent_agreement is None
    assert any("2 or more coders" in n for n in nobody.notes)


def test_summary_uses_quadratic_weights_for_ordinal() -> None:
    ratings = ratings_from_wide(RAW4, level="ordinal")
    result = summarize(ratings)
    assert result.weights == "quadratic"
    assert result.fleiss_kappa == pytest.approx(0.86494, abs=5e-6)  # IRRCAC, quadratic
    assert result.percent_agreement == pytest.approx(0.8181818, abs=5e-8)  # exact matches
    assert result.krippendorff_alpha == pytest.approx(0.815, abs=5e-4)  # KRIPP2011 ordinal


# -------------------------------------------------------------------------- bootstrap


def test_bootstrap_reproducible_and_seed_sensitive() -> None:
    first = bootstrap_ci(RAW4, "gwet_ac1", n_boot=300, seed=11)
    again = bootstrap_ci(RAW4, "gwet_ac1", n_boot=300, rng=np.random.default_rng(11))
    other = bootstrap_ci(RAW4, "gwet_ac1", n_boot=300, seed=12)
    assert first == again
    assert (first.low, first.high) != (other.low, other.high)
    assert first.as_list() == [first.low, first.high] and first.low <= first.high


@pytest.mark.parametrize(
    ("name", "metric"),
    [
        ("krippendorff_alpha", "ordinal"),
        ("krippendorff_alpha", "ratio"),
        ("krippendorff_alpha", "interval"),
        ("fleiss_kappa", None),
        ("gwet_ac1", None),
    ],
)
def test_resample_weights_equal_replicated_units(name: str, metric: str | None) -> None:
    """Evaluating a kernel on pattern counts equals recomputing on the replicated units."""
    ratings = ratings_from_wide(KRIPP, level=metric or "nominal")
    pat = patterns_of(ratings)
    kernel = build_kernel(ratings, name, **({"metric": metric} if metric else {}))
    counts = np.random.default_rng(5).multinomial(12, pat.weight / pat.weight.sum(), size=20)
    batched, _ = kernel(counts.astype(float))
    for row, value in zip(counts, batched, strict=True):
        sample = Ratings(np.repeat(pat.codes, row, axis=0), ratings.categories, ratings.level)
        function = {
            "krippendorff_alpha": krippendorff_alpha,
            "fleiss_kappa": fleiss_kappa,
            "gwet_ac1": gwet_ac1,
        }[name]
        expected = value_or_none(function, sample, **({"metric": metric} if metric else {}))
        if expected is None:
            assert np.isnan(value)
        else:
            assert value == pytest.approx(expected, abs=1e-9)


def test_bootstrap_skips_and_counts_undefined_resamples() -> None:
    matrix = np.array([[0, 0]] * 9 + [[1, 1]])  # alpha is 0/0 whenever unit 10 is not drawn
    ci = bootstrap_ci(matrix, "krippendorff_alpha", n_boot=500, seed=0)
    assert 100 < ci.n_skipped < 300  # expected (9/10)^10 ~ 35 % of 500
    assert ci.low == ci.high == 1.0
    slow = bootstrap_ci(matrix, krippendorff_alpha, n_boot=100, seed=0)
    assert slow.statistic == "krippendorff_alpha" and 10 < slow.n_skipped < 70


def test_bootstrap_options_validated() -> None:
    with pytest.raises(ValueError, match="n_boot"):
        bootstrap_ci(RAW4, n_boot=0)
    with pytest.raises(ValueError, match="ci_level"):
        bootstrap_ci(RAW4, ci_level=95)
    with pytest.raises(ValueError, match="seed or rng"):
        bootstrap_ci(RAW4, seed=1, rng=np.random.default_rng(1))


def test_bootstrap_thousand_by_thousand_is_fast() -> None:
    import time

    rng = np.random.default_rng(0)
    matrix = rng.integers(1, 6, size=(1000, 4)).astype(float)
    matrix[rng.random(matrix.shape) < 0.1] = NA
    ratings = ratings_from_wide(matrix, level="ordinal")
    start = time.perf_counter()
    result = summarize(ratings, n_boot=1000, seed=0)
    assert time.perf_counter() - start < 5.0
    assert result.interval("krippendorff_alpha").n_boot == 1000


# ---------------------------------------------------------------------- constructors


def test_long_and_wide_constructors_agree() -> None:
    rows = [
        ("u1", "ann", "yes"),
        ("u1", "bob", "no"),
        ("u2", "ann", "yes"),
        ("u2", "bob", ""),
        ("u3", "bob", "yes"),
        ("u3", "ann", None),
    ]
    long = ratings_from_long(rows)
    assert long.units == ("u1", "u2", "u3") and long.coders == ("ann", "bob")
    assert long.categories == ("no", "yes")
    assert long.codes.tolist() == [[1, 0], [1, -1], [-1, 1]]
    wide = ratings_from_wide([["yes", "no"], ["yes", None], [NA, "yes"]])
    assert wide.codes.tolist() == long.codes.tolist()
    with pytest.raises(ValueError, match="duplicate"):
        ratings_from_long([("u1", "ann", 1), ("u1", "ann", 2)])


def test_constructor_levels_and_categories() -> None:
    ordinal = ratings_from_long(
        [(1, "a", "10"), (1, "b", 2), (2, "a", 2.0), (2, "b", 9)], level="ordinal"
    )
    assert ordinal.categories == (2, 9, 10)  # numeric order, "2" and 2.0 are one category
    with pytest.raises(ValueError, match="categories="):
        ratings_from_long([(1, "a", "low"), (1, "b", "high")], level="ordinal")
    scale = ratings_from_wide(
        [["low", "high"], ["mid", "mid"]], level="ordinal", categories=["low", "mid", "high"]
    )
    assert scale.codes.tolist() == [[0, 2], [1, 1]]
    with pytest.raises(ValueError, match="not in categories"):
        ratings_from_wide([[0, 1], [2, 1]], categories=[0, 1])
    with pytest.raises(ValueError, match="negative"):
        ratings_from_wide([[1, -1], [2, 2]], level="ratio")
    flags = ratings_from_wide(np.array([[True, False], [True, True]]))
    assert flags.categories == (0, 1) and flags.codes.flags.writeable is False


def test_pandas_wide_table() -> None:
    import pandas as pd

    frame = pd.DataFrame({"ann": [1, 2, None], "bob": [1, 3, 3]}, index=["s1", "s2", "s3"])
    ratings = ratings_from_wide(frame, level="interval")
    assert ratings.coders == ("ann", "bob") and ratings.units == ("s1", "s2", "s3")
    assert ratings.codes.tolist() == [[0, 0], [1, 2], [-1, 2]]


def test_many_coders_use_the_row_sorting_path() -> None:
    """30 coders x 5 categories do not fit one int64 key per unit; results must not change."""
    rng = np.random.default_rng(2)
    matrix = rng.integers(0, 5, size=(40, 30)).astype(float)
    matrix[rng.random(matrix.shape) < 0.2] = NA
    matrix[:3] = NA  # units nobody rated
    ratings = ratings_from_wide(matrix, categories=range(5))
    assert krippendorff_alpha(ratings) == pytest.approx(naive_alpha(matrix, "nominal"), abs=1e-9)
    expected = naive_gwet(matrix, 5)
    assert gwet_ac1(ratings) == pytest.approx(expected["gwet_ac1"], abs=1e-9)
    assert fleiss_kappa(ratings) == pytest.approx(expected["fleiss_kappa"], abs=1e-9)


def test_continuous_interval_values() -> None:
    """Thousands of distinct values: alpha (interval) still works, table-based ones say why not."""
    rng = np.random.default_rng(3)
    matrix = rng.normal(50, 10, 3000)[:, None] + rng.normal(0, 3, (3000, 3))
    matrix[rng.random(matrix.shape) < 0.05] = NA
    result = summarize(ratings_from_wide(matrix, level="interval"), n_boot=50, seed=0)
    sample = matrix[:60]
    assert krippendorff_alpha(ratings_from_wide(sample, level="interval")) == pytest.approx(
        naive_alpha(sample, "interval"), abs=1e-9
    )
    assert 0.85 < result.krippendorff_alpha < 0.95
    assert result.interval("krippendorff_alpha").low is not None
    assert result.fleiss_kappa is None
    assert any("too many" in note for note in result.notes)


def test_bad_options_are_value_errors() -> None:
    with pytest.raises(ValueError, match="unknown metric"):
        krippendorff_alpha(RAW4, metric="circular")
    with pytest.raises(ValueError, match="unknown weights"):
        fleiss_kappa(RAW4, weights="cubic")
    with pytest.raises(ValueError, match="unknown statistic"):
        bootstrap_ci(RAW4, "scott_pi")
    with pytest.raises(ValueError, match="1 on the diagonal"):
        gwet_ac1(RAW4, weights=np.zeros((5, 5)))
    custom = np.eye(5)
    assert gwet_ac1(RAW4, weights=custom) == pytest.approx(gwet_ac1(RAW4))
