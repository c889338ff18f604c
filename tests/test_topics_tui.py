"""The topics and suggestions screens, driven with Pilot on the synthetic project; every
assertion on the screen is checked against the project file too."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input, OptionList

from qualkit.coding.session import CodingSession
from qualkit.store import Store
from qualkit.topics import TopicOptions
from qualkit.tui.app import make_app
from qualkit.tui.screens.coding import CodingScreen
from qualkit.tui.screens.suggestions import SuggestionsScreen
from qualkit.tui.screens.topics import TopicsScreen
from qualkit.tui.widgets.panels import CodebookPanel

from .topics_helpers import THEMES, FakeEmbedder, fast_parts, make_synthetic_project


@pytest.fixture
def synthetic(tmp_path):
    return make_synthetic_project(tmp_path)


def _screen(app, **options) -> TopicsScreen:
    return TopicsScreen(app.store, CodingSession(app.store, app.coder),
                        options=TopicOptions(min_topic_size=10, **options),
                        embedder=FakeEmbedder(), parts=fast_parts())


async def _fit(app, pilot, screen: TopicsScreen, size: str | None = None) -> None:
    await pilot.press("f")
    await pilot.pause()
    if size is not None:
        app.screen.query_one(Input).value = size
    await pilot.press("enter")
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_fit_in_a_worker_then_promote_review_and_apply_the_new_code(synthetic):
    app = make_app(synthetic, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = _screen(app)
        await app.push_screen(screen)
        await pilot.pause()
        assert screen.report is None and "No topic run yet" in str(
            screen.query_one("#topics-title").render())
        await _fit(app, pilot, screen)
        table = screen.query_one(DataTable)
        assert table.row_count == 3 and screen.query_one("#topics-fitting").has_class("idle")
        boats = next(i for i, t in enumerate(screen.report.topics)
                     if set(THEMES["boats"]) & set(t.row.keywords[:4]))
        table.move_cursor(row=boats)
        await pilot.pause()
        assert "★ candidate new theme" in str(screen.query_one("#topics-quotes").render())

        await pilot.press("p")  # promote: the dialog is seeded from the keywords
        await pilot.pause()
        dialog_input = app.screen.query_one(Input)
        assert dialog_input.value and dialog_input.value[0].isupper()
        dialog_input.value = "Boats"
        await pilot.press("enter")
        await pilot.pause()
        with Store.open(synthetic) as store:
            code = store.codes.by_name("Boats")
            assert code is not None and code.origin == "emergent"

        await pilot.press("s")  # the machine coder suggests, a human reviews
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, SuggestionsScreen)
        assert app.screen.query_one(DataTable).row_count == 30
        await pilot.press("a")
        await pilot.press("r")
        await pilot.pause()
        assert app.screen.query_one(DataTable).row_count == 28
        with Store.open(synthetic) as store:
            ana = store.codings.coder("ana")
            assert store.codings.count(coder_id=ana.id, code_id=code.id) == 1
            assert store.codings.count(code_id=code.id) == 31  # 30 by bertopic, 1 by ana

        await pilot.press("escape")
        await pilot.press("escape")
        await pilot.pause()
        coding = app.screen
        assert isinstance(coding, CodingScreen)
        coding.reload_codes()  # as the coding screen does when the topics screen closes
        panel = coding.query_one(CodebookPanel)
        panel.focus()
        panel.highlighted = [c.id for c in panel.codes].index(code.id)
        await pilot.press("enter")  # apply the emergent code to the current segment
        await pilot.pause()
        with Store.open(synthetic) as store:
            assert store.codings.count(coder_id=ana.id, code_id=code.id) == 2


async def test_map_and_dismiss_with_keys(synthetic):
    app = make_app(synthetic, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = _screen(app)
        await app.push_screen(screen)
        await _fit(app, pilot, screen)
        garden = next(i for i, t in enumerate(screen.report.topics)
                      if set(THEMES["garden"]) & set(t.row.keywords[:4]))
        screen.query_one(DataTable).move_cursor(row=garden)
        await pilot.press("m")
        await pilot.pause()
        picker = app.screen.query_one(OptionList)
        picker.highlighted = [o.id for o in picker.options].index(
            str(app.store.codes.by_name("Gardening").id))
        await pilot.press("enter")
        await pilot.pause()
        with Store.open(synthetic) as store:  # `m` mapped it before `x` dismisses it
            row = store.topics.topic(screen.report.run.id, screen.report.topics[garden].id)
            assert row.status == "mapped"
            assert row.target_code_id == store.codes.by_name("Gardening").id
        await pilot.press("x")
        await pilot.pause()
        with Store.open(synthetic) as store:
            row = store.topics.topic(screen.report.run.id, screen.report.topics[garden].id)
        assert row.status == "dismissed" and row.target_code_id is None
        assert "dismissed" in str(screen.query_one(DataTable).get_row_at(garden))


async def test_a_failed_fit_is_a_notification_not_a_crash(synthetic):
    app = make_app(synthetic, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = _screen(app)
        messages: list[str] = []
        screen.notify = lambda message, **kw: messages.append(message)
        await app.push_screen(screen)
        await _fit(app, pilot, screen, size="50")
        assert any("needs at least 150" in m for m in messages), messages
        assert screen.report is None and screen.query_one("#topics-fitting").has_class("idle")
        with Store.open(synthetic) as store:
            assert store.topics.runs() == []
