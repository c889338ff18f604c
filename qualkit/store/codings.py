"""Coders, codings (character spans) and per-coder document completion."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from qualkit.errors import QualkitError
from qualkit.models import CODER_KINDS, Coder, Coding

if TYPE_CHECKING:
    from qualkit.store import Store

_COLUMNS = 'id, document_id, code_id, coder_id, start, "end", created_at'


class Codings:
    def __init__(self, store: Store) -> None:
        self.store = store

    # -- coders --------------------------------------------------------------------------------

    def coders(self) -> list[Coder]:
        rows = self.store._sql("SELECT id, name, kind FROM coders ORDER BY name")
        return [Coder(*r) for r in rows]

    def coder(self, name: str) -> Coder | None:
        row = self.store._sql("SELECT id, name, kind FROM coders WHERE name = ?", [name])
        found = row.fetchone()
        return None if found is None else Coder(*found)

    def ensure_coder(self, name: str, *, kind: str = "human") -> Coder:
        """The coder called ``name``, created on first use (in the caller's transaction)."""
        name = name.strip()
        if not name:
            raise QualkitError("coder name is empty; pass --coder NAME")
        # a NUL or another control character breaks exports, filters and terminals
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
            raise QualkitError(f"coder name {name!r} contains a control character; "
                               "use letters, digits, spaces and punctuation")
        if kind not in CODER_KINDS:
            raise ValueError(kind)
        found = self.coder(name)
        if found is not None:
            return found
        from qualkit.store import now

        cursor = self.store._sql(
            "INSERT INTO coders (name, kind, created_at) VALUES (?, ?, ?)", [name, kind, now()]
        )
        return Coder(cursor.lastrowid, name, kind)

    # -- codings -------------------------------------------------------------------------------

    def add_many(self, rows: Iterable[tuple[int, int, int, int, int]]) -> int:
        """Insert ``(document_id, code_id, coder_id, start, end)`` rows, skipping duplicates.

        A bulk load (a CSV import, generated data), not an undoable action: the caller writes
        the event. Call inside ``store.atomic()``. Returns the number of rows added.
        """
        from qualkit.store import now

        stamp = now()
        # rowcount counts the rows the statements inserted, not the triggers' (coverage) rows.
        return self.store.db.conn.executemany(
            'INSERT OR IGNORE INTO codings (document_id, code_id, coder_id, start, "end", '
            "created_at) VALUES (?, ?, ?, ?, ?, ?)",
            ((*row, stamp) for row in rows),
        ).rowcount

    def for_document(
        self, document_id: int, *, coder_ids: Iterable[int] | None = None
    ) -> list[Coding]:
        sql = f"SELECT {_COLUMNS} FROM codings WHERE document_id = ?"
        params: list = [document_id]
        if coder_ids is not None:
            ids = list(coder_ids)
            sql += f" AND coder_id IN ({','.join('?' * len(ids))})"
            params += ids
        rows = self.store._sql(sql + ' ORDER BY start, "end", code_id, coder_id', params)
        return [Coding(*r) for r in rows]

    def overlapping(self, document_id: int, coder_id: int, code_id: int, start: int, end: int
                    ) -> list[Coding]:
        """One coder's codings of one code that overlap ``[start, end)``: what a key press
        needs, read through the unique index, so its cost does not grow with the document."""
        rows = self.store._sql(
            f"SELECT {_COLUMNS} FROM codings WHERE document_id = ? AND code_id = ? "
            'AND coder_id = ? AND start < ? AND "end" > ? ORDER BY start',
            [document_id, code_id, coder_id, end, start])
        return [Coding(*r) for r in rows]

    def all(self, *, coder_ids: Iterable[int] | None = None) -> list[Coding]:
        sql = f"SELECT {_COLUMNS} FROM codings"
        params: list = []
        if coder_ids is not None:
            ids = list(coder_ids)
            sql += f" WHERE coder_id IN ({','.join('?' * len(ids))})"
            params = ids
        rows = self.store._sql(sql + ' ORDER BY document_id, start, "end", code_id', params)
        return [Coding(*r) for r in rows]

    def for_code(self, code_id: int) -> list[Coding]:
        rows = self.store._sql(
            f"SELECT {_COLUMNS} FROM codings WHERE code_id = ? ORDER BY id", [code_id]
        )
        return [Coding(*r) for r in rows]

    def for_codes(
        self, code_ids: Iterable[int], *, coder_ids: Iterable[int] | None = None
    ) -> list[Coding]:
        """Codings of any of ``code_ids`` (of ``coder_ids`` only, when given), in reading order:
        document, start, end."""
        codes = list(code_ids)
        sql = f"SELECT {_COLUMNS} FROM codings WHERE code_id IN ({','.join('?' * len(codes))})"
        params: list[int] = codes
        if coder_ids is not None:
            coders = list(coder_ids)
            sql += f" AND coder_id IN ({','.join('?' * len(coders))})"
            params = codes + coders
        rows = self.store._sql(sql + ' ORDER BY document_id, start, "end", coder_id', params)
        return [Coding(*r) for r in rows]

    def recent_codes(self, coder_id: int, *, limit: int = 10) -> list[int]:
        """The codes this coder applied most recently, latest first (the code picker's top)."""
        rows = self.store._sql(
            "SELECT code_id FROM codings WHERE coder_id = ? GROUP BY code_id"
            " ORDER BY max(id) DESC LIMIT ?",
            [coder_id, limit],
        )
        return [r[0] for r in rows]

    def get(self, coding_id: int) -> Coding | None:
        row = self.store._sql(f"SELECT {_COLUMNS} FROM codings WHERE id = ?", [coding_id])
        found = row.fetchone()
        return None if found is None else Coding(*found)

    def count(
        self,
        *,
        document_id: int | None = None,
        code_id: int | None = None,
        coder_id: int | None = None,
    ) -> int:
        clauses, params = [], []
        filters = (("document_id", document_id), ("code_id", code_id), ("coder_id", coder_id))
        for column, value in filters:
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        return self.store._sql(f"SELECT count(*) FROM codings{where}", params).fetchone()[0]

    def counts_by_code(self, coder_id: int) -> dict[int, int]:
        rows = self.store._sql(
            "SELECT code_id, count(*) FROM codings WHERE coder_id = ? GROUP BY code_id", [coder_id]
        )
        return dict(rows.fetchall())

    def coded_segment_counts(self, coder_id: int) -> dict[int, int]:
        """Per document: how many segments this coder's codings touch (progress).

        Served from the ``coverage`` cache: only the documents whose codings or segmentation
        changed since the last call are swept again (and the cache is refreshed when the file
        can be written), so the cost follows the change, not the size of the project.
        """
        return self._coverage([coder_id]).get(coder_id, {})

    def coverage_by_coder(self) -> dict[int, dict[int, int]]:
        """Coder id → document id → segments that coder's codings touch, for every coder."""
        return self._coverage(None)

    def _coverage(self, coder_ids: list[int] | None) -> dict[int, dict[int, int]]:
        sql = ("SELECT coder_id, document_id, version, coded_segments, coded_key FROM coverage "
               "WHERE codings > 0")
        params: list = []
        if coder_ids is not None:
            sql += f" AND coder_id IN ({','.join('?' * len(coder_ids))})"
            params = coder_ids
        rows = self.store._sql(sql, params).fetchall()
        if not rows:
            return {}
        # The segmentation's fingerprint: a re-import may reuse ids and counts, not all bounds.
        shape = {d: f"{n}:{last}:{a}:{b}" for d, n, last, a, b in self.store._sql(
            'SELECT document_id, count(*), max(id), total(start), total("end") FROM segments '
            "GROUP BY document_id")}
        out: dict[int, dict[int, int]] = {}
        fresh: list[tuple[int, str, int, int]] = []
        for coder_id, document_id, version, cached, key in rows:
            if document_id not in shape:  # a deleted document's leftover row
                continue
            want = f"{version}/{shape[document_id]}"
            if key != want or cached is None:
                cached = self._sweep(coder_id, document_id)
                fresh.append((cached, want, coder_id, document_id))
            if cached:
                out.setdefault(coder_id, {})[document_id] = cached
        if fresh:
            self._remember(fresh)
        return out

    def _sweep(self, coder_id: int, document_id: int) -> int:
        """Segments of one document that one coder's codings touch: one pass over both lists
        sorted by position (a correlated EXISTS query took half a second on 100k segments)."""
        mine = self.store._sql(
            'SELECT start, "end" FROM codings WHERE document_id = ? AND coder_id = ? '
            "ORDER BY start", [document_id, coder_id]).fetchall()
        segments = self.store._sql(
            'SELECT start, "end" FROM segments WHERE document_id = ? ORDER BY start',
            [document_id])
        count, reach, i = 0, -1, 0
        for start, end in segments:
            # reach: the furthest end of the codings that begin before this segment ends
            while i < len(mine) and mine[i][0] < end:
                reach = max(reach, mine[i][1])
                i += 1
            if reach > start:
                count += 1
        return count

    def _remember(self, fresh: list[tuple[int, str, int, int]]) -> None:
        """Keep recomputed figures. Only a cache: a busy, read-only or full file skips it at
        once rather than make a read (``qualkit status``) wait for another process's lock."""
        import sqlite3

        sql = ("UPDATE coverage SET coded_segments = ?, coded_key = ? "
               "WHERE coder_id = ? AND document_id = ?")
        conn = self.store.db.conn
        if conn.in_transaction:  # inside the caller's write: go with it
            conn.executemany(sql, fresh)
            return
        timeout = conn.execute("PRAGMA busy_timeout").fetchone()[0]
        try:
            conn.execute("PRAGMA busy_timeout = 0")
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(sql, fresh)
            conn.execute("COMMIT")
        except sqlite3.Error:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
        finally:
            conn.execute(f"PRAGMA busy_timeout = {int(timeout)}")

    def counts_by_coder(self) -> dict[str, int]:
        rows = self.store._sql(
            "SELECT k.name, coalesce(sum(v.codings), 0) FROM coders k "
            "LEFT JOIN coverage v ON v.coder_id = k.id GROUP BY k.id ORDER BY k.name"
        )
        return dict(rows.fetchall())

    # -- completion ----------------------------------------------------------------------------

    def completed(self, coder_id: int) -> set[int]:
        rows = self.store._sql(
            "SELECT document_id FROM completions WHERE coder_id = ?", [coder_id]
        )
        return {r[0] for r in rows}

    def completed_at(self, coder_id: int, document_id: int) -> str | None:
        row = self.store._sql(
            "SELECT at FROM completions WHERE coder_id = ? AND document_id = ?",
            [coder_id, document_id],
        ).fetchone()
        return None if row is None else row[0]

    def completion_table(self) -> dict[str, set[int]]:
        """Coder name → ids of the documents that coder marked done."""
        table: dict[str, set[int]] = {c.name: set() for c in self.coders()}
        rows = self.store._sql(
            "SELECT k.name, c.document_id FROM completions c JOIN coders k ON k.id = c.coder_id"
        )
        for name, document_id in rows:
            table[name].add(document_id)
        return table

    # -- bulk edits that are not user actions (re-anchoring on replace) -------------------------

    def move(self, coding_id: int, start: int, end: int) -> None:
        self.store._sql(
            'UPDATE OR REPLACE codings SET start = ?, "end" = ? WHERE id = ?',
            [start, end, coding_id],
        )

    def delete_many(self, ids: list[int]) -> None:
        self.store.db.conn.executemany("DELETE FROM codings WHERE id = ?", [(i,) for i in ids])
