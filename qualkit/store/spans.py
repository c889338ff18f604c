"""Bulk reads of segment and coding spans, as plain tuples.

Agreement on a large project reads every segment and every coding of the compared coders at
once; building a model object per row would cost more than the statistics themselves, so these
functions return tuples that ``qualkit.agreement.units`` turns into arrays.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

    from qualkit.store import Store

# SQLite's default limit on host parameters is 32766; stay far below it.
_CHUNK = 900


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    ids = list(ids)
    for offset in range(0, len(ids), _CHUNK):
        yield ids[offset : offset + _CHUNK]


def _int_table(store: Store, columns: Sequence[str], sql: str, params: list) -> np.ndarray:
    """The integer ``columns`` of ``sql``'s rows as an (n, len(columns)) int64 array.

    The rows travel as one comma-separated string that SQLite builds and numpy parses, both in
    C: 620,000 codings arrive in about a third of the time that Python tuples take.
    """
    import numpy as np

    row = store._sql(
        f"SELECT group_concat(printf('{','.join(['%d'] * len(columns))}', "
        f"{', '.join(columns)}), ',') FROM ({sql})", params).fetchone()
    if not row[0]:
        return np.empty((0, len(columns)), dtype=np.int64)
    return np.fromstring(row[0], dtype=np.int64, sep=",").reshape(-1, len(columns))


def segment_array(store: Store, document_ids: Sequence[int]) -> np.ndarray:
    """``(document_id, segment_id, start, end)`` of the documents' segments, one row each."""
    import numpy as np

    parts = [_int_table(store, ("document_id", "id", "start", '"end"'),
                        'SELECT document_id, id, start, "end" FROM segments '
                        f"WHERE document_id IN ({','.join('?' * len(chunk))})", chunk)
             for chunk in _chunks(document_ids)]
    return np.concatenate(parts) if parts else np.empty((0, 4), dtype=np.int64)


def coding_array(store: Store, document_ids: Sequence[int], coder_ids: Sequence[int]
                 ) -> np.ndarray:
    """``(document_id, code_id, coder_id, start, end)`` of the coders' codings in the
    documents, one row each (in no particular order)."""
    import numpy as np

    coders = list(coder_ids)
    marks = ",".join("?" * len(coders))
    parts = [_int_table(store, ("document_id", "code_id", "coder_id", "start", '"end"'),
                        'SELECT document_id, code_id, coder_id, start, "end" FROM codings '
                        f"WHERE document_id IN ({','.join('?' * len(chunk))}) "
                        f"AND coder_id IN ({marks})", [*chunk, *coders])
             for chunk in _chunks(document_ids)] if coders else []
    return np.concatenate(parts) if parts else np.empty((0, 5), dtype=np.int64)


def code_array(store: Store, code_ids: Sequence[int]) -> np.ndarray:
    """``(document_id, code_id, coder_id, start, end)`` of every coder's codings of the codes."""
    import numpy as np

    parts = [_int_table(store, ("document_id", "code_id", "coder_id", "start", '"end"'),
                        'SELECT document_id, code_id, coder_id, start, "end" FROM codings '
                        f"WHERE code_id IN ({','.join('?' * len(chunk))})", chunk)
             for chunk in _chunks(code_ids)]
    return np.concatenate(parts) if parts else np.empty((0, 5), dtype=np.int64)
