"""Speaker turns of plain-text and Markdown transcripts, in the conventions transcribers use.

A line opens a turn when it starts with a speaker label, in any of these forms:

* ``NAME: text`` — up to five words, each starting with a capital or digit ("OFFICER 2",
  "Dr. Lee", "P3"), so that "So the thing is: ..." is not taken for a label;
* ``name: text`` — one lower-case word ("admin-1", "p3", "int"), when it opens two lines or more;
* ``**NAME:**`` / ``**NAME**:`` in Markdown;
* with a time before or after the label: ``[00:01:02] Name:``, ``00:01:02 Name:``,
  ``*04:10 = K:``, ``1.42.30 K:``, ``Name (00:01:02):``, ``Name [00:01:02]:``;
* ``Name 00:01`` alone on a line (Otter, Zoom and Teams transcripts): the text follows below;
* ``[id1] text`` (QualCoder) and ``[Name] 10:05:03 text`` (Zoom), when the bracketed label opens
  two lines or more and is not a transcriber's note such as ``[laughs]``.

Lines without a label continue the turn, one block per paragraph; a time at the start of a line
(``[00:00:05]``, ``(06.46)``) is recorded and left out of the coded text. Not coding units: a
line holding only a time (``[00:00:00:13]``, ``(06.46)``), a page or tape marker, Markdown headings
and rules, and a legend at the top (``I1: Interviewer 1``). Labels that name no one
(``**Break:**``, ``Note:``, ``Date:``) are not speakers: the line is narration.

A house style the rules do not know is given as a regular expression with a named group
``speaker`` (and optionally ``time``), matched at the start of each line; it replaces the rules.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

# hh:mm:ss, mm:ss, h.mm.ss, hh:mm:ss:ff (frames), with optional fractions of a second.
TIME = r"\d{1,2}[:.]\d{2}(?:[:.]\d{2}){0,2}(?:[.,]\d{1,3})?"
_STAMP = rf"(?:\[{TIME}\]|\({TIME}\)|{TIME})"
# A label word starts with a capital or digit (not a time, not "(0" of "Name (00:01):").
_WORD_START = r"(?!\d{1,2}[:.]\d{2})(?:[A-Z0-9]|\((?!\d))"
_UPPER_LABEL = rf"{_WORD_START}[\w'’.()&/-]*(?:[ ]{_WORD_START}[\w'’.()&/-]*){{0,4}}"
_LOWER_LABEL = r"[a-z][a-z0-9_'-]{0,19}"
_BRACKET_LABEL = r"[A-Za-z][\w .'-]{0,39}"
_LEAD = rf"^[ \t]*(?:\*[ \t]*)?(?:(?P<ts>{_STAMP})[ \t]*(?:[=–—-][ \t]*)?)?"
_TURN = re.compile(
    _LEAD + r"(?:"
    rf"\*\*(?P<bold>{_UPPER_LABEL}|{_LOWER_LABEL})(?::\*\*|\*\*:)"
    rf"|(?P<plain>{_UPPER_LABEL}|{_LOWER_LABEL})(?:[ \t]*(?P<ts2>{_STAMP}))?[ \t]*:"
    rf"|\[(?P<bracket>{_BRACKET_LABEL})\](?:[ \t]+(?P<ts3>{_STAMP}))?(?=[ \t]+\S)"
    r")(?:[ \t]+|$)"
)
# "Speaker 1  00:03" alone on its line: the turn's text is on the lines below.
_LABEL_TIME_LINE = re.compile(rf"^[ \t]*(?P<label>{_UPPER_LABEL})[ \t]+(?P<ts>{TIME})[ \t]*$")
# A time alone on its line, in brackets or not; at the start of speech only in brackets, so
# that "10:30 is when we met" keeps its words.
_TIME_LINE = re.compile(rf"^[ \t]*(?P<ts>{_STAMP})[ \t]*$")
_STAMP_LINE = re.compile(rf"^[ \t]*(?P<ts>\[{TIME}\]|\({TIME}\))[ \t]*(?:[=–—-][ \t]*)?")
_ID = r"[\s#.:]*(?:\d+|[A-Za-z])\b"
_MARKER_LINE = re.compile(
    rf"^[\s\W]*(?:(?:page|pg\.?|p\.|tape|side|cassette|track){_ID}"
    rf"(?:[\s,;]+(?:side|of|tape|page){_ID})*"
    r"|(?:end|start|beginning) of (?:the )?(?:tape|side|recording|interview|session)\b"
    r"[\w ,;]{0,20})"
    r"[\s\W]*$",
    re.IGNORECASE,
)
_MD_SKIP = re.compile(r"^(?:#{1,6}\s|[-*_]{3,}\s*$|```)")
_MD_QUOTE = re.compile(r"^\s*>\s?")
# Label words that name no one: such a line is narration, not a speaker's turn.
NOT_SPEAKERS = frozenset(
    """break pause note notes end page tape side date time duration location venue place setting
    present attendees participants transcriber transcribed recording file title subject topic
    session source audio video length language interview transcript comment comments""".split()
)
# Transcribers' notes in brackets, never a QualCoder-style label.
_BRACKET_NOTES = re.compile(
    r"^(?:laugh|inaudible|crosstalk|pause|silence|overlap|unclear|music|noise|cough|sigh|"
    r"long pause|unintelligible|indistinct|applause|background|phone|break|redacted|name|"
    r"sic|end|beep|audio|static|interruption|multiple|all)",
    re.IGNORECASE,
)
_LEGEND_TEXT = re.compile(r"^[A-Z][\w'’.&/-]*(?:[ ,]+[\w'’.&()/-]+){0,5}$")


@dataclass(frozen=True)
class Turn:
    """One speaker's turn: the spans (paragraphs) of what they said, inside the transcript text."""

    speaker: str | None
    blocks: tuple[tuple[int, int], ...]
    timestamp: str | None = None


