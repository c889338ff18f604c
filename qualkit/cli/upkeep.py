"""Upkeep commands: an online backup of a project; an integrity check that says how to repair."""

from __future__ import annotations

import sys

import click

from qualkit.cli._common import PROJECT, echo_json, open_store


@click.command()
@PROJECT
@click.argument("file", type=click.Path(path_type=str))
def backup(project: str, file: str) -> None:
    """Copy the project to FILE, consistently, even while coders work in it (0600).

    Uses SQLite's online backup: codings committed a moment ago (still in the write-ahead log)
    are in the copy, and nobody's work is blocked. A plain file copy of an open project can
    miss them.

    \b
    Example:
      qualkit backup lead.qualkit backups/lead-2026-12-07.qualkit
    """
    from qualkit.store.upkeep import copy_project

    with open_store(project) as store:  # a qualkit project, of a schema this version reads
        counts = store.counts()
    dest = copy_project(project, file)
    click.echo(f"{dest}: backed up {counts['documents']} documents, {counts['codings']} codings")


@click.command()
@PROJECT
@click.option("--repair", is_flag=True, help="Fix what can be fixed, after a backup.")
@click.option("--json", "as_json", is_flag=True, help="The findings as JSON.")
def check(project: str, repair: bool, as_json: bool) -> None:
    """Check the project: SQLite integrity, foreign keys, and qualkit's own rules.

    Finds codings or memos outside their document's text, rows pointing at rows that are
    gone, and undo history that points at nothing, and says how to repair each. Exits 1 when
    something is wrong (after --repair: when something is still wrong).

    \b
    Example:
      qualkit check lead.qualkit
      qualkit check lead.qualkit --repair
    """
    from dataclasses import asdict

    from qualkit.store import upkeep

    saved = None
    with open_store(project) as store:
        report, saved = upkeep.repair(store) if repair else (upkeep.check(store), None)
    if as_json:
        echo_json({"ok": report.ok, "findings": [asdict(f) for f in report.findings]})
    else:
        if saved is not None:
            click.echo(f"{project}: repaired; the file as it was is in {saved}")
        if report.ok:
            click.echo(f"{project}: ok (integrity, foreign keys, codings, memos, undo history)")
        for finding in report.findings:
            click.echo(f"{project}: {finding.kind}: {finding.detail}; fix: {finding.fix}")
    if not report.ok:
        sys.exit(1)
