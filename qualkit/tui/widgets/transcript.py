"""The transcript pane: segments with speakers, coded spans in their code's colour and the codes
named under each segment. It renders only the lines on screen (Textual's Line API), so a
four-hour focus group of thousands of segments opens and scrolls as fast as a short interview."""

from __future__ import annotations

import re
from bisect import bisect_left

from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from qualkit.models import Code, Coding, Segment
from qualkit.tui.layout import GUTTER, Layout, Selection
from qualkit.tui.widgets.segment_codings import (
    codings_of,
    index_codings,
    segments_overlapping,
    swap_codings,
)
from qualkit.tui.widgets.transcript_paint import (
    LinePainter,
    Marks,
    PaintStyles,
    RowShapes,
    hit_pattern,
)

_WORDS = re.compile(r"\S+")


class TranscriptView(ScrollView, can_focus=True):
    """Shows one document; the screen tells it what to show and moves the selection."""

    COMPONENT_CLASSES = {
        "transcript--speaker",
        "transcript--cursor",
        "transcript--selected",
        "transcript--codes",
        "transcript--others",
        "transcript--words",
        "transcript--hit",
    }
    DEFAULT_CSS = """
    TranscriptView { background: $surface; }
    TranscriptView > .transcript--speaker { color: $accent; text-style: bold; }
    TranscriptView > .transcript--cursor { color: $accent; text-style: bold; }
    TranscriptView > .transcript--selected { background: $boost; }
    TranscriptView > .transcript--codes { color: $text-muted; }
    TranscriptView > .transcript--others { color: $text-muted; text-style: italic; }
    TranscriptView > .transcript--words { text-style: reverse; }
    TranscriptView > .transcript--hit { background: $warning 45%; text-style: bold; }
    """

    # Arrow keys move the selection (not the scroll position) while the transcript has focus;
    # the coding screen binds j/k/J/K/h/l/H/L to the same actions wherever the focus is.
    BINDINGS = [
        Binding("down", "move(1)", show=False),
        Binding("up", "move(-1)", show=False),
        Binding("shift+down", "move(1, True)", show=False),
        Binding("shift+up", "move(-1, True)", show=False),
        Binding("right", "word(1)", show=False),
        Binding("left", "word(-1)", show=False),
        Binding("shift+right", "word(1, True)", show=False),
        Binding("shift+left", "word(-1, True)", show=False),
        Binding("home", "edge(-1)", show=False),
        Binding("end", "edge(1)", show=False),
    ]

    class Moved(Message):
        """The cursor or the selection changed."""

    class Clicked(Message):
        """A segment was clicked (the selection moved to it)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.segments: list[Segment] = []
        self.starts: list[int] = []
        self.rows: list[int] = []  # visible segments: indexes into self.segments
        self.selection = Selection()
        self.layout_ = Layout()
        self.codes: dict[int, Code] = {}
        self.code_order: dict[int, int] = {}
        self.coder_id = 0
        self.coder_names: dict[int, str] = {}
        self.show_others = False
        self.by_segment: dict[int, list[Coding]] = {}
        self.mine: set[int] = set()  # segment indexes holding a coding of the view's coder
        self.memos: set[int] = set()  # segment indexes with a memo of mine
        self._width = 0
        self._home: int | None = None
        self._versions: dict[int, int] = {}  # per segment: bumped when its codings change
        self._strips: LRUCache[tuple, Strip] = LRUCache(4096)
        self.hit_terms: tuple[str, ...] = ()  # the last search's words, highlighted
        self._hits: re.Pattern[str] | None = None
        self._styles: PaintStyles | None = None  # resolved on the first line drawn

    # -- what to show (called by the screen) ------------------------------------------------------

    def show_document(self, segments: list[Segment], *, layout: bool = True) -> None:
        """Show ``segments``; ``layout=False`` if the caller lays out next (with the codings)."""
        self.segments = segments
        self.starts = [s.start for s in segments]  # for finding a span's segments by bisection
        self.rows = list(range(len(segments)))
        self._home: int | None = None
        self.selection = Selection()
        if layout:
            self.relayout()
        self.scroll_to(y=0, animate=False)

    def set_hits(self, query: str) -> None:
        """Highlight the words of a search (each as a word prefix); an empty query clears."""
        self.hit_terms = tuple(w.casefold() for w in re.findall(r"\w+", query))
        self._hits = hit_pattern(self.hit_terms)
        self._strips.clear()
        self.refresh()

    def set_codes(self, codes: list[Code]) -> None:
        renamed = [(c.id, c.name) for c in codes] != [(c.id, c.name) for c in self.codes.values()]
        self.codes = {c.id: c for c in codes}
        self.code_order = {c.id: i for i, c in enumerate(codes)}
        if renamed and self.segments:  # labels renamed or reordered may wrap to other heights
            self.relayout()
        else:
            self._strips.clear()  # colours may have changed

    def set_codings(self, codings: list[Coding], memo_spans: list[tuple[int, int]]) -> None:
        """Index codings and memos by segment; call ``relayout`` or ``refresh_rows`` after."""
        self.by_segment, self.mine = index_codings(self.segments, self.starts, codings,
                                                   self.coder_id)
        self.memos = {i for start, end in memo_spans
                      for i in segments_overlapping(self.segments, self.starts, start, end)}

    def update_codings(self, removed: list[Coding], added: list[Coding]) -> set[int]:
        """Swap the few codings a key changed; returns the segments to repaint."""
        return swap_codings(self.segments, self.starts, self.by_segment, self.mine,
                            self.coder_id, removed, added)

    def shown_codings(self, coder_id: int, code_id: int, start: int, end: int) -> list[Coding]:
        """The codings on screen of one coder and code that overlap [start, end)."""
        return codings_of(self.segments, self.starts, self.by_segment, coder_id, code_id,
                          start, end)

    def set_filter(self, rows: list[int]) -> None:
        # A filter that shows nothing has no cursor: keep the segment it left, for the next one.
        current = self.current_index if self.rows else self._home
        self._home = current
        self.rows = rows
        row = bisect_left(rows, current) if current is not None else 0
        self.selection = Selection(cursor=min(row, max(len(rows) - 1, 0)))
        self.selection.anchor = self.selection.cursor
        self.relayout()  # which brings the cursor into view once laid out

    # -- layout ---------------------------------------------------------------------------------

    @property
    def text_width(self) -> int:
        return max(self.scrollable_content_region.width - GUTTER - 1, 10)

    def relayout(self) -> None:
        self._strips.clear()
        if not self.scrollable_content_region.width:
            # Not on screen yet: laying out now would wrap at a guessed width and then again at
            # the real one. The first resize lays the document out once, at its width.
            self._width = 0
            self.layout_.reset([], lambda row: [])
            return
        self._width = self.text_width
        if len(self.rows) > self.size.height and not self.show_vertical_scrollbar:
            self._width -= self.styles.scrollbar_size_vertical  # it is coming: wrap beside it
        shapes = self._shapes()
        self.layout_.reset(list(map(shapes.height, range(len(self.rows)))), shapes.lines)
        self.virtual_size = Size(self._width + GUTTER, self.layout_.total)
        self.refresh()
        self.call_after_refresh(self._laid_out)

    def _laid_out(self) -> None:
        # The new height may have brought or removed the scrollbar, which narrows or widens the
        # text: wrap again at the width there is now (narrower never needs fewer lines, so this
        # settles). Then bring the cursor back (not before: scrolling is clamped to the height).
        if self._width and self.text_width != self._width:
            self.relayout()
        else:
            self.scroll_to_cursor()

    def refresh_rows(self, indexes: set[int]) -> None:
        """Re-lay out the segments (indexes into ``segments``) whose codings or memos changed."""
        shapes = self._shapes()
        heights = {}
        for index in indexes:
            self._versions[index] = self._versions.get(index, 0) + 1
            row = bisect_left(self.rows, index)  # rows are in document order
            if self._width and row < len(self.rows) and self.rows[row] == index:
                heights[row] = shapes.height(row)
        if heights:
            self.layout_.change(heights, shapes.lines)
            self._set_height(self.layout_.total)
            if self.selection.cursor in heights:  # its new code line stays in view
                self.scroll_to_cursor()
        self.refresh()

    def _set_height(self, total: int) -> None:
        """Grow or shrink the scrollable height quietly: assigning ``virtual_size`` re-lays out
        every widget (30 ms), for a code line that changes only this pane. Not so when the
        scrollbar comes or goes: that changes the width too."""
        size = Size(self._width + GUTTER, total)
        height = self.scrollable_content_region.height
        if (total > height) != (self.virtual_size.height > height):
            self.virtual_size = size
            self.call_after_refresh(self._laid_out)
            return
        self.set_reactive(TranscriptView.virtual_size, size)
        self._scroll_update(size)

    def _shapes(self) -> RowShapes:
        return RowShapes(self.segments, self.rows, self.marks(), self._width)

    def on_resize(self) -> None:
        if self.segments and self.text_width != self._width:
            self.relayout()

    # -- painting -------------------------------------------------------------------------------

    def marks(self) -> Marks:
        """What the pane names on this document now (a snapshot: the screen sets the fields)."""
        return Marks(self.codes, self.code_order, self.coder_id, self.coder_names,
                     self.show_others, self.by_segment, self.memos)

    def _painter(self) -> LinePainter:
        if self._styles is None:
            self._styles = PaintStyles.resolve(self.get_component_rich_style)
        selection = self.selection
        return LinePainter(
            segments=self.segments,
            rows=self.rows,
            cursor=selection.cursor,
            selected=selection.rows,
            word_span=self.word_span() if selection.span_mode else None,
            marks=self.marks(),
            hits=self._hits,
            label_width=self._width,
            pane=self.rich_style,
            styles=self._styles,
        )

    def notify_style_update(self) -> None:
        # The theme or the CSS changed: Textual drops its component styles, and so do we.
        super().notify_style_update()
        self._styles = None

    def render_line(self, y: int) -> Strip:
        line = self.layout_.line(int(self.scroll_offset.y) + y)
        width = self.scrollable_content_region.width
        if line is None:
            return Strip.blank(width, self.rich_style)
        # Lines are cached: a key press repaints the whole pane, but only the lines of the
        # segments it touched (their version changed) or of the selection are drawn again.
        selection = self.selection
        key = (
            line,
            width,
            self.app.theme,
            line.row in selection.rows,
            line.row == selection.cursor,
            self._versions.get(self.rows[line.row], 0),
            self.word_span() if selection.span_mode and line.row == selection.cursor else None,
        )
        strip = self._strips.get(key)
        if strip is None:
            strip = self._painter().draw(line, width, selected=key[3])
            self._strips[key] = strip
        return strip

    # -- selection ------------------------------------------------------------------------------

    @property
    def current_index(self) -> int | None:
        """Index into ``segments`` of the cursor's segment."""
        if not self.rows:
            return None
        return self.rows[min(self.selection.cursor, len(self.rows) - 1)]

    def codes_at(self, index: int) -> list[Code]:
        """The codes named under a segment (mine, and the others' when shown), once each."""
        return list({code.id: code for _, code in self.marks().labels(index)}.values())

    @property
    def selected_indexes(self) -> list[int]:
        return [self.rows[row] for row in self.selection.rows if row < len(self.rows)]

    def selected_spans(self) -> list[tuple[int, int]]:
        """Document offsets of the selection: whole segments, or the chosen words in span mode."""
        if not self.rows:
            return []
        if self.selection.span_mode:
            return [self.word_span()]
        return [(self.segments[i].start, self.segments[i].end) for i in self.selected_indexes]

    def move(self, delta: int, *, extend: bool = False) -> None:
        if not self.rows:
            return
        old_rows = set(self.selection.rows)
        cursor = min(max(self.selection.cursor + delta, 0), len(self.rows) - 1)
        self.selection.cursor = cursor
        if not extend:
            self.selection.anchor = cursor
        self.selection.span_mode = False
        self._repaint(old_rows | set(self.selection.rows))
        self.scroll_to_cursor()
        self.post_message(self.Moved())

    def action_move(self, delta: int, extend: bool = False) -> None:
        self.move(delta, extend=extend)

    def action_word(self, delta: int, extend: bool = False) -> None:
        self.move_word(delta, extend=extend)

    def action_edge(self, direction: int) -> None:
        self.move(direction * len(self.rows))

    def move_to_index(self, index: int) -> None:
        """Put the cursor on a segment (index into ``segments``), if it is visible."""
        if index in self.rows:
            row = self.rows.index(index)
            self.move(row - self.selection.cursor)

    def _repaint(self, rows: set[int]) -> None:
        # ``refresh_lines`` takes lines of the whole document (virtual lines) and subtracts the
        # scroll offset itself; subtracting it here too marked lines above the pane as dirty, so
        # once scrolled the old cursor and words stayed drawn where they were.
        for row in rows:
            if 0 <= row < len(self.layout_.heights):
                start, end = self.layout_.span(row)
                self.refresh_lines(start, end - start)

    def scroll_to_cursor(self) -> None:
        if not self.rows or not self._width:
            return
        start, end = self.layout_.span(self.selection.cursor)
        top, height = int(self.scroll_offset.y), self.scrollable_content_region.height
        if start < top:
            self.scroll_to(y=max(start - 1, 0), animate=False)
        elif end > top + height:
            self.scroll_to(y=end - height + 1, animate=False)

    # -- word (span) mode -----------------------------------------------------------------------

    def words(self) -> list[tuple[int, int]]:
        index = self.current_index
        if index is None:
            return []
        segment = self.segments[index]
        return [
            (segment.start + m.start(), segment.start + m.end())
            for m in _WORDS.finditer(segment.text)
        ]

    def word_span(self) -> tuple[int, int]:
        words = self.words()
        a, b = sorted((self.selection.word_anchor, self.selection.word_cursor))
        return words[a][0], words[b][1]

    def toggle_span_mode(self) -> bool:
        self.selection.anchor = self.selection.cursor
        self.selection.span_mode = not self.selection.span_mode and bool(self.words())
        self.selection.word_cursor = self.selection.word_anchor = 0
        self._repaint({self.selection.cursor})
        self.post_message(self.Moved())
        return self.selection.span_mode

    def move_word(self, delta: int, *, extend: bool = False) -> None:
        count = len(self.words())
        if not self.selection.span_mode or not count:
            return
        cursor = min(max(self.selection.word_cursor + delta, 0), count - 1)
        self.selection.word_cursor = cursor
        if not extend:
            self.selection.word_anchor = cursor
        self._repaint({self.selection.cursor})
        self.post_message(self.Moved())

    # -- mouse ----------------------------------------------------------------------------------

    def on_click(self, event) -> None:
        offset = event.get_content_offset(self)
        if offset is None:  # on the border or the scrollbar
            return
        line = self.layout_.line(int(self.scroll_offset.y) + offset.y)
        if line is not None:
            self.move(line.row - self.selection.cursor)
            self.post_message(self.Clicked())
