"""Effects re-estimated within groups of treated people, and the treatment x group interaction.

A group is a set of *treated* people (e.g. those living in one district, or of one race) together
with the controls they were matched to: the controls inherit their treated partner's group, so
each group's estimate compares like with like even when the grouping variable was not matched on
exactly. The matching weights are rebuilt for the group from the run's pairs with MatchIt's rule
(:func:`~qualkit.outcomes.matching.matchit_weights`), so a group made of every matched treated
person reproduces the run's own estimates exactly. Each group's effect uses the run's estimator
(difference in weighted means, or g-computation with ``--adjust``) with pair-clustered CR1
standard errors (HC1 when controls were reused).

The interaction test fits ``y ~ treat * group`` by weighted least squares on the groups that can
be estimated, stacked, with standard errors clustered on matched pairs (on people when controls
were reused, since a reused control then appears in several groups), and reports the Wald
chi-square of the treat x group terms (L - 1 degrees of freedom for L groups). It is on the
additive (difference) scale and unadjusted, also for an ``--adjust`` run.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from qualkit.outcomes.effects import estimate_effect
from qualkit.outcomes.matched import MatchedData
from qualkit.outcomes.matching import matchit_weights

MIN_TREATED = 10  # below this a group's estimate is noise; the table says "too small"


@dataclass
class GroupEffect:
    """The effect of one outcome within one group (numbers ``None`` when not estimated)."""

    group: str
    outcome: str
    n_treated: int
    n_treated_matched: int
    n_control: int
    status: str
    estimate: float | None = None
    se: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    p: float | None = None
    mean_treated: float | None = None
    mean_control: float | None = None
    rate_ratio: float | None = None
    rr_ci_low: float | None = None
    rr_ci_high: float | None = None
    estimator: str = ""

    @property
    def estimated(self) -> bool:
        return self.status == "ok"

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Interaction:
    """Wald test of the treat x group terms for one outcome."""

    outcome: str
    groups: list[str]
    chi2: float | None
    df: int
    p: float | None
    estimator: str
    note: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class _Sample:
    rows: np.ndarray
    weights: np.ndarray
    clusters: np.ndarray | None
    n_treated_matched: int
    n_control: int


class Regrouper:
    """Builds the matched sample of any set of treated people from a run's matched data."""

    def __init__(self, data: MatchedData) -> None:
        self.data = data
        self.row_of = {str(i): r for r, i in enumerate(data.ids)}
        self.replace = bool(data.params.get("replace"))
        self.links: dict[str, list[tuple[int, int]]] = {}
        for t_id, c_id, pair_id, _ in data.pairs:
            if c_id in self.row_of:
                self.links.setdefault(t_id, []).append((self.row_of[c_id], pair_id))

    def sample(self, treated_rows: np.ndarray) -> _Sample:
        """The treated rows given (those with controls) and their controls, MatchIt weights."""
        n = len(self.data.ids)
        matched = [r for r in treated_rows if self.links.get(str(self.data.ids[r]))]
        ratio = max((len(self.links[str(self.data.ids[r])]) for r in matched), default=1)
        mm = np.full((len(matched), ratio), -1, dtype=np.int64)
        pair = np.zeros(n, dtype=np.int64)
        for i, r in enumerate(matched):
            got = self.links[str(self.data.ids[r])]
            mm[i, : len(got)] = [c for c, _ in got]
            pair[r] = got[0][1]
            for c, pair_id in got:
                pair[c] = pair_id
        weights = matchit_weights(mm, np.asarray(matched, dtype=np.int64), n)
        rows = np.flatnonzero(weights > 0)
        clusters = None if self.replace else pair[rows]
        n_control = int((self.data.treat[rows] == 0).sum())
        return _Sample(rows, weights[rows], clusters, len(matched), n_control)


def _design(data: MatchedData) -> np.ndarray | None:
    """The covariate matrix for ``--adjust`` runs (constants are dropped later, per group)."""
    if not data.params.get("adjust"):
        return None
    from qualkit.outcomes.data import _classify, _encode

    covs = [_classify(data.frame[c], "<run>", c, in_model=False)
            for c in data.params.get("covariates", [])]
    return _encode(data.frame, covs)[0] if covs else None


def _status(sample: _Sample, y: np.ndarray, min_treated: int) -> str:
    if sample.n_treated_matched == 0:
        return "not estimable: no treated person in this group has a matched control"
    if sample.n_treated_matched < min_treated:
        return (f"too small to estimate: {sample.n_treated_matched} matched treated "
                f"(fewer than {min_treated})")
    if np.ptp(y) == 0:
        return "not estimable: the outcome does not vary in this group"
    return "ok"


