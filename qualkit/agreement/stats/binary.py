"""Agreement statistics of binary (absent / present) codes from pattern counts.

On a project, units are segments or characters and every decision is 0 or 1, so a code's
ratings are fully described by how many units show each of the 2**k patterns of k coders'
decisions (see ``agreement_units``).  This module evaluates the same kernels as
:func:`qualkit.agreement.stats.summarize` directly on those counts: identical values, but no units x
coders matrix is built, which matters for millions of characters and for pooling codes.
"""

from __future__ import annotations

import numpy as np

from qualkit.agreement.stats.alpha import alpha_kernel
from qualkit.agreement.stats.boot import BootstrapCI, bootstrap_kernels, percentile_interval
from qualkit.agreement.stats.kernels import (
    Kernel,
    Patterns,
    UndefinedStatisticError,
    brennan_prediger_kernel,
    cohen_kernel,
    fleiss_kernel,
    gwet_kernel,
    percent_agreement_kernel,
)
from qualkit.agreement.stats.summary import STATISTICS, AgreementSummary

CATEGORIES = (0, 1)  # absent, present: q = 2 for AC1 and Brennan-Prediger
CLUSTER_CELLS = 20_000_000  # distinct segments x patterns for the pooled (cluster) bootstrap
_BUILDERS = {
    "percent_agreement": percent_agreement_kernel,
    "cohen_kappa": cohen_kernel,
    "fleiss_kappa": fleiss_kernel,
    "gwet_ac1": gwet_kernel,
    "brennan_prediger": brennan_prediger_kernel,
}


def patterns(counts: np.ndarray, n_coders: int, *, with_units: bool = False) -> Patterns:
    """The :class:`Patterns` of the non-empty patterns in ``counts`` (length 2**n_coders).

    ``with_units`` also fills ``inverse`` (one entry per unit), which the unit bootstrap needs.
    """
    counts = np.asarray(counts, dtype=np.int64)
    used = np.flatnonzero(counts)
    rows = (used[:, None] >> np.arange(n_coders)) & 1
    inverse = np.repeat(np.arange(used.size), counts[used]) if with_units else np.zeros(0, int)
    return Patterns(rows.astype(np.int64), counts[used].astype(float), inverse, len(CATEGORIES))


def kernels(pat: Patterns, n_coders: int) -> tuple[dict[str, Kernel], dict[str, str]]:
    """Kernels of every statistic, and the reasons of those that cannot be built."""
    built: dict[str, Kernel] = {}
    reasons: dict[str, str] = {}
    for name in STATISTICS:
        if name == "cohen_kappa" and n_coders != 2:
            reasons[name] = f"Cohen's kappa needs exactly 2 coders; there are {n_coders}"
        elif name == "krippendorff_alpha":
            built[name] = alpha_kernel(pat, "nominal", np.arange(2.0))
        else:
            built[name] = _BUILDERS[name](pat, None)
    return built, reasons


def evaluate(
    pat: Patterns, n_coders: int
) -> tuple[dict[str, float | None], dict[str, Kernel], list[str]]:
    """Point values (None where undefined), the kernels that gave a value, and notes."""
    built, reasons = kernels(pat, n_coders)
    values: dict[str, float | None] = dict.fromkeys(STATISTICS)
    good: dict[str, Kernel] = {}
    for name, kernel in built.items():
        try:
            result, reason = kernel(pat.weight[None, :])
        except UndefinedStatisticError as exc:
            result, reason = np.array([np.nan]), str(exc)
        if reason is None and np.isfinite(result[0]):
            values[name], good[name] = float(result[0]), kernel
        else:
            reasons[name] = reason or "no value"
    notes = [f"{name} is undefined: {reasons[name]}" for name in STATISTICS if name in reasons]
    return values, good, notes


def summary(
    counts: np.ndarray,
    n_coders: int,
    *,
    n_boot: int = 0,
    ci_level: float = 0.95,
    rng: np.random.Generator | None = None,
    clusters: tuple[np.ndarray, np.ndarray] | None = None,
    notes: tuple[str, ...] = (),
) -> AgreementSummary:
    """All statistics of one binary code (or of pooled codes) from its pattern counts.

    Args:
        counts: (2**n_coders,) units per pattern.
        n_coders: k.
        n_boot: bootstrap resamples (0 = none).
        ci_level: confidence level of the intervals.
        rng: generator for the bootstrap.
        clusters: for pooled codes, (distinct segment rows as pattern counts (d, 2**k), how many
            segments show each row (d,)): the bootstrap then resamples whole segments.
        notes: extra notes to append.
    """
    pat = patterns(counts, n_coders, with_units=bool(n_boot) and clusters is None)
    values, good, found = evaluate(pat, n_coders)
    intervals: tuple[BootstrapCI, ...] = ()
    if n_boot and good:
        rng = rng if rng is not None else np.random.default_rng()
        if clusters is None:
            intervals = tuple(bootstrap_kernels(pat, good, n_boot=n_boot, ci_level=ci_level,
                                                rng=rng).values())
        else:
            intervals = _cluster_intervals(counts, clusters, good, n_boot, ci_level, rng)
    return AgreementSummary(
        n_units=int(np.sum(counts)),
        n_coders=n_coders,
        level="nominal",
        **values,
        intervals=intervals,
        notes=(*found, *notes),
        n_boot=int(n_boot) if intervals else 0,
        ci_level=float(ci_level),
    )


def _cluster_intervals(
    counts: np.ndarray,
    clusters: tuple[np.ndarray, np.ndarray],
    good: dict[str, Kernel],
    n_boot: int,
    ci_level: float,
    rng: np.random.Generator,
) -> tuple[BootstrapCI, ...]:
    """Resample segments (each with all its codes) with replacement; percentile intervals."""
    rows, weight = clusters
    used = np.flatnonzero(np.asarray(counts))
    rows = rows[:, used].astype(float)  # align with the kernels' patterns
    n = int(weight.sum())
    draws: dict[str, list[np.ndarray]] = {name: [] for name in good}
    block = max(1, 2_000_000 // max(rows.size, 1))
    done = 0
    while done < n_boot:
        b = min(block, n_boot - done)
        unit_weights = rng.multinomial(n, weight / n, size=b) @ rows
        for name, kernel in good.items():
            draws[name].append(kernel(unit_weights)[0])
        done += b
    return tuple(
        percentile_interval(name, np.concatenate(parts), ci_level, n_boot)
        for name, parts in draws.items()
    )


def segment_clusters(keys: np.ndarray, n_coders: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Distinct segments as rows of pattern counts over their codes, with how many share each.

    Args:
        keys: (n_segments, n_codes) pattern number of each segment and code.

    Returns:
        (rows (d, 2**k), weight (d,)), or None when the table would be too large.
    """
    distinct, weight = np.unique(keys, axis=0, return_counts=True)
    width = 1 << n_coders
    if distinct.shape[0] * width > CLUSTER_CELLS:
        return None
    flat = (np.arange(distinct.shape[0])[:, None] * width + distinct).ravel()
    rows = np.bincount(flat, minlength=distinct.shape[0] * width).reshape(-1, width)
    return rows, weight.astype(float)


def cohen_from_counts(counts: np.ndarray) -> float | None:
    """Cohen's kappa of two coders from their 4 pattern counts, None when undefined."""
    pat = patterns(counts, 2)
    if not pat.weight.size:
        return None
    value, reason = cohen_kernel(pat, None)(pat.weight[None, :])
    return float(value[0]) if reason is None and np.isfinite(value[0]) else None
