"""Shared fixtures: a CLI runner and sample projects built from the repository's own files."""

from __future__ import annotations

import os
import shutil
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from qualkit.cli import main
from qualkit.store import Store, safety

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "transcripts_sample"
CODEBOOK = ROOT / "codebooks" / "lead_process.yaml"


# The full-size stress runs take many minutes: only on request (tests/stress/test_stress.py).
collect_ignore = [] if os.environ.get("QUALKIT_STRESS") else ["stress"]

# Opening a project file outside SQLite while this process holds a connection to it drops the
# connection's POSIX locks (issue 9 §1: another process then deletes the live WAL). Every test
# runs under this audit hook: such an open() fails the test, whichever module makes it.
_FOREIGN_OPENS: list[str] = []


def _audit_project_opens(event: str, args: tuple) -> None:
    if event != "open" or not args or not isinstance(args[0], (str, bytes, os.PathLike)):
        return
    held = safety.open_files()
    if not held:
        return
    path = os.path.realpath(os.fsdecode(args[0]))
    if path in held:
        _FOREIGN_OPENS.append(path)
        raise RuntimeError(f"{path}: opened outside SQLite while this process holds it")


sys.addaudithook(_audit_project_opens)


@pytest.fixture(autouse=True)
def _no_foreign_opens_of_project_files():
    _FOREIGN_OPENS.clear()
    yield
    assert not _FOREIGN_OPENS, f"project file opened outside SQLite: {_FOREIGN_OPENS}"


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


def cli(*args: str | Path) -> Result:
    """Run `qualkit ARGS...` in-process, the way a user would from a shell."""
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return Result(result.exit_code, result.stdout, result.stderr)


def assert_user_error(result: Result, *needles: str) -> None:
    """A user mistake: non-zero exit, one line on stderr naming the problem, no traceback."""
    assert result.exit_code != 0, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("qualkit: "), lines[0]
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


class NetworkBlocked(RuntimeError):
    """A test (or the code under test) tried to open a network socket: qualkit is offline."""


NETWORK_FAMILIES = (socket.AF_INET, socket.AF_INET6)


def _refuse_network(event: str, args: tuple) -> None:
    # An audit hook sees every socket the interpreter makes, C extensions' included; local
    # (AF_UNIX) sockets stay allowed for asyncio's self-pipe and the like.
    if event == "socket.__new__" and args[1] in NETWORK_FAMILIES:
        raise NetworkBlocked(f"a test opened a network socket ({socket.AddressFamily(args[1])!r})")
    if event in {"socket.connect", "socket.getaddrinfo"} and not _local(args):
        raise NetworkBlocked(f"a test reached for the network ({event} {args[1:]!r})")


def _local(args: tuple) -> bool:
    return getattr(args[0], "family", None) == socket.AF_UNIX


_GUARD: list[bool] = []


@pytest.fixture(scope="session", autouse=True)
def no_network():
    """Block network sockets for the whole suite (an audit hook cannot be removed, so it is
    installed once and stays)."""
    if not _GUARD:
        sys.addaudithook(_refuse_network)
        _GUARD.append(True)
    yield


def dump(path: Path) -> str:
    with Store.open(path) as store:
        return store.dump()


@pytest.fixture(scope="session")
def _sample_project_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "sample.qualkit"
    assert cli("init", path, "--codebook", CODEBOOK).exit_code == 0
    assert cli("import", path, SAMPLE).exit_code == 0
    return path


@pytest.fixture
def sample_project(_sample_project_template, tmp_path) -> Path:
    """The codebook and the twelve sample transcripts, no codings: a fresh copy per test."""
    path = tmp_path / "sample.qualkit"
    shutil.copy(_sample_project_template, path)
    return path


@pytest.fixture
def empty_project(tmp_path) -> Path:
    path = tmp_path / "empty.qualkit"
    assert cli("init", path, "--codebook", CODEBOOK).exit_code == 0
    return path
