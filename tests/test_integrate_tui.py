"""The joint display screen (O): shows the saved run, edits links with audit events, jumps to a
quote's passage in the workbench."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from qualkit.store import Store
from qualkit.tui.app import make_app
from qualkit.tui.screens.coding import CodingScreen
from qualkit.tui.screens.joint import CodesPicker, FitPicker, JointScreen

from .conftest import cli
from .integrate_helpers import LINKS, RUN, build_sample, fresh_copy


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    path = build_sample(tmp_path_factory.mktemp("joint-tui") / "sample.qualkit")
    assert cli("joint", path, "--run", RUN, "--links", LINKS).exit_code == 0
    return path


@pytest.fixture
def project(template, tmp_path):
    return fresh_copy(template, tmp_path)


async def settle(app, pilot):
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def link(path, outcome):
    with Store.open(path) as store:
        names = {c.id: c.name for c in store.codes.list()}
        found = {k.outcome: k for k in store.integration.links(RUN)}[outcome]
        return [names[i] for i in found.code_ids], found.fit, found.meta_inference


async def test_joint_screen_shows_the_run_and_edits_links(project):
    app = make_app(project, "rita")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("O")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, JointScreen)
        assert screen.rows[0]["outcome"] == "citations"
        assert screen.query_one("DataTable").row_count == 5
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, FitPicker)
        await pilot.press("enter")  # the first fit: confirmation
        await settle(app, pilot)
        assert link(project, "citations")[1] == "confirmation"
        await pilot.press("e")
        await pilot.pause()
        area = app.screen.query_one("TextArea")
        area.move_cursor(area.document.end)
        await pilot.press(*" Checked with the patrol data.", "ctrl+s")
        await settle(app, pilot)
        assert link(project, "citations")[2].endswith("need follow-up. Checked with the patrol "
                                                      "data.")
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, CodesPicker)
        await pilot.press("space", "enter")  # tick the first code (Collaboration), keep
        await settle(app, pilot)
        assert link(project, "citations")[0] == ["Officer buy-in", "Collaboration"]
    with Store.open(project) as store:
        edits = store.events(action="links.edit")
        assert len(edits) == 3 and {e.coder for e in edits} == {"rita"}


async def test_enter_on_a_quote_opens_its_passage_in_the_workbench(project):
    app = make_app(project, "rita")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("O")
        await settle(app, pilot)
        quote = app.screen.quotes[0]
        app.screen.query_one("#joint-quotes").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CodingScreen)
        segment = app.screen.segments[app.screen.view.current_index]
        assert app.screen.document.id == quote["document_id"]
        assert segment.start <= quote["start"] < segment.end


async def test_help_and_back(project):
    app = make_app(project, "rita")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("O")
        await settle(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        console = Console(width=100, record=True, file=io.StringIO())
        console.print(app.screen.body)
        assert "link themes to the outcome" in console.export_text()
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert isinstance(app.screen, CodingScreen)
