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
