"""The `qualkit` command line: thin commands that open a project, call the library and render.

Subcommands live in sibling modules and are imported only when used, so `qualkit --help` and
`qualkit status` stay fast (nothing heavy is imported at start; a test checks it).
"""

from __future__ import annotations

import importlib
import sys

import click

from qualkit import __version__
from qualkit.errors import QualkitError

# command name -> "module:attribute" (modules under qualkit.cli)
_COMMANDS = {
    "init": "project:init",
    "import": "project:import_",
    "status": "project:status",
    "codebook": "project:codebook",
    "codings": "codings:codings",
    "code": "tui:code",
    "demo": "tui:demo",
    "agree": "agree:agree",
    "disagreements": "agree:disagreements",
    "topics": "topics:topics",
    "outcomes": "outcomes:outcomes",
}


class LazyGroup(click.Group):
    """A group that imports a subcommand's module only when that command is asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = _COMMANDS.get(name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        module = importlib.import_module(f"qualkit.cli.{module_name}")
        return getattr(module, attr)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except QualkitError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"qualkit: {exc}", err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("qualkit: interrupted", err=True)
            sys.exit(130)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="qualkit")
@click.option("--debug", is_flag=True, help="Show full tracebacks instead of one-line errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """qualkit: code transcripts, measure agreement, find emergent themes and match outcomes.

    \b
    Start with the sample project:
      qualkit demo
    Or your own:
      qualkit init lead.qualkit --codebook codebooks/lead_process.yaml
      qualkit import lead.qualkit transcripts/
      qualkit code lead.qualkit --coder maria
    """
    ctx.ensure_object(dict)["debug"] = debug
