"""The `qualkit` command line: thin commands that open a project, call the library and render.

Subcommands live in sibling modules and are imported only when used, so `qualkit --help` and
`qualkit status` stay fast (nothing heavy is imported at start; a test checks it).
"""

from __future__ import annotations

import importlib
import sys

import click

from qualkit import __version__
from qualkit.errors import ParameterError, QualkitError

# command name -> ("module:attribute" under qualkit.cli, one-line help shown by `qualkit --help`)
_COMMANDS = {
    "init": ("project:init", "Create a new, empty project file (readable by you only)."),
    "import": (
        "project:import_",
        "Import transcripts (.txt .md .vtt .srt .docx): files or folders.",
    ),
    "status": ("project:status", "Counts, each coder's progress and saved runs."),
    "backup": ("upkeep:backup", "Copy the project consistently, even while coders work."),
    "check": ("upkeep:check", "Check the project's integrity; --repair what can be fixed."),
    "codebook": ("project:codebook", "Load a YAML codebook into the project, or export it."),
    "codings": ("codings:codings", "Exchange codings as CSV; mark documents done."),
    "retrieve": ("retrieve:retrieve", "Every passage of a code across documents, with context."),
    "code": ("tui:code", "Open the coding workbench (the TUI) as a coder."),
    "demo": ("tui:demo", "Build the sample project and open the coding workbench on it."),
    "agree": ("agree:agree", "Inter-rater agreement: per code, pooled, and pairwise."),
    "disagreements": ("agree:disagreements", "List where two coders differ, with the text."),
    "topics": ("topics:topics", "Suggest emergent themes with BERTopic, mapped to the codebook."),
    "outcomes": ("outcomes:outcomes", "Propensity-score matching and effect estimates (ATT)."),
    "export": ("exchange:export", "Export: REFI-QDA .qdpx/.qdc, coded segments, codebook."),
    "redact": ("redact:redact", "De-identify: list candidates, write a redacted copy."),
    "merge": ("exchange:merge", "Merge coders' project files into a master project."),
    "matrix": ("integrate:matrix", "Document or speaker x code matrix: counts, presence, share."),
    "crosstab": ("integrate:crosstab", "Code x attribute crosstab with chi-square/Fisher tests."),
    "cooccur": ("integrate:cooccur", "Codes that occur together: counts and Jaccard."),
    "saturation": ("integrate:saturation", "Thematic saturation (Guest, Namey & Chen 2020)."),
    "joint": ("joint:joint", "Joint display: outcome effects beside linked themes and quotes."),
    "equity": ("joint:equity", "Effects by subgroup (race, sex) beside a theme's quotes."),
    "report": ("report:report", "The mixed-methods report: one HTML, Word or Markdown file."),
}


class LazyGroup(click.Group):
    """A group that imports a subcommand's module only when that command runs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(_COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in _COMMANDS:
            return None
        module_name, attr = _COMMANDS[name][0].split(":")
        module = importlib.import_module(f"qualkit.cli.{module_name}")
        return getattr(module, attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Listing from the table keeps `qualkit --help` from importing every command module.
        with formatter.section("Commands"):
            formatter.write_dl([(name, help_) for name, (_, help_) in _COMMANDS.items()])

    def _flag(self, ctx: click.Context, param: str) -> str:
        """The flag of the running command (or its subcommands) that feeds ``param``."""
        name = ctx.invoked_subcommand
        stack = [self.get_command(ctx, name)] if name else []
        while stack:
            command = stack.pop()
            if isinstance(command, click.Group):
                stack.extend(command.commands.values())
            for option in getattr(command, "params", []):
                if isinstance(option, click.Option) and option.name == param:
                    return max(option.opts, key=len)
        return "--" + param.replace("_", "-")

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except QualkitError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            # The library names its parameters; here they become the flags the user typed.
            message = exc.worded(self._flag(ctx, exc.param)) if isinstance(
                exc, ParameterError) else str(exc)
            click.echo(f"qualkit: {message}", err=True)
            sys.exit(1)
        except click.BadParameter as exc:
            # A folder where a file belongs, a choice misspelt: one line naming the option,
            # like every other refusal, instead of click's usage block.
            if ctx.obj and ctx.obj.get("debug"):
                raise
            message = exc.format_message().replace("\n", " ")
            command = exc.ctx.command_path if exc.ctx else "qualkit"
            click.echo(f"qualkit: {message} (see `{command} --help`)", err=True)
            sys.exit(2)
        except KeyboardInterrupt:
            click.echo("qualkit: interrupted", err=True)
            sys.exit(130)
        except Exception as exc:
            # A damaged page or a full disk met while reading rows: still one line, not a trace.
            from qualkit.store.safety import describe

            error = describe(exc)
            if error is None or (ctx.obj and ctx.obj.get("debug")):
                raise
            click.echo(f"qualkit: {error}", err=True)
            sys.exit(1)


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
