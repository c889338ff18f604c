"""Laying out and drawing the transcript pane's lines: how many lines each segment takes
(``RowShapes``), and one line drawn (``LinePainter``): the gutter, coded spans in their code's
colour, the speaker, and the codes named under a segment.

``TranscriptView`` owns the state; on a cache miss it hands a ``LinePainter`` an immutable
snapshot of what the line needs (segments, selection, ``Marks``, search hits, ``PaintStyles``),
so nothing here reads the view behind its back."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence, Set
from dataclasses import dataclass

from rich.cells import cell_len
from rich.segment import Segment as RichSegment
from rich.style import Style
from textual.strip import Strip

from qualkit.models import Code, Coding, Segment
from qualkit.tui.layout import GUTTER, Line, wrap

# Distinct hues for codes that have no colour of their own (readable on light and dark themes).
FALLBACK_COLORS = (
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#e377c2", "#8c564b",
    "#bcbd22", "#7f7f7f",
)

# One label piece under a segment: (text, "muted" / "others" / "dot", colour of a dot).
Piece = tuple[str, str, str | None]


@dataclass(frozen=True)
class Marks:
    """The codings and memos the pane names on a document: whose, which code, in which colour.
    Also what lays out the code lines under a segment (their count sets the segment's height)."""

    codes: Mapping[int, Code]  # every code, retired ones included, by id
    code_order: Mapping[int, int]  # codebook order, by code id
    coder_id: int  # whose codes are drawn in the text
    coder_names: Mapping[int, str]
    show_others: bool  # name the other coders' codes under a segment too
    by_segment: Mapping[int, Sequence[Coding]]  # by index into the document's segments
    memos: Set[int]  # segment indexes with a memo of mine

    def labels(self, index: int) -> list[tuple[str | None, Code]]:
        """(coder name, or None for mine; code) under a segment, mine first, in codebook order."""
        labels: dict[tuple[str | None, int], Code] = {}
        for coding in self.by_segment.get(index, ()):
            code = self.codes.get(coding.code_id)
            if code is None:
                continue
            if coding.coder_id == self.coder_id:
                labels[(None, code.id)] = code
            elif self.show_others:
                labels[(self.coder_names.get(coding.coder_id, "?"), code.id)] = code
        return sorted(
            ((who, code) for (who, _), code in labels.items()),
            key=lambda item: (
                item[0] is not None,
                item[0] or "",
                self.code_order.get(item[1].id, 0),
            ),
        )

    def coded(self) -> set[int]:
        """The segments ``coder_id`` has coded (any code, any part of them)."""
        mine = self.coder_id
        return {i for i, cs in self.by_segment.items() if any(c.coder_id == mine for c in cs)}

    def changed_since(self, before: Marks) -> set[int]:
        """The segments whose codings (by id) or memo mark differ from ``before``'s."""
        old = {i: [c.id for c in cs] for i, cs in before.by_segment.items()}
        new = {i: [c.id for c in cs] for i, cs in self.by_segment.items()}
        changed = {i for i in old.keys() | new.keys() if old.get(i) != new.get(i)}
        return changed | (set(before.memos) ^ set(self.memos))

    def color(self, code_id: int) -> str:
        code = self.codes.get(code_id)
        if code is not None and code.color:
            return code.color
        # A code without a colour still gets one of its own, so two codes never look alike.
        return FALLBACK_COLORS[self.code_order.get(code_id, code_id) % len(FALLBACK_COLORS)]

    def label_rows(self, index: int, width: int) -> list[list[Piece]]:
        """The labels under a segment (memo mark, then each code), packed into lines of
        ``width`` cells."""
        items: list[list[Piece]] = []
        if index in self.memos:
            items.append([("✎ memo  ", "muted", None)])
        for who, code in self.labels(index):
            kind = "others" if who else "muted"
            item: list[Piece] = [(f"{who}: ", kind, None)] if who else []
            item += [("● ", "dot", self.color(code.id)), (code.name + "  ", kind, None)]
            items.append(item)
        rows: list[list[Piece]] = [[]]
        used = 0
        for item in items:
            size = sum(cell_len(text) for text, _, _ in item)
            if used and used + size > width:
                rows.append([])
                used = 0
            rows[-1].extend(item)
            used += size
        return rows


@dataclass(frozen=True)
class RowShapes:
    """How each visible segment (row) is laid out at ``width``: a gap and the speaker where a
    turn starts, the wrapped text, the code labels under it. Heights are worked out for every
    row when the pane lays out; the lines themselves only for the rows drawn."""

    segments: Sequence[Segment]
    rows: Sequence[int]  # visible segments: indexes into ``segments``
    marks: Marks
    width: int

    def parts(self, row: int) -> tuple[list[str], list[tuple[int, int]], int]:
        """Kinds of the lines above the text, the text's line offsets, how many code lines."""
        index = self.rows[row]
        segment = self.segments[index]
        above = []
        if row == 0 or segment.turn != self.segments[self.rows[row - 1]].turn:
            if row:
                above.append("gap")
            if segment.speaker:
                above.append("speaker")
        labels = 0
        if index in self.marks.by_segment or index in self.marks.memos:
            found = self.marks.label_rows(index, self.width)  # wrapped to the pane's width
            labels = len(found) if found[0] else 0
        return above, wrap(segment.text, self.width), labels

    def height(self, row: int) -> int:
        above, text, labels = self.parts(row)
        return len(above) + len(text) + labels

    def lines(self, row: int) -> list[Line]:
        above, text, labels = self.parts(row)
        return [
            *(Line(row, kind) for kind in above),
            *(Line(row, "text", a, b, first=i == 0) for i, (a, b) in enumerate(text)),
            *(Line(row, "codes", k) for k in range(labels)),
        ]


@dataclass(frozen=True)
class PaintStyles:
    """The pane's component styles, resolved against the current theme. All but ``selected``
    keep only their foreground (colour, weight) so that a selected line keeps its background."""

    selected: Style
    speaker: Style
    cursor: Style
    codes: Style
    others: Style
    words: Style
    hit: Style

    @classmethod
    def resolve(cls, component: Callable[[str], Style]) -> PaintStyles:
        """``component`` gives a component class's full style (``get_component_rich_style``);
        colours come out resolved against the pane (theme colours such as $text-muted are
        translucent)."""

        def fore(name: str) -> Style:
            full = component(name)
            return Style(color=full.color, bold=full.bold, italic=full.italic, reverse=full.reverse)

        hit = component("transcript--hit")
        return cls(
            selected=component("transcript--selected"),
            speaker=fore("transcript--speaker"),
            cursor=fore("transcript--cursor"),
            codes=fore("transcript--codes"),
            others=fore("transcript--others"),
            words=fore("transcript--words"),
            hit=Style(bgcolor=hit.bgcolor, color=hit.color, bold=True),
        )


def hit_pattern(terms: Sequence[str]) -> re.Pattern[str] | None:
    """A search's words, each as a word prefix, longest first; None for no words."""
    if not terms:
        return None
    words = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    return re.compile(rf"\b(?:{words})\w*", re.IGNORECASE)


@dataclass(frozen=True)
class LinePainter:
    """Draws lines of the pane from a snapshot of its state; the view caches the strips."""

    segments: Sequence[Segment]
    rows: Sequence[int]  # visible segments: indexes into ``segments``
    cursor: int  # the cursor's row
    selected: range  # the selection's rows
    word_span: tuple[int, int] | None  # document offsets of the chosen words, in span mode
    marks: Marks
    hits: re.Pattern[str] | None
    label_width: int  # the width the code lines were laid out for
    pane: Style  # the pane's own style (its background and text colour)
    styles: PaintStyles

    def draw(self, line: Line, width: int, *, selected: bool) -> Strip:
        base = self.pane + (self.styles.selected if selected else Style())
        if line.kind == "text":
            segments = self._text_line(line, base)
        elif line.kind == "speaker":
            segment = self.segments[self.rows[line.row]]
            style = base + self.styles.speaker
            segments = [RichSegment(" " * GUTTER, base), RichSegment(segment.speaker or "", style)]
            if segment.start_time is not None:  # where the turn starts in the recording
                muted = base + self.styles.codes
                segments.append(RichSegment(f"  {_clock(segment.start_time)}", muted))
        elif line.kind == "codes":
            segments = self._codes_line(line, base)
        else:
            segments = []
        return Strip(segments).extend_cell_length(width, base).crop(0, width)

    def _gutter(self, line: Line, base: Style) -> RichSegment:
        if line.row == self.cursor and line.first:
            return RichSegment("▶  ", base + self.styles.cursor)
        if line.row in self.selected:
            return RichSegment("┃  ", base + self.styles.cursor)
        return RichSegment("   ", base)

    def _text_line(self, line: Line, base: Style) -> list[RichSegment]:
        index = self.rows[line.row]
        segment = self.segments[index]
        text = segment.text[line.start : line.end]
        styles = self._char_styles(index, line, base)
        out = [self._gutter(line, base)]
        run_start = 0
        for i in range(1, len(text) + 1):
            if i == len(text) or styles[i] != styles[run_start]:
                out.append(RichSegment(text[run_start:i], styles[run_start]))
                run_start = i
        return out

    def _char_styles(self, index: int, line: Line, base: Style) -> list[Style]:
        segment = self.segments[index]
        marks = self.marks
        styles = [base] * (line.end - line.start)
        layers = [0] * len(styles)  # how many of my codes cover each character
        offset = segment.start + line.start
        mine = [c for c in marks.by_segment.get(index, ()) if c.coder_id == marks.coder_id]
        for coding in sorted(mine, key=lambda c: -marks.code_order.get(c.code_id, 0)):
            style = base + Style(color=marks.color(coding.code_id), underline=True)
            for i in range(max(coding.start - offset, 0), min(coding.end - offset, len(styles))):
                styles[i] = style
                layers[i] += 1
        # Where two or more codes overlap, a double underline and bold mark it, so an overlap
        # never passes for one code's span (its colour is the first code in codebook order).
        overlap = Style(bold=True, underline2=True)
        styles = [st + overlap if n > 1 else st for st, n in zip(styles, layers, strict=True)]
        if self.hits is not None:
            text = segment.text[line.start : line.end]
            for match in self.hits.finditer(text):
                for i in range(match.start(), match.end()):
                    styles[i] = styles[i] + self.styles.hit
        if self.word_span is not None and line.row == self.cursor:
            start, end = self.word_span
            for i in range(max(start - offset, 0), min(end - offset, len(styles))):
                styles[i] = styles[i] + self.styles.words
        return styles

    def _codes_line(self, line: Line, base: Style) -> list[RichSegment]:
        index = self.rows[line.row]
        styles = {"muted": base + self.styles.codes, "others": base + self.styles.others}
        out = [RichSegment(" " * GUTTER, base)]
        rows = self.marks.label_rows(index, self.label_width)
        for text, kind, color in rows[line.start] if line.start < len(rows) else []:
            style = base + Style(color=color) if kind == "dot" else styles[kind]
            out.append(RichSegment(text, style))
        return out


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole // 60 % 60:02d}:{whole % 60:02d}"
