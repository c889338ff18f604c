"""Writing a redacted copy of a project: the only SQL of de-identification.

The copy is taken with SQLite's backup API (a consistent snapshot even while coders work), then
rewritten on its own connection: document texts replaced, every position (segments, codings,
memos, reconciliation decisions, the audit trail) carried over by the caller's offset maps, every
other text column cleaned of the removed strings, caches derived from the original text dropped,
the redaction tables and undo stacks emptied. ``secure_delete`` and a final ``VACUUM`` leave no
freed page holding old text, and the file appears at its name only when complete (temp + rename).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from qualkit.errors import ProjectError
from qualkit.store.redaction import PRIVATE_TABLES

# Columns that hold machine values (times, hashes, enums): never rewritten by the string sweep.
_MACHINE_COLUMNS = {
    "created_at", "updated_at", "imported_at", "at", "sha256", "document_sha256", "format",
    "encoding", "kind", "origin", "status", "color", "hotkey", "model", "versions", "scope",
    "decision", "fit", "state", "action", "text_sha256",
}
_DERIVED_TABLES = ("embeddings", "code_embeddings", "history")  # caches and undo stacks
_SPAN_TABLES = ("codings", "memos", "reconcile_decisions")


class Redactor(Protocol):
    """What the domain hands in: per document the new text and the offset map, and a cleaner
    for any other string."""

    def document(self, document_id: int) -> tuple[str, Callable[[int], int], Callable[[int], int]]:
        ...

    def clean(self, value: str) -> str:
        ...


@dataclass(frozen=True)
class CopyReport:
    path: Path
    documents: int
    codings: int
    codings_merged: int
    cells_cleaned: int


def write_redacted_copy(source, out: Path, redactor: Redactor, *, force: bool = False
                        ) -> CopyReport:
    """Write the redacted copy of the open ``source`` store to ``out`` (0600), all or nothing."""
    out = Path(out)
    if out.resolve() == Path(source.path).resolve():
        raise ProjectError(f"{out}: is the project itself; give a new file name for the copy")
    if out.exists() and not force:
        raise ProjectError(f"{out}: already exists; choose a new name or pass --force")
    if not out.parent.is_dir():
        raise ProjectError(f"{out}: folder {out.parent} does not exist")
    tmp = out.parent / f".{out.name}.{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)
    try:
        try:
            report = _rewrite(source, tmp, redactor)
        except sqlite3.Error as exc:  # a full disk, or two names cleaned into one
            raise ProjectError(f"{out}: cannot write the redacted copy ({exc}); "
                               "nothing was written") from None
        with open(tmp, "rb+") as handle:  # our own file, no connection open on it
            os.fsync(handle.fileno())
        if force:
            for suffix in ("-wal", "-shm", "-journal"):  # a stale WAL would be replayed onto it
                Path(f"{out}{suffix}").unlink(missing_ok=True)
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return CopyReport(out, *report)


def _rewrite(source, tmp: Path, redactor: Redactor) -> tuple[int, int, int, int]:
    conn = sqlite3.connect(str(tmp), isolation_level=None)
    try:
        source.db.conn.backup(conn)
        conn.execute("PRAGMA journal_mode = DELETE")  # no -wal beside the copy to leak or lose
        conn.execute("PRAGMA foreign_keys = OFF")  # rows are rewritten with their own ids
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute("BEGIN IMMEDIATE")
        documents = _documents(conn, redactor)
        codings, merged = _spans(conn, redactor)
        triggers = _events(conn, redactor)
        for table in (*_DERIVED_TABLES, *PRIVATE_TABLES):
            conn.execute(f"DELETE FROM {table}")
        with contextlib.suppress(sqlite3.OperationalError):
            conn.execute("DELETE FROM sqlite_stat4")  # samples of index keys: old strings
        conn.execute("DELETE FROM project WHERE key = 'redact_scanned'")
        cells = _sweep(conn, redactor)
        for _, sql in triggers:
            conn.execute(sql)
        conn.execute("INSERT INTO segments_fts (segments_fts) VALUES ('rebuild')")
        _log(conn, {"documents": documents, "codings": codings, "codings_merged": merged,
                    "cells_cleaned": cells})
        conn.execute("COMMIT")
        conn.execute("VACUUM")  # freed pages held the old text
        problems = conn.execute("PRAGMA integrity_check").fetchall()
        if problems != [("ok",)]:
            raise ProjectError(f"redacted copy failed its integrity check: {problems[:3]}")
    finally:
        conn.close()
    return documents, codings, merged, cells


def _documents(conn: sqlite3.Connection, redactor: Redactor) -> int:
    ids = [row[0] for row in conn.execute("SELECT id FROM documents")]
    for doc_id in ids:
        text, start, end = redactor.document(doc_id)
        conn.execute("UPDATE documents SET text = ?, sha256 = ? WHERE id = ?",
                     [text, hashlib.sha256(text.encode("utf-8")).hexdigest(), doc_id])
        rows = conn.execute('SELECT id, start, "end" FROM segments WHERE document_id = ?',
                            [doc_id]).fetchall()
        for seg_id, s, e in rows:
            ns, ne = start(s), end(e)
            conn.execute('UPDATE segments SET start = ?, "end" = ?, text = ? WHERE id = ?',
                         [ns, ne, text[ns:ne], seg_id])
    return len(ids)


def _spans(conn: sqlite3.Connection, redactor: Redactor) -> tuple[int, int]:
    """Carry every stored span to the new text; codings that now coincide become one."""
    maps: dict[int, tuple] = {}
    total = merged = 0
    for table in _SPAN_TABLES:
        columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
        rows = conn.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
        conn.execute(f"DELETE FROM {table}")
        seen: set[tuple] = set()
        for row in rows:
            item = dict(zip(columns, row, strict=True))
            doc_id = item["document_id"]
            if doc_id is not None and item["start"] is not None:
                fns = maps.setdefault(doc_id, redactor.document(doc_id)[1:])
                item["start"], item["end"] = fns[0](item["start"]), fns[1](item["end"])
            if table == "codings":
                key = (doc_id, item["code_id"], item["coder_id"], item["start"], item["end"])
                if key in seen:
                    merged += 1
                    continue
                seen.add(key)
                total += 1
            marks = ", ".join("?" * len(columns))
            names = ", ".join(f'"{c}"' for c in columns)
            conn.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})",
                         [item[c] for c in columns])
    return total, merged


def _events(conn: sqlite3.Connection, redactor: Redactor) -> list[tuple[str, str]]:
    """The audit trail is append-only for users; the copy's is rewritten once, its triggers
    lifted (the caller puts them back)."""
    triggers = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'events'"
    ).fetchall()
    for name, _ in triggers:
        conn.execute(f'DROP TRIGGER "{name}"')
    maps: dict[int, tuple] = {}

    def remap(node: Any) -> Any:
        if isinstance(node, dict):
            node = {k: remap(v) for k, v in node.items()}
            doc_id = node.get("document_id")
            if isinstance(doc_id, int) and isinstance(node.get("start"), int) \
                    and isinstance(node.get("end"), int):
                try:
                    fns = maps.setdefault(doc_id, redactor.document(doc_id)[1:])
                except KeyError:  # a document deleted since: its positions mean nothing now
                    return node
                node["start"], node["end"] = fns[0](node["start"]), fns[1](node["end"])
            return node
        if isinstance(node, list):
            return [remap(v) for v in node]
        return node

    for event_id, detail in conn.execute("SELECT id, detail FROM events").fetchall():
        new = json.dumps(remap(json.loads(detail)), ensure_ascii=False, sort_keys=True)
        if new != detail:
            conn.execute("UPDATE events SET detail = ? WHERE id = ?", [new, event_id])
    return triggers


def _sweep(conn: sqlite3.Connection, redactor: Redactor) -> int:
    """Clean every text cell of every table (JSON-aware) except document and segment texts,
    which the offset maps rewrote, and machine columns."""
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name NOT LIKE 'segments_fts%' AND sql NOT LIKE '%WITHOUT ROWID%'")]
    cleaned = 0
    for table in tables:
        columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')
                   if r[1] not in _MACHINE_COLUMNS
                   and not (table in ("documents", "segments") and r[1] == "text")]
        if not columns:
            continue
        names = ", ".join(f'"{c}"' for c in columns)
        for rowid, *values in conn.execute(f'SELECT rowid, {names} FROM "{table}"').fetchall():
            for column, value in zip(columns, values, strict=True):
                if not isinstance(value, str):
                    continue
                new = clean_value(value, redactor.clean)
                if new != value:
                    conn.execute(f'UPDATE "{table}" SET "{column}" = ? WHERE rowid = ?',
                                 [new, rowid])
                    cleaned += 1
    return cleaned


def clean_value(value: str, clean: Callable[[str], str]) -> str:
    """``clean`` applied to a plain string, or to every string inside a JSON document (keys
    and timestamps kept), so JSON columns stay valid JSON."""
    if value[:1] in "{[":
        try:
            data = json.loads(value)
        except ValueError:
            return clean(value)
        new = _clean_json(data, clean)
        return value if new == data else json.dumps(new, ensure_ascii=False)
    return clean(value)


def _clean_json(node: Any, clean: Callable[[str], str], key: str = "") -> Any:
    if isinstance(node, dict):
        return {k: _clean_json(v, clean, k) for k, v in node.items()}
    if isinstance(node, list):
        return [_clean_json(v, clean, key) for v in node]
    if isinstance(node, str) and key not in _MACHINE_COLUMNS:
        return clean(node)
    return node


def _log(conn: sqlite3.Connection, detail: dict) -> None:
    from qualkit.store import now

    conn.execute("INSERT INTO events (at, coder, action, detail) VALUES (?, NULL, ?, ?)",
                 [now(), "redact.copy", json.dumps(detail, sort_keys=True)])