def group_effects(data: MatchedData, labels: Sequence, *, outcomes: Sequence[str] | None = None,
                  levels: Sequence[str] | None = None,
                  min_treated: int = MIN_TREATED) -> list[GroupEffect]:
    """Effects within each group of treated people.

    Args:
        data: The run's matched data.
        labels: Group of each row of ``data`` (only treated rows' values are used; ``None`` or
            NaN: in no group).
        outcomes: Outcomes to estimate (default: the run's).
        levels: Groups to report, in order (default: every value among the treated, sorted).
        min_treated: Fewer matched treated people than this: "too small to estimate".

    Returns:
        One :class:`GroupEffect` per group and outcome (group-major order).
    """
    regroup = Regrouper(data)
    text = _labels(labels)
    levels = list(levels) if levels is not None else sorted(
        {v for v, t in zip(text, data.treat, strict=True) if v is not None and t == 1})
    design = _design(data)
    out = []
    for level in levels:
        treated = np.flatnonzero((data.treat == 1) & (text == level))
        sample = regroup.sample(treated)
        for name in outcomes or data.outcomes:
            out.append(_estimate(data, sample, level, name, len(treated), design, min_treated))
    return out


def _labels(labels: Sequence) -> np.ndarray:
    """Group labels as text, ``None`` for missing."""
    import pandas as pd

    return np.array([None if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)
                     for v in labels], dtype=object)


def _estimate(data: MatchedData, sample: _Sample, level: str, name: str, n_treated: int,
              design: np.ndarray | None, min_treated: int) -> GroupEffect:
    y = data.frame[name].to_numpy(dtype=float)
    base = GroupEffect(group=level, outcome=name, n_treated=n_treated,
                       n_treated_matched=sample.n_treated_matched, n_control=sample.n_control,
                       status="")
    base.status = _status(sample, y[sample.rows], min_treated)
    if not base.estimated:
        return base
    rows = sample.rows
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        e = estimate_effect(name, y[rows], data.treat[rows], sample.weights, sample.clusters,
                            None if design is None else design[rows])
    for key in ("estimate", "se", "ci_low", "ci_high", "p", "mean_treated", "mean_control",
                "rate_ratio", "rr_ci_low", "rr_ci_high", "estimator"):
        setattr(base, key, getattr(e, key))
    return base


def interaction_test(data: MatchedData, labels: Sequence, outcome: str, *,
                     levels: Sequence[str] | None = None, min_treated: int = MIN_TREATED,
                     effects: Sequence[GroupEffect] | None = None) -> Interaction:
    """Wald test that the effect of treatment on ``outcome`` is the same in every group.

    Groups too small to estimate (see :func:`group_effects`) are left out of the model; pass
    the :func:`group_effects` of this outcome as ``effects`` to skip estimating them again.
    """
    from scipy.stats import chi2 as chi2_dist

    if effects is None:
        effects = group_effects(data, labels, outcomes=[outcome], levels=levels,
                                min_treated=min_treated)
    kept = [e.group for e in effects if e.estimated and e.outcome == outcome]
    what = _interaction_text(bool(data.params.get("replace")))
    if len(kept) < 2:
        return Interaction(outcome, kept, None, 0, None, what,
                           "fewer than two groups large enough to compare")
    y, x, w, clusters = stacked_design(data, labels, outcome, kept)
    beta, cov = _wls_cluster(y, x, w, clusters)
    k = len(kept) - 1
    b, v = beta[-k:], cov[-k:, -k:]
    try:
        stat = float(b @ np.linalg.solve(v, b))
    except np.linalg.LinAlgError:
        return Interaction(outcome, kept, None, k, None, what, "singular covariance")
    return Interaction(outcome, kept, stat, k, float(chi2_dist.sf(stat, k)), what)


def _interaction_text(replace: bool) -> str:
    se = ("SE clustered on people (controls reused)" if replace
          else "SE clustered on matched pairs (CR1)")
    return (f"WLS y ~ treat * group with matching weights rebuilt per group; {se}; Wald "
            "chi-square of the treat x group terms (additive scale, unadjusted)")


def stacked_design(data: MatchedData, labels: Sequence, outcome: str,
                   kept: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(y, X, w, clusters)`` of the interaction model over the groups ``kept``.

    Columns of X: intercept, treat, one dummy per group after the first, treat x each dummy.
    """
    regroup = Regrouper(data)
    text = _labels(labels)
    ys, ts, gs, ws, cs = [], [], [], [], []
    y_all = data.frame[outcome].to_numpy(dtype=float)
    for g, level in enumerate(kept):
        sample = regroup.sample(np.flatnonzero((data.treat == 1) & (text == level)))
        rows = sample.rows
        ys.append(y_all[rows])
        ts.append(data.treat[rows].astype(float))
        gs.append(np.full(len(rows), g))
        ws.append(sample.weights)
        cs.append(rows if sample.clusters is None else sample.clusters)
    t, g = np.concatenate(ts), np.concatenate(gs)
    dummies = np.column_stack([(g == j).astype(float) for j in range(1, len(kept))])
    x = np.column_stack([np.ones(len(t)), t, dummies, dummies * t[:, None]])
    return np.concatenate(ys), x, np.concatenate(ws), np.concatenate(cs)


def _wls_cluster(y: np.ndarray, x: np.ndarray, w: np.ndarray,
                 clusters: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    import statsmodels.api as sm

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = sm.WLS(y, x, weights=w).fit(cov_type="cluster", cov_kwds={"groups": clusters},
                                          use_t=False)
    return np.asarray(fit.params), np.asarray(fit.cov_params())
