"""Laying a transcript out as terminal lines: the word wrap (plain ASCII by string searches,
anything else by cell widths, both held to one definition) and the lazily built lines of a long
document (issue 12: a 4 MB focus group opens without making every line first)."""

from __future__ import annotations

import re
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from qualkit.tui.app import make_app
from qualkit.tui.layout import Layout, Line, wrap

from .test_tui import screen, segments

ASCII_WORDS = st.text(alphabet="ab cd  efghij", max_size=120)
ANY_TEXT = st.text(
    alphabet=st.sampled_from([*"ab cdé  \t\nxyz", "中", "文", "🙂", "ｗ", "\u00a0"]),
    max_size=120,
)


def check_wrap(text: str, width: int) -> None:
    """The definition: lines cover the text in order; each fits the width (trailing spaces
    aside); a line breaks inside a word only when that word alone is wider than a line; and no
    line could have taken the next word too (greedy)."""
    lines = wrap(text, width)
    width = max(width, 8)
    assert lines[0][0] == 0 and lines[-1][1] == len(text)
    for (_, end), (start, _) in pairwise(lines):
        assert end == start
    for a, b in lines:
        assert a < b or len(text) == 0
        assert cell_len(text[a:b].rstrip()) <= width
    for a, b in lines[:-1]:
        if not text[b - 1].isspace():  # broke inside a word: the word had no room of its own
            assert not re.search(r"\s", text[a:b].lstrip())
            assert cell_len(text[a : b + 1]) > width  # and it was cut where it filled the line
        word = re.match(r"\S*", text[b:]).group()
        assert cell_len(text[a : b + len(word)].rstrip()) > width  # greedy


@settings(max_examples=400, deadline=None)
@given(ASCII_WORDS, st.integers(0, 30))
def test_wrap_of_plain_ascii_meets_the_definition(text, width):
    check_wrap(text, width)


@settings(max_examples=400, deadline=None)
@given(ANY_TEXT, st.integers(0, 30))
def test_wrap_of_any_text_meets_the_definition_by_cell_width(text, width):
    check_wrap(text, width)


def test_wrap_examples():
    assert wrap("", 20) == [(0, 0)]
    assert wrap("short line", 20) == [(0, 10)]
    assert wrap("aaaa bbbb cccc", 9) == [(0, 10), (10, 14)]
    assert wrap("aaaa bbbb cccc", 8) == [(0, 5), (5, 10), (10, 14)]
    # A word wider than the line is cut at the width; the next word fits beside its tail.
    assert wrap("abcdefghijkl xy", 8) == [(0, 8), (8, 15)]
    # Wide characters take two cells: four of them fill eight.
    assert wrap("中文中文中文", 8) == [(0, 4), (4, 6)]


def test_layout_makes_lines_only_for_rows_drawn_and_follows_changed_heights():
    built = []

    def build(row):
        built.append(row)
        return [Line(row, "text", k) for k in range(heights_now[row])]

    heights_now = [1, 2, 3, 1]
    layout = Layout()
    layout.reset(list(heights_now), build)
    assert layout.total == 7 and built == []
    assert layout.line(3) == Line(2, "text", 0) and built == [2]
    assert layout.span(2) == (3, 6) and layout.line(7) is None
    heights_now[1] = 4  # row 1 gained two code lines
    layout.change({1: 4}, build)
    assert layout.total == 9 and layout.span(2) == (5, 8)
    assert [layout.line(y).row for y in range(9)] == [0, 1, 1, 1, 1, 2, 2, 2, 3]


async def test_a_long_document_opens_without_laying_out_every_line(sample_project):
    doc = "fg_legal_partners.txt"
    count = len(segments(sample_project, doc))
    app = make_app(sample_project, "ana")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        coding = screen(app)
        coding.open_document(coding.store.documents.by_name(doc).id)
        await pilot.pause()
        view = coding.view
        assert count > 100 and len(view.layout_.heights) == count
        assert len(view.layout_._blocks) < 40  # only the rows on screen were made
        # The heights that were worked out without the lines agree with the lines.
        assert all(len(view.layout_.block(r)) == h for r, h in enumerate(view.layout_.heights))


async def test_every_word_drawn_fits_beside_the_scrollbar(sample_project):
    # Laid out before the scrollbar came, lines were two cells too wide and the pane cut the
    # last word of many lines ("progra" for "program").
    app = make_app(sample_project, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        coding = screen(app)  # the first document, laid out as the workbench came up
        view = coding.view
        assert view.show_vertical_scrollbar and view._width == view.text_width
        drawn = 0
        for y in range(view.scrollable_content_region.height):
            line = view.layout_.line(int(view.scroll_offset.y) + y)
            if line is not None and line.kind == "text":
                text = coding.segments[view.rows[line.row]].text[line.start : line.end].rstrip()
                assert text in view.render_line(y).text
                drawn += 1
        assert drawn > 20
