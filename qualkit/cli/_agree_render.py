"""Plain-text rendering of agreement results for the terminal, and CSV writing."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from qualkit.cli._common import table
from qualkit.files import neutralise, write_private

if TYPE_CHECKING:
    from qualkit.agreement.disagreements import Disagreements
    from qualkit.agreement.project import CodeAgreement, ProjectAgreement
    from qualkit.agreement.stats.summary import AgreementSummary
    from qualkit.agreement.training import TrainingReport

DASH = "—"
LEGEND = "✓ alpha ≥ .800 (reliable) · ~ alpha ≥ .667 (tentative) · ✗ below · · undefined"
_LABELS = {
    "percent_agreement": "percent agreement",
    "cohen_kappa": "Cohen's kappa",
    "fleiss_kappa": "Fleiss' kappa",
    "krippendorff_alpha": "Krippendorff's alpha",
    "gwet_ac1": "Gwet's AC1",
    "brennan_prediger": "Brennan-Prediger",
}


def number(value: float | None, digits: int = 3) -> str:
    return DASH if value is None else f"{value:.{digits}f}"


def percent(value: float | None) -> str:
    return DASH if value is None else f"{100 * value:.1f}%"


def clip(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def render_ratings(path: str, result: AgreementSummary) -> str:
    """The six statistics of a ratings file, with intervals and notes."""
    head = f"{path}: {result.n_units} units x {result.n_coders} coders, level {result.level}"
    rows = []
    for key, label in _LABELS.items():
        ci = result.interval(key)
        shown = f"[{number(ci.low)}, {number(ci.high)}]" if ci and ci.low is not None else ""
        rows.append((label, number(getattr(result, key)), shown))
    headers = ["statistic", "value"] + ([f"{result.ci_level:.0%} CI"] if result.n_boot else [])
    body = table(headers, [r[: len(headers)] for r in rows], right={1})
    return "\n".join([head, "", body, "", *notes_block(result.notes)])


def notes_block(notes: Sequence[str]) -> list[str]:
    return ["notes:", *(f"  - {n}" for n in notes)] if notes else []


def render_project(result: ProjectAgreement) -> str:
    """Per-code table, pooled row, left-out documents and the pairwise kappa matrix."""
    unit = "segment" if result.unit == "segment" else "character"
    if result.unit == "segment":
        unit += " (any overlap)" if not result.overlap else f" (overlap ≥ {result.overlap:g})"
    head = (f"Agreement of {', '.join(result.coders)} on {len(result.documents)} documents · "
            f"unit {unit} · {result.n_units} units per code")
    two = len(result.coders) == 2
    with_ci = result.pooled.summary.n_boot or any(r.summary.n_boot for r in result.codes)
    headers = ["", "code", *result.coders, "agree", "kappa" if two else "fleiss", "alpha",
               *(["alpha CI"] if with_ci else []), "AC1"]
    rows = [_code_cells(row, two, with_ci) for row in (*result.codes, result.pooled)]
    right = set(range(2, len(headers)))
    lines = [head, "", table(headers, rows, right=right), "", LEGEND]
    lines += _left_out(result.left_out, len(result.documents))
    lines += _pairwise(result)
    return "\n".join(lines)


def _code_cells(row: CodeAgreement, two: bool, with_ci: bool) -> list[str]:
    s = row.summary
    kappa = s.cohen_kappa if two else s.fleiss_kappa
    cells = [row.mark, row.code, *(str(n) for n in row.applied), percent(s.percent_agreement),
             number(kappa), number(s.krippendorff_alpha)]
    if with_ci:
        ci = s.interval("krippendorff_alpha")
        cells.append(f"{number(ci.low)}–{number(ci.high)}" if ci and ci.low is not None else DASH)
    cells.append(number(s.gwet_ac1))
    return cells


def _left_out(left_out, n_compared: int) -> list[str]:
    if not left_out:
        return ["", f"All {n_compared} documents were compared."]
    groups: dict[str, list[str]] = {}
    for item in left_out:
        groups.setdefault(item.reason, []).append(item.document)
    lines = ["", f"Left out {len(left_out)} of {len(left_out) + n_compared} documents:"]
    for reason, names in groups.items():
        shown = ", ".join(names[:8]) + (f", … ({len(names) - 8} more)" if len(names) > 8 else "")
        lines.append(f"  {reason}: {shown}")
    return lines


def _pairwise(result: ProjectAgreement) -> list[str]:
    rows = [[a, *(DASH if v is None else f"{v:.3f}" for v in values)]
            for a, values in zip(result.coders, result.pairwise, strict=True)]
    title = "Pairwise Cohen's kappa (all codes pooled):"
    return ["", title, table(["", *result.coders], rows, right=set(range(1, len(rows) + 1)))]


def render_disagreements(found: Disagreements) -> str:
    """One line per (segment, code), then a count."""
    coders = ", ".join(found.comparison.coder_names)
    rows = [(d.document, d.segment.ordinal, d.code, ", ".join(d.applied_by),
             ", ".join(d.not_applied_by), clip(d.segment.text, 60)) for d in found.items]
    segments = len({(d.document, d.segment.ordinal) for d in found.items})
    summary = (f"{len(found.items)} disagreements on {segments} segments between {coders} "
               f"in {len(found.comparison.documents)} documents")
    if not rows:
        return f"No disagreements between {coders} in {len(found.comparison.documents)} documents"
    headers = ["document", "seg", "code", "applied by", "not by", "text"]
    return "\n".join([table(headers, rows, right={1}), "", summary])


def render_training(report: TrainingReport) -> str:
    """Per-code table of a trainee against the gold coder, then the misses and false hits."""
    head = (f"Training: {report.trainee} against {report.gold} on "
            f"{len(report.comparison.documents)} documents ({report.n_units} segments)")
    rows = [(c.code, c.gold, c.trainee, c.hits, c.misses, c.false_hits,
             percent(c.percent_agreement), number(c.cohen_kappa))
            for c in (*report.codes, report.pooled)]
    headers = ["code", report.gold, report.trainee, "hits", "misses", "false hits", "agree",
               "kappa"]
    lines = [head, "", table(headers, rows, right=set(range(1, 8)))]
    for kind, title in (("miss", f"Misses ({report.gold} applied the code, "
                                 f"{report.trainee} did not)"),
                        ("false hit", f"False hits ({report.trainee} applied the code, "
                                      f"{report.gold} did not)")):
        errors = [e for e in report.errors if report.kind(e) == kind]
        lines += ["", f"{title}: {len(errors)}"]
        lines += [f"  {e.document} #{e.segment.ordinal} · {e.code}: {clip(e.segment.text, 70)}"
                  for e in errors]
    lines += _left_out(report.comparison.left_out, len(report.comparison.documents))
    return "\n".join(lines)


def write_csv(path: str, header: list[str], rows: list[list[object]], *, what: str) -> None:
    """Write rows as CSV (None as empty) to ``path``, or to standard output for '-'."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([neutralise(h) for h in header])
    writer.writerows([["" if v is None else neutralise(v) for v in row] for row in rows])
    if path == "-":
        click.echo(out.getvalue(), nl=False)
        return
    write_private(path, out.getvalue())
    click.echo(f"{what} written to {path}")
