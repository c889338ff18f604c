"""`qualkit codings import|export`: the CSV exchange of codings."""

from __future__ import annotations

import click

from qualkit.cli._common import PROJECT, open_store
from qualkit.errors import InputError
from qualkit.files import write_private


@click.group()
def codings() -> None:
    """Exchange codings as CSV (columns document,start,end,code,coder)."""


@codings.command("import")
@PROJECT
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--coder", help="Attribute every row to this coder (the file may omit `coder`).")
def import_(project: str, file: str, coder: str | None) -> None:
    """Import codings from a CSV file; all rows or none.

    \b
    Example:
      qualkit codings import lead.qualkit transcripts_sample/codings/maria.csv --coder maria
    """
    from qualkit.coding.csv_io import import_codings

    with open_store(project) as store:
        result = import_codings(store, file, coder=coder)
    click.echo(
        f"{project}: {result.added} codings added, {result.present} already present "
        f"({', '.join(result.coders)})"
    )


@codings.command("export")
@PROJECT
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--coder", "coders", multiple=True, help="Only this coder (repeatable).")
@click.option("--with-text", is_flag=True, help="Add a `text` column with the coded passage.")
def export(project: str, file: str, coders: tuple[str, ...], with_text: bool) -> None:
    """Export codings to a CSV file ('-' for standard output).

    \b
    Example:
      qualkit codings export lead.qualkit codings.csv
      qualkit codings export lead.qualkit - --coder maria --with-text
    """
    from qualkit.coding.csv_io import export_codings

    with open_store(project) as store:
        text = export_codings(store, coders=list(coders) or None, with_text=with_text)
    if file == "-":
        click.echo(text, nl=False)
        return
    write_private(file, text)
    click.echo(f"{project}: {text.count(chr(10)) - 1} codings written to {file}")


@codings.command("done")
@PROJECT
@click.argument("documents", nargs=-1)
@click.option("--coder", required=True, help="The coder who finished the documents.")
@click.option("--all", "all_", is_flag=True, help="Every document the coder has coded.")
@click.option("--undo", is_flag=True, help="Mark the documents not done instead.")
def done(project: str, documents: tuple[str, ...], coder: str, all_: bool, undo: bool) -> None:
    """Mark documents done for a coder: agreement compares only documents every coder finished.

    \b
    Example:
      qualkit codings done lead.qualkit --coder maria int_patrol_officer.txt fg_legal_partners.txt
      qualkit codings done lead.qualkit --coder maria --all
    """
    from qualkit.coding.session import CodingSession

    with open_store(project) as store:
        if all_ == bool(documents):
            raise click.UsageError("name the documents, or pass --all")
        ids = _document_ids(store, documents, coder, all_)
        session = CodingSession(store, coder)
        changed = sum(session.set_done(i, not undo) for i in ids)
    state = "not done" if undo else "done"
    click.echo(
        f"{project}: {changed} documents marked {state} for {coder} "
        f"({len(ids) - changed} already {state})"
    )


def _document_ids(store, names: tuple[str, ...], coder: str, all_: bool) -> list[int]:
    if all_:
        found = store.codings.coder(coder)
        if found is None:
            raise InputError(f"coder '{coder}' has no codings in this project")
        return sorted({c.document_id for c in store.codings.all(coder_ids=[found.id])})
    ids = []
    for name in names:
        document = store.documents.by_name(name)
        if document is None:
            raise InputError(f"unknown document '{name}'; see `qualkit status`")
        ids.append(document.id)
    return ids
