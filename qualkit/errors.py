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
