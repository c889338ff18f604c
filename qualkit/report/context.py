"""What every section builder shares: the open store, the options, the plot format, the runs
cited (for the methods appendix) and the one place quotes pass through."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qualkit.report.model import Figure, Quote

if TYPE_CHECKING:
    from qualkit.store import Store


@dataclass(frozen=True)
class ReportOptions:
    """What goes into the report.

    Attributes:
        run: the saved match run to report (default: the latest saved run).
        links: a ``links.yaml`` to use instead of the links stored with the run.
        coders: the coders whose agreement is reported (default: as ``qualkit agree``).
        scope: whose codings the coverage, saturation and integration tables count (default:
            ``consensus`` when it exists, else the human coders: as ``qualkit matrix``).
        topic_run: the topic run to report (default: the latest).
        equity_by: the outcome data's subgroup column for the equity lens.
        equity_code: the theme shown beside the subgroup effects (default "Bias concerns").
        n_boot, seed: bootstrap resamples and seed for agreement confidence intervals.
        title: the study's name (default: the project's ``study`` setting, else the codebook).
        generated_at: the generation timestamp (default: now, UTC); the only varying byte.
        heatmap_rows: at most this many documents in the coverage heat map.
    """

    run: str | None = None
    links: str | None = None
    coders: tuple[str, ...] | None = None
    scope: tuple[str, ...] | None = None
    topic_run: int | None = None
    equity_by: str = "race"
    equity_code: str | None = None
    n_boot: int = 0
    seed: int | None = None
    title: str | None = None
    generated_at: str | None = None
    heatmap_rows: int = 60


@dataclass
class Context:
    store: Store
    options: ReportOptions
    fmt: str  # "svg" or "png": what the writer embeds
    cited: dict[str, Any] = field(default_factory=dict)
    findings: list[str] = field(default_factory=list)  # the summary's key findings
    _figures: int = 0

    def figure(self, make: Callable[[], Any], *, caption: str, alt: str) -> Figure:
        from qualkit.report.plots import render

        self._figures += 1
        data = render(make(), self.fmt, f"fig{self._figures}")
        return Figure(caption, alt, data if self.fmt == "svg" else "",
                      data if self.fmt == "png" else b"")

    def quote(self, q: dict[str, Any], *, theme: str | None = None) -> Quote:
        """A quote as the report shows it, after de-identification (see :func:`deidentify`)."""
        text = deidentify(self.store, q["text"], document=q.get("document"),
                          start=q.get("start"), end=q.get("end"))
        who = q.get("role") or q.get("speaker") or "speaker"
        source = f"{who}, {q.get('document', '?')}"
        return Quote(text, f"{theme} · {source}" if theme else source)


def deidentify(store: Store, text: str, *, document: str | None, start: int | None,
               end: int | None) -> str:
    """The one place every quote of the report passes through before it is shown.

    De-identification (``qualkit.redact``) is not part of this build yet; once a project can
    carry an applied redaction, this function returns the redacted text of the passage
    (``document``, ``start``-``end``) instead of ``text``. Nothing else in the report reads
    quote text, so the hook covers HTML, Word and Markdown alike.
    """
    return text
