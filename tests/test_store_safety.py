"""Locks, full disks, read-only files and old schemas: a clear line, nothing lost (issue 9 §2).

Every test here uses real processes where a user would: a second `qualkit` command, a coder
in another process, a file system that is full or read-only.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from qualkit.errors import DiskFull, ProjectBusy
from qualkit.store import Store, _import_sqlite_utils, _migrations
from tests.process_helpers import ROOT, codings_csv, env, qualkit


def _count(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM codings").fetchone()[0]
    finally:
        conn.close()


def _hold_write_lock(path: Path, seconds: float) -> threading.Thread:
    """Another writer: holds the project's write lock for ``seconds``."""
    started = threading.Event()

    def hold() -> None:
        conn = sqlite3.connect(path, check_same_thread=False)
        conn.isolation_level = None
        conn.execute("BEGIN IMMEDIATE")
        started.set()
        time.sleep(seconds)
        conn.execute("COMMIT")
        conn.close()

    thread = threading.Thread(target=hold)
    thread.start()
    started.wait()
    return thread


def test_an_import_waits_out_a_lock_held_longer_than_the_busy_timeout(sample_project, tmp_path):
    csv_file = codings_csv(sample_project, tmp_path / "c.csv", "ana", 200)
    holder = _hold_write_lock(sample_project, 7.0)  # the busy timeout alone gives up at 5 s
    result = qualkit("codings", "import", sample_project, csv_file)
    holder.join()
    assert result.returncode == 0, result.stderr
    assert "locked" not in result.stderr
    assert _count(sample_project) == 200


def test_a_lock_that_outlasts_the_wait_is_one_clear_error_and_no_write(sample_project):
    with Store.open(sample_project) as store:
        store.write_wait = 0.5
        before = store.dump()
        holder = _hold_write_lock(sample_project, 7.0)
        try:
            with pytest.raises(ProjectBusy, match=r"busy.*nothing was written, try again"):
                store.set_meta("x", "y")
        finally:
            holder.join()
        assert store.dump() == before
        store.set_meta("x", "y")  # and once the lock is gone, the same action works
        assert store.get_meta("x") == "y"


def test_a_full_database_is_disk_full_and_rolls_back(sample_project, tmp_path):
    from qualkit.coding.csv_io import import_codings

    csv_file = codings_csv(sample_project, tmp_path / "c.csv", "ana", 3000)
    with Store.open(sample_project) as store:
        pages = store._sql("PRAGMA page_count").fetchone()[0]
        store._sql(f"PRAGMA max_page_count = {pages + 2}")  # as if the disk were full
        with pytest.raises(DiskFull, match="disk is full; nothing was written"):
            import_codings(store, csv_file)
        assert store.counts()["codings"] == 0


def _old_schema_project(path: Path) -> None:
    """A project as an earlier qualkit left it: only the first migrations applied."""
    sqlite_utils, _ = _import_sqlite_utils()
    db = sqlite_utils.Database(path)
    _migrations().apply(db, stop_before="m004_topics")
    db.execute("INSERT INTO coders (name, created_at) VALUES ('ana', '2026-01-01')")
    db.close()


def test_four_processes_opening_an_old_schema_file_at_once_all_succeed(tmp_path):
    project = tmp_path / "old.qualkit"
    _old_schema_project(project)
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "qualkit", "status", str(project)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env(),
            cwd=ROOT,
        )
        for _ in range(4)
    ]
    results = [(run.wait(timeout=120), run.stderr.read()) for run in runs]
    assert all(code == 0 for code, _ in results), results
    names = [r[0] for r in sqlite3.connect(project).execute("SELECT name FROM _sqlite_migrations")]
    assert len(names) == len(set(names)) == len(_migrations()._migrations)
    # The file as it was before the migration is kept beside it, owner-only.
    saved = tmp_path / "old.before-m004_topics.qualkit"
    assert saved.stat().st_mode & 0o777 == 0o600
    conn = sqlite3.connect(saved)
    assert conn.execute("SELECT name FROM coders").fetchall() == [("ana",)]
    assert "topic_runs" not in {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}


def test_a_project_of_the_current_schema_is_not_backed_up_on_open(sample_project):
    qualkit("status", sample_project)
    assert list(sample_project.parent.glob("*.before-*")) == []


def _can_unshare() -> bool:
    if not shutil.which("unshare"):
        return False
    probe = subprocess.run(
        ["unshare", "-rm", "sh", "-c", "mount -t tmpfs tmpfs /mnt 2>/dev/null || exit 3"],
        capture_output=True,
    )
    return probe.returncode == 0


@pytest.mark.skipif(not _can_unshare(), reason="needs a private mount namespace for a tmpfs")
def test_a_full_disk_and_a_read_only_file_system_give_one_line_and_lose_nothing(
    sample_project, tmp_path
):
    first = codings_csv(sample_project, tmp_path / "a.csv", "ana", 4000, seed=1)
    second = codings_csv(sample_project, tmp_path / "b.csv", "ben", 50, seed=2)
    mount = tmp_path / "disk"
    mount.mkdir()
    run = subprocess.run(
        ["unshare", "-rm", sys.executable, "-m", "tests.process_helpers", "storage",
         str(sample_project), str(first), str(second), str(mount)],
        capture_output=True, text=True, env=env(), cwd=ROOT, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    code, stderr = seen["full"]
    assert code == 1 and stderr.count("\n") == 1, stderr
    assert stderr.startswith("qualkit: ") and "disk is full" in stderr
    assert seen["after_full"] == seen["before"] == 0  # all or nothing
    assert seen["retried"][0] == 0, seen["retried"]
    assert seen["after_retry"] == 4000
    code, stderr = seen["readonly"]
    assert code == 1 and stderr.count("\n") == 1, stderr
    assert "read-only" in stderr and "Traceback" not in stderr
    assert seen["after_readonly"] == 4000
    assert seen["status"][0] == 0 and "4000 codings" in seen["status"][1]  # reading still works
