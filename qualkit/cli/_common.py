"""Helpers shared by the CLI commands: opening projects, JSON output, plain tables."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from typing import Any

import click

PROJECT = click.argument("project", type=click.Path(dir_okay=True, path_type=str))


def open_store(path: str):
    from qualkit.store import Store

    return Store.open(path)


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False))


def warn(message: str) -> None:
    click.echo(f"qualkit: warning: {message}", err=True)


def table(
    headers: Sequence[str], rows: Iterable[Sequence[Any]], *, right: set[int] = frozenset()
) -> str:
    """A plain, aligned text table (rich is slower to import than `qualkit status` may take)."""
    cells = [[str(h) for h in headers]] + [["" if v is None else str(v) for v in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        parts = [
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule, *(line(r) for r in cells[1:])])


def progress_bar(label: str):
    """A rich progress bar on stderr for long work, or a no-op when stderr is not a terminal."""
    if not sys.stderr.isatty():
        return None
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn(label),
        BarColumn(),
        DownloadColumn(binary_units=False),
        TimeRemainingColumn(),
        transient=True,
    )
