"""Generate ``lead_cohort.csv``: a synthetic LEAD-like cohort with known treatment effects.

Run ``python outcomes_sample/generate.py --seed 20261124`` (the default) to rebuild the CSV next to
this file. The data-generating process (DGP) and what "true effect" means are documented in
``README.md``; :func:`control_rate` and :func:`true_effects` recompute the truth from the CSV alone,
so tests need no random numbers.

Only numpy and pandas are used; everything is synthetic (no real people).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SEED = 20261124
N_ELIGIBLE = 1100
N_TARGET_TREATED = 100
RACES = ("Black", "White", "Latino", "Other")
RACE_SHARES = (0.45, 0.35, 0.12, 0.08)
PRIORS = ("prior_citations", "prior_misd_arrests", "prior_felony_arrests",
          "prior_misd_cases", "prior_felony_cases")
OUTCOMES = ("citations", "misd_arrests", "felony_arrests", "misd_cases", "felony_cases")

#: True rate ratio (treated / control) of each 12-month outcome: treatment multiplies the rate.
RATE_RATIO = {"citations": 0.85, "misd_arrests": 0.60, "felony_arrests": 0.70,
              "misd_cases": 0.65, "felony_cases": 0.61}

#: log-rate intercepts of the control-condition outcome model (rates at the reference profile).
INTERCEPT = {"citations": -0.75, "misd_arrests": -0.45, "felony_arrests": -1.55,
             "misd_cases": -0.75, "felony_cases": -1.85}

#: Weight of log1p(the same prior count) and of log1p(all other priors) in each outcome model.
SAME_PRIOR, OTHER_PRIORS = 0.45, 0.20

#: Selection model: log-odds of entering LEAD (intercept calibrated to ~100 participants).
SELECTION = {"prior_misd_arrests": 0.40, "prior_citations": 0.25, "prior_felony_arrests": 0.15,
             "Black": 0.35, "Female": 0.30, "age_per_year": -0.015}

NB_SHAPE = 2.0  # gamma shape of the outcome frailty: Var = mu + mu^2 / 2 (over-dispersed counts)

#: Police districts of the fictional city (the sample transcripts' precincts), and how likely a
#: participant / a non-participant lives in each: LEAD started in the Eastside and Harbor
#: precincts and reached the North End later. District affects neither selection on the other
#: covariates nor the outcomes, so it is no confounder; it is there to link effects by district
#: to the themes of each district's interviews.
DISTRICTS = ("Eastside", "Harbor", "North End")
DISTRICT_SHARES = {1: (0.45, 0.38, 0.17), 0: (0.30, 0.30, 0.40)}


def control_rate(df, outcome: str) -> np.ndarray:
    """Expected 12-month count of ``outcome`` without LEAD, from observed covariates only.

    log mu0 = INTERCEPT + 0.45 log1p(same prior) + 0.20 log1p(other priors)
              - 0.012 (age - 38) + 0.10 male + 0.05 Black
    """
    prior = {p[len("prior_"):]: df[p].to_numpy(dtype=float) for p in PRIORS}
    same = prior[outcome]
    others = sum(v for k, v in prior.items() if k != outcome)
    log_mu = (INTERCEPT[outcome] + SAME_PRIOR * np.log1p(same) + OTHER_PRIORS * np.log1p(others)
              - 0.012 * (df["age"].to_numpy(dtype=float) - 38)
              + 0.10 * (df["sex"].to_numpy() == "Male") + 0.05 * (df["race"].to_numpy() == "Black"))
    return np.exp(log_mu)


def true_effects(df, treated_mask=None) -> dict[str, dict[str, float]]:
    """The true effect on the treated for every outcome, as defined in README.md.

    Args:
        df: The cohort (the CSV as a DataFrame).
        treated_mask: Which treated rows to average over (default: all with ``treated == 1``).

    Returns:
        ``{outcome: {"att": mean over treated of mu0 * (RR - 1), "rate_ratio": RR,
        "mean_mu0": ..., "mean_mu1": ...}}``.
    """
    mask = (df["treated"].to_numpy() == 1) if treated_mask is None else np.asarray(treated_mask)
    out = {}
    for name in OUTCOMES:
        mu0 = control_rate(df, name)[mask]
        rr = RATE_RATIO[name]
        out[name] = {"att": float(np.mean(mu0 * (rr - 1))), "rate_ratio": rr,
                     "mean_mu0": float(np.mean(mu0)), "mean_mu1": float(np.mean(mu0 * rr))}
    return out


def _people(rng: np.random.Generator, n: int):
    """Demographics and prior-year criminal-legal contacts of the eligible population."""
    import pandas as pd

    sex = np.where(rng.random(n) < 0.36, "Female", "Male")
    race = rng.choice(RACES, size=n, p=RACE_SHARES)
    age = np.clip(np.rint(rng.normal(38, 11, n)), 18, 70).astype(int)
    # A person-level intensity makes the five prior counts correlated, as in real records.
    intensity = rng.gamma(2.0, 0.5, n) * np.exp(-0.015 * (age - 38))
    misd_arrests = rng.poisson(1.3 * intensity)
    felony_arrests = rng.poisson(0.45 * intensity)
    df = pd.DataFrame({
        "sex": sex, "race": race, "age": age,
        "prior_citations": rng.poisson(0.9 * intensity),
        "prior_misd_arrests": misd_arrests,
        "prior_felony_arrests": felony_arrests,
        "prior_misd_cases": rng.binomial(misd_arrests, 0.7) + rng.poisson(0.1, n),
        "prior_felony_cases": rng.binomial(felony_arrests, 0.6),
    })
    return df


def _selection_logit(df) -> np.ndarray:
    """Log-odds of LEAD referral without the intercept: selection on observed covariates only."""
    s = SELECTION
    return (s["prior_misd_arrests"] * df["prior_misd_arrests"]
            + s["prior_citations"] * df["prior_citations"]
            + s["prior_felony_arrests"] * df["prior_felony_arrests"]
            + s["Black"] * (df["race"] == "Black") + s["Female"] * (df["sex"] == "Female")
            + s["age_per_year"] * (df["age"] - 38)).to_numpy(dtype=float)


def _calibrate(lin: np.ndarray, target: float) -> float:
    """Intercept making the expected number of participants equal ``target`` (bisection)."""
    lo, hi = -20.0, 20.0
    for _ in range(100):
        mid = (lo + hi) / 2
        expected = float(np.sum(1 / (1 + np.exp(-(mid + lin)))))
        lo, hi = (mid, hi) if expected < target else (lo, mid)
    return (lo + hi) / 2


def generate(seed: int = SEED):
    """Build the cohort DataFrame (columns in the documented order)."""
    rng = np.random.default_rng(seed)
    df = _people(rng, N_ELIGIBLE)
    lin = _selection_logit(df)
    p = 1 / (1 + np.exp(-(_calibrate(lin, N_TARGET_TREATED) + lin)))
    df["treated"] = (rng.random(N_ELIGIBLE) < p).astype(int)
    for name in OUTCOMES:
        mu = control_rate(df, name) * np.where(df["treated"] == 1, RATE_RATIO[name], 1.0)
        frailty = rng.gamma(NB_SHAPE, 1 / NB_SHAPE, N_ELIGIBLE)  # independent of everything
        df[name] = rng.poisson(mu * frailty)
    # drawn last, so adding it left every earlier draw (and the documented numbers) unchanged
    df["district"] = [rng.choice(DISTRICTS, p=DISTRICT_SHARES[int(t)]) for t in df["treated"]]
    df = df.sample(frac=1.0, random_state=np.random.RandomState(seed % (2**32))).reset_index(
        drop=True)
    df.insert(0, "id", [f"P{i:04d}" for i in range(1, len(df) + 1)])
    cols = ["id", "treated", "sex", "race", "age", "district", *PRIORS, *OUTCOMES]
    return df[cols]


def main() -> None:
    """Write lead_cohort.csv and print the true effects."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, default=HERE / "lead_cohort.csv")
    args = parser.parse_args()
    df = generate(args.seed)
    df.to_csv(args.out, index=False)
    n1 = int(df["treated"].sum())
    print(f"wrote {args.out}: {n1} participants, {len(df) - n1} non-participants")
    for name, t in true_effects(df).items():
        naive = df.loc[df.treated == 1, name].mean() - df.loc[df.treated == 0, name].mean()
        print(f"  {name:15s} true ATT {t['att']:+.3f}  (RR {t['rate_ratio']:.2f}, "
              f"E[Y0|treated] {t['mean_mu0']:.3f})  naive difference {naive:+.3f}")


if __name__ == "__main__":
    main()
