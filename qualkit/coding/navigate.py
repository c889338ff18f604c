"""Where the coder goes next: the next segment still waiting for their codes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from typing import TYPE_CHECKING

from qualkit.ingest.metadata import is_researcher

if TYPE_CHECKING:
    from qualkit.models import Segment


def next_uncoded(
    segments: Sequence[Segment],
    shown: Sequence[int],
    at: int,
    roles: Mapping[str, str],
    coded: Set[int],
) -> int | None:
    """The position in ``shown`` (indexes into ``segments``, in reading order) of the first
    segment after position ``at`` that is not in ``coded`` (the indexes the coder has coded),
    wrapping round to ``at`` itself last. Researchers' turns (their speaker's role in ``roles``)
    are skipped: the interviewer's questions are not what a coder codes. None when every
    participant segment shown is coded."""
    for step in range(1, len(shown) + 1):
        position = (at + step) % len(shown)
        index = shown[position]
        if is_researcher(roles.get(segments[index].speaker or "")):
            continue
        if index not in coded:
            return position
    return None
