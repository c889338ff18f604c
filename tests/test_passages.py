"""Retrieval: every passage of a code and its sub-codes, from the library, the CLI (`qualkit
retrieve`) and the workbench's passages screen (P), checked against the project file."""

from __future__ import annotations

import csv
import io
import json
import stat

import pytest
from textual.widgets import DataTable, Select

from qualkit import Project
from qualkit.coding import retrieve
from qualkit.errors import QualkitError
from qualkit.store import Store
from qualkit.tui.app import make_app
from qualkit.tui.screens.coding import CodingScreen
from qualkit.tui.screens.passages import PassagesScreen

from .conftest import SAMPLE, assert_user_error, cli

BUY_IN = {"Officer buy-in", "Support", "Resistance", "Discretion", "Training"}


@pytest.fixture
def coded(sample_project):
    for coder in ("ana", "ben"):
        cli("codings", "import", sample_project, SAMPLE / "codings" / f"{coder}.csv",
            "--coder", coder)
    return sample_project


def expected(project, codes, coders=("ana", "ben"), documents=None):
    """(document, start, end, code, coder) straight from the codings table."""
    with Store.open(project) as store:
        names = {c.id: c.name for c in store.codes.list(include_retired=True)}
        docs = {d.id: d.name for d in store.documents.list()}
        who = {c.id: c.name for c in store.codings.coders()}
        return sorted(
            (docs[c.document_id], c.start, c.end, names[c.code_id], who[c.coder_id])
            for c in store.codings.all()
            if names[c.code_id] in codes and who[c.coder_id] in coders
            and (documents is None or docs[c.document_id] in documents)
        )


def test_a_code_brings_its_sub_codes_passages_with_text_speaker_and_context(coded):
    with Store.open(coded) as store:
        passages = retrieve(store, "Officer buy-in")
        got = sorted((p.document, p.start, p.end, p.code, p.coder) for p in passages)
        assert got == expected(coded, BUY_IN)
        assert {p.code for p in passages} > {"Officer buy-in"}  # sub-codes came along
        for p in passages:
            document = store.documents.by_name(p.document)
            text = store.documents.text(document.id)
            assert p.text == text[p.start : p.end]
            segments = store.documents.segments(document.id)
            first = next(i for i, s in enumerate(segments) if s.end > p.start)
            assert p.speaker == segments[first].speaker
            assert p.before == (segments[first - 1].text if first else "")
        only = retrieve(store, "Officer buy-in", subcodes=False)
        assert {p.code for p in only} == {"Officer buy-in"}


def test_filters_by_coder_and_by_document_attribute(coded):
    with Store.open(coded) as store:
        mine = retrieve(store, "Collaboration", coders=["ben"])
        interviews = retrieve(store, "Collaboration", where={"kind": "interview"})
        kinds = {d.name: d.kind for d in store.documents.list()}
    codes = {"Collaboration", "Inter-agency partnership", "Information sharing"}
    assert sorted((p.document, p.start, p.end, p.code, p.coder) for p in mine) == expected(
        coded, codes, coders=("ben",))
    wanted = {n for n, k in kinds.items() if k == "interview"}
    assert interviews and {p.document for p in interviews} <= wanted
    assert len(interviews) == len(expected(coded, codes, documents=wanted))


def test_unknown_names_are_one_line_errors(coded):
    with Store.open(coded) as store:
        for call, needle in (
            (lambda: retrieve(store, "Nope"), "no code named 'Nope'"),
            (lambda: retrieve(store, "Training", coders=["zed"]), "no coder named 'zed'"),
            (lambda: retrieve(store, "Training", where={"colour": "x"}), "attribute 'colour'"),
        ):
            with pytest.raises(QualkitError, match=needle):
                call()


def test_project_front_door(coded):
    with Project.open(coded) as project:
        passages = project.retrieve("Training", coder="ana")
    assert sorted((p.document, p.start, p.end, p.code, p.coder) for p in passages) == expected(
        coded, {"Training"}, coders=("ana",))


