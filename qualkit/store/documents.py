"""Documents, their segments (the default coding units, with a full-text index) and speakers."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from qualkit.models import Document, Segment

if TYPE_CHECKING:
    from qualkit.store import Store

_DOC_COLUMNS = (
    "id, name, format, sha256, length(text), source, encoding, kind, role, site, date, case_id, "
    "attributes, imported_at"
)
METADATA_FIELDS = ("kind", "role", "site", "date", "case_id")
# (ordinal, turn, speaker, start, end[, start_time, end_time]) per segment; the text is sliced
# from the document; times are seconds into the recording, or None.
SegmentRow = tuple


def _document(row: Sequence[Any]) -> Document:
    return Document(*row[:12], attributes=json.loads(row[12]), imported_at=row[13])


class Documents:
    def __init__(self, store: Store) -> None:
        self.store = store

    def list(self) -> list[Document]:
        rows = self.store._sql(f"SELECT {_DOC_COLUMNS} FROM documents ORDER BY name")
        return [_document(r) for r in rows]

    def get(self, document_id: int) -> Document:
        row = self.store._sql(
            f"SELECT {_DOC_COLUMNS} FROM documents WHERE id = ?", [document_id]
        ).fetchone()
        if row is None:
            raise KeyError(document_id)
        return _document(row)

    def by_name(self, name: str) -> Document | None:
        row = self.store._sql(
            f"SELECT {_DOC_COLUMNS} FROM documents WHERE name = ?", [name]
        ).fetchone()
        return None if row is None else _document(row)

    def text(self, document_id: int) -> str:
        row = self.store._sql("SELECT text FROM documents WHERE id = ?", [document_id])
        return row.fetchone()[0]

    def add(
        self,
        *,
        name: str,
        text: str,
        sha256: str,
        format: str,
        source: str | None,
        encoding: str | None,
        segments: Iterable[SegmentRow],
        imported_at: str,
    ) -> int:
        """Insert a document and its segments; call inside a transaction."""
        cursor = self.store._sql(
            "INSERT INTO documents (name, text, sha256, format, source, encoding, imported_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [name, text, sha256, format, source, encoding, imported_at],
        )
        document_id = cursor.lastrowid
        self._insert_segments(document_id, text, segments)
        return document_id

    def replace_text(
        self,
        document_id: int,
        *,
        text: str,
        sha256: str,
        format: str,
        source: str | None,
        encoding: str | None,
        segments: Iterable[SegmentRow],
        imported_at: str,
    ) -> None:
        """Swap a document's text and segments, keeping its id and metadata; in a transaction."""
        self.store._sql("DELETE FROM segments WHERE document_id = ?", [document_id])
        self.store._sql(
            "UPDATE documents SET text = ?, sha256 = ?, format = ?, source = ?, encoding = ?, "
            "imported_at = ? WHERE id = ?",
            [text, sha256, format, source, encoding, imported_at, document_id],
        )
        self._insert_segments(document_id, text, segments)

    def _insert_segments(self, document_id: int, text: str, segments: Iterable[SegmentRow]) -> None:
        conn = self.store.db.conn
        conn.executemany(
            'INSERT INTO segments (document_id, ordinal, turn, speaker, start, "end", text, '
            "start_time, end_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (document_id, *row[:5], text[row[3] : row[4]], *(tuple(row[5:7]) or (None, None)))
                for row in segments
            ),
        )
        # The search index in one statement (no trigger per row: eight times faster in bulk).
        conn.execute(
            "INSERT INTO segments_fts (rowid, text) SELECT id, text FROM segments "
            "WHERE document_id = ?",
            [document_id],
        )

    def set_metadata(self, document_id: int, fields: dict[str, Any], attributes: dict) -> None:
        """Set kind/role/site/date/case_id and merge extra attributes; in a transaction."""
        unknown = set(fields) - set(METADATA_FIELDS)
        if unknown:
            raise ValueError(f"unknown metadata fields {sorted(unknown)}")
        current = self.get(document_id).attributes
        assignments = ", ".join(f"{key} = ?" for key in fields)
        params = [*fields.values(), json.dumps({**current, **attributes}, sort_keys=True)]
        sql = "UPDATE documents SET " + (assignments + ", " if fields else "") + "attributes = ?"
        self.store._sql(sql + " WHERE id = ?", [*params, document_id])

    def set_speakers(self, document_id: int, roles: dict[str, str | None]) -> None:
        self.store.db.conn.executemany(
            "INSERT INTO speakers (document_id, label, role) VALUES (?, ?, ?) "
            "ON CONFLICT (document_id, label) DO UPDATE SET role = excluded.role",
            [(document_id, label, role) for label, role in roles.items()],
        )

    def speakers(self, document_id: int) -> dict[str, str | None]:
        rows = self.store._sql(
            "SELECT label, role FROM speakers WHERE document_id = ? ORDER BY label", [document_id]
        )
        return dict(rows.fetchall())

    # -- segments --------------------------------------------------------------------------------

    def segments(self, document_id: int) -> list[Segment]:
        rows = self.store._sql(
            'SELECT id, document_id, ordinal, turn, speaker, start, "end", text, start_time, '
            "end_time FROM segments WHERE document_id = ? ORDER BY ordinal",
            [document_id],
        )
        return [Segment(*r) for r in rows]

    def segment_counts(self) -> dict[int, int]:
        rows = self.store._sql("SELECT document_id, count(*) FROM segments GROUP BY 1")
        return dict(rows.fetchall())

    def search(self, query: str, *, limit: int = 500) -> list[Segment]:
        """Segments holding every word of ``query`` (the last one as a prefix), in reading order."""
        words = re.findall(r"\w+", query)
        if not words:
            return []
        # Quoting each word keeps FTS5 operators and stray quotes in user input from being syntax.
        match = " ".join(f'"{w}"' for w in words[:-1]) + f' "{words[-1]}"*'
        rows = self.store._sql(
            'SELECT s.id, s.document_id, s.ordinal, s.turn, s.speaker, s.start, s."end", s.text '
            "FROM segments_fts JOIN segments s ON s.id = segments_fts.rowid "
            "JOIN documents d ON d.id = s.document_id "
            "WHERE segments_fts MATCH ? ORDER BY d.name, s.ordinal LIMIT ?",
            [match.strip(), limit],
        )
        return [Segment(*r) for r in rows]
