"""Bulk reads and writes for exchange: REFI-QDA import/export and merging coders' project files.

These rows carry what the undoable single-action edits do not: original timestamps (a coding
imported from another program keeps its creation date), events copied from another file, and
history entries for merged reconciliation decisions. None of them is a user action of its own;
the caller runs them inside one ``store.atomic()`` and logs one event for the whole import.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qualkit.store import Store

# (document_id, code_id, coder_id, start, end, created_at)
CodingRow = tuple[int, int, int, int, int, str]


def text_sha256(text: str) -> str:
    """The content hash documents are matched by across files: SHA-256 of the stored text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def snapshot(source: str | Path, dest: str | Path) -> None:
    """Copy a project file, committed WAL content included, without writing to it.

    SQLite's online backup reads a consistent snapshot through a read-only connection, so a
    coder's file that is open in their workbench at the time is neither locked nor changed.
    """
    import sqlite3

    from qualkit.errors import ProjectError

    uri = Path(source).resolve().as_uri() + "?mode=ro"
    try:
        src = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as exc:
        raise ProjectError(f"{source}: cannot open the project: {exc}") from None
    try:
        dst = sqlite3.connect(str(dest))
        try:
            src.backup(dst)
        except sqlite3.DatabaseError as exc:
            raise ProjectError(f"{source}: cannot read the project: {exc}") from None
        finally:
            dst.close()
    finally:
        src.close()


