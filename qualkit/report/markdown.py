"""The report as Markdown (GitHub flavour): tables as pipe tables, plots as inline SVG data
URIs with their alt text, so the file stands alone like the HTML."""

from __future__ import annotations

import base64

from qualkit.report.model import Bullets, Figure, Heading, Paragraph, Quote, Report, Table


def render_markdown(report: Report) -> str:
    lines = [f"# {report.title}", "", f"*{report.subtitle}*", "",
             f"Generated {report.generated} by qualkit.", ""]
    for section in report.sections:
        lines += [f"## {section.title}", ""]
        for block in section.blocks:
            lines += [*_block(block), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _block(block) -> list[str]:
    if isinstance(block, Paragraph):
        if block.kind == "missing":
            return [f"> **Not available:** {block.text}"]
        return [f"*{block.text}*" if block.kind == "note" else block.text]
    if isinstance(block, Heading):
        return [f"### {block.text}"]
    if isinstance(block, Bullets):
        return [f"- {item}" for item in block.items]
    if isinstance(block, Table):
        align = ["---:" if j in block.numeric else "---" for j in range(len(block.columns))]
        out = [f"**{_cell(block.caption)}**", "",
               "| " + " | ".join(_cell(c) for c in block.columns) + " |",
               "|" + "|".join(align) + "|"]
        out += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in block.rows]
        if block.note:
            out += ["", f"*{block.note}*"]
        return out
    if isinstance(block, Figure):
        data = base64.b64encode(block.svg.encode("utf-8")).decode("ascii")
        return [f"![{_cell(block.alt)}](data:image/svg+xml;base64,{data})", "",
                f"*{block.caption}.*"]
    if isinstance(block, Quote):
        return [f"> “{block.text}”", ">", f"> — {block.source}"]
    raise TypeError(f"unknown block {type(block).__name__}")
