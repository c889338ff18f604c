"""Which files an import takes, and reading them safely.

A folder gives its transcripts (.txt .md .vtt .srt .docx, hidden files and Word's lock files
left out). When the folder has a ``documents.csv``, exactly the files it lists are taken and
the others are named as left out; without one, files that are plainly not transcripts by name
(README, SOURCES, LICENSE, CHANGELOG, anything named like a codebook) are left out and named.
Symbolic links inside a folder are never followed, so a link cannot pull a file from elsewhere
(``/etc/passwd``) into a project. Only regular files are read (a FIFO would block forever, a
link to ``/dev/zero`` never ends), and each file is capped in size.
"""

from __future__ import annotations

import csv
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from qualkit.errors import InputError
from qualkit.ingest.transcripts import FORMATS

META_FILE = "documents.csv"
MAX_BYTES = 200 * 1024 * 1024
_NOT_TRANSCRIPTS = re.compile(
    r"^(?:readme|sources?|licen[cs]e|changelog|changes|contributing|authors|notice|copying)"
    r"(?:[._ -].*)?$|codebook",
    re.IGNORECASE,
)


@dataclass
class Selection:
    files: list[Path] = field(default_factory=list)
    metas: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def collect(paths) -> Selection:
    """Transcript files and ``documents.csv`` files named by ``paths`` (files or folders)."""
    selection = Selection()
    for raw in paths:
        path = Path(raw)
        if not os.path.lexists(path):
            raise InputError(f"{path}: no such file or folder")
        if path.is_dir():
            _folder(path, selection)
        else:
            selection.files.append(path)
    return selection


def _folder(folder: Path, selection: Selection) -> None:
    found, links = _walk(folder)
    if links:
        selection.notes.append(
            f"{folder}: left out {len(links)} symbolic link(s), which an imported folder never "
            f"follows: {_names(links, folder)}; import the target files by name if you want them"
        )
    if not found:
        raise InputError(f"{folder}: no transcripts (.txt .md .vtt .srt .docx) in this folder")
    meta = folder / META_FILE
    listed = _listed(meta) if meta.is_file() and not meta.is_symlink() else None
    if listed is not None:
        selection.metas.append(meta)
        taken = [p for p in found if p.name in listed]
        left = [p for p in found if p.name not in listed]
        if left:
            selection.notes.append(
                f"{folder}: took the {len(taken)} file(s) that {META_FILE} lists; left out "
                f"{len(left)} it does not list: {_names(left, folder)}"
            )
    else:
        taken = [p for p in found if not _NOT_TRANSCRIPTS.search(p.stem)]
        left = [p for p in found if _NOT_TRANSCRIPTS.search(p.stem)]
        selection.notes.append(
            f"{folder}: took {len(taken)} file(s) ({_names(taken, folder)})"
            + (
                f"; left out {_names(left, folder)} (not transcripts by name; import a file by "
                "naming it, or list the files in a documents.csv)"
                if left
                else ""
            )
        )
        if not taken:
            only = _names(left, folder)
            raise InputError(f"{folder}: no transcripts in this folder (only {only})")
    selection.files += taken


def _walk(folder: Path) -> tuple[list[Path], list[Path]]:
    found: list[Path] = []
    links: list[Path] = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        here = Path(root)
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        links += [here / d for d in dirs if (here / d).is_symlink()]
        dirs[:] = [d for d in dirs if not (here / d).is_symlink()]
        for name in sorted(files):
            path = here / name
            if not _is_transcript(path):
                continue
            (links if path.is_symlink() else found).append(path)
    return sorted(found), sorted(links)


def _is_transcript(path: Path) -> bool:
    # Hidden files and Word's lock files (~$name.docx) are not transcripts.
    return path.suffix.lower() in FORMATS and not path.name.startswith((".", "~$"))


def _listed(meta: Path) -> set[str] | None:
    """File names in a documents.csv's file column; None if it cannot be read (the metadata
    reader reports why, with the line)."""
    from qualkit.ingest.metadata import NAME_COLUMNS

    try:
        with open(meta, newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError, csv.Error):
        return None
    if not rows:
        return None
    header = [h.strip().lower() for h in rows[0]]
    column = next((header.index(c) for c in NAME_COLUMNS if c in header), None)
    if column is None:
        return None
    return {Path(r[column].strip()).name for r in rows[1:] if len(r) > column and r[column].strip()}


def _names(paths: list[Path], folder: Path, limit: int = 8) -> str:
    names = [str(p.relative_to(folder)) for p in paths]
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def read_bytes(path: Path, *, limit: int | None = None) -> bytes:
    """A regular file's bytes, refusing FIFOs, devices, sockets and files over ``limit``
    (``MAX_BYTES`` by default)."""
    limit = MAX_BYTES if limit is None else limit
    try:
        info = os.stat(path)
    except OSError as exc:
        raise InputError(f"{path}: cannot read the file ({exc.strerror})") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{path}: is a folder, not a transcript file")
    if not stat.S_ISREG(info.st_mode):
        kind = (
            "a FIFO (named pipe)" if stat.S_ISFIFO(info.st_mode)
            else "a device" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode)
            else "a socket" if stat.S_ISSOCK(info.st_mode) else "not a regular file"
        )
        raise InputError(f"{path}: is {kind}, not a transcript file; qualkit reads regular files")
    if info.st_size > limit:
        raise InputError(_too_big(path, info.st_size, limit))
    try:
        # O_NONBLOCK: if the path was swapped for a FIFO after the check, open does not hang.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise InputError(f"{path}: cannot read the file ({exc.strerror})") from None
    if len(data) > limit:
        raise InputError(_too_big(path, len(data), limit))
    return data


def _too_big(path: Path, size: int, limit: int) -> str:
    return (
        f"{path}: {size / 1e6:,.0f} MB is over qualkit's limit of {limit / 1e6:,.0f} MB for one "
        "transcript; split it into several files"
    )