@dataclass
class Parsed:
    """Turns, time marks (offset, start seconds, end seconds) and what was left out, and why."""

    turns: list[Turn]
    times: list[tuple[int, float, float | None]] = field(default_factory=list)
    legend: dict[str, str] = field(default_factory=dict)
    skipped: Counter = field(default_factory=Counter)


def names_no_one(label: str) -> bool:
    """``Break``, ``Note``, ``Date of interview``: words that label a line, not a person."""
    words = label.strip("* ").lower().split()
    return bool(words) and words[0] in NOT_SPEAKERS


_TIME_PARTS = re.compile(
    r"(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?(?:[:.](\d{2}))?(?:[.,](\d{1,3}))?"
)


def seconds(stamp: str | None) -> float | None:
    """``[00:01:02]``, ``(06.46)``, ``1.42.30``, ``00:00:00:13`` (frames dropped) as seconds."""
    found = _TIME_PARTS.fullmatch(stamp.strip("[]() \t")) if stamp else None
    if found is None:
        return None
    first, second, third, _frames, fraction = found.groups()
    h, m, s = (int(first), int(second), int(third)) if third else (0, int(first), int(second))
    return h * 3600 + m * 60 + s + (float("0." + fraction) if fraction else 0.0)


def hms(value: float | None) -> str | None:
    if value is None:
        return None
    whole = int(value)
    return f"{whole // 3600:02d}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def parse_plain(
    text: str, *, markdown: bool = False, pattern: re.Pattern[str] | None = None
) -> list[Turn]:
    """Speaker turns of a plain-text or Markdown transcript (see the module's docstring)."""
    return parse_lines(text, markdown=markdown, pattern=pattern).turns


def parse_lines(
    text: str, *, markdown: bool = False, pattern: re.Pattern[str] | None = None
) -> Parsed:
    lines = text.split("\n")
    matches = [_label(line, pattern) for line in lines]
    accepted = _accepted_labels(matches, pattern)
    legend = _legend(lines, matches, accepted)
    builder = _TurnBuilder(text)
    pos = 0
    for number, line in enumerate(lines):
        start, pos = pos, pos + len(line) + 1
        builder.line_start = start
        if not line.strip():
            builder.end_block()
            continue
        if number in legend:
            builder.skip("legend")
            continue
        if markdown and _MD_SKIP.match(line):
            builder.end_turn()
            continue
        offset = 0
        if markdown:
            quote = _MD_QUOTE.match(line)
            offset = quote.end() if quote else 0
        found = matches[number]
        if found and found[0] in accepted:
            label, stamp, end, _ = found
            builder.start_turn(label, stamp)
            builder.add_line(start + end, start + len(line))
            continue
        if found and names_no_one(found[0]):
            builder.start_turn(None, found[1])  # "**Break:** ten minutes": narration
            builder.add_line(start + offset, start + len(line))
            continue
        label_time = None if pattern else _LABEL_TIME_LINE.match(line)
        if label_time and not names_no_one(label_time.group("label")):
            builder.start_turn(label_time.group("label"), label_time.group("ts"))
            continue
        alone = _TIME_LINE.match(line, offset)
        if alone:
            builder.mark(alone.group("ts"))
            builder.skip("time marker")
            continue
        if len(line) <= 80 and _MARKER_LINE.match(line):
            builder.skip("page or tape marker")
            continue
        stamp = _STAMP_LINE.match(line, offset)
        if stamp:
            builder.break_block()  # the time belongs to what follows it
            builder.mark(stamp.group("ts"))
            offset = stamp.end()
        builder.add_line(start + offset, start + len(line))
    described = {matches[n][0]: lines[n][matches[n][2] :].strip() for n in sorted(legend)}
    return Parsed(builder.finish(), builder.times, described, builder.skipped)


