"""The `qualkit.Project` front door: names in, DataFrames out, one undoable action per call."""

from __future__ import annotations

import pytest

from qualkit import Project
from qualkit.errors import InputError, QualkitError

DOC = "int_patrol_officer.txt"


@pytest.fixture
def project(sample_project):
    with Project.open(sample_project) as opened:
        yield opened


def test_apply_codes_once_and_remove_cuts_the_passage(project):
    assert project.apply("ana", DOC, "Warm handoff", 10, 200).applied
    assert project.apply("ana", DOC, "Warm handoff", 50, 100) is None  # already coded
    assert project.remove("ana", DOC, "Warm handoff", 50, 100).applied is False
    frame = project.codings(coder="ana")
    spans = sorted(zip(frame["start"], frame["end"], strict=True))
    assert len(spans) == 2 and spans[0][0] >= 10 and spans[-1][1] <= 200  # pieces are trimmed
    assert all(end <= 50 or start >= 100 for start, end in spans)
    assert project.remove("ben", DOC, "Warm handoff", 50, 100) is None  # ben never coded it


def test_codings_frame_carries_text_speaker_and_code_path(project):
    text = project.store.documents.text(project.store.documents.by_name(DOC).id)
    start = text.index("\n", 300) + 1
    project.apply("ana", DOC, "Support", start, start + 40)
    row = project.codings(coder="ana").iloc[0]
    assert row["text"] == text[start : start + 40]
    assert row["code_path"].endswith("> Support")
    assert row["speaker"] and row["coder"] == "ana"


def test_mark_done_counts_changes_and_undo_reverts_an_apply(project):
    assert project.mark_done("ana", [DOC]) == 1
    assert project.mark_done("ana", [DOC]) == 0
    assert project.mark_done("ana", [DOC], done=False) == 1
    project.apply("ana", DOC, "Warm handoff", 0, 50)
    assert project.session("ana").undo() == "code.apply"
    assert project.codings(coder="ana").empty


def test_names_that_do_not_exist_are_one_line_errors(project):
    with pytest.raises(InputError, match=r"unknown document 'nope\.txt'"):
        project.apply("ana", "nope.txt", "Warm handoff", 0, 5)
    with pytest.raises(InputError, match="unknown code 'Nope'"):
        project.apply("ana", DOC, "Nope", 0, 5)
    with pytest.raises(InputError, match="outside the text"):
        project.apply("ana", DOC, "Warm handoff", 5, 10**9)
    with pytest.raises(InputError, match="unknown coder"):
        project.codings(coder="nobody")


def test_create_checks_the_codebook_before_making_a_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("codes:\n  - name: A\n  - name: a\n", encoding="utf-8")
    with pytest.raises(QualkitError):
        Project.create(tmp_path / "p.qualkit", codebook=bad)
    assert not (tmp_path / "p.qualkit").exists()


def test_exports_are_private(project, tmp_path):
    project.apply("ana", DOC, "Warm handoff", 0, 50)
    out = tmp_path / "codings.csv"
    project.export_codings(out, with_text=True)
    assert out.stat().st_mode & 0o777 == 0o600
    assert project.documents()["document"].tolist().count(DOC) == 1


def test_integration_and_exchange_through_the_front_door(tmp_path):
    from qualkit.integrate import code_matrix, joint_display

    from .integrate_helpers import RUN, build_sample

    path = build_sample(tmp_path / "sample.qualkit")
    with Project.open(path) as project:
        joint = project.joint_display(RUN, quotes=1)
        assert joint.equals(joint_display(project.store, RUN, quotes=1))
        assert project.code_matrix(by="document").equals(code_matrix(project.store))
        segments = project.coded_segments(coders=["ana"], codes=["Warm handoff"])
        assert len(segments) > 0 and set(segments["coder"]) == {"ana"}
        assert set(segments["code"]) == {"Warm handoff"}
        project.export_refi(tmp_path / "p.qdpx")
        everyone, ana = len(project.codings()), len(project.codings(coder="ana"))
    with Project.create(tmp_path / "copy.qualkit") as copy:
        report = copy.import_refi(tmp_path / "p.qdpx")
        assert report.codings_added == everyone
        assert len(copy.codings(coder="ana")) == ana
