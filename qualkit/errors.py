"""The one exception family users see: each renders as a single line on stderr."""

from __future__ import annotations


class QualkitError(Exception):
    """A mistake in the user's input or project, worded so the user can fix it.

    The CLI prints ``qualkit: <message>`` and exits non-zero; no traceback unless ``--debug``.
    Messages name the file, line or field and say how to fix the problem.
    """


class ProjectError(QualkitError):
    """The project file cannot be opened or is not a qualkit project."""


class InputError(QualkitError):
    """An input file (transcript, codebook, CSV, data set) is malformed."""


def located(path: object, message: str, *, line: int | None = None) -> str:
    """Format ``path line N: message`` the same way everywhere."""
    where = f"{path}" if line is None else f"{path} line {line}"
    return f"{where}: {message}"


class StorageError(ProjectError):
    """The project file could not be read or written just now; nothing was half-written.

    Raised by the store in place of SQLite's own errors so that the CLI prints one line and the
    workbench keeps running (the coder's action can be retried).
    """


class ProjectBusy(StorageError):
    """Another process held the project's write lock for longer than qualkit waits."""


class DiskFull(StorageError):
    """The disk (or the file system's quota) is full."""


class ProjectReadOnly(StorageError):
    """The project file, or its folder, cannot be written by this user."""


class ProjectCorrupt(StorageError):
    """SQLite found the project file damaged: check it, and restore from a backup."""
