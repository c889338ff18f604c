"""Which codings lie on which segment of the open document, kept in step with each key.

The transcript pane asks, for every line it draws, which codings touch that segment. Indexing
the whole document again after each key made a key's cost grow with the number of codings
(12 ms with none, 80 ms with 10,000 in a 20,000-segment document); a key changes a handful of
codings, so only those are swapped.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qualkit.models import Coding, Segment


def segments_overlapping(segments: list[Segment], starts: list[int], start: int, end: int
                         ) -> range:
    """Indexes of the segments (sorted by position; ``starts`` their start offsets) that
    overlap [start, end)."""
    first = max(bisect_right(starts, start) - 1, 0)
    while first < len(segments) and segments[first].end <= start:
        first += 1
    return range(first, bisect_left(starts, end))


def extent(codings: list[Coding], start: int, end: int) -> tuple[int, int]:
    """[start, end) widened to cover ``codings``: a toggle's codings are replaced by codings
    within the extent of those it touched (merged, or cut around the selection)."""
    return min([start, *(c.start for c in codings)]), max([end, *(c.end for c in codings)])


def codings_of(segments: list[Segment], starts: list[int], by_segment: dict[int, list[Coding]],
               coder_id: int, code_id: int, start: int, end: int) -> list[Coding]:
    """The indexed codings of one coder and code that overlap [start, end)."""
    found = {c.id: c for i in segments_overlapping(segments, starts, start, end)
             for c in by_segment.get(i, ())
             if c.coder_id == coder_id and c.code_id == code_id and c.overlaps(start, end)}
    return list(found.values())


def index_codings(segments: list[Segment], starts: list[int], codings: list[Coding],
                  coder_id: int) -> tuple[dict[int, list[Coding]], set[int]]:
    """Codings by segment index, and the segments holding a coding of ``coder_id``."""
    by_segment: dict[int, list[Coding]] = {}
    for coding in codings:
        for index in segments_overlapping(segments, starts, coding.start, coding.end):
            by_segment.setdefault(index, []).append(coding)
    mine = {i for i, cs in by_segment.items() if any(c.coder_id == coder_id for c in cs)}
    return by_segment, mine


def swap_codings(segments: list[Segment], starts: list[int], by_segment: dict[int, list[Coding]],
                 mine: set[int], coder_id: int, removed: list[Coding], added: list[Coding]
                 ) -> set[int]:
    """Take ``removed`` out of the index and put ``added`` in (both in place); returns the
    indexes of the segments whose codings changed."""
    gone = {c.id for c in removed}
    changed: set[int] = set()
    for coding in removed:
        for index in segments_overlapping(segments, starts, coding.start, coding.end):
            kept = [c for c in by_segment.get(index, ()) if c.id not in gone]
            if kept:
                by_segment[index] = kept
            else:
                by_segment.pop(index, None)
            changed.add(index)
    for coding in added:
        for index in segments_overlapping(segments, starts, coding.start, coding.end):
            by_segment.setdefault(index, []).append(coding)
            changed.add(index)
    for index in changed:  # the order the store gives (and index_codings keeps)
        if index in by_segment:
            by_segment[index].sort(key=lambda c: (c.start, c.end, c.code_id, c.coder_id))
        if any(c.coder_id == coder_id for c in by_segment.get(index, ())):
            mine.add(index)
        else:
            mine.discard(index)
    return changed
