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
            apply_codebook(store, codebook)
            click.echo(f"{project}: created with {_code_count(store)} from {codebook_file}")
        else:
            click.echo(f"{project}: created (no codebook yet: `qualkit codebook {project} --load`)")


@click.command("import")
@PROJECT
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option(
    "--meta",
    type=click.Path(dir_okay=False),
    help="CSV of document metadata (file, kind, role, site, date, case_id, speakers, "
    "speaker_pattern).",
)
@click.option("--replace", is_flag=True, help="Replace documents whose file has changed.")
@click.option(
    "--force",
    is_flag=True,
    help="With --replace: drop codings whose text is gone from the new version.",
)
@click.option(
    "--speaker-pattern",
    metavar="REGEX",
    help="Your house style of speaker labels: a regular expression with a group named "
    "'speaker' (and optionally 'time'), matched at the start of each line.",
)
@click.option(
    "--dry-run", is_flag=True, help="Read and check everything, print the report, write nothing."
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def import_(
    project: str,
    paths: tuple[str, ...],
    meta: str | None,
    replace: bool,
    force: bool,
    speaker_pattern: str | None,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Import transcripts (.txt .md .vtt .srt .docx): files or folders.

    A folder's documents.csv is read as metadata, and then exactly the files it lists are
    imported. Importing an unchanged file again does nothing; a changed file with the same
    name is refused unless --replace. After the import, a speaker report per document (labels,
    turns and words per label, role) and warnings when the labels look misread.

    \b
    Example:
      qualkit import lead.qualkit transcripts_sample/
      qualkit import lead.qualkit fixed/interview_3.txt --replace
      qualkit import lead.qualkit notes.txt --dry-run --speaker-pattern '^(?P<speaker>[A-Z]+)>'
      qualkit import lead.qualkit from_nvivo.qdpx     # a REFI-QDA project (new or existing)
    """
    if any(p.lower().endswith((".qdpx", ".qde")) for p in paths):  # a REFI-QDA project
        from qualkit.cli.exchange import import_refi_file

        extra = bool(meta or replace or force or speaker_pattern or dry_run)
        return import_refi_file(project, paths, extra_options=extra)
    from qualkit.ingest.importer import import_transcripts

    options = dict(
        meta=meta, replace=replace, force=force, speaker_pattern=speaker_pattern, dry_run=dry_run
    )
    with open_store(project) as store:
        bar = None if as_json else progress_bar("segmenting")
        if bar is None:
            report = import_transcripts(store, paths, **options)
        else:
            with bar:
                task = bar.add_task("import", total=None)
                report = import_transcripts(
                    store,
                    paths,
                    **options,
                    progress=lambda done, total: bar.update(task, completed=done, total=total),
                )
    if as_json:
        echo_json(_import_json(report))
        return
    _print_import(project, report)


def _print_import(project: str, report) -> None:
    for note in report.notes:
        click.echo(note)
    for document in report.speakers:
        click.echo(document.line())
    for message in report.warnings:
        warn(message)
    verb = "would be " if report.dry_run else ""
    click.echo(
        ("dry run, nothing written: " if report.dry_run else "")
        + f"{project}: {len(report.added)} {verb}added, {len(report.replaced)} {verb}replaced, "
        f"{len(report.unchanged)} unchanged; {report.segments} segments from "
        f"{report.characters:,} characters"
        + (f"; {report.dropped_codings} codings dropped" if report.dropped_codings else "")
    )


def _import_json(report) -> dict:
    return {
        "dry_run": report.dry_run,
        "added": report.added,
        "replaced": report.replaced,
        "unchanged": report.unchanged,
        "segments": report.segments,
        "characters": report.characters,
        "dropped_codings": report.dropped_codings,
        "notes": report.notes,
        "warnings": report.warnings,
        "speakers": [s.as_dict() for s in report.speakers],
    }


@click.command()
@PROJECT
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
def status(project: str, as_json: bool) -> None:
    """Counts of documents, segments, codes, coders and codings, and each coder's progress.

    \b
    Example:
      qualkit status lead.qualkit --json
    """
    from qualkit.status import project_status, share

    with open_store(project) as store:
        data = project_status(store)
    if as_json:
        echo_json(data)
        return
    counts = ", ".join(
        f"{data[k]} {k}" for k in ("documents", "segments", "codes", "coders", "codings", "memos")
    )
    if data["retired_codes"]:  # `codes` counts the codes in use, as `init` and the workbench do
        counts = counts.replace(
            f"{data['codes']} codes", f"{data['codes']} codes (+{data['retired_codes']} retired)"
        )
    click.echo(f"{project}: {counts}")
    if data["completion"]:
        rows = [
            (
                c["coder"],
                c["kind"],
                c["codings"],
                f"{c['done']}/{data['documents']}",
                share(c["coded_segments_pct"]),
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


def _code_count(store) -> str:
    """``22 codes`` (the codes in use, as `status` counts them), plus the retired ones if any."""
    active = len(store.codes.list())
    retired = len(store.codes.list(include_retired=True)) - active
    return f"{active} codes" + (f" (+{retired} retired)" if retired else "")
