"""Real processes on one project: nothing a coder was told is saved may be lost (issue 9 §1).

The data-loss bug: the workbench's worker opened the project file with a plain ``open()`` to read
its header; closing that descriptor dropped every POSIX lock of the process, so a ``qualkit
status`` in another shell believed it was the last user, checkpointed and deleted the WAL the
workbench was still writing to; the next codings went to a deleted file and vanished on a kill.
"""

from __future__ import annotations

import time

from qualkit.store import Store
from tests.process_helpers import (
    codings_of,
    integrity,
    kill,
    missing,
    qualkit,
    read_acks,
    spawn_coder,
)


def test_a_coding_survives_a_worker_another_process_and_a_kill(sample_project):
    coder = spawn_coder(sample_project, "rita", worker=True)  # holds a store, opened a second
    try:
        coder.stdin.write("code 1\n")
        coder.stdin.flush()
        first = coder.stdout.readline()
        # Another shell reads the project while the workbench is open (opens, closes).
        status = qualkit("status", sample_project)
        assert status.returncode == 0, status.stderr
        wal = sample_project.with_name(sample_project.name + "-wal")
        assert wal.exists(), "the WAL of a live workbench was deleted by another process"
        coder.stdin.write("worker\n")
        coder.stdin.flush()
        assert coder.stdout.readline() == "ack worker\n"
        assert qualkit("status", sample_project).returncode == 0
        coder.stdin.write("code 2\n")
        coder.stdin.flush()
        second = coder.stdout.readline()
    finally:
        kill(coder)
    acks = read_acks([first, second])
    assert len(acks) == 2
    assert missing(acks, codings_of(sample_project, "rita")) == []
    assert integrity(sample_project) == "ok"


def test_codings_survive_kills_at_random_moments(sample_project):
    """The fast CI variant of tests/stress/test_kills.py: a few kills mid-loop."""
    acks: list[tuple[int, int, int]] = []
    for round_ in range(4):
        coder = spawn_coder(sample_project, "rita", worker=True)
        coder.stdin.write(f"loop 100000 {round_}\n")
        coder.stdin.flush()
        time.sleep(0.3 + 0.2 * round_)
        if round_ % 2:
            assert qualkit("status", sample_project).returncode == 0
        kill(coder)
        acks += read_acks(coder.stdout.readlines())
    assert len(acks) > 4
    assert missing(acks, codings_of(sample_project, "rita")) == []
    assert integrity(sample_project) == "ok"


def test_the_audit_hook_catches_an_open_of_a_held_project_file(sample_project):
    """The suite-wide hook in conftest works: a plain open() of a held file fails."""
    import pytest

    from tests import conftest

    with Store.open(sample_project), pytest.raises(RuntimeError, match="outside SQLite"):
        open(sample_project, "rb").close()
    assert [str(sample_project.resolve())] == conftest._FOREIGN_OPENS
    conftest._FOREIGN_OPENS.clear()
    open(sample_project, "rb").close()  # not held any more: allowed


def test_opening_a_project_twice_in_one_process_never_opens_it_outside_sqlite(sample_project):
    with Store.open(sample_project) as first, Store.open(sample_project) as second:
        assert first.counts() == second.counts()
