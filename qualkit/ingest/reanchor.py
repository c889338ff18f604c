"""Keeping codings and memos when a transcript is replaced by a corrected version.

A coded passage keeps its coding if the same text is still in the new version: it moves to the
occurrence nearest to where it was (positions scaled by the change in length). Passages whose text
changed are reported as lost; a memo whose passage is gone stays, attached to the document.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qualkit.models import Coding, Memo
    from qualkit.store import Store


@dataclass
class Reanchored:
    moved: list[tuple[Coding, int, int]] = field(default_factory=list)
    lost: list[Coding] = field(default_factory=list)
    memos_moved: list[tuple[Memo, int | None, int | None]] = field(default_factory=list)

    def apply(self, store: Store) -> None:
        """Write the new positions (in the caller's transaction)."""
        store.codings.delete_many([c.id for c in self.lost])
        for coding, start, end in self.moved:
            store.codings.move(coding.id, start, end)
        for memo, start, end in self.memos_moved:
            store.memos.move(memo.id, start, end)


def reanchor(old: str, new: str, codings: list[Coding], memos: list[Memo]) -> Reanchored:
    result = Reanchored()
    scale = len(new) / max(len(old), 1)
    for coding in codings:
        found = _find(old[coding.start : coding.end], new, coding.start * scale)
        if found is None:
            result.lost.append(coding)
        elif found != coding.start:
            result.moved.append((coding, found, found + coding.end - coding.start))
    for memo in memos:
        if memo.start is None or memo.end is None:
            continue
        found = _find(old[memo.start : memo.end], new, memo.start * scale)
        if found != memo.start:
            end = None if found is None else found + memo.end - memo.start
            result.memos_moved.append((memo, found, end))
    return result


def _find(passage: str, text: str, near: float) -> int | None:
    """Start of the occurrence of ``passage`` in ``text`` closest to ``near``."""
    best: int | None = None
    position = text.find(passage)
    while position != -1:
        if best is None or abs(position - near) < abs(best - near):
            best = position
        elif position > near:
            break  # occurrences only get further away from here on
        position = text.find(passage, position + 1)
    return best
