"""Word (.docx) transcripts: paragraphs and table rows in document order, as plain text."""

from __future__ import annotations

import io
from pathlib import Path

from qualkit.errors import InputError


def docx_text(path: Path, data: bytes) -> str:
    """Paragraphs separated by blank lines, headings as ``# ``, table rows as ``SPEAKER: text``.

    The result is read as Markdown.
    """
    import zipfile

    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InputError(
            f"{path}: not a valid Word .docx file ({exc}); re-save it from Word"
        ) from None
    parts: list[str] = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            parts.append(_paragraph(Paragraph(child, document)))
        elif tag == "tbl":
            parts.extend(_table_rows(Table(child, document)))
    return "\n\n".join(p.strip() for p in parts if p.strip())


def _paragraph(paragraph) -> str:
    """Headings become Markdown headings, so a title such as 'Interview: X' is not a speaker."""
    style = (paragraph.style.name if paragraph.style is not None else "") or ""
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
