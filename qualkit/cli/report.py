"""`qualkit report`: the mixed-methods report as one HTML, Word or Markdown file."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from qualkit.cli._common import PROJECT, open_store


def _steps_bar():
    """A bar of the report's sections on stderr (None when stderr is not a terminal)."""
    if not sys.stderr.isatty():
        return None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    return Progress(TextColumn("report: {task.description:<12}"), BarColumn(),
                    MofNCompleteColumn(), console=Console(stderr=True), transient=True)


def _names(value: str | None) -> tuple[str, ...] | None:
    if not value:
        return None
    names = tuple(n.strip() for n in value.split(",") if n.strip())
    return names or None


@click.command()
@PROJECT
@click.option("-o", "--output", required=True, type=click.Path(path_type=str),
              help="report.html (self-contained), report.docx (Word) or report.md.")
@click.option("--run", "run_name", default=None,
              help="The saved match run to report [default: the latest saved run].")
@click.option("--links", "links_path", type=click.Path(path_type=str), default=None,
              help="links.yaml to use for the joint display (not stored) [default: the links "
                   "stored with the run].")
@click.option("--coders", default=None,
              help="Coders whose agreement is reported, e.g. ana,ben [default: as `agree`].")
@click.option("--scope", default=None,
              help="Whose codings the coverage and integration tables count, e.g. consensus "
                   "or ana,ben (union) [default: consensus if present, else the coders].")
@click.option("--topic-run", type=int, default=None, help="Topic run id [default: latest].")
@click.option("--equity-by", default="race", show_default=True,
              help="Subgroup column of the outcome data for the equity lens.")
@click.option("--equity-code", default=None,
              help="Theme shown beside the subgroup effects [default: Bias concerns].")
@click.option("--bootstrap", "n_boot", type=click.IntRange(min=0), default=0,
              help="Bootstrap resamples for agreement confidence intervals.")
@click.option("--seed", type=int, default=None, help="Seed of the bootstrap.")
@click.option("--title", default=None, help="The study's name [default: the codebook's title].")
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
def report(project: str, output: str, run_name: str | None, links_path: str | None,
           coders: str | None, scope: str | None, topic_run: int | None, equity_by: str,
           equity_code: str | None, n_boot: int, seed: int | None, title: str | None,
           force: bool) -> None:
    """Write the mixed-methods report: summary, codebook, coverage and saturation, agreement,
    emergent themes, outcomes, integration and a methods appendix, every number from the same
    calls as the other commands. Nothing in the project changes.

    \b
    Example:
      qualkit report lead.qualkit -o report.html
      qualkit report lead.qualkit --run sample-nn --links links.yaml -o report.docx
      qualkit report lead.qualkit --coders ana,ben --bootstrap 1000 --seed 1 -o report.md --force
    """
    from qualkit.report import STEPS, ReportOptions, write_report
    from qualkit.report.write import check_target, report_format

    check_target(Path(output), force=force)  # refuse before the slow part
    report_format(output)
    options = ReportOptions(run=run_name, links=links_path, coders=_names(coders),
                            scope=_names(scope), topic_run=topic_run, equity_by=equity_by,
                            equity_code=equity_code, n_boot=n_boot, seed=seed, title=title)
    with open_store(project) as store:
        bar = _steps_bar()
        if bar is None:
            path = write_report(store, output, options, force=force)
        else:
            with bar:
                task = bar.add_task(STEPS[0], total=len(STEPS))
                path = write_report(store, output, options, force=force,
                                    progress=lambda step, done, total: bar.update(
                                        task, completed=done, total=total,
                                        description=STEPS[min(done, total - 1)]))
    click.echo(f"{path}: report written")
