"""Named migrations of the project file, applied in order on open: all of qualkit's DDL.

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
    # executescript() would COMMIT the migration's transaction, so run statement by statement;
    # sqlite3.complete_statement tells where one ends (a trigger body's ';' does not end it).
    import sqlite3

    statement = ""
    for line in sql.strip().splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement in a migration: {statement!r}")


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

M003_RECONCILIATION = """
CREATE TABLE reconcile_decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    coder_a INTEGER NOT NULL REFERENCES coders(id),
    coder_b INTEGER NOT NULL REFERENCES coders(id),
    consensus_id INTEGER NOT NULL REFERENCES coders(id),
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('a', 'b', 'both', 'reject', 'edit')),
    codes TEXT NOT NULL DEFAULT '[]',
    reason TEXT NOT NULL DEFAULT '',
    decided_by INTEGER NOT NULL REFERENCES coders(id),
    event_id INTEGER NOT NULL REFERENCES events(id),
    at TEXT NOT NULL
);
CREATE INDEX reconcile_decisions_by_pair ON reconcile_decisions (coder_a, coder_b, document_id);
"""

M004_TOPICS = """
CREATE TABLE embeddings (
    segment_id INTEGER NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
    model TEXT NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (segment_id, model)
) WITHOUT ROWID;
CREATE TABLE code_embeddings (
    code_id INTEGER NOT NULL REFERENCES codes(id) ON DELETE CASCADE,
    model TEXT NOT NULL,
    text_sha256 TEXT NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (code_id, model)
);
CREATE TABLE topic_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    model TEXT NOT NULL,
    seed INTEGER NOT NULL,
    params TEXT NOT NULL,
    versions TEXT NOT NULL,
    stats TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE topics (
    run_id INTEGER NOT NULL REFERENCES topic_runs(id) ON DELETE CASCADE,
    topic INTEGER NOT NULL,
    keywords TEXT NOT NULL,
    size INTEGER NOT NULL,
    code_id INTEGER REFERENCES codes(id),
    similarity REAL,
    coverage REAL,
    candidate INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'new'
        CHECK (status IN ('new', 'promoted', 'mapped', 'dismissed')),
    target_code_id INTEGER REFERENCES codes(id),
    label TEXT,
    PRIMARY KEY (run_id, topic)
);
CREATE TABLE topic_members (
    run_id INTEGER NOT NULL,
    topic INTEGER NOT NULL,
    segment_id INTEGER NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
    probability REAL NOT NULL,
    quote_rank INTEGER,
    PRIMARY KEY (run_id, topic, segment_id),
    FOREIGN KEY (run_id, topic) REFERENCES topics(run_id, topic) ON DELETE CASCADE
);
CREATE INDEX topic_members_by_segment ON topic_members (segment_id);
CREATE TABLE suggestion_reviews (
    coding_id INTEGER NOT NULL REFERENCES codings(id) ON DELETE CASCADE,
    coder_id INTEGER NOT NULL REFERENCES coders(id),
    verdict TEXT NOT NULL CHECK (verdict IN ('accepted', 'rejected')),
    at TEXT NOT NULL,
    PRIMARY KEY (coding_id, coder_id)
);
"""

# Per coder and document: how many codings, and a version that every change of them bumps, kept
# by triggers so that bulk imports, merges and re-anchoring count as well as the workbench.
# `coded_segments` caches the progress figure for (version, segmentation) `coded_key`: status
# recomputes only the pairs that changed since, where it used to sweep every coding.
M007_COVERAGE = """
CREATE TABLE coverage (
    coder_id INTEGER NOT NULL,
    document_id INTEGER NOT NULL,
    codings INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 0,
    coded_segments INTEGER,
    coded_key TEXT,
    PRIMARY KEY (coder_id, document_id)
) WITHOUT ROWID;
INSERT INTO coverage (coder_id, document_id, codings, version)
    SELECT coder_id, document_id, count(*), 1 FROM codings GROUP BY coder_id, document_id;
CREATE TRIGGER coverage_insert AFTER INSERT ON codings BEGIN
    INSERT INTO coverage (coder_id, document_id, codings, version)
        VALUES (new.coder_id, new.document_id, 1, 1)
        ON CONFLICT (coder_id, document_id)
        DO UPDATE SET codings = codings + 1, version = version + 1;
END;
CREATE TRIGGER coverage_delete AFTER DELETE ON codings BEGIN
    UPDATE coverage SET codings = codings - 1, version = version + 1
        WHERE coder_id = old.coder_id AND document_id = old.document_id;
END;
CREATE TRIGGER coverage_update AFTER UPDATE OF document_id, coder_id, start, "end" ON codings
BEGIN
    UPDATE coverage SET codings = codings - 1, version = version + 1
        WHERE coder_id = old.coder_id AND document_id = old.document_id;
    INSERT INTO coverage (coder_id, document_id, codings, version)
        VALUES (new.coder_id, new.document_id, 1, 1)
        ON CONFLICT (coder_id, document_id)
        DO UPDATE SET codings = codings + 1, version = version + 1;
END;
"""

M009_SEGMENT_TIMES = """
ALTER TABLE segments ADD COLUMN start_time REAL;
ALTER TABLE segments ADD COLUMN end_time REAL;
"""

# The search index is filled by the store after each batch of segments, in one INSERT ... SELECT,
# not by a trigger per row: the trigger cost 1.8 s of a 5 MB import's 3.3 s (measured 2026-12-07).
M010_BULK_SEARCH_INDEX = """
DROP TRIGGER segments_fts_insert;
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
        _script(db, M003_RECONCILIATION)

    @migrations(name="m004_topics")
    def m004_topics(db: Database) -> None:
        _script(db, M004_TOPICS)

    @migrations(name="m006_integration")
    def m006_integration(db: Database) -> None:
        from qualkit.store.integration import M006_INTEGRATION

        _script(db, M006_INTEGRATION)

    @migrations(name="m007_coverage")
    def m007_coverage(db: Database) -> None:
        _script(db, M007_COVERAGE)

    @migrations(name="m008_redaction")
    def m008_redaction(db: Database) -> None:
        from qualkit.store.redaction import M008_REDACTION

        _script(db, M008_REDACTION)

    @migrations(name="m009_segment_times")
    def m009_segment_times(db: Database) -> None:
        # Seconds from the recording's start, where the transcript says (captions, timestamps).
        _script(db, M009_SEGMENT_TIMES)

    @migrations(name="m010_bulk_search_index")
    def m010_bulk_search_index(db: Database) -> None:
        _script(db, M010_BULK_SEARCH_INDEX)

