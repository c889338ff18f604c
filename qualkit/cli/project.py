"""Project commands: init, import, status, codebook."""

from __future__ import annotations

import click

from qualkit.cli._common import PROJECT, echo_json, open_store, progress_bar, table, warn
from qualkit.files import write_private


@click.command()
@PROJECT
@click.option(
    "--codebook",
    "codebook_file",
    type=click.Path(dir_okay=False),
    help="A YAML codebook to load into the new project.",
)
def init(project: str, codebook_file: str | None) -> None:
    """Create a new, empty project file (readable by you only).

    \b
    Example:
      qualkit init lead.qualkit --codebook codebooks/lead_process.yaml
    """
    from qualkit.coding.codebook import apply_codebook, load_codebook
    from qualkit.store import Store

    codebook = load_codebook(codebook_file) if codebook_file else None  # check before creating
    with Store.create(project) as store:
        if codebook is not None:
            report = apply_codebook(store, codebook)
            click.echo(f"{project}: created with {len(report.added)} codes from {codebook_file}")
        else:
            click.echo(f"{project}: created (no codebook yet: `qualkit codebook {project} --load`)")


@click.command("import")
@PROJECT
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option(
    "--meta",
    type=click.Path(dir_okay=False),
    help="CSV of document metadata (file, kind, role, site, date, case_id, speakers).",
)
@click.option("--replace", is_flag=True, help="Replace documents whose file has changed.")
@click.option(
    "--force",
    is_flag=True,
    help="With --replace: drop codings whose text is gone from the new version.",
)
def import_(
    project: str, paths: tuple[str, ...], meta: str | None, replace: bool, force: bool
) -> None:
    """Import transcripts (.txt .md .vtt .srt .docx): files or folders.

    A folder's documents.csv is read as metadata. Importing an unchanged file again does
    nothing; a changed file with the same name is refused unless --replace.

    \b
    Example:
      qualkit import lead.qualkit transcripts_sample/
      qualkit import lead.qualkit fixed/interview_3.txt --replace
      qualkit import lead.qualkit from_nvivo.qdpx     # a REFI-QDA project (new or existing)
    """
    if any(p.lower().endswith((".qdpx", ".qde")) for p in paths):  # a REFI-QDA project
        from qualkit.cli.exchange import import_refi_file

        return import_refi_file(project, paths, extra_options=bool(meta or replace or force))
    from qualkit.ingest.importer import import_transcripts

    with open_store(project) as store:
        bar = progress_bar("segmenting")
        if bar is None:
            report = import_transcripts(store, paths, meta=meta, replace=replace, force=force)
        else:
            with bar:
                task = bar.add_task("import", total=None)
                report = import_transcripts(
                    store,
                    paths,
                    meta=meta,
                    replace=replace,
                    force=force,
                    progress=lambda done, total: bar.update(task, completed=done, total=total),
                )
    for message in report.warnings:
        warn(message)
    click.echo(
        f"{project}: {len(report.added)} added, {len(report.replaced)} replaced, "
        f"{len(report.unchanged)} unchanged; {report.segments} segments from "
        f"{report.characters:,} characters"
        + (f"; {report.dropped_codings} codings dropped" if report.dropped_codings else "")
    )


@click.command()
@PROJECT
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
def status(project: str, as_json: bool) -> None:
    """Counts of documents, segments, codes, coders and codings, and each coder's progress.

    \b
    Example:
      qualkit status lead.qualkit --json
    """
    from qualkit.status import project_status

    with open_store(project) as store:
        data = project_status(store)
    if as_json:
        echo_json(data)
        return
    counts = ", ".join(
        f"{data[k]} {k}" for k in ("documents", "segments", "codes", "coders", "codings", "memos")
    )
    click.echo(f"{project}: {counts}")
    if data["completion"]:
        rows = [
            (
                c["coder"],
                c["kind"],
                c["codings"],
                f"{c['done']}/{data['documents']}",
                f"{c['coded_segments_pct']:.0f}%",
            )
            for c in data["completion"]
        ]
        click.echo()
        click.echo(
            table(["coder", "kind", "codings", "done", "segments coded"], rows, right={2, 3, 4})
        )
    if data["outcome_runs"]:
        click.echo()
        click.echo(
            table(
                ["outcome run", "saved", "treated matched"],
                [
                    (r["name"], r["created_at"][:16], r["n_treated_matched"])
                    for r in data["outcome_runs"]
                ],
            )
        )


@click.command()
@PROJECT
@click.option(
    "--load",
    "load_file",
    type=click.Path(dir_okay=False),
    help="Load a YAML codebook: add and update codes, retire codes not in the file.",
)
@click.option(
    "--export",
    "export_file",
    type=click.Path(dir_okay=False),
    help="Write the project's codebook as YAML ('-' for standard output).",
)
def codebook(project: str, load_file: str | None, export_file: str | None) -> None:
    """Load a YAML codebook into the project, or export the project's codebook.

    \b
    Example:
      qualkit codebook lead.qualkit --load codebooks/lead_process.yaml
      qualkit codebook lead.qualkit --export codebook.yaml
      qualkit codebook lead.qualkit --load atlas_codebook.qdc   # REFI-QDA, in or out
    """
    from qualkit.coding.codebook import (
        apply_codebook,
        dump_codebook,
        load_codebook,
        project_codebook,
    )

    if bool(load_file) == bool(export_file):
        raise click.UsageError("give exactly one of --load FILE or --export FILE")
    if str(load_file or export_file).lower().endswith(".qdc"):  # a REFI-QDA codebook
        from qualkit.cli.exchange import codebook_qdc

        return codebook_qdc(project, load_file, export_file)
    with open_store(project) as store:
        if load_file:
            report = apply_codebook(store, load_codebook(load_file))
            click.echo(
                f"{project}: {len(report.added)} codes added, {len(report.updated)} "
                f"updated, {len(report.retired)} retired"
                + (f" ({', '.join(report.retired)})" if report.retired else "")
            )
            return
        text = dump_codebook(project_codebook(store))
    if export_file == "-":
        click.echo(text, nl=False)
        return
    write_private(export_file, text)
    click.echo(f"{project}: codebook written to {export_file}")
