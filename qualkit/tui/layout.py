"""Laying a transcript out as terminal lines, without Textual: wrapping, which line shows what,
and the selection over them.

Kept apart from the widget so the arithmetic is tested directly and the widget only paints.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from itertools import accumulate

from rich.cells import cell_len

_NONSPACE = re.compile(r"\S")
_LAST_SPACE = re.compile(r"\s\S*\Z")  # searched within [start, limit): the last space there
GUTTER = 3  # cells left of the text: cursor marker and selection bar


def wrap(text: str, width: int) -> list[tuple[int, int]]:
    """Greedy word wrap: (start, end) offsets of each line of ``text`` at ``width`` cells.

    A line takes whole words (a word's trailing spaces ride along uncounted) while they fit; a
    word wider than a line is cut at the width. Plain ASCII, nearly every transcript line, is
    wrapped with string searches, one cell a character; anything else by its cell widths.
    """
    width = max(width, 8)
    n = len(text)
    plain = text.isascii() and text.isprintable()  # one cell a character; only " " is a space
    if plain and n <= width:
        return [(0, n)]
    cells = None if plain else list(accumulate((cell_len(c) for c in text), initial=0))
    last = len(text.rstrip())  # trailing spaces never start a line of their own
    lines: list[tuple[int, int]] = []
    start = 0
    while True:
        # text[start:limit] fits; the character at ``limit`` does not.
        limit = start + width if cells is None else bisect_right(cells, cells[start] + width) - 1
        if limit >= last:
            lines.append((start, n))
            return lines
        if text[limit].isspace():  # a word ends at the limit: break at the next word
            head = text[start:limit]
            brk = _NONSPACE.search(text, limit).start()  # type: ignore[union-attr]
        else:  # the limit cuts a word: break before it
            if plain:
                space = text.rfind(" ", start, limit)
            else:
                found = _LAST_SPACE.search(text, start, limit)
                space = found.start() if found else -1
            brk = space + 1 if space >= 0 else start
            head = text[start:brk]
        if not head or head.isspace():  # not one whole word fits: cut this one at the width
            brk = max(limit, start + 1)
        lines.append((start, brk))
        start = brk


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
    """Which terminal line shows what, for the visible segments (rows).

    Every row's height is known, since the scrollbar and the line numbers need them all, but a
    row's lines are made only when one of them is drawn: a 40,000-segment focus group opens
    without making 100,000 line objects first. ``build(row)`` must make ``heights[row]`` lines.
    """

    CACHED = 8192  # rows whose lines are kept; scrolling a whole long document stays bounded

    def __init__(self) -> None:
        self.heights: list[int] = []
        self.first_line: list[int] = [0]  # first line of each row, and the total at the end
        self._build: Callable[[int], list[Line]] = lambda row: []
        self._blocks: dict[int, list[Line]] = {}

    @property
    def total(self) -> int:
        return self.first_line[-1]

    def reset(self, heights: list[int], build: Callable[[int], list[Line]]) -> None:
        self.heights, self._build, self._blocks = heights, build, {}
        self.first_line = list(accumulate(heights, initial=0))

    def change(self, heights: dict[int, int], build: Callable[[int], list[Line]]) -> None:
        """Rows whose content changed, with their new heights: their lines are made afresh."""
        self._build = build
        for row, height in heights.items():
            self.heights[row] = height
            self._blocks.pop(row, None)
        self.first_line = list(accumulate(self.heights, initial=0))

    def block(self, row: int) -> list[Line]:
        lines = self._blocks.get(row)
        if lines is None:
            if len(self._blocks) >= self.CACHED:
                self._blocks.clear()
            lines = self._blocks[row] = self._build(row)
        return lines

    def line(self, y: int) -> Line | None:
        if not 0 <= y < self.total:
            return None
        row = bisect_right(self.first_line, y) - 1
        lines, k = self.block(row), y - self.first_line[row]
        return lines[k] if k < len(lines) else None  # never, while heights follow the content

    def span(self, row: int) -> tuple[int, int]:
        """First line and one past the last line of a row."""
        return self.first_line[row], self.first_line[row + 1]


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
