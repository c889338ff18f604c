"""The full-text search index is filled in bulk by the store (issue 12: import speed), and stays
exactly in step with the segments: after an import, a re-import, a delete, and in a project that
an earlier qualkit made with the per-row trigger."""

from __future__ import annotations

import sqlite3

from qualkit.ingest import import_transcripts
from qualkit.store import Store, _import_sqlite_utils, _migrations


def write(folder, name, text):
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text)
    return path


def index_ok(store: Store) -> None:
    # FTS5 compares the index with the segments table it indexes; any drift raises.
    store._sql("INSERT INTO segments_fts (segments_fts) VALUES ('integrity-check')")
    rows = store._sql("SELECT count(*) FROM segments_fts").fetchone()[0]
    assert rows == store.counts()["segments"]


def found(store: Store, word: str) -> list[str]:
    return [s.text for s in store.documents.search(word)]


def test_import_indexes_every_segment_once(tmp_path):
    src = tmp_path / "src"
    write(src, "a.txt", "OFFICER: The warm handoff worked. We called the caseworker.\n")
    write(src, "b.txt", "P1: Nobody trusted the caseworker at first.\n")
    with Store.create(tmp_path / "p.qualkit") as store:
        import_transcripts(store, [src])
        index_ok(store)
        assert found(store, "caseworker") == [
            "We called the caseworker.",
            "Nobody trusted the caseworker at first.",
        ]


def test_reimport_and_delete_leave_no_stale_words(tmp_path):
    src = tmp_path / "src"
    path = write(src, "a.txt", "OFFICER: The shelter was full.\n")
    with Store.create(tmp_path / "p.qualkit") as store:
        import_transcripts(store, [src])
        path.write_text("OFFICER: The clinic was open.\n")
        import_transcripts(store, [src], replace=True)
        index_ok(store)
        assert found(store, "shelter") == []
        assert found(store, "clinic") == ["The clinic was open."]
        with store.atomic():
            store._sql("DELETE FROM documents")
        index_ok(store)
        assert found(store, "clinic") == []


def test_a_project_from_before_the_bulk_index_is_migrated_and_indexes_once(tmp_path):
    project = tmp_path / "old.qualkit"
    sqlite_utils, _ = _import_sqlite_utils()
    db = sqlite_utils.Database(project)
    _migrations().apply(db, stop_before="m010_bulk_search_index")
    db.close()
    triggers = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'segments_fts%'"
    assert len(sqlite3.connect(project).execute(triggers).fetchall()) == 2
    src = tmp_path / "src"
    write(src, "a.txt", "P2: The program felt different this time.\n")
    with Store.open(project) as store:
        import_transcripts(store, [src])
        index_ok(store)
        assert found(store, "program") == ["The program felt different this time."]
    names = [r[0] for r in sqlite3.connect(project).execute(triggers)]
    assert names == ["segments_fts_delete"]
