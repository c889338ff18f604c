"""The codebook editor and the memos screen, driven through Pilot; a four-hour focus group."""

from __future__ import annotations

from qualkit.coding.codebook import load_codebook
from qualkit.store import Store
from qualkit.tui.app import make_app
from qualkit.tui.screens.codebook import CodebookScreen
from qualkit.tui.screens.coding import CodingScreen
from qualkit.tui.screens.memos import MemosScreen

from .conftest import cli
from .test_tui import mine, screen, segments


def codes(project, retired=False):
    with Store.open(project) as store:
        return [(c.name, c.parent_id, c.status) for c in store.codes.list(include_retired=retired)]


async def open_codebook(pilot, app):
    await pilot.press("B")
    await pilot.pause()
    assert isinstance(app.screen, CodebookScreen)


async def test_codebook_editor_adds_renames_and_the_coding_screen_can_apply_it(sample_project):
    app = make_app(sample_project, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await open_codebook(pilot, app)
        await pilot.press("a", *"Housing scarcity", "enter")
        await pilot.pause()
        assert "Housing scarcity" in [c[0] for c in codes(sample_project)]
        await pilot.press("r", *[*["backspace"] * 20], *"Housing", "enter")
        await pilot.pause()
        await pilot.press("e", *"No beds, long waitlists.", "ctrl+s", "escape")
        await pilot.pause()
        assert isinstance(app.screen, CodingScreen)
        # the new code is the last of the codebook; pick it in the codebook pane and apply it
        panel = app.screen.query_one("#codebook")
        panel.focus()
        panel.highlighted = len(panel.codes) - 1
        await pilot.press("enter")
        await pilot.pause()
    with Store.open(sample_project) as store:
        code = store.codes.by_name("Housing")
        assert code.description == "No beds, long waitlists." and code.origin == "manual"
    assert [c[3] for c in mine(sample_project)] == ["Housing"]


async def test_merge_repoints_codings_and_undo_restores(sample_project):
    seg = segments(sample_project)[0]
    app = make_app(sample_project, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("2")  # Inter-agency partnership on the first segment
        await open_codebook(pilot, app)
        await pilot.press("j", "M")  # merge the 2nd code (Inter-agency partnership) into…
        await pilot.pause()
        picker = app.screen.query_one("OptionList")
        picker.highlighted = 0  # …Collaboration
        await pilot.press("enter")
        await pilot.pause()
        assert mine(sample_project) == [
            ("fg_case_managers.docx", seg.start, seg.end, "Collaboration")
        ]
        assert ("Inter-agency partnership", 1, "retired") in codes(sample_project, retired=True)
        await pilot.press("u")
        await pilot.pause()
    assert mine(sample_project) == [
        ("fg_case_managers.docx", seg.start, seg.end, "Inter-agency partnership")
    ]
    assert ("Inter-agency partnership", 1, "active") in codes(sample_project)


async def test_move_retire_hotkey_and_export(sample_project, tmp_path):
    app = make_app(sample_project, "ana")
    out = tmp_path / "book.yaml"
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await open_codebook(pilot, app)
        await pilot.press("j", "K")  # Inter-agency partnership above… nothing: first child
        await pilot.press("j", "K")  # Information sharing up: now before Inter-agency
        await pilot.pause()
        assert [c[0] for c in codes(sample_project)][1:3] == [
            "Information sharing",
            "Inter-agency partnership",
        ]
        await pilot.press("less_than_sign")  # Information sharing out to the top level
        await pilot.press("R")  # …and retire it
        await pilot.press("E", *["backspace"] * 200, *str(out), "enter")
        await pilot.pause()
    names = [c[0] for c in codes(sample_project)]
    assert "Information sharing" not in names
    exported = load_codebook(out)
    retired = [s for s, _ in exported.walk() if s.status == "retired"]
    assert [s.name for s in retired] == ["Information sharing"]
    assert [s.name for s in exported.codes][:2] == ["Collaboration", "Information sharing"]


async def test_memos_screen_filters_and_jumps(sample_project):
    app = make_app(sample_project, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("j", "j", "m", *"first memo", "ctrl+s")
        coding = screen(app)
        coding.open_document(coding.store.documents.by_name("int_patrol_officer.txt").id)
        await pilot.press("j", "j", "j", "m", *"second memo", "ctrl+s", "M")
        await pilot.pause()
        assert isinstance(app.screen, MemosScreen)
        table = app.screen.query_one("DataTable")
        assert table.row_count == 2
        await pilot.press("enter")  # the first row: fg_case_managers.docx, segment 2
        await pilot.pause()
        assert isinstance(app.screen, CodingScreen)
        assert app.screen.document.name == "fg_case_managers.docx"
        assert app.screen.view.current_index == 2


async def test_a_four_hour_focus_group_opens_and_scrolls(tmp_path, empty_project):
    turn = (
        "OFFICER {n}: We waited with him for the case manager, like the training said. "
        "She came out in twenty minutes, which is fast for a Tuesday. Honestly that was "
        "the best handoff we had all month.\n\n"
    )
    big = tmp_path / "marathon.txt"
    big.write_text("".join(turn.format(n=i % 7) for i in range(1000)))  # 3,000 segments
    assert cli("import", empty_project, big).exit_code == 0
    app = make_app(empty_project, "ana")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        view = screen(app).view
        assert len(view.rows) == 3000
        await pilot.press("G")
        await pilot.pause()
        assert view.current_index == 2999
        assert view.scroll_offset.y > 0
        await pilot.press("k", "w")
    assert len(mine(empty_project)) == 1
