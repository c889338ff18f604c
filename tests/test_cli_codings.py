"""What a user checks after `codings export --with-text`, `status` and `codings done --undo`:
the numbers and text themselves, recomputed independently from the project file."""

from __future__ import annotations

import csv
import io
import json
import sqlite3

from tests.conftest import SAMPLE, cli

CODINGS = SAMPLE / "codings" / "ana.csv"


def _coded_project(sample_project):
    assert cli("codings", "import", sample_project, CODINGS, "--coder", "ana").exit_code == 0
    return sample_project


def test_export_with_text_gives_each_passage_exactly(sample_project):
    project = _coded_project(sample_project)
    out = cli("codings", "export", project, "-", "--with-text")
    assert out.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    with sqlite3.connect(project) as db:
        texts = dict(db.execute("SELECT name, text FROM documents"))
        total = db.execute("SELECT count(*) FROM codings").fetchone()[0]
    assert len(rows) == total > 0
    for row in rows:
        assert row["text"] == texts[row["document"]][int(row["start"]) : int(row["end"])]
        assert row["text"].strip()


def test_status_percent_is_the_share_of_segments_the_coder_touched(sample_project):
    project = _coded_project(sample_project)
    data = json.loads(cli("status", project, "--json").stdout)
    with sqlite3.connect(project) as db:
        segments = db.execute('SELECT document_id, start, "end" FROM segments').fetchall()
        spans = db.execute('SELECT document_id, start, "end" FROM codings').fetchall()
    touched = sum(
        any(d == cd and cs < e and s < ce for cd, cs, ce in spans) for d, s, e in segments
    )
    ana = next(c for c in data["completion"] if c["coder"] == "ana")
    assert ana["coded_segments"] == touched
    assert abs(ana["coded_segments_pct"] - 100 * touched / len(segments)) < 1e-9
    text = cli("status", project).stdout
    assert f"{100 * touched / len(segments):.0f}%" in text.split("ana", 1)[1].splitlines()[0]


def test_status_says_less_than_one_percent_after_a_first_coding(sample_project):
    from qualkit import Project

    with Project.open(sample_project) as project:
        project.apply("rita", "fg_case_managers.docx", "Collaboration", 0, 40)
    line = cli("status", sample_project).stdout.split("rita", 1)[1].splitlines()[0]
    assert line.rstrip().endswith("<1%")


def test_done_and_undo_change_exactly_the_named_documents(sample_project):
    project = _coded_project(sample_project)
    docs = ["int_patrol_officer.txt", "fg_legal_partners.txt"]

    def done() -> set[str]:
        with sqlite3.connect(project) as db:
            return {r[0] for r in db.execute(
                "SELECT d.name FROM completions c JOIN documents d ON d.id = c.document_id "
                "JOIN coders k ON k.id = c.coder_id WHERE k.name = 'ana'")}

    assert cli("codings", "done", project, "--coder", "ana", *docs).exit_code == 0
    assert done() == set(docs)
    out = cli("codings", "done", project, "--coder", "ana", docs[0], "--undo")
    assert out.exit_code == 0 and "1 documents marked not done" in out.stdout
    assert done() == {docs[1]}
