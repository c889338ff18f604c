"""REFI-QDA projects (.qdpx) and codebooks (.qdc): round trips, schema validity, stable GUIDs,
and imports of what other programs write."""

from __future__ import annotations

import re
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from qualkit.exchange import export_qdc, export_qdpx, import_refi, load_qdc
from qualkit.exchange.common import schema_errors
from qualkit.store import Store

from .conftest import assert_user_error, cli, dump
from .exchange_helpers import REFI, SHARED, coded_project, snapshot, zip_folder

# Every transcript of the bundled sample (documents.csv lists them; it is not one).
N_SAMPLE = len([p for p in (Path(__file__).parent.parent / "transcripts_sample").iterdir()
                if p.is_file() and p.name != "documents.csv"])


@pytest.fixture
def coded(sample_project) -> Path:
    return coded_project(sample_project)


def _qde(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read("project.qde"))


def test_round_trip_through_qdpx_is_lossless(coded, tmp_path):
    out = tmp_path / "lead.qdpx"
    assert cli("export", coded, "-o", out).exit_code == 0
    new = tmp_path / "new.qualkit"
    result = cli("import", new, out)
    assert result.exit_code == 0, result.stderr
    assert "into a new project" in result.stdout
    before, after = snapshot(coded), snapshot(new)
    for key in before:
        assert after[key] == before[key], key
    assert len(before["memos"]) == 6 and any(c[8] == "retired" for c in before["codes"])


def test_every_file_written_validates_against_the_schema(coded, tmp_path):
    qdpx, qdc = tmp_path / "p.qdpx", tmp_path / "c.qdc"
    assert cli("export", coded, "-o", qdpx).exit_code == 0
    assert cli("codebook", coded, "--export", qdc).exit_code == 0
    assert schema_errors(_qde(qdpx), "project") == []
    assert schema_errors(etree.parse(str(qdc)).getroot(), "codebook") == []
    with zipfile.ZipFile(qdpx) as archive:
        assert archive.namelist()[0] == "project.qde"
        assert all(n.startswith("sources/") for n in archive.namelist()[1:])
    if (SHARED / "validate.py").is_file():  # the independent validator, where it is present
        checked = subprocess.run([sys.executable, str(SHARED / "validate.py"), qdpx, qdc],
                                 capture_output=True, text=True)
        assert checked.returncode == 0, checked.stdout


def test_a_schema_violation_is_caught(coded, tmp_path):
    """The check that guards every export would notice a broken element."""
    qdpx = tmp_path / "p.qdpx"
    assert cli("export", coded, "-o", qdpx).exit_code == 0
    root = _qde(qdpx)
    code = root.find(".//{urn:QDA-XML:project:1.0}Code")
    del code.attrib["isCodable"]
    assert any("isCodable" in e for e in schema_errors(root, "project"))


def test_exports_are_private_and_identical_twice(coded, tmp_path):
    first, second = tmp_path / "a.qdpx", tmp_path / "b.qdpx"
    for path in (first, second):
        assert cli("export", coded, "-o", path).exit_code == 0
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert first.read_bytes() == second.read_bytes()


def test_guids_are_stable_when_the_project_grows(coded, tmp_path):
    before = tmp_path / "before.qdpx"
    after = tmp_path / "after.qdpx"
    with Store.open(coded) as store:
        export_qdpx(store, before)
        doc = store.documents.list()[0]
        code = store.codes.list()[0]
        from qualkit.coding import CodingSession

        CodingSession(store, "cruz").apply(doc.id, code.id, [(3, 30)])
        export_qdpx(store, after)
    guids = re.compile(rb'guid="([0-9a-f-]{36})"')
    old, new = set(guids.findall(_raw(before))), set(guids.findall(_raw(after)))
    assert old < new  # nothing renamed, only the new user, selection and coding added
    assert len(new - old) == 3


