"""Memos: a coder's notes on a passage (document span), a code, or the project."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualkit.models import Memo

if TYPE_CHECKING:
    from qualkit.store import Store

_COLUMNS = 'id, coder_id, document_id, start, "end", code_id, text, created_at, updated_at'


class Memos:
    def __init__(self, store: Store) -> None:
        self.store = store

    def list(
        self,
        *,
        document_id: int | None = None,
        code_id: int | None = None,
        coder_id: int | None = None,
    ) -> list[Memo]:
        clauses, params = [], []
        for column, value in (
            ("document_id", document_id),
            ("code_id", code_id),
            ("coder_id", coder_id),
        ):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self.store._sql(
            f"SELECT {_COLUMNS} FROM memos{where} ORDER BY document_id, start, id", params
        )
        return [Memo(*r) for r in rows]

    def at(self, coder_id: int, document_id: int, start: int, end: int) -> Memo | None:
        """The coder's memo anchored exactly on this passage, if any."""
        row = self.store._sql(
            f"SELECT {_COLUMNS} FROM memos WHERE coder_id = ? AND document_id = ? AND start = ? "
            'AND "end" = ? ORDER BY id LIMIT 1',
            [coder_id, document_id, start, end],
        ).fetchone()
        return None if row is None else Memo(*row)

    def get(self, memo_id: int) -> Memo | None:
        row = self.store._sql(f"SELECT {_COLUMNS} FROM memos WHERE id = ?", [memo_id])
        found = row.fetchone()
        return None if found is None else Memo(*found)

    def move(self, memo_id: int, start: int | None, end: int | None) -> None:
        """Re-anchor a memo; ``None`` detaches it from any passage (it stays on the document)."""
        self.store._sql(
            'UPDATE memos SET start = ?, "end" = ? WHERE id = ?', [start, end, memo_id]
        )
