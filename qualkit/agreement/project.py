"""Inter-rater agreement on a project: per code, pooled over codes, and coder x coder.

``project_agreement`` is what `qualkit agree PROJECT` and the TUI's agreement screen show.  Units,
formulas and the choice of documents are defined in ``docs/agreement.md`` ("On a project").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from qualkit.agreement.select import (
    LeftOut,
    compare,
    segment_units,
    span_table,
)
from qualkit.agreement.stats.binary import cohen_from_counts, segment_clusters, summary
from qualkit.agreement.stats.boot import MAX_BOOT
from qualkit.agreement.stats.summary import STATISTICS, AgreementSummary
from qualkit.agreement.units import (
    applied_counts,
    character_counts,
    pair_counts,
    pattern_counts,
    pattern_keys,
)
from qualkit.errors import InputError, ParameterError, QualkitError

if TYPE_CHECKING:
    from qualkit.store import Store

UNITS = ("segment", "character")
RELIABLE, TENTATIVE = 0.800, 0.667  # Krippendorff's thresholds for alpha
POOLED = "(pooled)"
MARKS = {"reliable": "✓", "tentative": "~", "unreliable": "✗", None: "·"}


def reliability(alpha: float | None) -> str | None:
    """Krippendorff's reading of alpha: reliable (>= .800), tentative (>= .667), unreliable."""
    if alpha is None:
        return None
    return "reliable" if alpha >= RELIABLE else "tentative" if alpha >= TENTATIVE else "unreliable"


@dataclass(frozen=True)
class CodeAgreement:
    """The statistics of one code (or of all codes pooled).

    Attributes:
        code: the code's name, or ``(pooled)``.
        code_id: the code's id; None for the pooled row.
        applied: per compared coder, on how many units they applied the code.
        summary: every statistic, with notes.
    """

    code: str
    code_id: int | None
    applied: tuple[int, ...]
    summary: AgreementSummary

    @property
    def reliability(self) -> str | None:
        return reliability(self.summary.krippendorff_alpha)

    @property
    def mark(self) -> str:
        """✓ alpha >= .800, ~ alpha >= .667, ✗ below, · undefined."""
        return MARKS[self.reliability]

    def to_dict(self, coders: Sequence[str]) -> dict[str, object]:
        return {
            "code": self.code,
            "applied": dict(zip(coders, self.applied, strict=True)),
            "reliability": self.reliability,
            **self.summary.to_dict(),
        }


