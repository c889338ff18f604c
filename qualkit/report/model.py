"""The report as data: sections of blocks that the HTML, Word and Markdown writers all render.

Every number is formatted once, here or in ``sections_*``, so the three formats cannot disagree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Paragraph:
    text: str
    kind: str = "text"  # "text", "note" (small print), "missing" (what is not there yet)


@dataclass(frozen=True)
class Heading:
    """A sub-heading inside a section (level 3; the section title is level 2)."""

    text: str


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A table with a caption; ``numeric`` columns are right-aligned."""

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[int, ...] = ()
    row_headers: bool = True  # the first cell of a row names it (a <th scope="row">)
    note: str = ""


@dataclass(frozen=True)
class Figure:
    """A plot: SVG text for HTML, PNG bytes for Word, ``alt`` for every reader."""

    caption: str
    alt: str
    svg: str
    png: bytes


@dataclass(frozen=True)
class Quote:
    text: str
    source: str


@dataclass
class Section:
    key: str
    title: str
    blocks: list = field(default_factory=list)

    def add(self, *blocks) -> Section:
        self.blocks.extend(blocks)
        return self

    def missing(self, text: str) -> Section:
        return self.add(Paragraph(text, "missing"))


@dataclass
class Report:
    title: str
    subtitle: str
    generated: str
    sections: list[Section]


def num(value: float | None, digits: int = 2) -> str:
    """A number for a table; an en dash for undefined values."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return f"{value:.{digits}f}".replace("-", "−")


def pvalue(value: float | None) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


def ci(low: float | None, high: float | None, digits: int = 2) -> str:
    if low is None or high is None:
        return "–"
    return f"{num(low, digits)} to {num(high, digits)}"


def share(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"
