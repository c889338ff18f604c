"""`qualkit redact scan|apply`: de-identification candidates, and the redacted copy."""

from __future__ import annotations

import click

from qualkit.cli._common import PROJECT, echo_json, open_store, table


@click.group()
def redact() -> None:
    """De-identify transcripts: list candidates, review, write a redacted copy."""


@redact.command("scan")
@PROJECT
@click.option("--json", "as_json", is_flag=True,
              help="Print the candidates as JSON (fill in `decision` and give it to apply).")
@click.option("--names", type=click.Path(dir_okay=False),
              help="Load the team's names CSV (name,kind,aliases,label) before scanning.")
@click.option("--no-ner", is_flag=True, help="Rules and known names only (no spaCy model).")
def scan(project: str, as_json: bool, names: str | None, no_ner: bool) -> None:
    """Find names, places, organisations, dates, phones, e-mails, addresses, ages and IDs.

    The candidates are stored in the project for review in the workbench (command palette:
    "De-identification review"); the project's texts are not changed.

    \b
    Example:
      qualkit redact scan lead.qualkit --names team_names.csv
      qualkit redact scan lead.qualkit --json > candidates.json
    """
    from qualkit import redact as api

    with open_store(project) as store:
        if names:
            api.load_names(store, names)
        found = api.scan(store, ner=False if no_ner else None)
    if as_json:
        echo_json([c.as_dict() for c in found])
        return
    rows = [(c.document, c.start, c.kind, c.text, c.label, c.decision or "-") for c in found]
    click.echo(table(["document", "at", "kind", "text", "pseudonym", "decision"], rows,
                     right={1}))
    undecided = sum(c.decision is None for c in found)
    click.echo(f"{project}: {len(found)} candidates, {undecided} not reviewed", err=True)


@redact.command("apply")
@PROJECT
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False),
              help="The redacted copy to write (a new project file, mode 0600).")
@click.option("--decisions", type=click.Path(dir_okay=False),
              help="Decisions JSON (scan --json with `decision` filled in); beats stored ones.")
@click.option("--accept-all", is_flag=True,
              help="Accept every candidate not rejected, with every occurrence of its string.")
@click.option("--mapping", type=click.Path(dir_okay=False),
              help="Also write the private pseudonym key (CSV, 0600). Keep it apart from the copy.")
@click.option("--force", is_flag=True, help="Replace OUTPUT if it exists.")
def apply(project: str, output: str, decisions: str | None, accept_all: bool,
          mapping: str | None, force: bool) -> None:
    """Write a redacted copy of the project; the original is never changed.

    Texts are replaced by pseudonyms ([OFFICER_1], [SHELTER_A]); codings, memos and the audit
    trail keep their places; memos, codebook, topics and metadata are cleaned; caches of the
    original text are dropped and the file is vacuumed. Every candidate must be reviewed first
    (in the workbench or with --decisions), or pass --accept-all.

    \b
    Example:
      qualkit redact apply lead.qualkit -o lead-redacted.qualkit
      qualkit redact apply lead.qualkit -o share.qualkit --decisions candidates.json
    """
    from qualkit import redact as api

    with open_store(project) as store:
        from_file = api.read_decisions(decisions, store) if decisions else []
        result = api.write_copy(store, output, decisions=from_file, accept_all=accept_all,
                                force=force, mapping_file=mapping)
    click.echo(
        f"{result.path}: redacted copy of {result.documents} documents, "
        f"{result.replacements} spans replaced by {result.entities} pseudonyms, "
        f"{result.codings} codings kept ({result.codings_merged} merged)"
    )
