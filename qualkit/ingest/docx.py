"""Word (.docx) transcripts: paragraphs and table rows in document order, as plain text."""

from __future__ import annotations

import io
from pathlib import Path

from qualkit.errors import InputError

# A Word file's parts, unpacked: far above any transcript, far below what a zip bomb unpacks to.
MAX_UNPACKED = 64 * 1024 * 1024
MAX_RATIO = 200


def docx_text(path: Path, data: bytes) -> str:
    """Paragraphs separated by blank lines, headings as ``# ``, table rows as ``SPEAKER: text``.

    The result is read as Markdown. Any failure of the zip or XML layers (a damaged file, a
    zip bomb, an entity bomb, a compression method Python lacks) is one InputError.
    """
    _check_zip(path, data)
    try:
        return _read(data)
    except InputError:
        raise
    except MemoryError:
        raise InputError(f"{path}: the Word file is too large to read") from None
    except Exception as exc:  # zipfile, zlib, lxml and python-docx raise many kinds
        reason = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise InputError(
            f"{path}: not a valid Word .docx file ({reason}); re-save it from Word"
        ) from None


def _check_zip(path: Path, data: bytes) -> None:
    """Refuse before unpacking: declared sizes bound what zipfile will inflate."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError, OSError) as exc:
        raise InputError(
            f"{path}: not a valid Word .docx file ({exc}); re-save it from Word"
        ) from None
    unpacked = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members) or 1
    if unpacked > MAX_UNPACKED or unpacked > MAX_RATIO * max(packed, 1024 * 1024):
        raise InputError(
            f"{path}: unpacks to {unpacked / 1e6:,.0f} MB from {len(data) / 1e6:,.1f} MB "
            "(a zip bomb, or not a transcript); qualkit refuses it"
        )
    if "word/document.xml" not in {m.filename for m in members}:
        raise InputError(
            f"{path}: not a Word .docx file (no word/document.xml inside); re-save it from Word"
        )


def _read(data: bytes) -> str:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(io.BytesIO(data))
    # Style names by id, once: python-docx's paragraph.style scans every style per paragraph
    # (2 s of the demo's start for two small files).
    styles = {s.style_id: s.name or "" for s in document.styles}
    parts: list[str] = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1] if isinstance(child.tag, str) else ""
        if tag == "p":
            parts.append(_paragraph(Paragraph(child, document), styles))
        elif tag == "tbl":
            parts.extend(_table_rows(Table(child, document)))
    return "\n\n".join(p.strip() for p in parts if p.strip())


def _paragraph(paragraph, styles: dict[str, str]) -> str:
    """Headings become Markdown headings, so a title such as 'Interview: X' is not a speaker."""
    properties = paragraph._p.pPr
    style_id = properties.style if properties is not None else None
    style = styles.get(style_id, "") if style_id else ""
    if paragraph.text.strip() and style.startswith(("Heading", "Title")):
        return "# " + paragraph.text
    return paragraph.text


def _table_rows(table) -> list[str]:
    rows = []
    for row in table.rows:
        cells = [cell.text.strip() for cell in row.cells]
        # Merged cells repeat; keep each distinct cell once, in order.
        distinct = [c for i, c in enumerate(cells) if c and c not in cells[:i]]
        if len(distinct) >= 2 and len(distinct[0]) <= 40 and not distinct[0].endswith(":"):
            rows.append(f"{distinct[0]}: {' '.join(distinct[1:])}")
        elif distinct:
            rows.append(" ".join(distinct))
    return rows
