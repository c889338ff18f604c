"""Files qualkit writes: owner-only (0600), all at once, and safe to open in a spreadsheet.

Transcripts of people who use drugs or do sex work end up in every export, so every file qualkit
writes goes through :func:`write_private` (or :func:`private_figure` for matplotlib figures):
a temporary file, created 0600 in the target's own folder, is renamed over the target once
complete, so a failure or a kill never leaves a half-written or world-readable file.

Cells of CSV and XLSX exports go through :func:`neutralise`: a spreadsheet runs a cell that
starts with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return before one) as a formula,
so such text gets a leading apostrophe (OWASP's advice). Numbers are never touched. The rule is
reversible (:func:`restore`), so the codings CSV stays a lossless exchange format.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path
from typing import Any

from qualkit.errors import InputError

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """``value`` as a spreadsheet shows it without running it: text that a spreadsheet would
    take for a formula gets a leading ``'``; numbers, None and plain text come back unchanged.

    Text that already starts with apostrophes before a formula character gets one more, so
    that :func:`restore` gives back exactly what was written.
    """
    if isinstance(value, str) and value.lstrip("'").startswith(FORMULA_START):
        return "'" + value
    return value


def restore(value: str) -> str:
    """The inverse of :func:`neutralise` on text read back from a qualkit CSV."""
    if value.startswith("'") and value.lstrip("'").startswith(FORMULA_START):
        return value[1:]
    return value


def check_target(path: str | Path) -> Path:
    """A path qualkit may write: not a folder, in a folder that exists."""
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path}: is a folder; give a file name to write")
    if not path.parent.is_dir():
        raise InputError(f"{path}: folder {path.parent} does not exist; create it first")
    return path


def write_private(path: str | Path, data: bytes | str) -> Path:
    """Write ``data`` (text is written as UTF-8) to ``path``, readable by its owner only.

    The bytes go to a 0600 temporary file in the same folder, which is then renamed over the
    target: a reader never sees half a file, and a failure leaves the old file (or none).

    Raises:
        InputError: the path is a folder, its folder does not exist, or the disk refused.
    """
    path = check_target(path)
    _refuse_project(path)
    if isinstance(data, str):
        data = data.encode("utf-8")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        raise InputError(f"{path}: cannot write ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "wb") as handle:  # mkstemp creates the file 0600
            handle.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise InputError(f"{path}: cannot write ({exc.strerror})") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def private_figure(fig: Any, path: str | Path, **savefig_options: Any) -> Path:
    """Save a matplotlib figure through :func:`write_private` (the format from the suffix)."""
    path = check_target(path)
    buffer = io.BytesIO()
    fig.savefig(buffer, format=path.suffix.lstrip(".").lower() or "png", **savefig_options)
    return write_private(path, buffer.getvalue())


# Every project file opened in this process, by its absolute path. Exports are refused over
# them and their SQLite side files: `codings export P P` would otherwise replace the project
# with a CSV. Paths, not file contents: opening the project to sniff it would drop SQLite's
# POSIX locks when the descriptor closes (toolchain.md, "How To Corrupt An SQLite Database").
_PROJECTS: set[Path] = set()
# the same file under another name (a hard link): (device, inode) -> the project's path
_PROJECT_INODES: dict[tuple[int, int], Path] = {}
_SIDE_FILES = ("", "-wal", "-shm", "-journal")


def remember_project(path: str | Path) -> None:
    """Record that ``path`` is a project, so that no export is ever written over it."""
    path = Path(path).resolve()
    _PROJECTS.add(path)
    try:
        info = path.stat()
    except OSError:
        return
    _PROJECT_INODES[(info.st_dev, info.st_ino)] = path


def _still(project: Path, info: os.stat_result) -> bool:
    try:
        now = project.stat()  # stat, never open: see above
    except OSError:
        return False
    return (now.st_dev, now.st_ino) == (info.st_dev, info.st_ino)


def _refuse_project(path: Path) -> None:
    target = path.resolve()
    try:
        info = target.stat()
    except OSError:
        info = None
    project = _PROJECT_INODES.get((info.st_dev, info.st_ino)) if info else None
    if project is not None and _still(project, info):  # not an inode reused since
        raise InputError(f"{path}: is the project {project.name} under another name; give "
                         "another file name for the export")
    for project in _PROJECTS:
        for side in _SIDE_FILES:
            if target == Path(f"{project}{side}"):
                what = f"{project.name}{side}"
                raise InputError(
                    f"{path}: is the project {what}; give another file name for the export"
                )
