"""The codebook as a printable document (Markdown or Word), for a report's appendix or an IRB.

Numbered headings follow the code tree (1, 1.1, 1.2, 2, ...); under each code its definition,
when to use it, when not to, an example, its colour and hotkey. Retired codes close the document
in their own section, so the record of how the codebook changed stays with it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from qualkit.exchange.common import write_private, xml_text

if TYPE_CHECKING:
    from qualkit.models import Code
    from qualkit.store import Store

LABELS = (("description", "Definition"), ("include", "Use when"), ("exclude", "Do not use when"),
          ("example", "Example"))


@dataclass(frozen=True)
class _Entry:
    number: str
    depth: int
    code: Code


def _entries(store: Store) -> tuple[str, str, list[_Entry], list[Code]]:
    codes = store.codes.list(include_retired=True)
    active = [c for c in codes if c.status == "active"]
    children: dict[int | None, list[Code]] = {}
    known = {c.id for c in active}
    for code in active:
        parent = code.parent_id if code.parent_id in known else None
        children.setdefault(parent, []).append(code)
    entries: list[_Entry] = []

    def walk(parent: int | None, prefix: str, depth: int) -> None:
        for n, code in enumerate(children.get(parent, []), start=1):
            number = f"{prefix}{n}"
            entries.append(_Entry(number, depth, code))
            walk(code.id, f"{number}.", depth + 1)

    walk(None, "", 0)
    title = store.get_meta("codebook.title") or Path(store.path).stem
    description = store.get_meta("codebook.description") or ""
    retired = [c for c in codes if c.status == "retired"]
    return title, description, entries, retired


def codebook_markdown(store: Store) -> str:
    """The project's codebook as Markdown."""
    title, description, entries, retired = _entries(store)
    version = store.get_meta("codebook.version") or ""
    lines = [f"# {title}", ""]
    if version:
        lines += [f"Version {version}", ""]
    if description:
        lines += [description, ""]
    for entry in entries:
        lines += [f"{'#' * min(entry.depth + 2, 6)} {entry.number} {entry.code.name}", ""]
        lines += _markdown_body(entry.code)
    if retired:
        lines += ["## Retired codes", "",
                  "No longer applied; their codings are kept in the project.", ""]
        for code in retired:
            lines += [f"### {code.name}", "", *_markdown_body(code)]
    return "\n".join(lines).rstrip() + "\n"


def _markdown_body(code: Code) -> list[str]:
    lines = []
    for field, label in LABELS:
        value = getattr(code, field).strip()
        if not value:
            continue
        if field == "example":
            quoted = "\n".join(f"> {line}" if line else ">" for line in value.split("\n"))
            lines += [f"**{label}:**", "", quoted, ""]
        else:
            lines += [f"**{label}:** {value}", ""]
    extras = [f"colour `{code.color}`" if code.color else "",
              f"hotkey `{code.hotkey}`" if code.hotkey else ""]
    if any(extras):
        text = ", ".join(e for e in extras if e)
        lines += [f"*{text[0].upper()}{text[1:]}*", ""]
    return lines


def write_codebook_markdown(store: Store, path: str | Path) -> None:
    write_private(path, codebook_markdown(store).encode("utf-8"))


def write_codebook_docx(store: Store, path: str | Path) -> None:
    """The project's codebook as a Word document (headings, definitions, coloured markers)."""
    import docx
    from docx.shared import Pt, RGBColor

    title, description, entries, retired = _entries(store)
    document = docx.Document()
    document.add_heading(xml_text(title), 0)
    version = store.get_meta("codebook.version") or ""
    if version:
        document.add_paragraph(f"Version {xml_text(version)}")
    if description:
        document.add_paragraph(xml_text(description))

    def code_block(code: Code, heading: str, level: int) -> None:
        head = document.add_heading(level=min(level, 9))
        if code.color:
            marker = head.add_run("■ ")
            marker.font.color.rgb = RGBColor.from_string(_hex6(code.color))
        head.add_run(xml_text(heading))
        for field, label in LABELS:
            value = getattr(code, field).strip()
            if value:
                paragraph = document.add_paragraph()
                paragraph.add_run(f"{label}: ").bold = True
                run = paragraph.add_run(xml_text(value))
                run.italic = field == "example"
        extras = [f"Colour {code.color}" if code.color else "",
                  f"hotkey {code.hotkey}" if code.hotkey else ""]
        if any(extras):
            small = document.add_paragraph().add_run(", ".join(e for e in extras if e))
            small.font.size = Pt(8)

    for entry in entries:
        code_block(entry.code, f"{entry.number} {entry.code.name}", entry.depth + 1)
    if retired:
        document.add_heading("Retired codes", 1)
        document.add_paragraph("No longer applied; their codings are kept in the project.")
        for code in retired:
            code_block(code, code.name, 2)
    buffer = io.BytesIO()
    document.save(buffer)
    write_private(path, buffer.getvalue())


def _hex6(color: str) -> str:
    value = color.lstrip("#")
    return "".join(c * 2 for c in value) if len(value) == 3 else value
