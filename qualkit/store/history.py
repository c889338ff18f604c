"""Undoable actions: each is a list of row changes applied in one transaction, written to the
append-only events table, and pushed on the coder's undo stack (kept in the file, so undo and redo
survive a restart).

A change is an insert, delete or update of one row of a table that users edit. Undo applies the
inverse changes in reverse order; redo applies the recorded changes again, with the same row ids
(codings, codes and memos use AUTOINCREMENT, so a deleted id is never handed out again).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from qualkit.errors import QualkitError

if TYPE_CHECKING:
    from qualkit.models import Coder
    from qualkit.store import Store

# The tables an undoable action may touch, and the columns that identify a row.
TABLE_KEYS: dict[str, tuple[str, ...]] = {
    "codings": ("id",),
    "codes": ("id",),
    "memos": ("id",),
    "completions": ("coder_id", "document_id"),
}


@dataclass
class Change:
    """One row change. ``row`` holds the whole row (insert/delete) or key + new values (update)."""

    table: str
    op: Literal["insert", "delete", "update"]
    row: dict[str, Any]
    before: dict[str, Any] = field(default_factory=dict)

    def inverse(self) -> Change:
        if self.op == "insert":
            return Change(self.table, "delete", self.row)
        if self.op == "delete":
            return Change(self.table, "insert", self.row)
        key = {k: self.row[k] for k in TABLE_KEYS[self.table]}
        after = {k: v for k, v in self.row.items() if k not in key}
        return Change(self.table, "update", {**key, **self.before}, before=after)


def _quote(column: str) -> str:
    return f'"{column}"'


@dataclass(frozen=True)
class Step:
    """An action undone or redone: its name and its logged detail, without the row changes."""

    action: str
    detail: dict[str, Any]


class History:
    def __init__(self, store: Store) -> None:
        self.store = store

    def apply(
        self, changes: list[Change], *, coder: Coder, action: str, detail: dict | None = None
    ) -> int:
        """Apply ``changes`` as one undoable action of ``coder``; returns the event id."""
        with self.store.atomic():
            done = [self._execute(change) for change in changes]
            event_id = self.store.log(
                action,
                {**(detail or {}), "changes": [asdict(c) for c in done]},
                coder=coder.name,
            )
            self.store._sql(
                "DELETE FROM history WHERE coder_id = ? AND state = 'undone'", [coder.id]
            )
            self.store._sql(
                "INSERT INTO history (coder_id, seq, event_id, state) VALUES (?, "
                "(SELECT coalesce(max(seq), 0) + 1 FROM history WHERE coder_id = ?), ?, 'done')",
                [coder.id, coder.id, event_id],
            )
        return event_id

    def undo(self, coder: Coder) -> str | None:
        """Undo the coder's latest action; returns its name, or None if there is nothing to undo."""
        step = self.step(coder, undo=True)
        return None if step is None else step.action

    def redo(self, coder: Coder) -> str | None:
        """Redo the coder's latest undone action; returns its name, or None."""
        step = self.step(coder, undo=False)
        return None if step is None else step.action

    def step(self, coder: Coder, *, undo: bool) -> Step | None:
        """Undo (or redo) the coder's latest action; returns it, with the detail it was logged
        with (document, code, span), so that the caller can say what it undid and where."""
        # The latest step is read under the write lock, so two processes of one coder cannot
        # undo the same step twice.
        with self.store.atomic():
            return self._step_locked(coder, undo=undo)

    def _step_locked(self, coder: Coder, *, undo: bool) -> Step | None:
        state, order, new_state = ("done", "DESC", "undone") if undo else ("undone", "ASC", "done")
        row = self.store._sql(
            "SELECT h.seq, e.id, e.action, e.detail "
            "FROM history h JOIN events e ON e.id = h.event_id "
            f"WHERE h.coder_id = ? AND h.state = ? ORDER BY h.seq {order} LIMIT 1",
            [coder.id, state],
        ).fetchone()
        if row is None:
            return None
        seq, event_id, action, detail = row
        changes = [Change(**c) for c in json.loads(detail)["changes"]]
        if undo:
            changes = [c.inverse() for c in reversed(changes)]
        with self.store.atomic():
            for change in changes:
                self._execute(change, replaying=True)
            self.store.log(
                "undo" if undo else "redo",
                {"event_id": event_id, "action": action},
                coder=coder.name,
            )
            self.store._sql(
                "UPDATE history SET state = ? WHERE coder_id = ? AND seq = ?",
                [new_state, coder.id, seq],
            )
        details = json.loads(detail)
        details.pop("changes", None)
        return Step(action, details)

    def _execute(self, change: Change, *, replaying: bool = False) -> Change:
        """Run one change; returns it completed (an insert's new id filled in)."""
        keys = TABLE_KEYS[change.table]
        try:
            if change.op == "insert":
                return self._insert(change)
            where = " AND ".join(f"{_quote(k)} = ?" for k in keys)
            key_values = [change.row[k] for k in keys]
            if change.op == "delete":
                self.store._sql(f"DELETE FROM {change.table} WHERE {where}", key_values)
            else:
                values = {k: v for k, v in change.row.items() if k not in keys}
                sets = ", ".join(f"{_quote(k)} = ?" for k in values)
                self.store._sql(
                    f"UPDATE {change.table} SET {sets} WHERE {where}",
                    [*values.values(), *key_values],
                )
        except sqlite3.IntegrityError as exc:
            verb = "undo/redo" if replaying else "apply"
            raise QualkitError(f"cannot {verb} this change to {change.table}: {exc}") from None
        return change

    def _insert(self, change: Change) -> Change:
        row = dict(change.row)
        if row.get("id") is None:
            row.pop("id", None)  # a new row: SQLite assigns the id
        columns = ", ".join(_quote(k) for k in row)
        cursor = self.store._sql(
            f"INSERT INTO {change.table} ({columns}) VALUES ({', '.join('?' * len(row))})",
            list(row.values()),
        )
        if "id" in TABLE_KEYS[change.table] and "id" not in row:
            row = {"id": cursor.lastrowid, **row}
        return Change(change.table, "insert", row)
