"""Bulk reads of segment and coding spans, as plain tuples.

Agreement on a large project reads every segment and every coding of the compared coders at
once; building a model object per row would cost more than the statistics themselves, so these
functions return tuples that ``qualkit.agreement.units`` turns into arrays.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qualkit.store import Store

# SQLite's default limit on host parameters is 32766; stay far below it.
_CHUNK = 900


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    ids = list(ids)
    for offset in range(0, len(ids), _CHUNK):
        yield ids[offset : offset + _CHUNK]


def segment_rows(store: Store, document_ids: Sequence[int]) -> list[tuple[int, int, int, int]]:
    """``(document_id, segment_id, start, end)`` of the documents' segments (by id, position)."""
    rows: list[tuple[int, int, int, int]] = []
    for chunk in _chunks(document_ids):
        rows += store._sql(
            'SELECT document_id, id, start, "end" FROM segments '
            f"WHERE document_id IN ({','.join('?' * len(chunk))}) "
            'ORDER BY document_id, start, "end"',
            chunk,
        ).fetchall()
    return rows


def coding_rows(
    store: Store, document_ids: Sequence[int], coder_ids: Sequence[int]
) -> list[tuple[int, int, int, int, int]]:
    """``(document_id, code_id, coder_id, start, end)`` of the coders' codings in the documents."""
    coders = list(coder_ids)
    marks = ",".join("?" * len(coders))
    rows: list[tuple[int, int, int, int, int]] = []
    for chunk in _chunks(document_ids):
        rows += store._sql(
            'SELECT document_id, code_id, coder_id, start, "end" FROM codings '
            f"WHERE document_id IN ({','.join('?' * len(chunk))}) AND coder_id IN ({marks})",
            [*chunk, *coders],
        ).fetchall()
    return rows
