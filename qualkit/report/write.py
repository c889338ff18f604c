"""Write a report file safely: the format from the extension, refuse to overwrite without
``force``, write to a private temporary file beside the target and rename it into place, so a
failure never leaves half a report."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from qualkit.errors import InputError
from qualkit.report.build import Progress, build_report
from qualkit.report.context import ReportOptions

if TYPE_CHECKING:
    from qualkit.store import Store

FORMATS = {".html": "html", ".htm": "html", ".docx": "docx", ".md": "md"}


def report_format(path: str | os.PathLike) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"{path}: write the report as .html, .docx or .md (-o report.html)")
    return FORMATS[suffix]


def check_target(path: Path, *, force: bool) -> None:
    """One-line refusals for a path we cannot or should not write."""
    if path.is_dir():
        raise InputError(f"{path}: is a folder; name the report file, e.g. -o report.html")
    if path.exists() and not force:
        raise InputError(f"{path}: already exists; pass --force to replace it")
    folder = path.parent
    if not folder.is_dir():
        raise InputError(f"{path}: folder {folder} does not exist; create it first")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(f"{path}: cannot write in {folder}; choose another -o path")


def render(store: Store, fmt: str, options: ReportOptions | None = None, *,
           progress: Progress | None = None) -> str | bytes:
    """The report in ``fmt`` (``html``, ``docx`` or ``md``) as text or bytes."""
    report = build_report(store, options, fmt="png" if fmt == "docx" else "svg",
                          progress=progress)
    if fmt == "html":
        from qualkit.report.html import render_html

        return render_html(report)
    if fmt == "md":
        from qualkit.report.markdown import render_markdown

        return render_markdown(report)
    from qualkit.report.word import render_docx

    return render_docx(report)


def write_report(store: Store, path: str | os.PathLike, options: ReportOptions | None = None,
                 *, force: bool = False, progress: Progress | None = None) -> Path:
    """Build the report and write it to ``path`` (.html, .docx or .md), mode 0600.

    Raises:
        InputError: unknown format, existing file without ``force``, unwritable folder, or
            bad options (see :func:`qualkit.report.build.check_options`).
    """
    target = Path(path)
    check_target(target, force=force)
    fmt = report_format(target)
    content = render(store, fmt, options, progress=progress)
    data = content.encode("utf-8") if isinstance(content, str) else content
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                         dir=target.parent)
    try:
        os.fchmod(handle, 0o600)  # transcripts' words and outcomes: owner only
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    return target
