"""`qualkit demo`: says what it does from its first second (the first run loads spaCy, which takes
a while), and launching it again leaves the project, audit trail included, as it was."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

from qualkit.demo import build_demo
from qualkit.store import Store

from .conftest import ROOT, SAMPLE, cli


def test_the_first_demo_run_reports_progress_before_the_slow_work(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_DATA_HOME": str(tmp_path)}
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "qualkit", "demo", "--no-tui"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True,
    )
    lines: list[tuple[float, str]] = []

    def read() -> None:
        for line in process.stderr:
            lines.append((time.monotonic() - started, line.rstrip()))

    reader = threading.Thread(target=read)
    reader.start()
    out = process.stdout.read()
    assert process.wait(timeout=300) == 0, lines
    reader.join()
    finished = time.monotonic() - started
    said = [line for _, line in lines]
    assert said[0].startswith("qualkit demo: creating the sample project ")
    assert any("splitting the sample transcripts" in line for line in said)
    assert any("adding ana's codings" in line for line in said)
    # The first line comes at once, long before the work ends (spaCy's import alone is slow).
    assert lines[0][0] < finished / 2, (lines, finished)
    assert "12 documents" in out


def test_launching_the_demo_again_adds_nothing_to_the_audit_trail(tmp_path):
    path = tmp_path / "demo.qualkit"
    said: list[str] = []
    build_demo(path, say=said.append)
    with Store.open(path) as store:
        events = [(e.action, e.detail) for e in store.events()]
        dump = _rows(store)
    said.clear()
    build_demo(path, say=said.append)
    with Store.open(path) as store:
        assert [(e.action, e.detail) for e in store.events()] == events
        assert _rows(store) == dump
    assert said == [f"checking the sample project {path}"]


def _rows(store) -> list[str]:
    """Every row of the project, without SQLite's id counters (an ignored duplicate insert may
    move one; ids are never reused either way)."""
    return [line for line in store.dump().splitlines() if "sqlite_sequence" not in line]


def test_importing_the_same_files_again_logs_nothing(sample_project):
    cli("codings", "import", sample_project, SAMPLE / "codings" / "ben.csv", "--coder", "ben")
    with Store.open(sample_project) as store:
        before = len(store.events())
    assert cli("import", sample_project, SAMPLE).exit_code == 0
    assert cli("codings", "import", sample_project, SAMPLE / "codings" / "ben.csv",
               "--coder", "ben").exit_code == 0
    with Store.open(sample_project) as store:
        assert len(store.events()) == before
