"""Exchange commands: `qualkit export`, `qualkit merge`, and the REFI-QDA paths of `qualkit import`
(a .qdpx or .qde project) and `qualkit codebook --load/--export FILE.qdc`."""

from __future__ import annotations

from pathlib import Path

import click

from qualkit.cli._common import PROJECT, open_store, warn

FORMATS = {
    "qdpx": "REFI-QDA project for ATLAS.ti, NVivo, MAXQDA, QualCoder...",
    "qdc": "REFI-QDA codebook",
    "csv": "coded segments with provenance",
    "xlsx": "coded segments, one sheet per code",
    "json": "coded segments",
    "md": "printable codebook (Markdown)",
    "docx": "printable codebook (Word)",
}


@click.command()
@PROJECT
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="The file to write (readable by you only); its suffix picks the format.")
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)),
              help="Format, if the file name's suffix does not say it.")
@click.option("--coder", "coders", multiple=True,
              help="Only this coder's work (repeat for several); qdpx, csv, xlsx, json.")
@click.option("--code", "codes", multiple=True,
              help="Only segments coded with this code (repeat); csv, xlsx, json.")
def export(project: str, output: str, fmt: str | None, coders: tuple[str, ...],
           codes: tuple[str, ...]) -> None:
    """Export the project: REFI-QDA (.qdpx .qdc), coded segments (.csv .xlsx .json) or the
    codebook for print (.md .docx).

    \b
    Formats:
      qdpx  the whole project for other QDA programs (users, codes, texts, codings, memos,
            cases and variables), checked against the REFI-QDA schema
      qdc   the codebook for other QDA programs
      csv / xlsx / json  one row per coding: document, metadata, speaker, role, start, end,
            text, code, code path, coder, created, memo
      md / docx  the codebook as a numbered, printable appendix

    \b
    Example:
      qualkit export lead.qualkit -o lead.qdpx
      qualkit export lead.qualkit -o segments.xlsx --coder ana --coder ben
      qualkit export lead.qualkit -o codebook.docx
    """
    fmt = fmt or Path(output).suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise click.UsageError(
            f"cannot tell the format from '{output}'; use --format ({', '.join(FORMATS)})"
        )
    with open_store(project) as store:
        message = _export(store, output, fmt, list(coders) or None, list(codes) or None)
    click.echo(f"{project}: {message} written to {output}")


def _export(store, output: str, fmt: str, coders, codes) -> str:
    from qualkit import exchange

    if fmt == "qdpx":
        done = exchange.export_qdpx(store, output, coders=coders)
        return (f"{done.documents} documents, {done.codes} codes, {done.codings} codings, "
                f"{done.memos} memos of {done.coders} coders")
    if fmt == "qdc":
        return f"{exchange.export_qdc(store, output)} codes"
    if fmt in ("md", "docx"):
        write = exchange.write_codebook_markdown if fmt == "md" else exchange.write_codebook_docx
        write(store, output)
        return "the codebook"
    columns, rows = exchange.coded_segments(store, coders=coders, codes=codes)
    if fmt == "csv":
        exchange.write_csv(output, columns, rows)
    elif fmt == "json":
        exchange.write_json(output, store.get_meta("codebook.title") or Path(store.path).stem,
                            columns, rows)
    else:
        order = [c.name for c in store.codes.list(include_retired=True)]
        exchange.write_xlsx(output, columns, rows, order)
    return f"{len(rows)} coded segments"


@click.command()
@click.argument("master", type=click.Path(dir_okay=True, path_type=str))
@click.argument("coder_files", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--dry-run", is_flag=True, help="Report what would come in; write nothing.")
def merge(master: str, coder_files: tuple[str, ...], dry_run: bool) -> None:
    """Bring coders' project files into the master: codings, memos, completions,
    reconciliation decisions and audit events, in one transaction.

    Documents are matched by their text, codes and coders by name. Merging again adds
    nothing. Conflicts (a document whose text differs, a code renamed in one file) are
    reported and what hangs on them is left out: fix the names and merge again.

    \b
    Example:
      qualkit merge lead.qualkit ana.qualkit ben.qualkit
      qualkit merge lead.qualkit laptops/*.qualkit --dry-run
    """
    from qualkit.exchange import merge_projects

    with open_store(master) as store:
        report = merge_projects(store, list(coder_files), dry_run=dry_run)
    conflicts = 0
    for item in report.files:
        click.echo(
            f"{item.file}: {item.codings_added} codings added ({item.codings_present} already "
            f"there), {item.memos_added} memos added, {item.memos_updated} updated, "
            f"{item.completions_added} completions, {item.decisions_added} decisions, "
            f"{item.events_added} events; {item.documents_matched} documents matched, "
            f"{len(item.documents_added)} added; codes {item.codes_matched} matched, "
            f"{len(item.codes_added)} added; coders: {', '.join(item.coders) or 'none'}"
        )
        for note in item.notes:
            click.echo(f"  note: {note}")
        for conflict in item.conflicts:
            warn(f"{item.file}: conflict: {conflict}")
        if item.skipped:
            warn(f"{item.file}: {item.skipped} codings, memos, completions or decisions left "
                 "out because of the conflicts above")
        conflicts += len(item.conflicts)
    verb = "would be merged (dry run: nothing written)" if dry_run else "merged"
    click.echo(f"{master}: {len(report.files)} files {verb}; {conflicts} conflicts")


def import_refi_file(project: str, paths: tuple[str, ...], *, extra_options: bool) -> None:
    """`qualkit import PROJECT FILE.qdpx`: into an existing project, or a new one."""
    from qualkit.exchange import import_refi
    from qualkit.exchange.refi_import import describe
    from qualkit.store import Store

    if len(paths) != 1 or extra_options:
        raise click.UsageError(
            "import a REFI-QDA project (.qdpx/.qde) on its own: one file, without --meta, "
            "--replace or --force"
        )
    target = Path(project)
    created = not target.exists()
    store = Store.create(target) if created else open_store(project)
    try:
        with store:
            report = import_refi(store, paths[0])
    except BaseException:
        if created:  # a refused import into a new project leaves no project behind
            for suffix in ("", "-wal", "-shm"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
        raise
    lines = describe(report)
    new = " into a new project" if created else ""
    click.echo(f"{project}: imported {paths[0]}{new}: {lines[0]}")
    for line in lines[1:]:
        if line.startswith("skipped"):
            warn(line)
        else:
            click.echo(f"  {line}")
    for message in report.warnings:
        warn(message)


def codebook_qdc(project: str, load_file: str | None, export_file: str | None) -> None:
    """`qualkit codebook PROJECT --load/--export FILE.qdc`."""
    from qualkit.exchange import export_qdc, load_qdc

    with open_store(project) as store:
        if export_file:
            count = export_qdc(store, export_file)
            click.echo(f"{project}: codebook ({count} codes) written to {export_file}")
            return
        assert load_file is not None
        report = load_qdc(store, load_file)
    load = report.load
    click.echo(
        f"{project}: {len(load.added)} codes added, {len(load.updated)} updated, "
        f"{len(load.retired)} retired" + (f" ({', '.join(load.retired)})" if load.retired else "")
    )
    for old, new in report.renamed:
        click.echo(f"  renamed code: '{old}' -> '{new}' (names must be unique)")
    if report.skipped:
        warn(f"{load_file}: {report.skipped} codes without a name skipped")
