"""`qualkit import`: the sample folder, re-imports, --replace, metadata and every bad input."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest

from qualkit.ingest.importer import import_transcripts
from qualkit.store import Store

from .conftest import SAMPLE, assert_user_error, cli, dump


def test_sample_folder_imports_with_metadata(sample_project):
    status = json.loads(cli("status", sample_project, "--json").stdout)
    assert status["documents"] >= 8
    assert status["segments"] > 2000
    assert status["codes"] >= 20
    with Store.open(sample_project) as store:
        kinds = [d.kind for d in store.documents.list()]
        assert kinds.count("focus_group") == 3 and kinds.count("interview") >= 5
        fg = store.documents.by_name("fg_patrol_officers.vtt")
        assert fg.date == "2026-10-14" and fg.role == "patrol officers"
        assert store.documents.speakers(fg.id)["FACILITATOR"] == "facilitator"
        for document in store.documents.list():
            text = store.documents.text(document.id)
            for seg in store.documents.segments(document.id):
                assert text[seg.start : seg.end] == seg.text


def test_reimport_is_a_no_op(sample_project):
    before = dump(sample_project)
    result = cli("import", sample_project, SAMPLE)
    assert result.exit_code == 0
    assert "0 added, 0 replaced, 12 unchanged" in result.stdout
    assert dump(sample_project).count('INSERT INTO "documents"') == before.count(
        'INSERT INTO "documents"'
    )


def _coded_project(tmp_path, sample_project):
    """A copy of one transcript, imported and coded twice (one passage changes later)."""
    source = tmp_path / "one" / "int_patrol_officer.txt"
    source.parent.mkdir()
    shutil.copy(SAMPLE / "int_patrol_officer.txt", source)
    project = tmp_path / "one.qualkit"
    cli("init", project)
    cli("import", project, source)
    with Store.open(project) as store, store.atomic():
        store._sql("INSERT INTO codes (name, created_at) VALUES ('X', 'now')")
        coder = store.codings.ensure_coder("ana")
        doc = store.documents.by_name(source.name)
        segs = store.documents.segments(doc.id)
        for seg in (segs[5], segs[40]):
            store._sql(
                'INSERT INTO codings (document_id, code_id, coder_id, start, "end", created_at) '
                "VALUES (?, 1, ?, ?, ?, 'now')",
                [doc.id, coder.id, seg.start, seg.end],
            )
        kept, changed = segs[5].text, segs[40].text
    return project, source, kept, changed


def test_changed_file_is_refused_then_replaced_keeping_codings(tmp_path, sample_project):
    project, source, kept, changed = _coded_project(tmp_path, sample_project)
    text = source.read_text()
    source.write_text("[Inserted line.]\n\n" + text.replace(changed, changed.upper()))
    before = dump(project)
    assert_user_error(cli("import", project, source), "different version", "--replace")
    assert_user_error(
        cli("import", project, source, "--replace"), "lose 1 of 2 codings", "ana", "--force"
    )
    assert dump(project) == before
    result = cli("import", project, source, "--replace", "--force")
    assert result.exit_code == 0, result.stderr
    assert "1 replaced" in result.stdout and "1 codings dropped" in result.stdout
    with Store.open(project) as store:
        doc = store.documents.by_name(source.name)
        (coding,) = store.codings.for_document(doc.id)
        assert store.documents.text(doc.id)[coding.start : coding.end] == kept


def test_metadata_csv_errors_name_line_and_field(tmp_path, empty_project):
    meta = tmp_path / "meta.csv"
    meta.write_text("file,kind,date\nint_patrol_officer.txt,workshop,2026-01-01\n")
    before = dump(empty_project)
    assert_user_error(
        cli("import", empty_project, SAMPLE / "int_patrol_officer.txt", "--meta", meta),
        f"{meta} line 2",
        "kind 'workshop'",
    )
    meta.write_text("file,date\nint_patrol_officer.txt,01/02/2026\n")
    assert_user_error(
        cli("import", empty_project, SAMPLE / "int_patrol_officer.txt", "--meta", meta),
        "line 2",
        "YYYY-MM-DD",
    )
    assert dump(empty_project) == before


BAD_FILES = {
    "binary.txt": (b"\x00\x01\x02\x03ELF\x00\x00", "binary"),
    "empty.txt": (b"", "empty"),
    "bom.txt": (b"\xef\xbb\xbfSPEAKER: fine\n\xc3\x28 broken\n", "invalid UTF-8"),
    "notes.pdf": (b"%PDF-1.7", "unsupported file type"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_transcript_leaves_the_project_unchanged(tmp_path, sample_project, name):
    data, message = BAD_FILES[name]
    folder = tmp_path / "batch"
    folder.mkdir()
    shutil.copy(SAMPLE / "int_patrol_officer.txt", folder / "good_one.txt")
    (folder / name).write_bytes(data)
    before = dump(sample_project)
    target = folder / name if name.endswith(".pdf") else folder
    assert_user_error(cli("import", sample_project, target), name, message)
    assert dump(sample_project) == before


def test_missing_path(sample_project, tmp_path):
    before = dump(sample_project)
    assert_user_error(
        cli("import", sample_project, tmp_path / "nope.txt"), "nope.txt", "no such file"
    )
    assert dump(sample_project) == before


@pytest.mark.parametrize("kind", ["folder", "foreign", "text"])
def test_project_that_is_not_a_project(tmp_path, kind):
    path = tmp_path / "p.qualkit"
    if kind == "folder":
        path.mkdir()
    elif kind == "foreign":
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE notes (x)")
        conn.commit()
        conn.close()
    else:
        path.write_text("hello")
    before = path.read_bytes() if path.is_file() else None
    for args in (["status", path], ["import", path, SAMPLE], ["codings", "export", path, "-"]):
        assert_user_error(cli(*args), str(path))
    if before is not None:
        assert path.read_bytes() == before


def test_fifty_megabyte_transcript_imports_with_progress(tmp_path, empty_project):
    turn = (
        "OFFICER 3: We waited with him for the case manager, like the training said. "
        "She came in twenty minutes? Honestly that's the best handoff we had all month!\n\n"
    )
    repeats = 50_000_000 // len(turn) + 1
    big = tmp_path / "marathon.txt"
    big.write_text(turn * repeats)
    assert big.stat().st_size >= 50_000_000
    calls = []
    with Store.open(empty_project) as store:
        report = import_transcripts(store, [big], progress=lambda done, total: calls.append(done))
        assert report.segments == 3 * repeats
        assert store.documents.segment_counts()[1] == 3 * repeats
    assert len(calls) > 100 and calls == sorted(calls) and calls[-1] == len(turn) * repeats
