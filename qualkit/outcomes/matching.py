"""Greedy nearest-neighbour matching on a scalar distance, following MatchIt's ``method="nearest"``.

Rules copied in behaviour (not code) from MatchIt 4.x so results agree pair for pair:

* Units are put in one list sorted by distance (stable: equal distances keep data order). For a
  treated unit the candidates are the nearest still-available control on its left and on its right
  in that list; the left one wins an exact tie in distance.
* Treated units are processed in ``order`` (``largest`` distance first by default; ties in data
  order). With ``ratio = k`` every treated unit gets its 1st control, then the loop goes round again
  for the 2nd, and so on.
* A caliper is in standard deviations of the distance over the full sample (``std.caliper = TRUE``);
  a pair is allowed when ``|d_t - d_c| <= caliper``.
* ``exact`` strata never share controls, so each stratum has its own pool.

Each pool keeps two "next available" union-find arrays over its sorted controls, so removing a used
control and finding the nearest free one on either side is amortised O(alpha(n)): the whole match
is O(n log n) for the sort plus near-linear work, never an all-pairs matrix.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qualkit.errors import ParameterError

ORDERS = ("largest", "smallest", "random", "data")


@dataclass
class Matching:
    """The result of a match.

    Attributes:
        treated_rows: Row index of every treated unit, in data order.
        match_matrix: ``(n_treated, ratio)`` control row indices, ``-1`` where no match was found;
            column ``j`` holds each treated unit's ``(j+1)``-th match.
        weights: MatchIt matching weights per row (0 = not in the matched sample).
        subclass: Pair id per row (1-based, numbered by treated data order; 0 = unmatched). With
            replacement a control may sit in several pairs, so controls get 0 (as MatchIt omits
            ``subclass``); use :meth:`pairs` for the full pairing.
        caliper: Caliper width in distance units, or ``None``.
        ratio: Controls sought per treated unit.
        replace: Whether controls could be reused.
        order: Processing order of treated units.
    """

    treated_rows: np.ndarray
    match_matrix: np.ndarray
    weights: np.ndarray
    subclass: np.ndarray
    caliper: float | None
    ratio: int
    replace: bool
    order: str

    def pairs(self, ids: np.ndarray) -> list[tuple[str, str, int, float]]:
        """Every (treated id, control id, pair id, weight) link.

        ``weight`` is the pair's share of its treated unit: 1 / number of controls matched to it.
        """
        out = []
        pair_id = 0
        for i, row in enumerate(self.match_matrix):
            got = row[row >= 0]
            if len(got) == 0:
                continue
            pair_id += 1
            t_id = str(ids[self.treated_rows[i]])
            out += [(t_id, str(ids[c]), pair_id, 1.0 / len(got)) for c in got]
        return out


def _find(parent: list[int], x: int) -> int:
    """Union-find root with path compression (roots are the available positions)."""
    root = x
    while parent[root] != root:
        root = parent[root]
    while parent[x] != root:
        parent[x], x = root, parent[x]
    return root


class _Pool:
    """The controls of one exact stratum, sorted by distance, with O(alpha) removal."""

    def __init__(self, rows: np.ndarray, dist: np.ndarray, rank: np.ndarray) -> None:
        order = np.argsort(rank[rows], kind="stable")
        self.rows = rows[order].tolist()
        self.dist = dist[rows[order]].tolist()
        self.rank = rank[rows[order]]
        n = len(self.rows)
        # left[p + 1] -> nearest free position <= p, shifted by one so 0 is the "none" sentinel;
        # right[p] -> nearest free position >= p, with n as the sentinel.
        self.left = list(range(n + 1))
        self.right = list(range(n + 1))

    def insertion(self, rank: int) -> int:
        """Number of controls sorted before a unit of the given global rank."""
        return int(np.searchsorted(self.rank, rank))

    def nearest(self, ins: int, own: set[int], replace: bool) -> tuple[int, int]:
        """Nearest usable control positions left and right of ``ins`` (``-1`` when none)."""
        n = len(self.rows)
        lo, hi = ins - 1, ins
        if replace:  # nothing is removed; step over controls already matched to this unit
            while lo >= 0 and self.rows[lo] in own:
                lo -= 1
            while hi < n and self.rows[hi] in own:
                hi += 1
            return lo, (hi if hi < n else -1)
        lo = _find(self.left, lo + 1) - 1
        hi = _find(self.right, hi)
        return lo, (hi if hi < n else -1)

    def remove(self, pos: int) -> None:
        """Mark a control as used (matching without replacement)."""
        self.left[pos + 1] = pos
        self.right[pos] = pos + 1


def _treated_order(dist_t: np.ndarray, order: str, seed: int | None) -> np.ndarray:
    """Processing order of the treated units (indices into the treated list)."""
    if order == "largest":
        return np.argsort(-dist_t, kind="stable")
    if order == "smallest":
        return np.argsort(dist_t, kind="stable")
    if order == "random":
        return np.random.default_rng(seed).permutation(len(dist_t))
    return np.arange(len(dist_t))


def _pick(pool: _Pool, lo: int, hi: int, d: float, caliper: float | None) -> int:
    """Choose the closer of the two candidates (left on ties); -1 if none is within the caliper."""
    if lo < 0 and hi < 0:
        return -1
    left_wins = lo >= 0 and (hi < 0 or abs(d - pool.dist[lo]) <= abs(pool.dist[hi] - d))
    best = lo if left_wins else hi
    if caliper is not None and abs(pool.dist[best] - d) > caliper:
        return -1
    return best


def _validate(ratio: int, order: str, caliper: float | None) -> None:
    """Refuse option values that have no meaning."""
    if ratio < 1:
        raise ParameterError("ratio", f"must be a whole number of at least 1, not {ratio}")
    if order not in ORDERS:
        raise ParameterError("order", f"must be one of {', '.join(ORDERS)}, not '{order}'")
    if caliper is not None and not caliper > 0:
        raise ParameterError("caliper", f"must be a positive number of standard deviations, not "
                         f"{caliper}")


def _build_pools(distance: np.ndarray, treat: np.ndarray, strata: np.ndarray,
                 rank: np.ndarray) -> dict[int, _Pool]:
    """One control pool per exact stratum."""
    controls = np.flatnonzero(treat == 0)
    pools = {}
    for s in np.unique(strata[controls]):
        pools[int(s)] = _Pool(controls[strata[controls] == s], distance, rank)
    return pools


def nearest_neighbor(
    distance: np.ndarray,
    treat: np.ndarray,
    *,
    ratio: int = 1,
    replace: bool = False,
    caliper: float | None = None,
    order: str = "largest",
    exact: np.ndarray | None = None,
    seed: int | None = None,
    std_caliper: bool = True,
) -> Matching:
    """Greedy k:1 nearest-neighbour matching of treated units to controls (ATT).

    Args:
        distance: Matching distance per row (propensity score or its logit).
        treat: 0/1 treatment per row.
        ratio: Controls per treated unit.
        replace: Allow a control to be matched to several treated units.
        caliper: Maximum distance difference in SDs of ``distance`` over all rows (``None``: none).
        order: ``largest``, ``smallest``, ``random`` (uses ``seed``) or ``data``.
        exact: Integer stratum per row; pairs only form within a stratum.
        seed: Seed for ``order="random"``.
        std_caliper: ``caliper`` is in SDs of the distance (MatchIt's default); ``False`` reads
            it in raw distance units.

    Returns:
        The :class:`Matching`.
    """
    _validate(ratio, order, caliper)
    distance = np.asarray(distance, dtype=float)
    treat = np.asarray(treat).astype(np.int8)
    strata = np.zeros(len(treat), dtype=np.int64) if exact is None else np.asarray(exact)
    # MatchIt: caliper * sd(distance) over all (non-discarded) units, sd with n - 1.
    scale = float(np.std(distance, ddof=1)) if std_caliper else 1.0
    width = None if caliper is None else float(caliper) * scale
    rank = np.empty(len(distance), dtype=np.int64)
    rank[np.argsort(distance, kind="stable")] = np.arange(len(distance))
    pools = _build_pools(distance, treat, strata, rank)
    treated = np.flatnonzero(treat == 1)
    mm = np.full((len(treated), ratio), -1, dtype=np.int64)
    _run_rounds(mm, treated, distance, strata, rank, pools,
                _treated_order(distance[treated], order, seed), replace, width)
    weights = matchit_weights(mm, treated, len(treat))
    return Matching(treated_rows=treated, match_matrix=mm, weights=weights,
                    subclass=_subclasses(mm, treated, len(treat), replace), caliper=width,
                    ratio=ratio, replace=replace, order=order)


def _run_rounds(mm: np.ndarray, treated: np.ndarray, distance: np.ndarray, strata: np.ndarray,
                rank: np.ndarray, pools: dict[int, _Pool], sequence: np.ndarray, replace: bool,
                width: float | None) -> None:
    """Fill ``mm`` round by round: each round gives every treated unit at most one more control."""
    active = [int(i) for i in sequence if int(strata[treated[i]]) in pools]
    ins = {i: pools[int(strata[treated[i]])].insertion(rank[treated[i]]) for i in active}
    for r in range(mm.shape[1]):
        still = []
        for i in active:
            t = int(treated[i])
            pool = pools[int(strata[t])]
            own = set(mm[i, :r].tolist()) if replace else set()
            lo, hi = pool.nearest(ins[i], own, replace)
            best = _pick(pool, lo, hi, float(distance[t]), width)
            if best < 0:
                continue  # pools only shrink, so a unit that finds nothing now never will
            mm[i, r] = pool.rows[best]
            if not replace:
                pool.remove(best)
            still.append(i)
        active = still


def matchit_weights(mm: np.ndarray, treated: np.ndarray, n: int) -> np.ndarray:
    """MatchIt's ATT matching weights.

    A matched treated unit weighs 1. Each control gets, for every treated unit it is matched to,
    1 / (that unit's number of matches); control weights are then rescaled to sum to the number of
    distinct matched controls.

    Args:
        mm: Match matrix (control rows, ``-1`` for none).
        treated: Row of each match-matrix row's treated unit.
        n: Number of rows.

    Returns:
        Weight per row.
    """
    w = np.zeros(n)
    counts = (mm >= 0).sum(axis=1)
    w[treated[counts > 0]] = 1.0
    share = np.where(counts > 0, 1.0 / np.maximum(counts, 1), 0.0)
    rows, cols = np.nonzero(mm >= 0)
    np.add.at(w, mm[rows, cols], share[rows])
    is_control = np.ones(n, dtype=bool)
    is_control[treated] = False
    matched_controls = is_control & (w > 0)
    if matched_controls.any():
        w[matched_controls] *= matched_controls.sum() / w[matched_controls].sum()
    return w


def _subclasses(mm: np.ndarray, treated: np.ndarray, n: int, replace: bool) -> np.ndarray:
    """Pair id per row, numbering matched treated units in data order."""
    sub = np.zeros(n, dtype=np.int64)
    pair_id = 0
    for i, row in enumerate(mm):
        got = row[row >= 0]
        if len(got) == 0:
            continue
        pair_id += 1
        sub[treated[i]] = pair_id
        if not replace:
            sub[got] = pair_id
    return sub
