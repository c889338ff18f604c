"""Drawing one line of the transcript pane: the gutter, coded spans in their code's colour, the
speaker, and the codes named under a segment. Mixed into ``TranscriptView``, which caches the
strips these methods return."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.segment import Segment as RichSegment
from rich.style import Style
from textual.strip import Strip

from qualkit.tui.layout import GUTTER, Line

if TYPE_CHECKING:
    from qualkit.models import Code


class TranscriptPainting:
    """Uses the view's segments, rows, selection, codings and codes."""

    def _draw(self, line: Line, width: int, *, selected: bool) -> Strip:
        base = self.rich_style + (
            self.get_component_rich_style("transcript--selected") if selected else Style()
        )
        if line.kind == "text":
            segments = self._text_line(line, base)
        elif line.kind == "speaker":
            segment = self.segments[self.rows[line.row]]
            style = base + self._component("transcript--speaker")
            segments = [RichSegment(" " * GUTTER, base), RichSegment(segment.speaker or "", style)]
            if segment.start_time is not None:  # where the turn starts in the recording
                muted = base + self._component("transcript--codes")
                segments.append(RichSegment(f"  {_clock(segment.start_time)}", muted))
        elif line.kind == "codes":
            segments = self._codes_line(line, base)
        else:
            segments = []
        return Strip(segments).extend_cell_length(width, base).crop(0, width)

    def _gutter(self, line: Line, base: Style) -> RichSegment:
        if line.row == self.selection.cursor and line.first:
            return RichSegment("▶  ", base + self._component("transcript--cursor"))
        if line.row in self.selection.rows:
            return RichSegment("┃  ", base + self._component("transcript--cursor"))
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
        styles = [base] * (line.end - line.start)
        offset = segment.start + line.start
        mine = [c for c in self.by_segment.get(index, ()) if c.coder_id == self.coder_id]
        for coding in sorted(mine, key=lambda c: -self.code_order.get(c.code_id, 0)):
            color = self.codes[coding.code_id].color if coding.code_id in self.codes else None
            style = base + Style(color=color, underline=True)
            for i in range(max(coding.start - offset, 0), min(coding.end - offset, len(styles))):
                styles[i] = style
        if self.selection.span_mode and line.row == self.selection.cursor:
            start, end = self.word_span()
            words = self._component("transcript--words")
            for i in range(max(start - offset, 0), min(end - offset, len(styles))):
                styles[i] = styles[i] + words
        return styles

    def _code_labels(self, index: int) -> list[tuple[str | None, Code]]:
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

    def _codes_line(self, line: Line, base: Style) -> list[RichSegment]:
        index = self.rows[line.row]
        muted = base + self._component("transcript--codes")
        others = base + self._component("transcript--others")
        out = [RichSegment(" " * GUTTER, base)]
        if index in self.memos:
            out.append(RichSegment("✎ memo  ", muted))
        for who, code in self._code_labels(index):
            style = others if who else muted
            if who:
                out.append(RichSegment(f"{who}: ", style))
            out.append(RichSegment("● ", base + Style(color=code.color) if code.color else style))
            out.append(RichSegment(code.name + "  ", style))
        return out


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole // 60 % 60:02d}:{whole % 60:02d}"
