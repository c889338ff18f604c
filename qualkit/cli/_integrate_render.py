"""Shared options and terminal rendering of the integration tables (rich, imported lazily)."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable
from typing import Any

import click

from qualkit.errors import InputError


def split(value: str | None) -> list[str] | None:
    """A comma-separated option as a list (``None`` when not given)."""
    if value is None:
        return None
    items = [v.strip() for v in value.split(",") if v.strip()]
    return items or None


def table_options(func: Callable) -> Callable:
    """--coders, --documents, --json, --csv, --xlsx, --markdown."""
    options = [
        click.option("--coders", default=None,
                     help="Whose codings: a coder, 'consensus', or a,b,c for their union "
                          "[default: consensus if reconciled, else every human coder]."),
        click.option("--documents", default=None, help="Only these documents (a,b,...)."),
        click.option("--json", "as_json", is_flag=True, help="Print the whole table as JSON."),
        click.option("--csv", "csv_path", type=click.Path(dir_okay=False), default=None,
                     help="Also write the table as CSV (provenance in '#' lines)."),
        click.option("--xlsx", "xlsx_path", type=click.Path(dir_okay=False), default=None,
                     help="Also write the table as XLSX (sheets 'table' and 'about')."),
        click.option("--markdown", "md_path", type=click.Path(dir_okay=False), default=None,
                     help="Also write the table as Markdown."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def console():
    from rich.console import Console

    # A pipe or a test runner gets a fixed, roomy width instead of rich's 80 columns.
    return Console(highlight=False, width=None if sys.stdout.isatty() else 140)


def emit(df, *, as_json: bool, csv_path: str | None, xlsx_path: str | None,
         md_path: str | None, render: Callable[[Any, Any], None] | None = None) -> None:
    """Print a table (rich or JSON) and write the files asked for."""
    from qualkit.integrate.tables import to_json, write_table

    written = []
    for path, fmt in ((csv_path, "csv"), (xlsx_path, "xlsx"), (md_path, "markdown")):
        if path:
            try:
                written.append(write_table(df, path, fmt))
            except OSError as exc:
                raise InputError(f"{path}: cannot write the file ({exc.strerror})") from None
    if as_json:
        click.echo(json.dumps(to_json(df), indent=2, ensure_ascii=False, allow_nan=False))
    else:
        out = console()
        header(out, df)
        (render or generic)(out, df)
    for path in written:
        click.echo(f"wrote {path}", err=as_json)


def header(out, df) -> None:
    """Title, scope and notes above a table."""
    attrs = df.attrs
    out.print(f"[bold]{_esc(attrs.get('title', ''))}[/bold]")
    docs = attrs.get("documents") or []
    shown = ", ".join(docs[:6]) + (f", … ({len(docs)} in all)" if len(docs) > 6 else "")
    out.print(f"coders: {_esc(attrs.get('coders', '?'))} · documents: {_esc(shown)}",
              soft_wrap=True)
    left = attrs.get("documents_left_out") or []
    if left:
        out.print(f"[dim]not coded by them, left out: {_esc(', '.join(left[:8]))}"
                  + (f", … ({len(left)})" if len(left) > 8 else "") + "[/dim]", soft_wrap=True)
    for note in attrs.get("notes", []):
        out.print(f"[dim]note: {_esc(note)}[/dim]", soft_wrap=True)


def _esc(text: Any) -> str:
    from rich.markup import escape

    return escape(str(text))


def fmt(value: Any, digits: int = 3) -> str:
    """A number or text for a cell ('—' when missing)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, float):
        return f"{value:.{digits}f}" if abs(value) < 1e5 else f"{value:.3g}"
    if hasattr(value, "item"):
        return fmt(value.item(), digits)
    return str(value)


def p_value(p: float | None) -> str:
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "—"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def ci(low: Any, high: Any, digits: int = 2) -> str:
    if low is None or high is None:
        return "—"
    return f"[{fmt(low, digits)}, {fmt(high, digits)}]"


def generic(out, df, *, columns: list[str] | None = None) -> None:
    """Every column of a table (lists flattened)."""
    from rich.table import Table

    from qualkit.integrate.tables import flat

    table = Table(show_lines=False)
    named = df.index.name is not None
    cols = columns or [str(c) for c in df.columns]
    if named:
        table.add_column(str(df.index.name))
    for col in cols:
        numeric = df[col].dtype.kind in "if" if col in df.columns else False
        table.add_column(col, justify="right" if numeric else "left", overflow="fold")
    for key, row in zip(df.index, df.to_dict(orient="records"), strict=True):
        cells = [_esc(fmt(flat(row[c]))) for c in cols]
        table.add_row(*([_esc(key)] if named else []), *cells)
    out.print(table)


def themes_text(themes: list[dict], *, quotes: bool = True) -> str:
    """Linked themes with prevalence and quotes, as rich markup lines."""
    lines = []
    for theme in themes:
        lines.append(f"[bold]{_esc(theme['code'])}[/bold] [dim]({_esc(theme['prevalence'])})"
                     "[/dim]")
        for q in theme.get("quotes", []) if quotes else []:
            who = ", ".join(str(q[k]) for k in ("document", "speaker", "role") if q.get(k))
            lines.append(f"  “{_esc(q['text'])}” [dim]— {_esc(who)} · {_esc(q['tier'])}[/dim]")
    return "\n".join(lines) or "[dim]no linked themes[/dim]"