def _raw(path: Path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read("project.qde")


def test_source_files_hold_the_stored_text_with_code_point_offsets(coded, tmp_path):
    out = tmp_path / "p.qdpx"
    with Store.open(coded) as store:
        export_qdpx(store, out)
        texts = {d.name: store.documents.text(d.id) for d in store.documents.list()}
    ns = "{urn:QDA-XML:project:1.0}"
    with zipfile.ZipFile(out) as archive:
        root = etree.fromstring(archive.read("project.qde"))
        for source in root.iter(f"{ns}TextSource"):
            member = "sources/" + source.get("plainTextPath").removeprefix("internal://")
            data = archive.read(member)
            assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data
            text = data.decode("utf-8")
            assert text == texts[source.get("name")]
            for sel in source.iter(f"{ns}PlainTextSelection"):
                quote = " ".join(text[int(sel.get("startPosition")):
                                      int(sel.get("endPosition"))].split())
                assert quote.startswith(sel.get("name").rstrip("…"))


def test_reimport_adds_nothing_and_writes_nothing(coded, tmp_path):
    out = tmp_path / "p.qdpx"
    with Store.open(coded) as store:
        export_qdpx(store, out)
        before = store.dump()
        report = import_refi(store, out)
        assert store.dump() == before
    assert report.codings_added == 0 and report.memos_added == 0
    assert len(report.documents_matched) == N_SAMPLE and not report.codes_added


def test_import_into_an_existing_project_matches_documents_by_content(coded, sample_project,
                                                                      tmp_path):
    out = tmp_path / "p.qdpx"
    with Store.open(coded) as store:
        export_qdpx(store, out)
    target = tmp_path / "other.qualkit"
    assert cli("init", target).exit_code == 0
    with Store.open(target) as store:  # same texts under other names, one code retired here
        from qualkit.ingest import import_transcripts

        import_transcripts(store, [Path(__file__).parent.parent / "transcripts_sample"])
        store.codes.insert({"name": "Training", "status": "retired"})
        report = import_refi(store, out)
    assert len(report.documents_matched) == N_SAMPLE and not report.documents_added
    assert report.codes_retired == ["Training"] and len(report.codes_added) == 20
    assert report.codings_added == snapshot(coded)["codings"].__len__()


def test_a_document_of_the_same_name_with_other_text_is_skipped_and_said(coded, tmp_path):
    out = tmp_path / "p.qdpx"
    with Store.open(coded) as store:
        export_qdpx(store, out)
    other = tmp_path / "other.qualkit"
    assert cli("init", other).exit_code == 0
    text = tmp_path / "int_patrol_officer.txt"
    text.write_text("INTERVIEWER: A different interview altogether.\n")
    assert cli("import", other, text).exit_code == 0
    result = cli("import", other, out)
    assert result.exit_code == 0
    assert "int_patrol_officer.txt: the project has a document of that name" in result.stderr
    with Store.open(other) as store:
        assert len(store.documents.list()) == N_SAMPLE


def test_qdc_round_trip_keeps_the_code_tree(coded, tmp_path):
    qdc = tmp_path / "c.qdc"
    assert cli("codebook", coded, "--export", qdc).exit_code == 0
    assert stat.S_IMODE(qdc.stat().st_mode) == 0o600
    new = tmp_path / "new.qualkit"
    assert cli("init", new).exit_code == 0
    result = cli("codebook", new, "--load", qdc)
    assert result.exit_code == 0 and "21 codes added" in result.stdout
    assert snapshot(new)["codes"] == snapshot(coded)["codes"]


def test_qdc_reload_keeps_hotkeys_and_retires_missing_codes(coded, tmp_path):
    qdc = tmp_path / "c.qdc"
    with Store.open(coded) as store:
        hotkeys = {c.name: c.hotkey for c in store.codes.list()}
        export_qdc(store, qdc)
        text = qdc.read_text().replace('name="Gender"', 'name="Gender and sexuality"')
        qdc.write_text(text)
        report = load_qdc(store, qdc)
        after = {c.name: c.hotkey for c in store.codes.list()}
    assert report.load.added == ("Gender and sexuality",) and report.load.retired == ("Gender",)
    assert {k: v for k, v in after.items() if k in hotkeys} == {
        k: v for k, v in hotkeys.items() if k != "Gender"}


def test_codebooks_from_atlas_and_maxqda_load(empty_project):
    atlas = cli("codebook", empty_project, "--load", REFI / "atlas_codebook.qdc")
    assert atlas.exit_code == 0, atlas.stderr
    maxqda = cli("codebook", empty_project, "--load", REFI / "maxqda_codebook.qdc")
    assert maxqda.exit_code == 0, maxqda.stderr
    assert "'Positive' -> 'Case management / Positive'" in maxqda.stdout
    with Store.open(empty_project) as store:
        codes = {c.name: c for c in store.codes.list()}
    assert set(codes) == {"Police", "Positive", "Negative", "Case management",
                          "Case management / Positive", "Case management / Negative"}
    assert codes["Positive"].parent_id == codes["Police"].id


PHONE = "Mostly by phone. The case manager picks up at night, which is new."
MESS = "Still a mess. Nobody reads the consent form the same way."
WAITED = "Before that the person just waited in the car for an hour."
TRICK = "People come because we don't ask for ID. \U0001F64F That's the whole trick."
WAITLIST = "The waitlist for housing is still eight months, and café vouchers don't fix that."


@pytest.mark.parametrize(
    ("folder", "expected"),
    [
        ("atlas_style", {("Warm handoff", PHONE), ("Implementation barriers", WAITED),
                         ("Paperwork", MESS)}),
        ("nvivo_style", {("Warm handoff", PHONE), ("Paperwork", MESS)}),
        ("qualcoder_style", {("Low threshold", TRICK), ("Housing", WAITLIST)}),
    ],
)
def test_exports_of_other_programs_import_with_their_offsets(folder, expected, tmp_path):
    archive = zip_folder(REFI / folder, tmp_path / f"{folder}.qdpx")
    project = tmp_path / "p.qualkit"
    result = cli("import", project, archive)
    assert result.exit_code == 0, result.stderr
    with Store.open(project) as store:
        codes = {c.id: c.name for c in store.codes.list()}
        found = {(codes[c.code_id], store.documents.text(c.document_id)[c.start:c.end])
                 for c in store.codings.all()}
        memos = store.memos.list()
        doc = store.documents.list()[0]
        text = store.documents.text(doc.id)
    assert found == expected
    assert "\r" not in text and not text.startswith("\ufeff")
    assert len(memos) == 1 and memos[0].start is not None  # each fixture has one passage memo


def test_atlas_style_archive_reports_its_reading_and_the_pdf(tmp_path):
    archive = zip_folder(REFI / "atlas_style", tmp_path / "a.qdpx")
    result = cli("import", tmp_path / "p.qualkit", archive)
    assert "CRLF as one character (3 of 3 quoted selections match" in result.stdout
    assert "Program manual.pdf (PDF, 1 selections)" in result.stderr
    assert "coders: Maria Lopez" in result.stdout


def test_nvivo_style_archive_cases_variables_links_and_reused_guids(tmp_path):
    archive = zip_folder(REFI / "nvivo_style", tmp_path / "n.qdpx")
    result = cli("import", tmp_path / "p.qualkit", archive)
    assert "Focus group.m4a (audio, 1 selections)" in result.stderr
    with Store.open(tmp_path / "p.qualkit") as store:
        doc = store.documents.list()[0]
        memo = store.memos.list()[0]
        text = store.documents.text(doc.id)
    assert (doc.case_id, doc.site, doc.attributes) == (
        "Officer 7", "Eastside precinct", {"Years of service": 12})
    # The note is linked (by a Link) to a selection whose GUID a code also carries.
    assert text[memo.start:memo.end].startswith("Mostly by phone")
    assert memo.text.startswith("Ask the sergeant")


def test_qualcoder_style_archive_bom_memo_variables_and_outside_selection(tmp_path):
    archive = zip_folder(REFI / "qualcoder_style", tmp_path / "q.qdpx")
    result = cli("import", tmp_path / "p.qualkit", archive)
    assert "1 selections fall outside the text" in result.stderr
    assert "skipped: 1 selections outside their text" in result.stderr
    with Store.open(tmp_path / "p.qualkit") as store:
        doc = store.documents.list()[0]
        speakers = store.documents.speakers(doc.id)
        memo = store.memos.list()[0]
        codes = {c.name: c for c in store.codes.list()}
    assert doc.kind == "interview" and speakers["PEER"] == "peer outreach worker"
    assert memo.text == "The ID rule is what the peers are proud of."
    assert codes["Low threshold"].include == "mentions of walking in without documents."
    assert codes["Low threshold"].parent_id == codes["Access"].id


def test_shared_examples_import(tmp_path):
    example = SHARED / "examples" / "minimal-project.qde"
    if not example.is_file():
        pytest.skip("../shared/refi-qda is not present")
    project = tmp_path / "p.qualkit"
    assert cli("import", project, example).exit_code == 0
    with Store.open(project) as store:
        (coding,) = store.codings.all()
        assert store.documents.text(coding.document_id)[coding.start:coding.end] == "café au lait"
        assert [c.name for c in store.codings.coders()] == ["Ada"]
    assert cli("codebook", project, "--load", SHARED / "examples" / "minimal.qdc").exit_code == 0


def test_export_of_one_coder_holds_only_their_work(coded, tmp_path):
    out = tmp_path / "ana.qdpx"
    assert cli("export", coded, "-o", out, "--coder", "ana").exit_code == 0
    root = _qde(out)
    ns = "{urn:QDA-XML:project:1.0}"
    assert [u.get("name") for u in root.iter(f"{ns}User")] == ["ana"]
    bad = cli("export", coded, "-o", tmp_path / "x.qdpx", "--coder", "zoe")
    assert_user_error(bad, "zoe")


def test_import_of_a_missing_or_foreign_file_fails_cleanly(sample_project, tmp_path):
    before = dump(sample_project)
    assert_user_error(cli("import", sample_project, tmp_path / "none.qdpx"), "none.qdpx")
    foreign = tmp_path / "notes.qdpx"
    foreign.write_text("just text")
    assert_user_error(cli("import", sample_project, foreign), "not a REFI-QDA project archive")
    assert dump(sample_project) == before