def _label(line: str, pattern: re.Pattern[str] | None) -> tuple[str, str | None, int, str] | None:
    """(label, time, where the text starts, kind of label) if the line starts like a turn."""
    if pattern is not None:
        found = pattern.match(line)
        if not found or not (found.group("speaker") or "").strip():
            return None
        stamp = found.groupdict().get("time")
        return found.group("speaker").strip(), stamp, found.end(), "pattern"
    found = _TURN.match(line)
    if not found:
        return None
    label = found.group("bold") or found.group("plain") or found.group("bracket")
    stamp = found.group("ts") or found.group("ts2") or found.group("ts3")
    kind = "bracket" if found.group("bracket") else "lower" if label[0].islower() else "upper"
    return label.strip(), stamp, found.end(), kind


def _accepted_labels(matches, pattern) -> set[str]:
    """Capitalised labels always; lower-case and bracketed ones when they open two lines."""
    counts = Counter(m[0] for m in matches if m)
    if pattern is not None:
        return set(counts)
    kinds: dict[str, str] = {}
    for m in matches:
        if m:
            kinds.setdefault(m[0], m[3])
    bracketed = sum(
        n
        for label, n in counts.items()
        if kinds[label] == "bracket" and not _BRACKET_NOTES.match(label)
    )
    accepted = set()
    for label, count in counts.items():
        kind = kinds[label]
        if names_no_one(label) or (kind != "upper" and _BRACKET_NOTES.match(label)):
            continue
        # "OFFICER 2:" is a label even if it speaks once; "p3:" must open two lines, and
        # "[Ben]" counts when bracketed labels open two lines or more.
        if kind == "upper" or count >= 2 or (kind == "bracket" and bracketed >= 2):
            accepted.add(label)
    return accepted


def _legend(lines: list[str], matches, accepted: set[str]) -> set[int]:
    """Line numbers of a legend at the top: two or more adjacent ``I1: Interviewer 1`` lines,
    each a different label that speaks later, with a short description and no sentence."""
    last = {m[0]: n for n, m in enumerate(matches) if m}
    run: list[int] = []
    for number, line in enumerate(lines):
        if not line.strip() or line.lstrip().startswith("#"):
            if run:
                break
            continue
        found = matches[number]
        if not found or found[0] not in accepted or any(matches[n][0] == found[0] for n in run):
            break
        rest = line[found[2] :].strip()
        if not (last[found[0]] > number and _LEGEND_TEXT.match(rest) and rest[-1:] not in ".?!"):
            break
        run.append(number)
    return set(run) if len(run) >= 2 else set()


class _TurnBuilder:
    """Collects turns and their paragraph blocks as lines arrive."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.turns: list[Turn] = []
        self.current: tuple[str | None, str | None] | None = None
        self.blocks: list[tuple[int, int]] = []
        self.block: tuple[int, int] | None = None
        self.times: list[tuple[int, float, float | None]] = []
        self.skipped: Counter = Counter()
        self.line_start = 0

    def start_turn(self, speaker: str | None, timestamp: str | None) -> None:
        self.end_turn()
        self.current = (speaker, hms(seconds(timestamp)) if timestamp else None)
        self.mark(timestamp)

    def mark(self, timestamp: str | None) -> None:
        value = seconds(timestamp)
        if value is not None:
            self.times.append((self.line_start, value, None))

    def skip(self, why: str) -> None:
        """A line that is not a coding unit: it ends the paragraph, not the turn."""
        self.skipped[why] += 1
        self.break_block()

    def break_block(self) -> None:
        if self.block:
            self.blocks.append(self.block)
            self.block = None

    def add_line(self, start: int, end: int) -> None:
        start, end = trim_span(self.text, start, end)
        if start >= end:
            return
        if self.current is None:
            self.current = (None, None)
        self.block = (self.block[0], end) if self.block else (start, end)

    def end_block(self) -> None:
        if self.block:
            self.blocks.append(self.block)
            self.block = None
        if self.current is not None and self.current[0] is None:
            self.end_turn()  # narration without a speaker: one paragraph, one turn

    def end_turn(self) -> None:
        if self.block:
            self.blocks.append(self.block)
            self.block = None
        if self.current is not None and self.blocks:
            self.turns.append(Turn(self.current[0], tuple(self.blocks), self.current[1]))
        self.current, self.blocks = None, []

    def finish(self) -> list[Turn]:
        self.end_turn()
        return self.turns


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without leading and trailing white space."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
