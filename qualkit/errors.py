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


class ParameterError(InputError):
    """A parameter of a library call is out of range; the message names the parameter.

    Notebook users see ``overlap must lie between 0 and 1``; the CLI, which knows which flag
    feeds which parameter, shows ``--overlap must lie between 0 and 1`` instead. A problem that
    holds ``{param}`` names the parameter there rather than first.
    """

    def __init__(self, param: str, problem: str, *, where: str | None = None) -> None:
        self.param = param
        self.problem = problem
        self.where = where
        super().__init__(self.worded(param))

    def worded(self, name: str) -> str:
        """The message with the parameter called ``name`` (e.g. a command-line flag)."""
        message = (self.problem.replace("{param}", name) if "{param}" in self.problem
                   else f"{name} {self.problem}")
        return message if self.where is None else f"{self.where}: {message}"


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
