"""Replacing spans of a text with pseudonyms, and carrying positions from the old text to the new.

Pure functions over strings and integer offsets (Unicode code points, end exclusive), so codings,
segments and memos can be remapped without ever being corrupted: a position inside a replaced
span snaps to the pseudonym's start (for a start) or end (for an end), so a coding that cut
through a name now covers the whole pseudonym instead of half of it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Replacement:
    """Replace ``text[start:end]`` with ``label``."""

    start: int
    end: int
    label: str


def normalise(replacements: Sequence[Replacement]) -> list[Replacement]:
    """Sorted, non-overlapping replacements: of two that overlap, the longer (then earlier) wins.

    Overlaps happen when NER and a rule both match ("Dr. Ruiz" and "Ruiz"); keeping one span per
    stretch of text keeps the offset map monotone.
    """
    ranked = sorted(replacements, key=lambda r: (-(r.end - r.start), r.start, r.label))
    return first_disjoint(ranked, lambda r: (r.start, r.end))


def first_disjoint(ranked: Iterable[T], span: Callable[[T], tuple[int, int]]) -> list[T]:
    """Of items in rank order, those whose span overlaps no better-ranked kept item, sorted by
    position. O(n log n) plus list inserts: a hostile text with a million matches stays fast."""
    starts: list[int] = []
    ends: list[int] = []
    kept: list[tuple[int, T]] = []
    for item in ranked:
        start, end = span(item)
        if end <= start:
            continue
        i = bisect_right(starts, start)
        if (i > 0 and ends[i - 1] > start) or (i < len(starts) and starts[i] < end):
            continue
        starts.insert(i, start)
        ends.insert(i, end)
        kept.insert(i, (start, item))
    return [item for _, item in kept]


class OffsetMap:
    """Positions in the original text → positions in the redacted text."""

    def __init__(self, replacements: Sequence[Replacement]) -> None:
        self.replacements = normalise(replacements)
        self._starts = [r.start for r in self.replacements]
        # shift[i]: how far text after replacement i moves (cumulative length change).
        self._shift: list[int] = []
        total = 0
        for rep in self.replacements:
            total += len(rep.label) - (rep.end - rep.start)
            self._shift.append(total)

    def _locate(self, pos: int) -> tuple[int, int]:
        """Index of the last replacement starting at or before ``pos`` (-1 if none) and the
        shift that applies before it."""
        i = bisect_right(self._starts, pos) - 1
        before = self._shift[i - 1] if i >= 1 else 0
        return i, before

    def start(self, pos: int) -> int:
        """Where a span starting at ``pos`` starts in the redacted text."""
        i, before = self._locate(pos)
        if i < 0:
            return pos
        rep = self.replacements[i]
        if pos < rep.end:  # at or inside a replaced span: snap to the pseudonym's start
            return rep.start + before
        return pos + self._shift[i]

    def end(self, pos: int) -> int:
        """Where a span ending at ``pos`` ends in the redacted text."""
        i, before = self._locate(pos - 1) if pos > 0 else (-1, 0)
        if i < 0:
            return pos
        rep = self.replacements[i]
        if pos <= rep.end:  # inside a replaced span: snap to the pseudonym's end
            return rep.start + before + len(rep.label)
        return pos + self._shift[i]

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self.start(start), self.end(end)

    def widen(self, start: int, end: int) -> tuple[int, int]:
        """The original span grown to cover every replaced span it cuts into."""
        for rep in self.replacements:
            if rep.start < start < rep.end:
                start = rep.start
            if rep.start < end < rep.end:
                end = rep.end
        return start, end


def apply(text: str, replacements: Sequence[Replacement]) -> str:
    """``text`` with every replacement made (overlaps resolved as ``normalise`` does)."""
    parts: list[str] = []
    pos = 0
    for rep in normalise(replacements):
        parts.append(text[pos : rep.start])
        parts.append(rep.label)
        pos = rep.end
    parts.append(text[pos:])
    return "".join(parts)


def redact_span(text: str, replacements: Sequence[Replacement], start: int, end: int) -> str:
    """The redaction of ``text[start:end]`` on its own: the replacements inside the (widened)
    span, shifted. What a coding's text must read in the redacted copy."""
    omap = OffsetMap(replacements)
    start, end = omap.widen(start, end)
    inside = [
        Replacement(r.start - start, r.end - start, r.label)
        for r in omap.replacements
        if r.start >= start and r.end <= end
    ]
    return apply(text[start:end], inside)
