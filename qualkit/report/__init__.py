"""The mixed-methods report: one HTML (or Word, or Markdown) file a funder can read.

Every number comes from the same library calls the CLI and the TUI show (``qualkit.status``,
``qualkit.agreement``, ``qualkit.topics``, the saved match run, ``qualkit.integrate``), so
screen and paper agree::

    from qualkit.store import Store
    from qualkit.report import ReportOptions, write_report

    with Store.open("lead.qualkit") as store:
        write_report(store, "report.html", ReportOptions(run="sample-nn"))

Modules: ``context`` (options, shared state, the quote de-identification hook), ``model``
(sections and blocks, number formats), ``sections_qual`` (1-4), ``sections_mixed`` (5-7),
``methods`` (8), ``plots`` (matplotlib, byte-stable SVG / PNG), ``build`` (assembly, input
checks), ``html`` / ``word`` / ``markdown`` (writers), ``write`` (format, atomic 0600 write).
"""

from __future__ import annotations

from qualkit.report.build import STEPS, build_report, check_options
from qualkit.report.context import ReportOptions, deidentify
from qualkit.report.model import Report
from qualkit.report.write import FORMATS, render, report_format, write_report

__all__ = [
    "FORMATS",
    "STEPS",
    "Report",
    "ReportOptions",
    "build_report",
    "check_options",
    "deidentify",
    "render",
    "report_format",
    "write_report",
]