@dataclass(frozen=True)
class ProjectAgreement:
    """Agreement of some coders on the documents they all finished.

    Attributes:
        unit: ``segment`` or ``character``.
        overlap: the segment unit's overlap share (None for characters).
        coders, documents: names of what was compared.
        left_out: the other documents and why.
        n_units: segments or characters compared (per code).
        codes: one row per active code, in codebook order.
        pooled: all (unit, code) decisions stacked.
        pairwise: coder x coder Cohen's kappa on the pooled decisions (None on the diagonal and
            where undefined).
        notes: how the units were made, and anything undefined.
    """

    unit: str
    overlap: float | None
    coders: tuple[str, ...]
    documents: tuple[str, ...]
    left_out: tuple[LeftOut, ...]
    n_units: int
    codes: tuple[CodeAgreement, ...]
    pooled: CodeAgreement
    pairwise: tuple[tuple[float | None, ...], ...]
    notes: tuple[str, ...]

    def to_frame(self):
        """One row per code and a last ``(pooled)`` row: every statistic and the reliability
        mark, as a pandas DataFrame (notebooks, exports)."""
        import pandas as pd

        stats = ("percent_agreement", "cohen_kappa", "fleiss_kappa", "krippendorff_alpha",
                 "gwet_ac1", "brennan_prediger")
        rows = [
            {"code": row.code, **{s: getattr(row.summary, s) for s in stats},
             "reliability": row.reliability, "units": row.summary.n_units}
            for row in (*self.codes, self.pooled)
        ]
        return pd.DataFrame(rows).set_index("code")

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: floats or None, never NaN."""
        return {
            "unit": self.unit,
            "overlap": self.overlap,
            "coders": list(self.coders),
            "documents": list(self.documents),
            "left_out": [{"document": x.document, "reason": x.reason} for x in self.left_out],
            "n_units": self.n_units,
            "codes": [row.to_dict(self.coders) for row in self.codes],
            "pooled": self.pooled.to_dict(self.coders),
            "pairwise_cohen_kappa": {
                a: dict(zip(self.coders, row, strict=True))
                for a, row in zip(self.coders, self.pairwise, strict=True)
            },
            "notes": list(self.notes),
        }

    def csv_rows(self) -> tuple[list[str], list[list[object]]]:
        """Header and rows of the per-code table (the pooled row last)."""
        with_ci = any(row.summary.n_boot for row in (*self.codes, self.pooled))
        header = ["code", "reliability", "n_units", *(f"applied_{c}" for c in self.coders)]
        for name in STATISTICS:
            header += [name, f"{name}_ci_low", f"{name}_ci_high"] if with_ci else [name]
        rows = []
        for row in (*self.codes, self.pooled):
            cells: list[object] = [row.code, row.reliability or "", row.summary.n_units,
                                   *row.applied]
            for name in STATISTICS:
                cells.append(getattr(row.summary, name))
                if with_ci:
                    ci = row.summary.interval(name)
                    cells += [ci.low, ci.high] if ci is not None else [None, None]
            rows.append(cells)
        return header, rows


def project_agreement(
    store: Store,
    *,
    coders: Sequence[str] | None = None,
    documents: Sequence[str] | None = None,
    unit: str = "segment",
    overlap: float = 0.0,
    n_boot: int = 0,
    ci_level: float = 0.95,
    seed: int | None = None,
) -> ProjectAgreement:
    """Agreement per code, pooled and pairwise over the documents every coder marked done.

    Args:
        store: the open project.
        coders: coder names; default every human coder who has codings.
        documents: document names to consider; default all.
        unit: ``segment`` (default) or ``character``.
        overlap: segment unit only: the share of a segment one span must cover (0 = any overlap).
        n_boot: bootstrap resamples of segments for confidence intervals (segment unit only).
        ci_level: confidence level of the intervals.
        seed: bootstrap seed.

    Raises:
        InputError: bad names or options.
        QualkitError: fewer than 2 coders, or no document finished by all of them.
    """
    _check_options(unit, overlap, n_boot, ci_level)
    comparison = compare(store, coders, documents)
    table = span_table(store, comparison)
    if not table.codes:
        raise QualkitError("the project has no active codes; load a codebook first")
    k = len(comparison.coders)
    clusters = None
    if unit == "segment":
        units = segment_units(store, table, overlap=overlap)
        keys = pattern_keys(units.present)
        counts, n_units = pattern_counts(keys, k), int(keys.shape[0])
        clusters = segment_clusters(keys, k) if n_boot else None
    else:
        counts, n_units = character_counts(table.total, table.spans, n_codes=len(table.codes),
                                           n_coders=k), table.total
    rng = np.random.default_rng(seed)
    applied = applied_counts(counts, k)
    rows = tuple(
        CodeAgreement(code.name, code.id, tuple(int(x) for x in applied[i]),
                      summary(counts[i], k, n_boot=n_boot, ci_level=ci_level, rng=rng))
        for i, code in enumerate(table.codes)
    )
    pooled_counts = counts.sum(axis=0)
    pooled = CodeAgreement(
        POOLED, None, tuple(int(x) for x in applied.sum(axis=0)),
        summary(pooled_counts, k, n_boot=n_boot if unit == "segment" and clusters else 0,
                ci_level=ci_level, rng=rng, clusters=clusters),
    )
    return ProjectAgreement(
        unit=unit,
        overlap=overlap if unit == "segment" else None,
        coders=comparison.coder_names,
        documents=tuple(d.name for d in comparison.documents),
        left_out=comparison.left_out,
        n_units=n_units,
        codes=rows,
        pooled=pooled,
        pairwise=_pairwise(pooled_counts, k),
        notes=tuple(_notes(unit, overlap, n_units, len(comparison.documents), rows, n_boot,
                           ci_level, seed, pooled_ci=clusters is not None)),
    )


def _check_options(unit: str, overlap: float, n_boot: int, ci_level: float) -> None:
    if unit not in UNITS:
        raise InputError(f"unknown unit '{unit}'; use segment or character")
    if not 0.0 <= overlap <= 1.0:
        raise ParameterError("overlap", f"must lie between 0 and 1, got {overlap}")
    if unit == "character" and overlap:
        raise ParameterError("overlap", "applies to the segment unit only")
    if n_boot < 0:
        raise ParameterError("n_boot", f"must be a positive number of resamples, got {n_boot}")
    if n_boot > MAX_BOOT:
        raise ParameterError("n_boot", f"is at most {MAX_BOOT:,} resamples, got {n_boot:,}")
    if unit == "character" and n_boot:
        raise InputError(
            "bootstrap intervals need independent units, and neighbouring characters are not; "
            "use unit segment for intervals"
        )
    if not 0.0 < ci_level < 1.0:
        raise InputError(f"the confidence level must lie between 0 and 1, got {ci_level}")


def _pairwise(counts: np.ndarray, k: int) -> tuple[tuple[float | None, ...], ...]:
    """Cohen's kappa of every pair of coders on the pooled decisions."""
    matrix: list[list[float | None]] = [[None] * k for _ in range(k)]
    for i in range(k):
        for j in range(i + 1, k):
            matrix[i][j] = matrix[j][i] = cohen_from_counts(pair_counts(counts, i, j))
    return tuple(tuple(row) for row in matrix)


def _notes(
    unit: str,
    overlap: float,
    n_units: int,
    n_documents: int,
    rows: tuple[CodeAgreement, ...],
    n_boot: int,
    ci_level: float,
    seed: int | None,
    *,
    pooled_ci: bool,
) -> list[str]:
    if unit == "segment":
        rule = "any overlap" if overlap == 0 else f"a span covering at least {overlap:g} of it"
        notes = [f"units: {n_units} segments of {n_documents} documents; a coder applied a code "
                 f"to a segment on {rule}"]
    else:
        notes = [f"units: {n_units} characters of {n_documents} documents (every character of "
                 "the text, as NVivo counts them)"]
    notes.append("each code is a binary (absent/present) rating; gwet_ac1 and brennan_prediger "
                 "use q = 2")
    notes.append("pooled: every (unit, code) decision stacked into one binary rating")
    unused = [row.code for row in rows if not any(row.applied)]
    if unused:
        notes.append(f"{len(unused)} codes were applied by nobody here (kappa and alpha are "
                     f"undefined for them): {', '.join(unused)}")
    if n_boot:
        seeded = f", seed {seed}" if seed is not None else ""
        notes.append(f"{ci_level:.0%} percentile bootstrap intervals from {n_boot} resamples of "
                     f"segments{seeded}; the pooled interval resamples whole segments with all "
                     "their codes")
        if not pooled_ci:
            notes.append("the pooled interval was skipped: too many distinct segments")
    return notes
