"""The report as a Word document (python-docx): real headings, real tables with a header row
that repeats across pages, plots as PNG pictures with their alt text."""

from __future__ import annotations

import io

from qualkit.report.model import Bullets, Figure, Heading, Paragraph, Quote, Report, Table


def render_docx(report: Report) -> bytes:
    import docx
    from docx.shared import Cm, Pt

    document = docx.Document()
    style = document.styles["Normal"]
    style.font.name, style.font.size = "Calibri", Pt(10.5)
    for section in document.sections:
        section.left_margin = section.right_margin = Cm(2)
    document.core_properties.title = report.title
    document.core_properties.author = "qualkit"
    document.add_heading(report.title, level=0)
    document.add_paragraph().add_run(report.subtitle).italic = True
    document.add_paragraph(f"Generated {report.generated} by qualkit.")
    for index, section in enumerate(report.sections):
        if index:
            document.add_page_break()
        document.add_heading(section.title, level=1)
        for block in section.blocks:
            _block(document, block)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _block(document, block) -> None:
    from docx.shared import Cm, Pt

    if isinstance(block, Paragraph):
        paragraph = document.add_paragraph()
        if block.kind == "missing":
            paragraph.add_run("Not available: ").bold = True
        run = paragraph.add_run(block.text)
        if block.kind == "note":
            run.font.size = Pt(9)
    elif isinstance(block, Heading):
        document.add_heading(block.text, level=2)
    elif isinstance(block, Bullets):
        for item in block.items:
            document.add_paragraph(item, style="List Bullet")
    elif isinstance(block, Table):
        _table(document, block)
    elif isinstance(block, Figure):
        document.add_picture(io.BytesIO(block.png), width=Cm(16))
        picture = document.inline_shapes[-1]
        picture._inline.docPr.set("descr", block.alt)  # Word's "alt text"
        document.add_paragraph(f"{block.caption}.", style="Caption")
    elif isinstance(block, Quote):
        paragraph = document.add_paragraph(style="Quote")
        paragraph.add_run(f"“{block.text}”")
        paragraph.add_run(f" — {block.source}").italic = False
    else:
        raise TypeError(f"unknown block {type(block).__name__}")


def _table(document, block: Table) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document.add_paragraph(block.caption, style="Caption")
    table = document.add_table(rows=1, cols=len(block.columns))
    table.style = "Light Grid Accent 1"
    header = table.rows[0]
    header_props = header._tr.get_or_add_trPr()
    header_props.append(OxmlElement("w:tblHeader"))  # repeat the header row on every page
    for cell, text in zip(header.cells, block.columns, strict=True):
        cell.text = text
    for row in block.rows:
        cells = table.add_row()
        properties = cells._tr.get_or_add_trPr()
        no_split = OxmlElement("w:cantSplit")
        no_split.set(qn("w:val"), "true")
        properties.append(no_split)  # a row never breaks across pages
        for j, (cell, text) in enumerate(zip(cells.cells, row, strict=True)):
            cell.text = text
            if j in block.numeric:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if block.note:
        document.add_paragraph(block.note).runs[0].italic = True
