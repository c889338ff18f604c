"""The transcript pane draws the cursor and the chosen words where the keys put them, also once
the pane is scrolled, and the code keys code what the screen shows (issue 9, §3)."""

from __future__ import annotations

from textual.geometry import Region

from qualkit.tui.app import make_app

from .test_tui import mine, screen, segments

DOC = "fg_legal_partners.txt"


def drawn(view) -> list[tuple[str, str]]:
    """Each line of the pane as drawn (through Textual's line cache, as the terminal gets it):
    its text and the text shown in reverse video (the words chosen in word mode)."""
    size = view.size
    lines = []
    for strip in view.render_lines(Region(0, 0, size.width, size.height)):
        reverse = "".join(s.text for s in strip if s.style is not None and s.style.reverse)
        lines.append((strip.text, reverse))
    return lines


def arrows(view) -> list[str]:
    """The first 30 characters after each cursor mark drawn."""
    return [text.split("▶", 1)[1].strip()[:30] for text, _ in drawn(view) if "▶" in text]


async def open_scrolled(pilot, app, ordinal: int = 93):
    coding = screen(app)
    coding.open_document(coding.store.documents.by_name(DOC).id, ordinal)
    await pilot.pause()
    assert coding.view.scroll_offset.y > 0  # the case the bug needed: a scrolled pane
    return coding


async def test_k_moves_the_drawn_cursor_and_the_code_key_codes_that_segment(sample_project):
    segs = segments(sample_project, DOC)
    app = make_app(sample_project, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        coding = await open_scrolled(pilot, app)
        assert arrows(coding.view) == [segs[93].text[:30]]
        await pilot.press("k", "k", "k")
        await pilot.pause()
        assert coding.view.current_index == 90
        assert arrows(coding.view) == [segs[90].text[:30]]
        await pilot.press("j")
        await pilot.pause()
        assert arrows(coding.view) == [segs[91].text[:30]]
        await pilot.press("k", "w")
        await pilot.pause()
    assert mine(sample_project) == [(DOC, segs[90].start, segs[90].end, "Warm handoff")]


async def test_extending_while_scrolled_marks_every_selected_line(sample_project):
    segs = segments(sample_project, DOC)
    app = make_app(sample_project, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        coding = await open_scrolled(pilot, app)
        await pilot.press("K", "K")
        await pilot.pause()
        view = coding.view
        marked = [text for text, _ in drawn(view) if text[1:2] in ("▶", "┃")]
        text_lines = sum(
            line.kind == "text" for row in (91, 92, 93) for line in view.layout_.block(row)
        )
        assert len(marked) == text_lines  # every line of the three, and no stale mark
        assert arrows(view) == [segs[91].text[:30]]
        await pilot.press("w")
        await pilot.pause()
    assert mine(sample_project) == [(DOC, segs[91].start, segs[93].end, "Warm handoff")]


async def test_word_mode_draws_the_chosen_words_while_scrolled(sample_project):
    segs = segments(sample_project, DOC)
    target = next(i for i in range(90, 0, -1) if len(segs[i].text.split()) >= 6)
    app = make_app(sample_project, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        coding = await open_scrolled(pilot, app, target)
        words = segs[target].text.split()
        await pilot.press("v")
        await pilot.pause()
        assert [r for _, r in drawn(coding.view) if r] == [words[0]]
        await pilot.press("l", "L")
        await pilot.pause()
        assert [r for _, r in drawn(coding.view) if r] == [f"{words[1]} {words[2]}"]
        await pilot.press("l")
        await pilot.pause()
        assert [r for _, r in drawn(coding.view) if r] == [words[3]]
        await pilot.press("w")
        await pilot.pause()
    seg = segs[target]
    start = seg.start + seg.text.index(words[3], len(" ".join(words[:3])))
    assert mine(sample_project) == [(DOC, start, start + len(words[3]), "Warm handoff")]


def cursor_shown(coding) -> bool:
    """The cursor's segment is on screen, with the cursor mark drawn on it."""
    view = coding.view
    segment = coding.segments[view.current_index]
    return arrows(view) == [segment.text[:30]]


async def pick(pilot, app, code_name: str) -> None:
    picker = app.screen.query_one("OptionList")
    picker.highlighted = next(
        i for i, o in enumerate(picker._options) if code_name in str(o.prompt)
    )
    await pilot.press("enter")
    await pilot.pause()


async def test_clearing_the_code_filter_keeps_the_cursor_in_view(sample_project):
    segs = segments(sample_project, DOC)
    app = make_app(sample_project, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        coding = await open_scrolled(pilot, app, 92)
        await pilot.press("w", "c")
        await pick(pilot, app, "Warm handoff")
        assert coding.view.rows == [92]
        await pilot.press("c")
        await pilot.pause()
        assert coding.view.current_index == 92 and len(coding.view.rows) == len(segs)
        assert cursor_shown(coding)
        await pilot.press("j", "1")
        await pilot.pause()
    first = coding.codes[0].name
    assert (DOC, segs[93].start, segs[93].end, first) in mine(sample_project)


async def test_showing_all_coders_from_the_palette_keeps_the_cursor_in_view(sample_project):
    from .conftest import SAMPLE, cli

    cli("codings", "import", sample_project, SAMPLE / "codings" / "ben.csv", "--coder", "ben")
    app = make_app(sample_project, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        coding = await open_scrolled(pilot, app, 40)
        height = coding.view.scrollable_content_region.height
        top = int(coding.view.scroll_offset.y)
        while coding.view.layout_.span(coding.view.selection.cursor)[1] < top + height - 1:
            await pilot.press("j")  # down to the bottom of the pane, without scrolling
        await pilot.pause()
        assert int(coding.view.scroll_offset.y) == top
        await pilot.press("ctrl+p", *"Other coders", "enter")
        await pilot.pause()
        await pilot.pause()
        assert coding.view.show_others
        assert cursor_shown(coding)
        await pilot.press("c")
        await pick(pilot, app, "Warm handoff")
        await pilot.press("ctrl+p", *"Other coders", "enter")
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        await pilot.pause()
        assert not coding.view.show_others
        assert cursor_shown(coding)


async def test_a_filter_that_shows_nothing_keeps_the_place_for_when_it_is_cleared(sample_project):
    app = make_app(sample_project, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        coding = await open_scrolled(pilot, app, 92)
        await pilot.press("c")
        await pick(pilot, app, "Warm handoff")  # nobody coded it here yet
        assert coding.view.rows == []
        await pilot.press("c")
        await pilot.pause()
        assert coding.view.current_index == 92
        assert cursor_shown(coding)
