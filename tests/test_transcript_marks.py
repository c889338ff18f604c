"""What the transcript pane draws: overlapping codes told apart, a colour for every code, search
words highlighted after a jump, and every code named under a segment even at 80 columns."""

from __future__ import annotations

from rich.color import Color

from qualkit.tui.app import make_app
from qualkit.tui.screens.coding import CodingScreen

from .conftest import SAMPLE, cli
from .test_tui import code_names, mine


def coding_screen(app) -> CodingScreen:
    return next(s for s in app.screen_stack if isinstance(s, CodingScreen))


def lines_of(view, row: int, kind: str | None = None):
    """(Line, [(text, style), ...]) of one visible segment, as the pane renders them."""
    first, end = view.layout_.span(row)
    out = []
    for y in range(first, end):
        line = view.layout_.line(y)
        if kind is None or line.kind == kind:
            strip = view.render_line(y - int(view.scroll_offset.y))
            out.append((line, [(s.text, s.style) for s in strip if s.text]))
    return out


def char_styles(line, pieces):
    """The style of every character of a rendered text line (no gutter, no padding)."""
    return [style for text, style in pieces for _ in text][3 : 3 + line.end - line.start]


def hits(view, row) -> str:
    """The characters of a segment drawn in the search-hit style."""
    colour = view.get_component_rich_style("transcript--hit").bgcolor
    return "".join(
        text for _, pieces in lines_of(view, row, "text") for text, style in pieces
        if style.bgcolor == colour
    )


async def test_overlapping_codes_are_marked_and_each_code_keeps_its_colour(sample_project):
    app = make_app(sample_project, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("1", "v", "2")  # the whole segment, then its first word as well
        await pilot.pause()
        view = coding_screen(app).view
        [(line, pieces)] = lines_of(view, 0, "text")[:1]
        styles = char_styles(line, pieces)
        first_word = len(view.segments[0].text.split()[0])
        assert all(s.underline2 and s.bold for s in styles[:first_word])
        rest = styles[first_word + 1 :]
        assert rest and not any(s.underline2 for s in rest) and all(s.underline for s in rest)
        assert {s.color for s in rest} == {Color.parse(view.codes[_id("Collaboration", view)]
                                                       .color)}
    assert {m[3] for m in mine(sample_project)} == set(code_names(sample_project)[:2])


def _id(name, view):
    return next(c.id for c in view.codes.values() if c.name == name)


async def test_codes_without_a_colour_get_distinct_ones(tmp_path):
    project = tmp_path / "p.qualkit"
    book = tmp_path / "book.yaml"
    book.write_text("codes:\n  - name: Alpha\n  - name: Beta\n")
    assert cli("init", project, "--codebook", book).exit_code == 0
    assert cli("import", project, SAMPLE / "int_patrol_officer.txt").exit_code == 0
    app = make_app(project, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("1", "j", "2")
        await pilot.pause()
        view = coding_screen(app).view
        colours = [
            {s.color for s in char_styles(*lines_of(view, row, "text")[0]) if s.underline}
            for row in (0, 1)
        ]
        assert all(len(c) == 1 for c in colours) and colours[0] != colours[1]


async def test_search_words_are_highlighted_after_the_jump_and_esc_in_search_clears(
    sample_project,
):
    app = make_app(sample_project, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"coffee", "enter", "enter")
        await pilot.pause()
        screen = coding_screen(app)
        view = screen.view
        row = view.selection.cursor
        assert hits(view, row).casefold() == "coffee"
        assert "coffee" in view.segments[view.rows[row]].text.casefold()
        await pilot.press("slash", "escape")
        await pilot.pause()
        assert hits(view, row) == ""


async def test_every_code_is_named_under_a_segment_at_80_columns(sample_project):
    app = make_app(sample_project, "ana")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("1", "2", "3", "4", "5", "6")
        await pilot.pause()
        view = coding_screen(app).view
        shown = " ".join(
            "".join(text for text, _ in pieces) for _, pieces in lines_of(view, 0, "codes")
        )
        for name in code_names(sample_project)[:6]:
            assert name in shown, (name, shown)
