"""`qualkit backup` and `qualkit check` (issue 16 §3): safe while a coder works, and honest."""

from __future__ import annotations

import sqlite3
import stat
import time

from qualkit import Project
from qualkit.store import Store
from qualkit.store.upkeep import rolling_backup
from tests.conftest import assert_user_error, cli
from tests.process_helpers import codings_of, kill, qualkit, read_acks, spawn_coder


def test_backup_while_a_coder_works_holds_every_acknowledged_coding(sample_project, tmp_path):
    coder = spawn_coder(sample_project, "rita", worker=True)
    try:
        coder.stdin.write("loop 100000 7\n")
        coder.stdin.flush()
        lines = [coder.stdout.readline() for _ in range(30)]  # 30 codings acknowledged
        backup = tmp_path / "copy.qualkit"
        result = qualkit("backup", sample_project, backup)
        assert result.returncode == 0, result.stderr
        assert "backed up 12 documents" in result.stdout
    finally:
        kill(coder)
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    acked = read_acks(lines)
    in_backup = codings_of(backup, "rita")
    assert len(in_backup) >= 1
    covered = {
        (c, s, e)
        for c, s, e in acked
        if any(k == c and bs <= s and e <= be for k, bs, be in in_backup)
    }
    assert covered == set(acked)  # a plain file copy missed the WAL's codings
    conn = sqlite3.connect(backup)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one file


def test_backup_refuses_the_project_itself_and_a_missing_folder(sample_project, tmp_path):
    assert_user_error(cli("backup", sample_project, sample_project), "the project itself")
    assert_user_error(
        cli("backup", sample_project, tmp_path / "no" / "x.qualkit"), "does not exist"
    )


def test_check_is_ok_on_a_sound_project(sample_project):
    result = cli("check", sample_project)
    assert result.exit_code == 0
    assert result.stdout.strip().endswith(
        "ok (integrity, foreign keys, codings, memos, undo history)"
    )


def _plant_problems(path):
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO coders (name, created_at) VALUES ('rita', '2026-01-01')")
    conn.execute(
        'INSERT INTO codings (document_id, code_id, coder_id, start, "end", created_at) '
        "VALUES (1, 2, 1, 10, 99999999, '2026-01-01')"
    )
    conn.execute(  # foreign keys are off on a plain connection: an orphan gets in
        'INSERT INTO codings (document_id, code_id, coder_id, start, "end", created_at) '
        "VALUES (1, 987654, 1, 10, 20, '2026-01-01')"
    )
    conn.execute("INSERT INTO events (at, action, detail) VALUES ('2026', 'x', '{}')")
    conn.execute("INSERT INTO history VALUES (1, 1, last_insert_rowid(), 'done')")
    conn.commit()
    conn.close()


def test_check_finds_what_is_wrong_and_repair_fixes_it_after_a_backup(sample_project):
    _plant_problems(sample_project)
    found = cli("check", sample_project)
    assert found.exit_code == 1
    out = found.stdout
    assert "coding_span: 1 codings lie outside their document's text" in out
    assert "foreign_key: 1 row(s) of codings point at rows that are gone" in out
    assert "history: 1 undo step(s) point at no replayable event" in out
    assert out.count("fix: `qualkit check --repair`") == 3
    repaired = cli("check", sample_project, "--repair")
    assert repaired.exit_code == 0, repaired.stdout
    assert "repaired; the file as it was is in" in repaired.stdout
    saved = next(sample_project.parent.glob("sample.before-repair-*.qualkit"))
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert cli("check", saved).exit_code == 1  # the backup keeps the findings
    with Store.open(sample_project) as store:
        assert store.counts()["codings"] == 0
        assert store.events(action="repair")


def test_project_backup_and_check_from_python(sample_project, tmp_path):
    with Project.open(sample_project) as project:
        copy = project.backup(tmp_path / "copy.qualkit")
        assert project.check().ok
    with Project.open(copy) as project:
        assert project.check().ok


def test_rolling_backups_keep_the_latest(sample_project):
    made = []
    for _ in range(3):
        made.append(rolling_backup(sample_project, keep=2))
        time.sleep(1.05)  # one-second names
    folder = sample_project.with_name(sample_project.name + ".backups")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert sorted(folder.iterdir()) == made[1:]


def _corrupt_a_page(path, table="coders"):
    conn = sqlite3.connect(path)
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", [table]).fetchone()[0]
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with open(path, "r+b") as handle:  # no connection is open in this process
        handle.seek((root - 1) * page_size)
        handle.write(b"\xff" * page_size)


def test_a_damaged_page_is_one_line_for_status_and_a_finding_for_check(sample_project):
    _corrupt_a_page(sample_project)
    assert_user_error(cli("status", sample_project), "damaged", "qualkit check")
    found = cli("check", sample_project)
    assert found.exit_code == 1
    assert "malformed" in found.stdout and "restore the latest backup" in found.stdout
    assert cli("check", sample_project, "--repair").exit_code == 1  # nothing it can fix safely
