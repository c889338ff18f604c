"""Docs as tests: every command has help with an example, and README names every command."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest

from qualkit.cli import _COMMANDS, main

from .conftest import ROOT

README = (ROOT / "README.md").read_text()


def _leaves(name: str) -> list[tuple[str, click.Command]]:
    command = main.get_command(click.Context(main), name)
    if isinstance(command, click.Group):
        return [(f"{name} {sub}", command.commands[sub]) for sub in command.commands]
    return [(name, command)]


ALL = [leaf for name in _COMMANDS for leaf in _leaves(name)]


@pytest.mark.parametrize(("name", "command"), ALL, ids=[n for n, _ in ALL])
def test_every_command_has_help_with_an_example(name, command):
    assert "Example" in (command.help or ""), name
    assert f"qualkit {name}" in README, f"README does not mention `qualkit {name}`"


def test_ruff_is_clean():
    # The ruff of the interpreter running the tests (a test extra), wherever PATH points.
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "qualkit", "tests", "bench"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]


def test_readme_key_tour_is_the_key_contract_both_ways():
    """README's key tables are exactly the contract's: no key missing, none left over."""
    from qualkit.coding.keys import markdown

    start, end = "<!-- keys:start -->\n", "<!-- keys:end -->"
    block = README[README.index(start) + len(start) : README.index(end)]
    assert block == markdown()
    rows = [line for line in README.splitlines() if line.startswith("| `")]
    assert sum(line in block.splitlines() for line in rows) == block.count("\n| `")
