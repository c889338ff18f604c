"""`qualkit retrieve`: every passage of a code (and its sub-codes) across the documents."""

from __future__ import annotations

import click

from qualkit.cli._common import PROJECT, open_store
from qualkit.errors import InputError


def _where(values: tuple[str, ...]) -> dict[str, str]:
    where = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--where '{item}': write KEY=VALUE, e.g. --where site=Eastside")
        where[key.strip()] = value.strip()
    return where


@click.command()
@PROJECT
@click.option("--code", required=True, help="The code's name; its sub-codes are included.")
@click.option("--coder", "coders", multiple=True, help="Only this coder (repeatable).")
@click.option("--where", "where", multiple=True, metavar="KEY=VALUE",
              help="Only documents whose field or attribute has this value (repeatable).")
@click.option("--no-subcodes", is_flag=True, help="Only the code itself, not its sub-codes.")
@click.option("--csv", "fmt", flag_value="csv", help="CSV (formula-like cells neutralised).")
@click.option("--json", "fmt", flag_value="json", help="JSON.")
@click.option("--markdown", "fmt", flag_value="markdown", help="Markdown quotations.")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Write to this file (owner-only, 0600) instead of standard output.")
def retrieve(project: str, code: str, coders: tuple[str, ...], where: tuple[str, ...],
             no_subcodes: bool, fmt: str | None, output: str | None) -> None:
    """Every passage coded CODE across the documents, with speaker, document and context.

    \b
    Example:
      qualkit retrieve lead.qualkit --code "Officer buy-in"
      qualkit retrieve lead.qualkit --code Collaboration --coder ana --csv -o collab.csv
      qualkit retrieve lead.qualkit --code Training --where kind=interview --markdown
    """
    from qualkit.coding import retrieve as find
    from qualkit.coding.passages import passages_csv, passages_json, passages_markdown

    with open_store(project) as store:
        passages = find(store, code, coders=list(coders) or None, where=_where(where),
                        subcodes=not no_subcodes)
    if fmt == "csv":
        text = passages_csv(passages)
    elif fmt == "json":
        text = passages_json(passages, code=code)
    elif fmt == "markdown":
        text = passages_markdown(passages, code=code)
    else:
        text = _plain(passages)
    if output is None:
        click.echo(text, nl=False)
        return
    from qualkit.exchange.common import write_private

    write_private(output, text.encode("utf-8-sig" if fmt == "csv" else "utf-8"))
    click.echo(f"{project}: {len(passages)} passages of '{code}' written to {output}")


def _plain(passages) -> str:
    lines = []
    for p in passages:
        speaker = f" · {p.speaker}" if p.speaker else ""
        lines.append(f"{p.document} [{p.start}–{p.end}]{speaker} · {p.code} · {p.coder}")
        lines.append("    " + " ".join(p.text.split()))
    lines.append(f"{len(passages)} passages")
    return "\n".join(lines) + "\n"
