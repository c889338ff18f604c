"""Laying a transcript out as terminal lines, without Textual: wrapping, which line shows what,
and the selection over them.

Kept apart from the widget so the arithmetic is tested directly and the widget only paints.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from rich.cells import cell_len

_WORD = re.compile(r"\S+\s*")
GUTTER = 3  # cells left of the text: cursor marker and selection bar


def wrap(text: str, width: int) -> list[tuple[int, int]]:
    """Greedy word wrap: (start, end) offsets of each line of ``text`` at ``width`` cells."""
    width = max(width, 8)
    if text.isascii() and len(text) <= width:
        return [(0, len(text))]
    lines: list[tuple[int, int]] = []
    start = used = 0
    for match in _WORD.finditer(text):
        word = match.group()
        size = cell_len(word.rstrip())
        if used and used + size > width:
            lines.append((start, match.start()))
            start, used = match.start(), 0
        while size > width:  # a word wider than the line: cut it
            cut = _cut(text, start, width)
            lines.append((start, cut))
            start = cut
            size = cell_len(text[start : match.end()].rstrip())
        used += cell_len(word)
    lines.append((start, len(text)))
    return [(a, b) for a, b in lines if a < b] or [(0, 0)]


def _cut(text: str, start: int, width: int) -> int:
    end, used = start, 0
    while end < len(text) and used + cell_len(text[end]) <= width:
        used += cell_len(text[end])
        end += 1
    return max(end, start + 1)


@dataclass(frozen=True, slots=True)
class Line:
    """One terminal line: ``kind`` is "speaker", "text", "codes" or "gap"; ``start``/``end`` are
    offsets into the segment's text for "text" lines."""

    row: int  # index into the visible segments
    kind: str
    start: int = 0
    end: int = 0
    first: bool = False  # the first text line of its segment (where the cursor marker goes)


class Layout:
    """Lines of the visible segments, with fast lookups from a line to its segment and back."""

    def __init__(self) -> None:
        self.blocks: list[list[Line]] = []
        self.first_line: list[int] = []  # first line of each visible segment
        self.total = 0

    def set_blocks(self, blocks: list[list[Line]]) -> None:
        self.blocks = blocks
        self.reindex()

    def reindex(self) -> None:
        firsts, total = [], 0
        for block in self.blocks:
            firsts.append(total)
            total += len(block)
        self.first_line, self.total = firsts, total

    def line(self, y: int) -> Line | None:
        if not 0 <= y < self.total:
            return None
        row = bisect_right(self.first_line, y) - 1
        return self.blocks[row][y - self.first_line[row]]

    def span(self, row: int) -> tuple[int, int]:
        """First line and one past the last line of a visible segment."""
        start = self.first_line[row]
        return start, start + len(self.blocks[row])


@dataclass
class Selection:
    """Rows (indexes into the visible segments) from ``anchor`` to ``cursor``, and in span mode
    the words of the cursor's segment from ``word_anchor`` to ``word_cursor``."""

    cursor: int = 0
    anchor: int = 0
    span_mode: bool = False
    word_cursor: int = 0
    word_anchor: int = 0

    @property
    def rows(self) -> range:
        return range(min(self.cursor, self.anchor), max(self.cursor, self.anchor) + 1)
