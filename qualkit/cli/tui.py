"""`qualkit code` and `qualkit demo`: the coding workbench."""

from __future__ import annotations

import getpass
import os
import sys

import click

from qualkit.cli._common import PROJECT
from qualkit.errors import QualkitError

CODER = click.option(
    "--coder", envvar="QUALKIT_CODER", help="Your coder name (or set QUALKIT_CODER)."
)


def _run(project, coder: str, show_all: bool) -> None:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise QualkitError("the workbench needs a terminal; run it in one (not through a pipe)")
    from qualkit.tui.app import make_app

    make_app(project, coder, show_all=show_all).run()


@click.command()
@PROJECT
@CODER
@click.option("--show-all", is_flag=True, help="Show the other coders' codings beside yours.")
def code(project: str, coder: str | None, show_all: bool) -> None:
    """Open the coding workbench on PROJECT as CODER.

    Coding is blind by default: you see only your own codings. Every key press that codes is
    saved at once; there is no save button. Press ? inside for the keys.

    \b
    Example:
      qualkit code lead.qualkit --coder maria
      QUALKIT_CODER=maria qualkit code lead.qualkit --show-all
    """
    if not coder:
        raise click.UsageError("say who is coding: --coder NAME (or set QUALKIT_CODER)")
    from qualkit.store import Store

    Store.open(project).close()  # a bad project fails here, before the screen takes over
    _run(project, coder, show_all)


@click.command()
@CODER
@click.option("--no-tui", is_flag=True, help="Only build the project and print its status.")
@click.option("--show-all", is_flag=True, help="Show the other coders' codings beside yours.")
def demo(coder: str | None, no_tui: bool, show_all: bool) -> None:
    """Build the sample LEAD project in your data folder and open the workbench on it.

    The project holds the LEAD codebook, nine fictional transcripts and two coders' (ana, ben)
    codings; building it again changes nothing. You code as your login name unless --coder.

    \b
    Example:
      qualkit demo
      qualkit demo --coder maria --show-all
    """
    from qualkit.cli._common import progress_bar
    from qualkit.demo import build_demo

    def say(line: str) -> None:
        click.echo(f"qualkit demo: {line}", err=True)

    bar = progress_bar("segmenting")
    if bar is None:
        path = build_demo(say=say)
    else:
        with bar:
            task = bar.add_task("demo", total=None)
            path = build_demo(
                say=say, progress=lambda done, total: bar.update(task, completed=done, total=total)
            )
    if no_tui:
        from qualkit.cli.project import status

        click.echo(f"demo project: {path}")
        click.get_current_context().invoke(status, project=str(path), as_json=False)
        return
    coder = coder or os.environ.get("USER") or getpass.getuser()
    say(f"opening the workbench as {coder}")
    _run(path, coder, show_all)
