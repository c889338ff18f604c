"""The workbench keeps running when the project cannot be written (issue 9 §2): it says so in
the status bar, writes nothing half-way, and the same key works once the project is free."""

from __future__ import annotations

import sqlite3

from qualkit.tui.app import make_app
from qualkit.tui.screens.coding import CodingScreen
from tests.test_tui import mine


async def test_a_lock_that_outlasts_the_wait_shows_not_saved_and_the_key_works_again(
    sample_project,
):
    app = make_app(sample_project, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.store._sql("PRAGMA busy_timeout = 100")  # keep the test short
        app.store.write_wait = 0.3
        other = sqlite3.connect(sample_project, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        await pilot.press("1")
        await pilot.pause()
        coding = next(s for s in app.screen_stack if isinstance(s, CodingScreen))
        status = str(coding.query_one("#status").render())
        assert "NOT SAVED (project busy): press the key again" in status
        assert app.is_running
        other.execute("ROLLBACK")
        other.close()
        assert mine(sample_project) == []
        await pilot.press("1")
        await pilot.pause()
        assert "applied" in str(coding.query_one("#status").render())
    assert len(mine(sample_project)) == 1