class Exchange:
    def __init__(self, store: Store) -> None:
        self.store = store

    # -- reads -----------------------------------------------------------------------------------

    def text_hashes(self) -> dict[str, int]:
        """Content hash -> document id (the first document, by id, if two share a text)."""
        found: dict[str, int] = {}
        for document_id, text in self.store._sql("SELECT id, text FROM documents ORDER BY id"):
            found.setdefault(text_sha256(text), document_id)
        return found

    def segment_speakers(self) -> list[tuple[int, int, int, str | None]]:
        """``(document_id, start, end, speaker)`` of every segment, by document and position."""
        rows = self.store._sql(
            'SELECT document_id, start, "end", speaker FROM segments '
            "ORDER BY document_id, start"
        )
        return rows.fetchall()

    def segment_rows(self, document_id: int) -> list[tuple]:
        """``(ordinal, turn, speaker, start, end, start_time, end_time)`` of a document's
        segments, as stored."""
        rows = self.store._sql(
            'SELECT ordinal, turn, speaker, start, "end", start_time, end_time FROM segments '
            "WHERE document_id = ? ORDER BY ordinal",
            [document_id],
        )
        return rows.fetchall()

    def completion_rows(self) -> list[tuple[int, int, str]]:
        """``(coder_id, document_id, at)`` of every completion."""
        return self.store._sql("SELECT coder_id, document_id, at FROM completions").fetchall()

    def decision_rows(self) -> list[dict[str, Any]]:
        """Every reconciliation decision (live or not) as a dict of its columns."""
        cursor = self.store._sql(
            "SELECT id, coder_a, coder_b, consensus_id, document_id, start, \"end\", decision, "
            "codes, reason, decided_by, event_id, at FROM reconcile_decisions ORDER BY id"
        )
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor]

    def history_states(self) -> dict[int, str]:
        """Event id -> ``done``/``undone`` for the events on some coder's undo stack."""
        return dict(self.store._sql("SELECT event_id, state FROM history").fetchall())

    def event_rows(self) -> list[tuple[int, str, str | None, str, dict[str, Any]]]:
        """``(id, at, coder, action, detail)`` of every event, in order."""
        rows = self.store._sql("SELECT id, at, coder, action, detail FROM events ORDER BY id")
        return [(r[0], r[1], r[2], r[3], json.loads(r[4])) for r in rows]

    def code_created(self) -> dict[int, str]:
        """Code id -> creation time: with the id, how a code is recognised in a copied file."""
        return dict(self.store._sql("SELECT id, created_at FROM codes").fetchall())

    # -- writes (call inside store.atomic()) -----------------------------------------------------

    def add_codings(self, rows: Iterable[CodingRow]) -> int:
        """Insert codings with their own creation times, skipping those the project has (and
        repeats); returns how many were added.

        Duplicates are filtered here rather than by ``INSERT OR IGNORE``, which still advances
        the AUTOINCREMENT counter: a merge that adds nothing must leave the file as it was.
        """
        seen = set(
            self.store._sql('SELECT document_id, code_id, coder_id, start, "end" FROM codings')
        )
        new = []
        for row in rows:
            if row[:5] not in seen:
                seen.add(row[:5])
                new.append(row)
        self.store.db.conn.executemany(
            'INSERT INTO codings (document_id, code_id, coder_id, start, "end", created_at) '
            "VALUES (?, ?, ?, ?, ?, ?)",
            new,
        )
        return len(new)

    def coding_id(self, document_id: int, code_id: int, coder_id: int, start: int, end: int):
        row = self.store._sql(
            "SELECT id FROM codings WHERE document_id = ? AND code_id = ? AND coder_id = ? "
            'AND start = ? AND "end" = ?',
            [document_id, code_id, coder_id, start, end],
        ).fetchone()
        return None if row is None else row[0]

    def add_memo(self, row: dict[str, Any]) -> int:
        """Insert a memo row (coder_id, document_id, start, end, code_id, text, times)."""
        cursor = self.store._sql(
            'INSERT INTO memos (coder_id, document_id, start, "end", code_id, text, created_at, '
            "updated_at) VALUES (:coder_id, :document_id, :start, :end, :code_id, :text, "
            ":created_at, :updated_at)",
            row,
        )
        return cursor.lastrowid

    def update_memo(self, memo_id: int, text: str, updated_at: str) -> None:
        self.store._sql(
            "UPDATE memos SET text = ?, updated_at = ? WHERE id = ?", [text, updated_at, memo_id]
        )

    def add_completions(self, rows: Iterable[tuple[int, int, str]]) -> int:
        """Insert ``(coder_id, document_id, at)`` rows not there yet; returns how many."""
        conn = self.store.db.conn
        before = conn.total_changes
        conn.executemany(
            "INSERT OR IGNORE INTO completions (coder_id, document_id, at) VALUES (?, ?, ?)", rows
        )
        return conn.total_changes - before

    def add_event(self, at: str, coder: str | None, action: str, detail: dict[str, Any]) -> int:
        """Append an event that happened elsewhere, keeping its own time."""
        cursor = self.store._sql(
            "INSERT INTO events (at, coder, action, detail) VALUES (?, ?, ?, ?)",
            [at, coder, action, json.dumps(detail, ensure_ascii=False, sort_keys=True)],
        )
        return cursor.lastrowid

    def add_decision(self, row: dict[str, Any]) -> int:
        cursor = self.store._sql(
            "INSERT INTO reconcile_decisions (coder_a, coder_b, consensus_id, document_id, "
            'start, "end", decision, codes, reason, decided_by, event_id, at) VALUES (:coder_a, '
            ":coder_b, :consensus_id, :document_id, :start, :end, :decision, :codes, :reason, "
            ":decided_by, :event_id, :at)",
            row,
        )
        return cursor.lastrowid

    def push_history_under(self, coder_id: int, event_id: int) -> None:
        """Put a done action at the bottom of the coder's undo stack.

        Merged actions go under the coder's own ones, so undo in this file reaches them last.
        """
        self.store._sql(
            "INSERT INTO history (coder_id, seq, event_id, state) VALUES (?, "
            "(SELECT min(coalesce(min(seq), 1), 1) - 1 FROM history WHERE coder_id = ?), ?, "
            "'done')",
            [coder_id, coder_id, event_id],
        )
