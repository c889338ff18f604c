"""The report as one self-contained HTML file: inline CSS and SVG, no script, no URL.

Print styles give clean A4 or Letter pages (the printer's paper; margins in mm): every section
starts a page, table rows and figures are never split, table headers repeat on each page.
Colours pass WCAG AA (body #1a1a1a on white 17:1, links and accents #1f4e79 9:1, notes #4d4d4d
8.5:1), and nothing is said by colour alone (missing data is labelled "Not available").
"""

from __future__ import annotations

from html import escape

from qualkit.report.model import Bullets, Figure, Heading, Paragraph, Quote, Report, Table

CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font-family: "Source Serif 4", Georgia, "Times New Roman", serif; color: #1a1a1a;
  background: #fff; line-height: 1.5; font-size: 11pt; margin: 0 auto; max-width: 52rem;
  padding: 2rem 1.5rem; }
h1, h2, h3, caption, th, .meta, nav, figcaption, .generated { font-family: "Source Sans 3",
  "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 1.9rem; line-height: 1.2; margin: 0 0 .3rem; color: #1f4e79; }
h2 { font-size: 1.4rem; color: #1f4e79; border-bottom: 2px solid #1f4e79; padding-bottom: .2rem;
  margin: 2.2rem 0 .8rem; }
h3 { font-size: 1.1rem; margin: 1.4rem 0 .5rem; }
.meta { color: #4d4d4d; margin: 0 0 1.2rem; }
nav ol { columns: 2; list-style: none; padding-left: 0; margin: .4rem 0 1rem; }
a { color: #1f4e79; }
table { border-collapse: collapse; min-width: 60%; margin: .6rem 0 1.2rem; font-size: 9pt;
  font-family: "Source Sans 3", "Helvetica Neue", Arial, sans-serif; }
caption { text-align: left; font-weight: 600; padding: .3rem 0; caption-side: top; }
th, td { border-bottom: 1px solid #bfbfbf; padding: .25rem .45rem; vertical-align: top;
  text-align: left; }
thead th { border-bottom: 2px solid #1a1a1a; background: #eef3f8; }
tbody th { font-weight: 600; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.tnote, .note { color: #4d4d4d; font-size: 9pt; }
.missing { border-left: 4px solid #8a5a00; background: #fdf6e3; padding: .4rem .7rem; }
.missing strong { color: #6b4500; }
figure { margin: 1rem 0 1.4rem; }
figure svg { max-width: 100%; height: auto; display: block; }
figcaption { font-size: 9.5pt; color: #4d4d4d; margin-top: .3rem; }
blockquote { margin: .5rem 0 .8rem 1rem; padding: .1rem 0 .1rem .9rem;
  border-left: 3px solid #1f4e79; font-style: italic; }
blockquote footer { font-style: normal; font-size: 9pt; color: #4d4d4d; }
.generated { color: #4d4d4d; font-size: 9pt; }
@page { margin: 16mm 14mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  nav { display: none; }
  section { break-before: page; }
  section:first-of-type { break-before: auto; }  /* the summary shares the title page */
  h2, h3, caption { break-after: avoid; }
  tr, figure, blockquote, .missing { break-inside: avoid; }
  thead { display: table-header-group; }
  a { color: inherit; text-decoration: none; }
}
"""


def render_html(report: Report) -> str:
    """The whole document as text; byte-stable apart from ``report.generated``."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="qualkit">',
        f"<title>{escape(report.title)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{escape(report.title)}</h1>",
        f'<p class="meta">{escape(report.subtitle)}</p>',
        f'<p class="generated">Generated {escape(report.generated)} by qualkit.</p>',
        "</header>",
        '<nav aria-label="Contents"><h2 class="toc">Contents</h2><ol>',
        *(f'<li><a href="#{s.key}">{escape(s.title)}</a></li>' for s in report.sections),
        "</ol></nav>",
        "<main>",
    ]
    for section in report.sections:
        parts.append(f'<section id="{section.key}" aria-labelledby="{section.key}-h">')
        parts.append(f'<h2 id="{section.key}-h">{escape(section.title)}</h2>')
        parts += [_block(block) for block in section.blocks]
        parts.append("</section>")
    parts += ["</main>", "</body>", "</html>", ""]
    return "\n".join(parts)


def _block(block) -> str:
    if isinstance(block, Paragraph):
        if block.kind == "missing":
            return (f'<p class="missing"><strong>Not available:</strong> '
                    f"{escape(block.text)}</p>")
        css = ' class="note"' if block.kind == "note" else ""
        return f"<p{css}>{escape(block.text)}</p>"
    if isinstance(block, Heading):
        return f"<h3>{escape(block.text)}</h3>"
    if isinstance(block, Bullets):
        return "<ul>" + "".join(f"<li>{escape(i)}</li>" for i in block.items) + "</ul>"
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Figure):
        svg = block.svg.replace('<svg role="img"', f'<svg role="img" aria-label="'
                                f'{escape(block.alt)}"', 1)
        return (f"<figure>{svg}<figcaption>{escape(block.caption)}. "
                f'<span class="alt">{escape(block.alt)}</span></figcaption></figure>')
    if isinstance(block, Quote):
        return (f"<blockquote><p>“{escape(block.text)}”</p>"
                f"<footer>— {escape(block.source)}</footer></blockquote>")
    raise TypeError(f"unknown block {type(block).__name__}")


def _table(table: Table) -> str:
    def cls(j: int) -> str:
        return ' class="n"' if j in table.numeric else ""

    head = "".join(f'<th scope="col"{cls(j)}>{escape(c)}</th>'
                   for j, c in enumerate(table.columns))
    body = []
    for row in table.rows:
        cells = []
        for j, value in enumerate(row):
            if j == 0 and table.row_headers:
                cells.append(f'<th scope="row">{escape(value)}</th>')
            else:
                cells.append(f"<td{cls(j)}>{escape(value)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    note = f'<p class="tnote">{escape(table.note)}</p>' if table.note else ""
    return (f"<table><caption>{escape(table.caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>{note}")
