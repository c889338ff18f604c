"""The workbench keeps the coder's place as they move and code, not only on `q`: a killed
terminal or the palette's Quit reopens where the coder was (issue 9, §4)."""

from __future__ import annotations

import time

from qualkit.store import Store
from qualkit.tui.app import make_app

from .pty_helpers import Terminal
from .test_tui import mine, screen, segments


def saved_position(project, coder="ana") -> str | None:
    with Store.open(project) as store:
        return store.get_meta(f"tui.position.{coder}")


def wait_for(predicate, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_a_killed_workbench_reopens_where_the_coder_was(sample_project):
    with Store.open(sample_project) as store:
        document = store.documents.by_name("fg_case_managers.docx")
    terminal = Terminal("code", str(sample_project), "--coder", "ana")
    try:
        assert wait_for(lambda: b"segment 1/" in terminal.output), terminal.output[-2000:]
        terminal.type("jjjj")
        assert wait_for(lambda: saved_position(sample_project) == f"{document.id}:4")
        terminal.type("kw")  # a coding writes the place at once, with the coding
        assert wait_for(lambda: len(mine(sample_project)) == 1)
        assert saved_position(sample_project) == f"{document.id}:3"
    finally:
        terminal.kill()  # SIGKILL: no `q`, nothing runs on the way out
    seg = segments(sample_project)[3]
    assert mine(sample_project) == [(document.name, seg.start, seg.end, "Warm handoff")]


async def test_the_palettes_quit_keeps_the_place(sample_project):
    app = make_app(sample_project, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("j", "j", "ctrl+p", *"Quit", "enter")
        await pilot.pause()
    app = make_app(sample_project, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert screen(app).view.current_index == 2
