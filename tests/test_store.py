"""The project file: creation, checks on open, migrations, pragmas, the append-only audit trail."""

from __future__ import annotations

import sqlite3
import stat
from itertools import pairwise

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualkit.errors import ProjectError
from qualkit.store import Store, _migrations


def test_new_project_is_private_and_migrated(tmp_path):
    path = tmp_path / "p.qualkit"
    with Store.create(path) as store:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert store._sql("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store._sql("PRAGMA foreign_keys").fetchone()[0] == 1
        assert store._sql("PRAGMA busy_timeout").fetchone()[0] >= 1000
        applied = [m.name for m in _migrations().applied(store.db)]
        assert applied == [m.name for m in _migrations()._migrations]
        assert store.counts()["documents"] == 0


def test_open_tightens_a_readable_project(tmp_path):
    path = tmp_path / "p.qualkit"
    Store.create(path).close()
    path.chmod(0o644)
    Store.open(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_create_refuses_an_existing_file(tmp_path):
    path = tmp_path / "p.qualkit"
    path.write_text("notes")
    with pytest.raises(ProjectError, match="already exists"):
        Store.create(path)
    assert path.read_text() == "notes"


@pytest.mark.parametrize("content", [b"", b"hello, not a database", b"PK\x03\x04zipfile"])
def test_open_refuses_non_sqlite_files(tmp_path, content):
    path = tmp_path / "notes.qualkit"
    path.write_bytes(content)
    with pytest.raises(ProjectError, match="not a qualkit project"):
        Store.open(path)
    assert path.read_bytes() == content


def test_open_refuses_a_foreign_sqlite_database_without_touching_it(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(ProjectError, match="SQLite database, but not a qualkit project"):
        Store.open(path)
    assert path.read_bytes() == before


def test_open_refuses_a_newer_schema(tmp_path):
    path = tmp_path / "p.qualkit"
    with Store.create(path) as store, store.atomic():
        store._sql(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
            "VALUES ('qualkit', 'm999_from_the_future', '2030-01-01')"
        )
    with pytest.raises(ProjectError, match="newer qualkit"):
        Store.open(path)


def test_open_refuses_missing_and_folder(tmp_path):
    with pytest.raises(ProjectError, match="no such project"):
        Store.open(tmp_path / "missing.qualkit")
    with pytest.raises(ProjectError, match="is a folder"):
        Store.open(tmp_path)


def test_events_are_append_only(tmp_path):
    with Store.create(tmp_path / "p.qualkit") as store:
        with store.atomic():
            store.log("test", {"x": 1}, coder="ana")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"), store.atomic():
            store._sql("UPDATE events SET action = 'forged'")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"), store.atomic():
            store._sql("DELETE FROM events")
        assert [e.action for e in store.events()] == ["test"]


def test_foreign_keys_are_enforced(tmp_path):
    with (
        Store.create(tmp_path / "p.qualkit") as store,
        pytest.raises(sqlite3.IntegrityError),
        store.atomic(),
    ):
        store._sql(
            'INSERT INTO codings (document_id, code_id, coder_id, start, "end", created_at) '
            "VALUES (99, 99, 99, 0, 1, 'now')"
        )


def test_search_quotes_user_input(sample_project):
    with Store.open(sample_project) as store:
        hits = store.documents.search("warm hand")  # last word is a prefix: "handoff"
        assert hits and all("warm" in h.text.lower() for h in hits)
        assert store.documents.search('"unbalanced AND (') == []
        assert store.documents.search("   ") == []


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_coded_segment_counts_match_the_definition(tmp_path_factory, data):
    """The sweep counts exactly the segments that some coding of the coder overlaps."""
    path = tmp_path_factory.mktemp("sweep") / "p.qualkit"
    cuts = sorted(set(data.draw(st.lists(st.integers(1, 199), min_size=1, max_size=30))))
    bounds = [0, *cuts, 200]
    spans = data.draw(st.lists(st.tuples(st.integers(0, 199), st.integers(1, 60)), max_size=15))
    with Store.create(path) as store, store.atomic():
        store._sql(
            "INSERT INTO documents (name, text, sha256, format, imported_at) "
            "VALUES ('d', ?, '', 'txt', '')",
            ["x" * 200],
        )
        for ordinal, (a, b) in enumerate(pairwise(bounds)):
            store._sql(
                'INSERT INTO segments (document_id, ordinal, turn, start, "end", text)'
                " VALUES (1, ?, 0, ?, ?, '')",
                [ordinal, a, b],
            )
        store._sql("INSERT INTO codes (name, created_at) VALUES ('c', '')")
        coder = store.codings.ensure_coder("ana")
        for a, length in spans:
            store._sql(
                "INSERT OR IGNORE INTO codings (document_id, code_id, coder_id, start, "
                "\"end\", created_at) VALUES (1, 1, ?, ?, ?, '')",
                [coder.id, a, min(a + length, 200)],
            )
        expected = sum(
            any(a < e and s < min(a + n, 200) for a, n in spans) for s, e in pairwise(bounds)
        )
        assert store.codings.coded_segment_counts(coder.id).get(1, 0) == expected


def test_progress_is_cached_and_follows_every_change(tmp_path, monkeypatch):
    """`coverage` keeps codings counts by trigger and the progress figure by version: a second
    read sweeps nothing, and a coding, a deletion or a new segmentation is seen at once."""
    from qualkit.store.codings import Codings

    path = tmp_path / "p.qualkit"
    with Store.create(path) as store, store.atomic():
        store._sql("INSERT INTO documents (name, text, sha256, format, imported_at) "
                   "VALUES ('d', ?, '', 'txt', '')", ["x" * 100])
        store.documents._insert_segments(1, "x" * 100, [(i, 0, None, 10 * i, 10 * i + 10)
                                                         for i in range(10)])
        store._sql("INSERT INTO codes (name, created_at) VALUES ('c', '')")
        ana = store.codings.ensure_coder("ana").id
        store.codings.add_many([(1, 1, ana, 0, 15), (1, 1, ana, 50, 55)])
    sweeps = []
    real = Codings._sweep
    monkeypatch.setattr(Codings, "_sweep", lambda self, *a: sweeps.append(a) or real(self, *a))
    with Store.open(path) as store:
        assert store.codings.coded_segment_counts(ana) == {1: 3}
        assert store.codings.counts_by_coder() == {"ana": 2}
        assert len(sweeps) == 1
    with Store.open(path) as store:  # another process: served from the file's cache
        assert store.codings.coded_segment_counts(ana) == {1: 3}
        assert len(sweeps) == 1
        with store.atomic():
            store.codings.add_many([(1, 1, ana, 95, 100)])
        assert store.codings.coded_segment_counts(ana) == {1: 4}
        with store.atomic():
            store.codings.delete_many([c.id for c in store.codings.all() if c.start == 0])
        assert store.codings.coded_segment_counts(ana) == {1: 2}
        assert store.codings.counts_by_coder() == {"ana": 2}
        with store.atomic():  # same count of segments, other bounds: (0-50) (50-100)
            store._sql("DELETE FROM segments")
            store.documents._insert_segments(1, "x" * 100, [(0, 0, None, 0, 50),
                                                             (1, 0, None, 50, 100)])
        assert store.codings.coded_segment_counts(ana) == {1: 1}
