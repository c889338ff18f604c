"""The project file: one SQLite database per project, the only place qualkit writes SQL.

``Store`` opens (or creates) the file, checks that it is a qualkit project of a schema this version
understands, applies pending named migrations and sets the connection up (WAL, foreign keys, a busy
timeout, owner-only file mode). Tables are reached through small repositories:
``store.documents``, ``store.codes``, ``store.codings``, ``store.memos``, ``store.history``,
``store.runs``, ``store.exchange``, ``store.redaction``. Every user action is one transaction
(``store.atomic()``).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import stat
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from qualkit.errors import ProjectError
from qualkit.files import remember_project
from qualkit.store import safety, schema

MIGRATION_SET = "qualkit"


def now() -> str:
    """UTC timestamp with milliseconds, ISO 8601: sortable as text."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _import_sqlite_utils():
    # sqlite-utils imports pandas and numpy at import time only to map their scalar types to
    # column types (about 0.3 s here). qualkit never hands it such values, so hide them while it
    # loads; `qualkit status` must start fast. Modules already imported are left alone.
    hidden = [name for name in ("pandas", "numpy") if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        import sqlite_utils
        from sqlite_utils.migrations import Migrations
    finally:
        for name in hidden:
            sys.modules.pop(name, None)
    return sqlite_utils, Migrations


def _migrations():
    _, migrations_cls = _import_sqlite_utils()
    migrations = migrations_cls(MIGRATION_SET)
    schema.register(migrations)
    return migrations


class Store:
    """An open project file. Use ``Store.open`` / ``Store.create`` as context managers."""

    def __init__(self, path: Path, db) -> None:
        from qualkit.store.codes import Codes
        from qualkit.store.codings import Codings
        from qualkit.store.documents import Documents
        from qualkit.store.exchange import Exchange
        from qualkit.store.history import History
        from qualkit.store.integration import Integration
        from qualkit.store.memos import Memos
        from qualkit.store.reconcile import Reconciliation
        from qualkit.store.redaction import Redaction
        from qualkit.store.runs import Runs
        from qualkit.store.topics import Topics

        self.path = path
        self.db = db
        remember_project(path)  # no export may be written over the project
        self._registered: str | None = None
        self.documents = Documents(self)
        self.codes = Codes(self)
        self.codings = Codings(self)
        self.memos = Memos(self)
        self.reconcile = Reconciliation(self)
        self.history = History(self)
        self.runs = Runs(self)
        self.topics = Topics(self)
        self.exchange = Exchange(self)
        self.integration = Integration(self)
        self.redaction = Redaction(self)

    # -- opening -----------------------------------------------------------------------------

    @classmethod
    def create(cls, path: str | os.PathLike) -> Store:
        """Create a new, empty project file readable and writable by its owner only (0600)."""
        path = Path(path)
        if path.exists():
            raise ProjectError(f"{path}: already exists; choose a new file name for the project")
        if not path.parent.exists():
            raise ProjectError(f"{path}: folder {path.parent} does not exist")
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
        try:
            store = cls._connect(path)
            store._migrate()
            store.set_meta("created_at", now())
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return store

    @classmethod
    def open(cls, path: str | os.PathLike) -> Store:
        """Open an existing project, applying pending migrations."""
        path = Path(path)
        _check_project_file(path)
        store = cls._connect(path, check=True)
        try:
            store._migrate()
        except BaseException:
            store.close()
            raise
        return store

    @classmethod
    def _connect(cls, path: Path, *, check: bool = False) -> Store:
        sqlite_utils, _ = _import_sqlite_utils()
        conn = sqlite3.connect(str(path), check_same_thread=False)
        # Implicit transactions (a lone INSERT outside atomic()) take the write lock up front too.
        conn.isolation_level = "IMMEDIATE"
        key = safety.register(path)  # before any read: from here on, no open() of this file
        try:
            conn.execute(f"PRAGMA busy_timeout = {safety.BUSY_TIMEOUT_MS}")
            store = cls(path, sqlite_utils.Database(conn, execute_plugins=False))
            store._registered = key
            if check:  # before anything below writes to a file that may not be ours
                store._check_schema()
            _make_private(path)
            # WAL: readers (agreement, topics workers) never block the coder's writes.
            conn.execute("PRAGMA journal_mode = WAL")
            # FULL: each committed coding action survives power loss, not only a killed process.
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
        except BaseException as exc:
            conn.close()
            safety.release(key)
            if isinstance(exc, sqlite3.DatabaseError):
                if "not a database" in str(exc):
                    raise ProjectError(
                        f"{path}: not a qualkit project (not an SQLite database); "
                        "create one with `qualkit init`"
                    ) from None
                raise safety.translate(exc, path) or ProjectError(
                    f"{path}: cannot open the project: {exc}"
                ) from None
            raise
        return store

    def _check_schema(self) -> None:
        # The first read of the file: SQLite itself checks the header (a plain open() here
        # would drop the locks of this process's other connections to the file).
        app_id = self.db.execute("PRAGMA application_id").fetchone()[0]
        if app_id != schema.APPLICATION_ID:
            raise ProjectError(
                f"{self.path}: an SQLite database, but not a qualkit project; "
                "create one with `qualkit init`"
            )
        known = {m.name for m in _migrations()._migrations}
        applied = {m.name for m in _migrations().applied(self.db)}
        newer = sorted(applied - known)
        if newer:
            raise ProjectError(
                f"{self.path}: written by a newer qualkit (schema {newer[-1]}); "
                "upgrade qualkit to open it"
            )

    def _migrate(self) -> None:
        migrations = _migrations()
        if not migrations.pending(self.db):
            return
        # Serialised: under the write lock, look again (another process opening the same old
        # file may have migrated it meanwhile), back the old file up, then migrate.
        with self.atomic():
            if not migrations.pending(self.db):
                return
            if migrations.applied(self.db):
                from qualkit.store.upkeep import backup_before_migration

                backup_before_migration(self.path, [m.name for m in migrations.pending(self.db)])
            migrations.apply(self.db)

    def close(self) -> None:
        self.db.close()
        if self._registered is not None:
            safety.release(self._registered)
            self._registered = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # -- transactions, metadata, events ---------------------------------------------------------

    @contextlib.contextmanager
    def atomic(self) -> Iterator[Store]:
        """One write transaction: all of it commits, or none of it does.

        It starts with ``BEGIN IMMEDIATE`` (waiting for another writer, see ``safety``), so reads
        inside it see the latest commits and the write cannot fail on a lock half-way. Nested
        calls are savepoints. SQLite's storage errors come out as ``StorageError`` subclasses.
        """
        conn = self.db.conn
        if conn.in_transaction:
            with self.db.atomic():
                yield self
            return
        safety.begin_immediate(conn, self.path, wait=self.write_wait)
        try:
            yield self
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            translated = safety.translate(exc, self.path, waited=self.write_wait)
            if translated is None:
                raise
            raise translated from None

    # Seconds a write waits for another process's lock before giving up (ProjectBusy).
    write_wait: float = safety.WRITE_WAIT_S

    def _sql(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        """Run one statement; for this package's repositories only (no SQL elsewhere)."""
        try:
            return self.db.execute(sql, params)
        except sqlite3.Error as exc:
            translated = safety.translate(exc, self.path)
            if translated is None:
                raise
            raise translated from None

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self._sql("SELECT value FROM project WHERE key = ?", [key]).fetchone()
        return default if row is None else row[0]

    def set_meta(self, key: str, value: str) -> None:
        with self.atomic():
            self._sql(
                "INSERT INTO project (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [key, value],
            )

    def log(self, action: str, detail: dict[str, Any], *, coder: str | None = None) -> int:
        """Append an event to the audit trail; call inside the action's transaction."""
        cursor = self._sql(
            "INSERT INTO events (at, coder, action, detail) VALUES (?, ?, ?, ?)",
            [now(), coder, action, json.dumps(detail, ensure_ascii=False, sort_keys=True)],
        )
        return cursor.lastrowid

    def events(self, *, action: str | None = None, limit: int | None = None) -> list:
        from qualkit.models import Event

        sql = "SELECT id, at, coder, action, detail FROM events"
        params: list[Any] = []
        if action:
            sql += " WHERE action = ?"
            params.append(action)
        sql += " ORDER BY id"
        if limit:
            sql += " LIMIT ?"
            params.append(limit)
        return [Event(r[0], r[1], r[2], r[3], json.loads(r[4])) for r in self._sql(sql, params)]

    def counts(self) -> dict[str, int]:
        """The headline numbers that `qualkit status` prints."""
        tables = {
            "documents": "documents",
            "segments": "segments",
            "codes": "codes WHERE status = 'active'",
            "coders": "coders",
            "codings": "codings",
            "memos": "memos",
        }
        return {
            key: self._sql(f"SELECT count(*) FROM {source}").fetchone()[0]
            for key, source in tables.items()
        }

    def sqlite_version(self) -> str:
        """The SQLite library this connection runs on (reports cite it)."""
        return self._sql("SELECT sqlite_version()").fetchone()[0]

    def content_sha256(self) -> str:
        """SHA-256 of the database as SQLite sees it now (one consistent read of every page).

        Hashing the file with ``open()`` instead would be wrong twice: the WAL may hold pages
        the file lacks, and closing that second descriptor drops this process's POSIX locks on
        the database (see docs on SQLite and POSIX locks), letting another process delete a live
        WAL. ``serialize`` reads through this connection, inside one read transaction.
        """
        import hashlib

        return hashlib.sha256(self.db.conn.serialize()).hexdigest()

    def dump(self) -> str:
        """The whole database as SQL text: tests compare it before and after a refused input."""
        return "\n".join(self.db.conn.iterdump())


def _check_project_file(path: Path) -> None:
    """Refuse what cannot be a project before SQLite touches it, by ``stat`` alone.

    Never ``open()`` the file here: this process may already hold a connection to it (a TUI
    worker opens its own store), and closing any descriptor of the file drops that
    connection's locks. SQLite checks the header itself on the first read.
    """
    if not path.exists():
        raise ProjectError(f"{path}: no such project; create it with `qualkit init {path}`")
    if path.is_dir():
        raise ProjectError(f"{path}: is a folder; give the project file (e.g. {path}/lead.qualkit)")
    if not path.is_file():
        raise ProjectError(f"{path}: not a regular file, so not a qualkit project")
    if path.stat().st_size == 0:
        raise ProjectError(
            f"{path}: an empty file, not a qualkit project; create one with `qualkit init`"
        )


def _make_private(path: Path) -> None:
    """Transcripts are sensitive: the project file is readable by its owner only."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077 and path.stat().st_uid == os.getuid():
            path.chmod(0o600)
    except OSError:
        pass
