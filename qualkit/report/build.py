"""Assemble the report: every section from the same library calls the CLI and the TUI use."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from qualkit.errors import InputError, ParameterError
from qualkit.report import methods, sections_mixed, sections_qual
from qualkit.report.context import Context, ReportOptions
from qualkit.report.model import Bullets, Heading, Report, Section

if TYPE_CHECKING:
    from qualkit.store import Store

Progress = Callable[[str, int, int], None]
STEPS = ("summary", "codebook", "coverage", "agreement", "themes", "outcomes", "integration",
         "methods")


def check_options(store: Store, options: ReportOptions) -> None:
    """Refuse bad input before any work: an unknown run or links file, no saved run."""
    if options.links is not None and not Path(options.links).is_file():
        raise InputError(f"{options.links}: no such links file; pass --links FILE.yaml (see "
                         "outcomes_sample/links.yaml)")
    if options.run is not None:
        names = [r.name for r in store.runs.outcome_runs()]
        if not names:
            raise ParameterError("run", f"{{param}} {options.run}: the project has no saved match "
                                 "run; save one with `qualkit outcomes match DATA ... --save "
                                 "PROJECT --name NAME`")
        if options.run not in names:
            raise ParameterError("run", f"{{param}} {options.run}: no saved run of that name "
                                 f"(saved runs: {', '.join(names)})")
    if options.links is not None and options.run is None and not store.runs.outcome_runs():
        raise ParameterError("links", "needs a saved match run, and the project has none; save "
                             "one with `qualkit outcomes match ... --save`")


def build_report(store: Store, options: ReportOptions | None = None, *, fmt: str = "svg",
                 progress: Progress | None = None) -> Report:
    """The report as sections of blocks (see :mod:`qualkit.report.model`).

    Args:
        store: the open project (read only: building a report writes nothing to it).
        options: what to include (see :class:`ReportOptions`).
        fmt: ``svg`` (HTML, Markdown) or ``png`` (Word): how plots are embedded.
        progress: called as ``progress(step, done, total)`` after each section.

    Raises:
        QualkitError: an unknown run, topic run or links file, or a links file with errors.
    """
    options = options or ReportOptions()
    check_options(store, options)
    ctx = Context(store, options, fmt)
    done = 0

    def step(name: str) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(name, done, len(STEPS))

    sections: list[Section] = [sections_qual.summary(ctx)]
    step("summary")
    codebook, appendix = sections_qual.codebook(ctx)
    sections.append(codebook)
    step("codebook")
    sections.append(sections_qual.coverage(ctx))
    step("coverage")
    sections.append(sections_qual.agreement(ctx))
    step("agreement")
    sections.append(sections_mixed.themes(ctx))
    step("themes")
    run = sections_mixed.pick_run(ctx)
    sections.append(sections_mixed.outcomes(ctx, run))
    step("outcomes")
    sections.append(sections_mixed.integration(ctx, run))
    step("integration")
    sections += [methods.methods(ctx), appendix]
    step("methods")
    if ctx.findings:  # gathered while the sections were built, shown first
        sections[0].blocks[:0] = [Heading("Key findings"), Bullets(tuple(ctx.findings))]
    return Report(title=_title(store, options), subtitle=_subtitle(store),
                  generated=options.generated_at or _now(), sections=sections)


def _title(store: Store, options: ReportOptions) -> str:
    if options.title:
        return options.title
    study = store.get_meta("study") or store.get_meta("codebook.title")
    return f"{study}: mixed-methods evaluation report" if study else \
        f"Mixed-methods evaluation report: {store.path.stem}"


def _subtitle(store: Store) -> str:
    dates = sorted(d.date for d in store.documents.list() if d.date)
    span = f"; interviews {dates[0]} to {dates[-1]}" if dates else ""
    return f"Process and outcome evaluation, project {store.path.name}{span}"


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
