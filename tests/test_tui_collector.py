"""Garbage is swept while the coder pauses, not inside a key (issue 12: one key in ~1,330 froze
for a second when a full collection swept the cycles Textual's strips leave behind)."""

from __future__ import annotations

import gc

from qualkit.tui.app import make_app

from .test_tui import screen


async def test_a_full_collection_runs_when_the_keys_pause_and_not_while_they_come(sample_project):
    thresholds = gc.get_threshold()
    app = make_app(sample_project, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert gc.get_freeze_count() > 0  # what was alive with the first screen is left alone
        assert gc.get_threshold()[2] == 1000  # automatic full collections are rare
        collector = app.collector
        for _ in range(6):  # keys 0.1 s apart: no sweep in between
            await pilot.press("j", "1")
            await pilot.pause(0.1)
        assert collector.collections == 0
        await pilot.pause(0.8)  # a pause longer than half a second
        assert collector.collections == 1
        assert screen(app).view.current_index == 6
    # The app has gone: collection is as it was for whatever runs next in this process.
    assert gc.get_threshold() == thresholds and gc.get_freeze_count() == 0