def test_cli_formats_and_private_neutralised_csv(coded, tmp_path):
    result = cli("retrieve", coded, "--code", "Training", "--json")
    data = json.loads(result.stdout)
    assert result.exit_code == 0 and data["code"] == "Training"
    assert sorted((p["document"], p["start"], p["end"], p["code"], p["coder"])
                  for p in data["passages"]) == expected(coded, {"Training"})
    md = cli("retrieve", coded, "--code", "Training", "--coder", "ana", "--markdown").stdout
    assert md.startswith("# Passages of 'Training'") and "coded by ana" in md
    assert "coded by ben" not in md
    out = tmp_path / "training.csv"
    result = cli("retrieve", coded, "--code", "Training", "--csv", "-o", out)
    assert result.exit_code == 0 and "passages of 'Training' written" in result.stdout
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert len(rows) == len(expected(coded, {"Training"}))
    assert_user_error(cli("retrieve", coded, "--code", "Nope"), "no code named 'Nope'")
    assert_user_error(cli("retrieve", coded, "--code", "Training", "--where", "kind"),
                      "--where 'kind'", "KEY=VALUE")


def test_cli_csv_neutralises_cells_a_spreadsheet_would_run(empty_project, tmp_path):
    folder = tmp_path / "t"
    folder.mkdir()
    (folder / "evil.txt").write_text("ALICE: =HYPERLINK(\"http://x\")\nBOB: @SUM(1)\n")
    cli("import", empty_project, folder)
    codings = tmp_path / "c.csv"
    codings.write_text("document,start,end,code,coder\nevil.txt,0,30,Training,ana\n")
    assert cli("codings", "import", empty_project, codings).exit_code == 0
    with Store.open(empty_project) as store:
        text = store.documents.text(store.documents.by_name("evil.txt").id)
    codings.write_text(
        f"document,start,end,code,coder\nevil.txt,{text.index('=')},{text.index(')') + 1},"
        f"Training,ana\n")
    cli("codings", "import", empty_project, codings)
    out = cli("retrieve", empty_project, "--code", "Training", "--csv").stdout
    cells = [c for row in csv.reader(io.StringIO(out)) for c in row]
    assert "'=HYPERLINK(\"http://x\")" in cells
    assert not any(c.startswith(("=", "@", "+", "-")) for c in cells)


def _table_rows(screen) -> list[tuple[str, ...]]:
    table = screen.query_one(DataTable)
    return [tuple(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]


async def test_passages_screen_filters_and_enter_jumps_to_the_passage(coded):
    app = make_app(coded, "ana", show_all=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("P")  # the highlighted codebook code: the first, Collaboration
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, PassagesScreen)
        codes = {"Collaboration", "Inter-agency partnership", "Information sharing"}
        assert len(_table_rows(screen)) == len(expected(coded, codes))
        screen.query_one("#coder", Select).value = "ben"
        await pilot.pause()
        rows = _table_rows(screen)
        assert rows and {r[3] for r in rows} == {"ben"}
        assert len(rows) == len(expected(coded, codes, coders=("ben",)))
        await pilot.press("c", *"trai", "enter")  # another code through the picker
        await pilot.pause()
        assert {r[2] for r in _table_rows(screen)} == {"Training"}
        target = screen.passages[2]
        await pilot.press("j", "j", "enter")
        await pilot.pause()
        coding = app.screen
        assert isinstance(coding, CodingScreen)
        assert coding.document.name == target.document
        segment = coding.segments[coding.view.current_index]
        assert segment.start <= target.start < segment.end


async def test_blind_coding_shows_only_my_passages(coded):
    app = make_app(coded, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("P")
        await pilot.pause()
        rows = _table_rows(app.screen)
        assert rows and {r[3] for r in rows} == {"ana"}
