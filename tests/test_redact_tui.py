"""The de-identification review screen, driven with Pilot: a scan in its worker, accept and
reject keys, accept-all of a string; every decision checked in the project file."""

from __future__ import annotations

from textual.widgets import DataTable

from qualkit import redact
from qualkit.store import Store
from qualkit.tui.app import make_app
from qualkit.tui.screens.redact import RedactScreen

from .conftest import cli

TEXT = ("INTERVIEWER: Did you call the clinic?\n\n"
        "PARTICIPANT: I called 555-0142 twice, and 555-0142 again from 1412 Pier Road.\n")


def _project(tmp_path):
    source = tmp_path / "int_a.txt"
    source.write_text(TEXT)
    path = tmp_path / "p.qualkit"
    assert cli("init", path).exit_code == 0
    assert cli("import", path, source).exit_code == 0
    return path


def _cell(screen: RedactScreen, row: int, column: int) -> str:
    return str(screen.query_one(DataTable).get_row_at(row)[column])


async def test_review_screen_scans_then_accepts_and_rejects(tmp_path):
    path = _project(tmp_path)
    app = make_app(path, "ana")
    async with app.run_test(size=(120, 30)) as pilot:
        screen = RedactScreen(app.store, "ana", ner=False)
        await app.push_screen(screen)
        await app.workers.wait_for_complete()  # no scan yet: it starts one by itself
        await pilot.pause()
        table = screen.query_one(DataTable)
        assert table.row_count == 3
        assert [_cell(screen, i, 2) for i in range(3)] == ["555-0142", "555-0142",
                                                            "1412 Pier Road"]
        assert "3 not reviewed" in str(screen.query_one("#redact-title").render())
        assert "[555-0142]" in str(screen.query_one("#redact-context").render())

        await pilot.press("A")  # every occurrence of the phone number
        await pilot.pause()
        assert [_cell(screen, i, 4) for i in range(3)] == ["accept", "accept", "—"]
        table.move_cursor(row=2)
        await pilot.press("r")
        await pilot.pause()
        assert _cell(screen, 2, 4) == "reject"
        assert "0 not reviewed" in str(screen.query_one("#redact-title").render())

    with Store.open(path) as store:  # committed when made
        decisions = {(d.scope, d.text, d.decision) for d in store.redaction.decisions()}
        assert decisions == {("string", "555-0142", "accept"),
                             ("span", "1412 Pier Road", "reject")}
        assert [e.detail["decision"] for e in store.events(action="redact-decide")] == [
            "accept", "reject"]
        redact.write_copy(store, tmp_path / "copy.qualkit")
    with Store.open(tmp_path / "copy.qualkit") as copy:
        assert copy.documents.text(1).endswith("I called [PHONE] twice, and [PHONE] again "
                                               "from 1412 Pier Road.\n")


async def test_review_screen_is_in_the_workbench_palette(tmp_path):
    path = _project(tmp_path)
    with Store.open(path) as store:
        redact.scan(store, ner=False)  # already scanned: opening the screen starts no scan
    app = make_app(path, "ana")
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        command = next(c for c in app.get_system_commands(app.screen)
                       if c.title == "De-identification review")
        command.callback()
        await pilot.pause()
        assert isinstance(app.screen, RedactScreen)
        assert app.screen.query_one(DataTable).row_count == 3
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, RedactScreen)


async def test_a_string_the_scan_missed_can_be_added(tmp_path):
    path = _project(tmp_path)
    with Store.open(path) as store:
        redact.scan(store, ner=False)
    app = make_app(path, "ana")
    async with app.run_test(size=(120, 30)) as pilot:
        screen = RedactScreen(app.store, "ana", ner=False)
        await app.push_screen(screen)
        await pilot.pause()
        await pilot.press("plus")
        await pilot.pause()
        for key in "clinic":
            await pilot.press(key)
        await pilot.press("enter")
        await pilot.pause()
    with Store.open(path) as store:
        assert [(d.scope, d.text) for d in store.redaction.decisions()] == [("string", "clinic")]
        for c in redact.candidates(store):
            redact.decide(store, c, "accept")
        redact.write_copy(store, tmp_path / "copy.qualkit")
    with Store.open(tmp_path / "copy.qualkit") as copy:
        assert "Did you call the [CLINIC_A]?" in copy.documents.text(1)
