"""Keeping the project file safe across processes: locks, waits and SQLite's errors in words.

Two rules this module serves (both learnt the hard way, issue 9):

* A process that holds a connection must never open the project file outside SQLite. POSIX
  advisory locks belong to the process, and closing *any* descriptor of the file drops all of
  them, those of live SQLite connections included; another process then believes it is the last
  user, checkpoints and deletes the WAL, and later commits vanish ("How To Corrupt An SQLite
  Database File", section 2.2). ``open_files()`` lists the files this process holds, so a test
  hook can prove nothing else opens them.
* Every write starts with ``BEGIN IMMEDIATE``: a deferred ``BEGIN`` that reads first fails at
  once on the lock upgrade, without waiting. ``begin_immediate`` waits (SQLite's busy timeout,
  then a bounded retry with backoff) and turns a lock that outlasts it into ``ProjectBusy``.
"""

from __future__ import annotations

import os
import random
import sqlite3
import threading
import time
from pathlib import Path

from qualkit.errors import (
    DiskFull,
    ProjectBusy,
    ProjectCorrupt,
    ProjectReadOnly,
    QualkitError,
    StorageError,
)

BUSY_TIMEOUT_MS = 5000
# How long one write waits in all for the lock before it gives up and says so. A coder's key
# waits through another process's import (a short final transaction) instead of failing.
WRITE_WAIT_S = 30.0

_lock = threading.Lock()
_open: dict[str, int] = {}


_last: list[Path] = []


def register(path: Path) -> str:
    """Note that this process holds a connection to ``path``; returns the key to release."""
    key = os.path.realpath(path)
    with _lock:
        _open[key] = _open.get(key, 0) + 1
        _last[:] = [Path(path)]
    return key


def describe(exc: BaseException) -> QualkitError | None:
    """``translate`` for an SQLite error that escaped the store (met while reading rows), named
    after the project this process opened last; for the CLI's last line of defence."""
    path = _last[0] if _last else Path("the project")
    return translate(exc, path)


def release(key: str) -> None:
    with _lock:
        count = _open.get(key, 0) - 1
        if count > 0:
            _open[key] = count
        else:
            _open.pop(key, None)


def open_files() -> frozenset[str]:
    """Real paths of the project files this process holds a connection to (and their WAL,
    shared-memory and journal files), which nothing may open outside SQLite."""
    with _lock:
        keys = list(_open)
    return frozenset(k + suffix for k in keys for suffix in ("", "-wal", "-shm", "-journal"))


def begin_immediate(conn: sqlite3.Connection, path: Path, *, wait: float = WRITE_WAIT_S) -> None:
    """Start a write transaction, waiting up to ``wait`` seconds for another writer."""
    deadline = time.monotonic() + wait
    delay = 0.02
    while True:
        try:
            conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc) or time.monotonic() + delay > deadline:
                translated = translate(exc, path, waited=wait)
                if translated is None:
                    raise
                raise translated from None
        # The busy handler already waited; sleep a little more with jitter so that several
        # waiting processes do not retry in lock step.
        time.sleep(delay * (0.5 + random.random()))
        delay = min(delay * 2, 0.5)


def _no_space(path: Path) -> bool:
    # SQLite reports a full disk met while creating its -shm/-wal files as an I/O error.
    import shutil

    try:
        return shutil.disk_usage(Path(path).parent).free < 256 * 1024
    except OSError:
        return False


def _read_only(path: Path) -> bool:
    # A read-only file system or file shows up as "unable to open" or an I/O error; access()
    # and statvfs() look without opening the file.
    try:
        folder = Path(path).parent
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return True
        return not os.access(path, os.W_OK) or not os.access(folder, os.W_OK)
    except OSError:
        return False


def _is_busy(exc: sqlite3.Error) -> bool:
    name = getattr(exc, "sqlite_errorname", "") or ""
    return name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in str(exc)


def translate(
    exc: BaseException, path: Path, *, waited: float = WRITE_WAIT_S
) -> QualkitError | None:
    """SQLite's error as a one-line qualkit error, or None for errors that are bugs or input
    mistakes (constraints, syntax) which the caller handles itself."""
    if not isinstance(exc, sqlite3.Error) or isinstance(exc, sqlite3.IntegrityError):
        return None
    name = getattr(exc, "sqlite_errorname", "") or ""
    detail = str(exc)
    if _is_busy(exc):
        return ProjectBusy(
            f"{path}: the project is busy: another process kept it locked for over "
            f"{waited:.0f} s; nothing was written, try again"
        )
    full = name.startswith("SQLITE_FULL") or "disk is full" in detail
    io_error = name.startswith(("SQLITE_IOERR", "SQLITE_CANTOPEN")) or "I/O error" in detail
    if full or (io_error and not name.startswith("SQLITE_READONLY") and _no_space(path)):
        return DiskFull(
            f"{path}: the disk is full; nothing was written: free some space and try again"
        )
    readonly = name.startswith("SQLITE_READONLY") or "readonly database" in detail
    if readonly or (io_error and _read_only(path)):
        return ProjectReadOnly(
            f"{path}: the project is read-only for you; nothing was written: make the file and "
            "its folder writable (chmod u+w), or work on a copy made with `qualkit backup`"
        )
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in detail:
        return ProjectCorrupt(
            f"{path}: the project file is damaged ({detail}); run `qualkit check {path}` and "
            "restore the latest backup if it cannot be repaired"
        )
    if io_error:
        return StorageError(
            f"{path}: the disk reported an error ({detail}); nothing was written: check the "
            "disk and free space, then try again"
        )
    return None
