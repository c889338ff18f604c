"""Backups and checks of a project file, safe while coders work in it.

Backups go through SQLite's online backup API on a read-only connection of their own: a
consistent snapshot, committed WAL content included, that neither blocks writers nor opens the
project file outside SQLite (see ``safety``; a plain file copy made while a coder worked held
122 of 200 codings, the rest being in the WAL). Every copy is written to a private temporary
file beside the target and renamed into place, so a crash never leaves half a backup.

``check`` runs SQLite's ``integrity_check`` and ``foreign_key_check`` and qualkit's own rules
(codings and memos inside their document's text, nothing pointing at rows that are gone, undo
history that can be replayed), and says how to repair each finding; ``repair`` fixes what can be
fixed without guessing, after a backup.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from qualkit.errors import ProjectError, QualkitError
from qualkit.store import safety

if TYPE_CHECKING:
    from qualkit.store import Store

ROLLING_KEEP = 24


def copy_project(source: str | Path, dest: str | Path) -> Path:
    """Write a consistent copy of the project ``source`` to ``dest`` (0600), atomically."""
    source, dest = Path(source), Path(dest)
    if dest.exists() and dest.is_dir():
        raise ProjectError(f"{dest}: is a folder; give the backup's file name")
    if not dest.parent.is_dir():
        raise ProjectError(f"{dest}: folder {dest.parent} does not exist")
    if dest.exists() and os.path.samefile(source, dest):
        raise ProjectError(f"{dest}: is the project itself; give another file name")
    temp = dest.parent / f".{dest.name}.{os.getpid()}.partial"
    os.close(os.open(temp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600))
    try:
        _backup(source, temp)
        os.replace(temp, dest)
    except BaseException as exc:
        temp.unlink(missing_ok=True)
        if isinstance(exc, sqlite3.Error):
            raise safety.translate(exc, source) or ProjectError(
                f"{source}: cannot back up the project: {exc}"
            ) from None
        if isinstance(exc, OSError):
            raise ProjectError(f"{dest}: cannot write the backup ({exc.strerror})") from None
        raise
    return dest


def _backup(source: Path, temp: Path) -> None:
    src = sqlite3.connect(source.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        src.execute(f"PRAGMA busy_timeout = {safety.BUSY_TIMEOUT_MS}")
        dst = sqlite3.connect(str(temp))
        try:
            src.backup(dst)  # all pages in one step: one consistent snapshot
            # A backup is one self-contained file: no WAL beside it.
            dst.execute("PRAGMA journal_mode = DELETE")
        finally:
            dst.close()
    finally:
        src.close()


def backup_before_migration(path: Path, pending: list[str]) -> Path:
    """Keep the file as it was before a schema migration, beside it (the first one is kept)."""
    dest = path.with_name(f"{path.stem}.before-{pending[0]}{path.suffix or '.qualkit'}")
    if dest.exists():
        return dest
    return copy_project(path, dest)


def rolling_backup(
    path: str | Path, *, keep: int = ROLLING_KEEP, folder: Path | None = None
) -> Path:
    """A timestamped backup in ``<project>.backups/`` (0700), keeping the latest ``keep``."""
    path = Path(path)
    folder = folder or path.with_name(path.name + ".backups")
    folder.mkdir(mode=0o700, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    dest = copy_project(path, folder / f"{path.stem}-{stamp}{path.suffix or '.qualkit'}")
    backups = sorted(folder.glob(f"{path.stem}-*{path.suffix or '.qualkit'}"))
    for old in backups[: max(0, len(backups) - keep)]:
        old.unlink(missing_ok=True)
    return dest


@dataclass(frozen=True)
class Finding:
    kind: str  # integrity, foreign_key, coding_span, memo_span, segment_span, history
    count: int
    detail: str
    fix: str
    repairable: bool


@dataclass(frozen=True)
class CheckReport:
    path: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings


def check(store: Store) -> CheckReport:
    """Every check, read-only."""
    findings: list[Finding] = []
    for run in (_integrity, _foreign_keys, _spans, _history):
        try:
            findings += run(store)
        except (sqlite3.DatabaseError, QualkitError) as exc:
            # Too damaged for this check to run at all: that is the finding.
            findings.append(
                Finding(
                    "integrity",
                    1,
                    f"{run.__name__.strip('_').replace('_', ' ')} check failed: {exc}",
                    "restore the latest backup (`<project>.backups/`), or salvage with "
                    "`sqlite3 PROJECT .recover | sqlite3 NEW.qualkit`",
                    False,
                )
            )
    return CheckReport(str(store.path), findings)


def _integrity(store: Store) -> list[Finding]:
    rows = [r[0] for r in store._sql("PRAGMA integrity_check(100)")]
    if rows == ["ok"]:
        return []
    only_indexes = all("index" in r for r in rows)
    return [
        Finding(
            "integrity",
            len(rows),
            "; ".join(rows[:3]),
            "`qualkit check --repair` rebuilds the indexes"
            if only_indexes
            else "restore the latest backup (`<project>.backups/`), or salvage with "
            "`sqlite3 PROJECT .recover | sqlite3 NEW.qualkit`",
            only_indexes,
        )
    ]


def _foreign_keys(store: Store) -> list[Finding]:
    rows = store._sql("PRAGMA foreign_key_check").fetchall()
    by_table: dict[str, int] = {}
    for table, *_ in rows:
        by_table[table] = by_table.get(table, 0) + 1
    return [
        Finding(
            "foreign_key",
            n,
            f"{n} row(s) of {table} point at rows that are gone",
            f"`qualkit check --repair` deletes those {table} rows (after a backup)",
            True,
        )
        for table, n in sorted(by_table.items())
    ]


_SPAN_CHECKS = {
    "coding_span": (
        "SELECT c.id FROM codings c JOIN documents d ON d.id = c.document_id "
        'WHERE c.start < 0 OR c."end" <= c.start OR c."end" > length(d.text)',
        "codings",
    ),
    "memo_span": (
        "SELECT m.id FROM memos m JOIN documents d ON d.id = m.document_id "
        'WHERE m.start IS NOT NULL AND (m.start < 0 OR m."end" <= m.start '
        'OR m."end" > length(d.text))',
        "memos",
    ),
    "segment_span": (
        "SELECT s.id FROM segments s JOIN documents d ON d.id = s.document_id "
        'WHERE s."end" > length(d.text)',
        "segments",
    ),
}


def _spans(store: Store) -> list[Finding]:
    findings = []
    for kind, (sql, table) in _SPAN_CHECKS.items():
        ids = [r[0] for r in store._sql(sql)]
        if not ids:
            continue
        repairable = table != "segments"
        fix = (
            f"`qualkit check --repair` deletes those {table} (after a backup)"
            if repairable
            else "re-import the document with `qualkit import --replace`"
        )
        findings.append(
            Finding(
                kind,
                len(ids),
                f"{len(ids)} {table} lie outside their document's text "
                f"(ids {', '.join(map(str, ids[:5]))}{'…' if len(ids) > 5 else ''})",
                fix,
                repairable,
            )
        )
    return findings


def _broken_history(store: Store) -> list[tuple[int, int]]:
    rows = store._sql(
        "SELECT h.coder_id, h.seq, e.detail FROM history h LEFT JOIN events e ON e.id = h.event_id"
    )
    broken = []
    for coder_id, seq, detail in rows:
        try:
            changes = json.loads(detail)["changes"] if detail is not None else None
        except (ValueError, KeyError, TypeError):
            changes = None
        if not isinstance(changes, list):
            broken.append((coder_id, seq))
    return broken


def _history(store: Store) -> list[Finding]:
    broken = _broken_history(store)
    if not broken:
        return []
    return [
        Finding(
            "history",
            len(broken),
            f"{len(broken)} undo step(s) point at no replayable event",
            "`qualkit check --repair` drops those undo steps (the audit trail is kept)",
            True,
        )
    ]


def repair(store: Store) -> tuple[CheckReport, Path | None]:
    """Fix what ``check`` marks repairable, after a backup; returns the new report and the
    backup's path (None when there was nothing to repair)."""
    before = check(store)
    if not any(f.repairable for f in before.findings):
        return before, None
    path = Path(store.path)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    saved = copy_project(path, path.with_name(f"{path.stem}.before-repair-{stamp}{path.suffix}"))
    kinds = {f.kind for f in before.findings if f.repairable}
    if "integrity" in kinds:
        store._sql("REINDEX")
    with store.atomic():
        if "foreign_key" in kinds:
            for table, rowid, *_ in store._sql("PRAGMA foreign_key_check").fetchall():
                if rowid is None:  # a WITHOUT ROWID cache table: rebuilt on next use anyway
                    continue
                store._sql(f'DELETE FROM "{table}" WHERE rowid = ?', [rowid])
        for kind in ("coding_span", "memo_span"):
            if kind in kinds:
                sql, table = _SPAN_CHECKS[kind]
                store._sql(f"DELETE FROM {table} WHERE id IN ({sql})")
        for coder_id, seq in _broken_history(store):
            store._sql("DELETE FROM history WHERE coder_id = ? AND seq = ?", [coder_id, seq])
        store.log("repair", {"fixed": sorted(kinds), "backup": str(saved)})
    with contextlib.suppress(sqlite3.Error):
        store._sql("PRAGMA optimize")
    return check(store), saved
