"""`qualkit codings import|export`: the lossless CSV exchange, all or nothing."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualkit.coding.csv_io import export_codings, import_codings
from qualkit.store import Store

from .conftest import assert_user_error, cli, dump


def _rows(project, n=3):
    """Valid rows on the first segments of the patrol officer interview."""
    with Store.open(project) as store:
        doc = store.documents.by_name("int_patrol_officer.txt")
        segs = store.documents.segments(doc.id)[:n]
    return [("int_patrol_officer.txt", s.start, s.end, "Warm handoff") for s in segs]


def _write(path, rows, header=("document", "start", "end", "code", "coder"), coder="ana"):
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow([*row, coder][: len(header)])
    return path


def test_import_then_export_round_trips(tmp_path, sample_project):
    path = _write(tmp_path / "ana.csv", _rows(sample_project))
    result = cli("codings", "import", sample_project, path, "--coder", "ana")
    assert result.exit_code == 0 and "3 codings added" in result.stdout
    again = cli("codings", "import", sample_project, path, "--coder", "ana")
    assert "0 codings added, 3 already present" in again.stdout
    out = tmp_path / "out.csv"
    assert cli("codings", "export", sample_project, out).exit_code == 0
    assert out.read_text() == path.read_text().replace("\r\n", "\n")


def test_text_column_is_checked(tmp_path, sample_project):
    rows = _rows(sample_project, 1)
    path = tmp_path / "t.csv"
    with open(path, "w", newline="") as handle:
        csv.writer(handle).writerows(
            [
                ("document", "start", "end", "code", "coder", "text"),
                (*rows[0], "ana", "some other words"),
            ]
        )
    assert_user_error(cli("codings", "import", sample_project, path), "line 2", "another version")


BAD = {
    "unknown document": (("nope.txt", 0, 5, "Warm handoff"), "unknown document 'nope.txt'"),
    "unknown code": (("int_patrol_officer.txt", 0, 5, "Housing"), "unknown code 'Housing'"),
    "outside": (("int_patrol_officer.txt", 10, 10_000_000, "Warm handoff"), "outside the text"),
    "reversed": (("int_patrol_officer.txt", 50, 10, "Warm handoff"), "outside the text"),
    "not a number": (("int_patrol_officer.txt", "ten", 20, "Warm handoff"), "whole numbers"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_rows_are_refused_whole(tmp_path, sample_project, case):
    bad, message = BAD[case]
    path = _write(tmp_path / "c.csv", [*_rows(sample_project), bad])
    before = dump(sample_project)
    assert_user_error(
        cli("codings", "import", sample_project, path, "--coder", "ana"), f"{path} line 5", message
    )
    assert dump(sample_project) == before


def test_missing_column(tmp_path, sample_project):
    path = _write(
        tmp_path / "c.csv",
        [r[:3] for r in _rows(sample_project)],
        header=("document", "start", "end"),
    )
    before = dump(sample_project)
    assert_user_error(
        cli("codings", "import", sample_project, path, "--coder", "ana"),
        f"{path} line 1",
        "missing column code",
    )
    assert_user_error(
        cli("codings", "import", sample_project, tmp_path / "none.csv"),
        "none.csv",
        "no such codings file",
    )
    assert dump(sample_project) == before


def test_coder_column_must_match_option(tmp_path, sample_project):
    path = _write(tmp_path / "c.csv", _rows(sample_project), coder="ben")
    assert_user_error(
        cli("codings", "import", sample_project, path, "--coder", "ana"),
        "coder 'ben' differs from --coder 'ana'",
    )


@pytest.fixture(scope="module")
def roundtrip_project(_sample_project_template, tmp_path_factory):
    import shutil

    path = tmp_path_factory.mktemp("rt") / "rt.qualkit"
    shutil.copy(_sample_project_template, path)
    with Store.open(path) as store:
        docs = [(d.name, d.length) for d in store.documents.list()]
        codes = [c.name for c in store.codes.list()]
    return path, docs, codes


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_valid_codings_round_trip_exactly(roundtrip_project, data, tmp_path_factory):
    import shutil

    template, docs, codes = roundtrip_project
    rows = set()
    for _ in range(data.draw(st.integers(1, 25))):
        name, length = data.draw(st.sampled_from(docs))
        start = data.draw(st.integers(0, length - 1))
        end = data.draw(st.integers(start + 1, length))
        rows.add(
            (
                name,
                start,
                end,
                data.draw(st.sampled_from(codes)),
                data.draw(st.sampled_from(["ana", "ben", "consensus", "Zoë"])),
            )
        )
    text = "document,start,end,code,coder\n" + "".join(
        ",".join(map(str, r)) + "\n" for r in sorted(rows)
    )
    path = tmp_path_factory.mktemp("csv") / "in.csv"
    path.write_text(text)
    project = path.with_suffix(".qualkit")
    shutil.copy(template, project)
    with Store.open(project) as store:
        import_codings(store, path)
        exported = export_codings(store)
    assert exported == text
    assert next(iter(csv.reader(io.StringIO(exported)))) == [
        "document",
        "start",
        "end",
        "code",
        "coder",
    ]
