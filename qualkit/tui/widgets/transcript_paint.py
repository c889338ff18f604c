"""Drawing one line of the transcript pane: the gutter, coded spans in their code's colour, the
speaker, and the codes named under a segment. Mixed into ``TranscriptView``, which caches the
strips these methods return."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.segment import Segment as RichSegment
from rich.style import Style
from textual.strip import Strip

from qualkit.tui.layout import GUTTER, Line

if TYPE_CHECKING:
    from qualkit.models import Code


# Distinct hues for codes that have no colour of their own (readable on light and dark themes).
FALLBACK_COLORS = (
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#e377c2", "#8c564b",
    "#bcbd22", "#7f7f7f",
)


class TranscriptPainting:
    """Uses the view's segments, rows, selection, codings, codes and search terms."""

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
        layers = [0] * len(styles)  # how many of my codes cover each character
        offset = segment.start + line.start
        mine = [c for c in self.by_segment.get(index, ()) if c.coder_id == self.coder_id]
        for coding in sorted(mine, key=lambda c: -self.code_order.get(c.code_id, 0)):
            style = base + Style(color=self._code_color(coding.code_id), underline=True)
            for i in range(max(coding.start - offset, 0), min(coding.end - offset, len(styles))):
                styles[i] = style
                layers[i] += 1
        # Where two or more codes overlap, a double underline and bold mark it, so an overlap
        # never passes for one code's span (its colour is the first code in codebook order).
        overlap = Style(bold=True, underline2=True)
        styles = [st + overlap if n > 1 else st for st, n in zip(styles, layers, strict=True)]
        if self.hit_terms:
            full = self.get_component_rich_style("transcript--hit")
            hit = Style(bgcolor=full.bgcolor, color=full.color, bold=True)
            text = segment.text[line.start : line.end]
            for match in self._hit_pattern().finditer(text):
                for i in range(match.start(), match.end()):
                    styles[i] = styles[i] + hit
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

    def _code_color(self, code_id: int) -> str:
        code = self.codes.get(code_id)
        if code is not None and code.color:
            return code.color
        # A code without a colour still gets one of its own, so two codes never look alike.
        return FALLBACK_COLORS[self.code_order.get(code_id, code_id) % len(FALLBACK_COLORS)]

    def _hit_pattern(self) -> re.Pattern[str]:
        if self._hit_regex is None:
            words = "|".join(re.escape(t) for t in sorted(self.hit_terms, key=len, reverse=True))
            self._hit_regex = re.compile(rf"\b(?:{words})\w*", re.IGNORECASE)
        return self._hit_regex

    def _code_rows(self, index: int, width: int) -> list[list[tuple[str, str, str | None]]]:
        """The labels under a segment (memo mark, then each code), packed into lines of
        ``width`` cells: (text, "muted" / "others" / "dot", colour) pieces per line."""
        items: list[list[tuple[str, str, str | None]]] = []
        if index in self.memos:
            items.append([("✎ memo  ", "muted", None)])
        for who, code in self._code_labels(index):
            kind = "others" if who else "muted"
            item = [(f"{who}: ", kind, None)] if who else []
            item += [("● ", "dot", self._code_color(code.id)), (code.name + "  ", kind, None)]
            items.append(item)
        rows: list[list[tuple[str, str, str | None]]] = [[]]
        used = 0
        for item in items:
            size = sum(cell_len(text) for text, _, _ in item)
            if used and used + size > width:
                rows.append([])
                used = 0
            rows[-1].extend(item)
            used += size
        return rows

    def _codes_line(self, line: Line, base: Style) -> list[RichSegment]:
        index = self.rows[line.row]
        styles = {
            "muted": base + self._component("transcript--codes"),
            "others": base + self._component("transcript--others"),
        }
        out = [RichSegment(" " * GUTTER, base)]
        rows = self._code_rows(index, self._width)
        for text, kind, color in rows[line.start] if line.start < len(rows) else []:
            style = base + Style(color=color) if kind == "dot" else styles[kind]
            out.append(RichSegment(text, style))
        return out


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole // 60 % 60:02d}:{whole % 60:02d}"
