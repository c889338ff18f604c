"""Named migrations of the project file, applied in order on open.

Never edit one once shipped: add a new one. The set of names also tells a file written by a newer
qualkit (names this version does not know) from an older one (names it has not applied yet).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database

# "QKIT" as a big-endian int: SQLite's header field for telling file formats apart.
APPLICATION_ID = 0x514B4954


def _script(db: Database, sql: str) -> None:
    # executescript() would COMMIT the migration's transaction; run statement by statement.
    for statement in _statements(sql):
        db.execute(statement)


def _statements(sql: str) -> list[str]:
    """Split a script on ';' at the end of a line, keeping trigger bodies (which end in 'END;')."""
    parts, current = [], []
    for line in sql.strip().splitlines():
        current.append(line)
        stripped = line.strip()
        in_trigger = any(p.lstrip().upper().startswith("CREATE TRIGGER") for p in current)
        if stripped.endswith(";") and (not in_trigger or stripped.upper() == "END;"):
            parts.append("\n".join(current))
            current = []
    if "".join(current).strip():
        parts.append("\n".join(current))
    return parts


M001_CORE = """
CREATE TABLE project (
    key TEXT PRIMARY KEY,
    value TEXT
);
CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    text TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    format TEXT NOT NULL,
    source TEXT,
    encoding TEXT,
    kind TEXT CHECK (kind IS NULL OR kind IN ('interview', 'focus_group', 'other')),
    role TEXT,
    site TEXT,
    date TEXT,
    case_id TEXT,
    attributes TEXT NOT NULL DEFAULT '{}',
    imported_at TEXT NOT NULL
);
CREATE TABLE segments (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    turn INTEGER NOT NULL,
    speaker TEXT,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    text TEXT NOT NULL,
    UNIQUE (document_id, ordinal),
    CHECK (start >= 0 AND "end" > start)
);
CREATE VIRTUAL TABLE segments_fts USING fts5(
    text, content='segments', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER segments_fts_insert AFTER INSERT ON segments BEGIN
    INSERT INTO segments_fts (rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER segments_fts_delete AFTER DELETE ON segments BEGIN
    INSERT INTO segments_fts (segments_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TABLE speakers (
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    label TEXT NOT NULL,
    role TEXT,
    PRIMARY KEY (document_id, label)
);
CREATE TABLE codes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (trim(name) != ''),
    parent_id INTEGER REFERENCES codes(id),
    position INTEGER NOT NULL DEFAULT 0,
    description TEXT NOT NULL DEFAULT '',
    include TEXT NOT NULL DEFAULT '',
    exclude TEXT NOT NULL DEFAULT '',
    example TEXT NOT NULL DEFAULT '',
    color TEXT,
    hotkey TEXT UNIQUE,
    origin TEXT NOT NULL DEFAULT 'codebook'
        CHECK (origin IN ('codebook', 'emergent', 'imported', 'manual')),
    origin_detail TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retired')),
    created_at TEXT NOT NULL
);
CREATE TABLE coders (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE CHECK (trim(name) != ''),
    kind TEXT NOT NULL DEFAULT 'human' CHECK (kind IN ('human', 'machine', 'consensus')),
    created_at TEXT NOT NULL
);
CREATE TABLE codings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    code_id INTEGER NOT NULL REFERENCES codes(id),
    coder_id INTEGER NOT NULL REFERENCES coders(id),
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (document_id, code_id, coder_id, start, "end"),
    CHECK (start >= 0 AND "end" > start)
);
CREATE INDEX codings_by_document ON codings (document_id, coder_id, start);
CREATE INDEX codings_by_code ON codings (code_id);
CREATE TABLE completions (
    coder_id INTEGER NOT NULL REFERENCES coders(id),
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    PRIMARY KEY (coder_id, document_id)
);
CREATE TABLE memos (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    coder_id INTEGER NOT NULL REFERENCES coders(id),
    document_id INTEGER REFERENCES documents(id) ON DELETE CASCADE,
    start INTEGER,
    "end" INTEGER,
    code_id INTEGER REFERENCES codes(id),
    text TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX memos_by_document ON memos (document_id, start);
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    coder TEXT,
    action TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;
CREATE TABLE history (
    coder_id INTEGER NOT NULL REFERENCES coders(id),
    seq INTEGER NOT NULL,
    event_id INTEGER NOT NULL REFERENCES events(id),
    state TEXT NOT NULL CHECK (state IN ('done', 'undone')),
    PRIMARY KEY (coder_id, seq)
);
"""

M002_OUTCOME_RUNS = """
CREATE TABLE outcome_runs (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    params TEXT NOT NULL,
    result TEXT NOT NULL
);
CREATE TABLE outcome_pairs (
    run_id INTEGER NOT NULL REFERENCES outcome_runs(id) ON DELETE CASCADE,
    treated_id TEXT NOT NULL,
    control_id TEXT NOT NULL,
    pair_id INTEGER NOT NULL,
    weight REAL NOT NULL
);
CREATE INDEX outcome_pairs_by_run ON outcome_pairs (run_id, pair_id);
"""


def register(migrations) -> None:
    """Attach qualkit's migrations, in order, to a ``sqlite_utils.Migrations`` set."""

    @migrations(name="m001_core")
    def m001_core(db: Database) -> None:
        _script(db, M001_CORE)
        # Written in the same transaction as the tables: a file is a project only once both exist.
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")

    @migrations(name="m002_outcome_runs")
    def m002_outcome_runs(db: Database) -> None:
        _script(db, M002_OUTCOME_RUNS)

    @migrations(name="m003_reconciliation")
    def m003_reconciliation(db: Database) -> None:
        from qualkit.store.reconcile import M003_RECONCILIATION

        _script(db, M003_RECONCILIATION)

    @migrations(name="m004_topics")
    def m004_topics(db: Database) -> None:
        from qualkit.store.topics import M004_TOPICS

        _script(db, M004_TOPICS)

    @migrations(name="m006_integration")
    def m006_integration(db: Database) -> None:
        from qualkit.store.integration import M006_INTEGRATION

        _script(db, M006_INTEGRATION)
