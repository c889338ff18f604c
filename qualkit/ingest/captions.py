"""WebVTT and SubRip captions (Teams, Stream, Zoom, YouTube) rendered as speaker turns.

Cues are blocks separated by blank lines: an optional id (a number, a Teams GUID), a timing line
``start --> end`` (hours optional, not necessarily zero-padded: ``0:0:3.540 --> 0:0:7.23``) and the
text. A voice (``<v Name>``) or a ``Name:`` prefix gives the speaker; consecutive cues of one voice
join into one turn, rendered as ``[hh:mm:ss] SPEAKER: text``. Nothing is lost silently: a block
whose timing line is missing or malformed keeps its text, attached to the previous cue, with a
warning naming the line; a timing line inside a cue's text starts a new cue (the blank line
was missing) and is never stored as speech. Every pattern here is linear in the input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from qualkit.errors import InputError
from qualkit.ingest.plain import Parsed, Turn, hms, names_no_one

_TS = r"(?:\d{1,3}:)?\d{1,2}:\d{1,2}(?:[.,]\d{1,3})?"
_CUE_TIME = re.compile(rf"^[ \t]*(?P<start>{_TS})[ \t]*-->[ \t]*(?P<end>{_TS})(?:[ \t].*)?$")
# Bounded, and never re-scanning a '<': 300,000 '<' or '<v ' x 200,000 stay linear.
# What a person meant as a timing line, even when it is malformed ("00:00:05.000 -> 00:00:06").
_TIMING_LIKE = re.compile(r"-->|^[ \t]*\d{1,2}:\d{2}[\d:.,]*[ \t]*(?:-+>|–|—|-)")
_VOICE = re.compile(r"<v(?:\.[\w.-]{0,40})?[ \t]+([^<>\n]{1,200})>")
_TAG = re.compile(r"<[^<>\n]{0,200}>|\{\\[^{}\n]{0,200}\}")
_SPACE = re.compile(r"\s+")
_ENTITIES = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&nbsp;": " ", "&lrm;": "", "&rlm;": ""}
_PLAIN_LABEL = re.compile(
    r"^(?P<label>(?:[A-Z0-9][\w'’.&/-]{0,40}|[a-z][a-z0-9_'-]{0,19})"
    r"(?:[ ][A-Z0-9(][\w'’.()&/-]{0,40}){0,4}):[ \t]+"
)


@dataclass
class _Cue:
    start: float | None
    end: float | None
    speaker: str | None
    text: str
    parts: list[tuple[int, float | None, float | None]] = field(default_factory=list)


def parse_cues(text: str, *, fmt: str, path: Path, warnings: list[str]) -> tuple[str, Parsed]:
    """The rendered text and its turns (with each cue's time) of a .vtt or .srt file."""
    lines = text.split("\n")
    if fmt == "vtt" and not lines[0].lstrip("\ufeff").startswith("WEBVTT"):
        raise InputError(f"{path} line 1: a WebVTT file must start with 'WEBVTT'")
    cues = _read_cues(lines, fmt, path, warnings)
    if not cues:
        raise InputError(
            f"{path}: no cues found (a timing line such as '00:00:01.000 --> 00:00:04.000' "
            "followed by text)"
        )
    merged: list[_Cue] = []
    for cue in cues:
        speaker = cue.speaker if cue.speaker is not None else (
            merged[-1].speaker if merged else None
        )
        if merged and speaker is not None and speaker == merged[-1].speaker:
            last = merged[-1]
            last.parts.append((len(last.text) + 1, cue.start, cue.end))
            last.text += " " + cue.text
            last.end = cue.end
        else:
            merged.append(_Cue(cue.start, cue.end, speaker, cue.text, [(0, cue.start, cue.end)]))
    return _render(merged)


def _read_cues(lines: list[str], fmt: str, path: Path, warnings: list[str]) -> list[_Cue]:
    cues: list[_Cue] = []
    for first, block in _blocks(lines):
        if fmt == "vtt" and first == 0:  # the header; a cue may follow it without a blank line
            at = next((i for i, line in enumerate(block) if "-->" in line), None)
            if at is None:
                continue
            first, block = first + at, block[at:]
        elif fmt == "vtt" and block[0].startswith(("NOTE", "STYLE", "REGION")):
            continue  # comments, styles
        timing_at = next((i for i, line in enumerate(block[:2]) if _TIMING_LIKE.search(line)), None)
        timing = _CUE_TIME.match(block[timing_at]) if timing_at is not None else None
        if timing is None:
            _orphan(cues, block, first, timing_at, path, warnings)
            continue
        payload: list[str] = []
        start, end = _secs(timing.group("start")), _secs(timing.group("end"))
        for number, line in enumerate(block[timing_at + 1 :], start=first + timing_at + 2):
            inner = _CUE_TIME.match(line) if "-->" in line else None
            if inner:  # a cue without the blank line before it
                _add(cues, start, end, payload)
                payload, start, end = [], _secs(inner.group("start")), _secs(inner.group("end"))
            elif _TIMING_LIKE.search(line):
                warnings.append(
                    f"{path} line {number}: malformed timing line '{line.strip()[:60]}' "
                    "inside a cue; left out of the text"
                )
            else:
                payload.append(line.strip())
        _add(cues, start, end, payload)
    return cues


def _orphan(cues, block, first, timing_at, path, warnings) -> None:
    """A block without a valid timing line: its text joins the previous cue, with a warning."""
    if timing_at is not None:
        text_lines = block[timing_at + 1 :]
        what = f"malformed timing line '{block[timing_at].strip()[:60]}'"
        number = first + timing_at + 1
    else:
        if len(block) == 1 and _looks_like_id(block[0]):
            return  # a lone cue number: nothing to keep
        text_lines = block[1:] if len(block) > 1 and _looks_like_id(block[0]) else block
        what, number = "no timing line", first + 1
    if not cues:
        raise InputError(
            f"{path} line {number}: a cue with {what}, before any valid cue; "
            "fix the timing line (e.g. '00:00:01.000 --> 00:00:04.000')"
        )
    _add(cues, cues[-1].start, cues[-1].end, [t.strip() for t in text_lines], join=True)
    kept = "its text was kept, attached to the previous cue" if text_lines else "it has no text"
    warnings.append(f"{path} line {number}: cue with {what}; {kept}")


def _looks_like_id(line: str) -> bool:
    return bool(re.fullmatch(r"\s*(?:\d+|[0-9a-fA-F-]{8,64}(?:/\d+-\d+)?)\s*", line))


def _blocks(lines: list[str]):
    block: list[str] = []
    first = 0
    for number, line in enumerate(lines):
        if line.strip():
            if not block:
                first = number
            block.append(line)
        elif block:
            yield first, block
            block = []
    if block:
        yield first, block


def _add(cues, start, end, payload: list[str], *, join: bool = False) -> None:
    cue = _cue(start, end, " ".join(p for p in payload if p))
    if not cue.text:
        return
    if join and cues:
        cues[-1].text += " " + cue.text
    else:
        cues.append(cue)


def _cue(start: float | None, end: float | None, payload: str) -> _Cue:
    voice = _VOICE.search(payload)
    speaker = voice.group(1).strip() if voice else None
    body = _TAG.sub("", payload)
    for entity, char in _ENTITIES.items():
        body = body.replace(entity, char)
    body = _SPACE.sub(" ", body).strip()
    if speaker is None:
        label = _PLAIN_LABEL.match(body)
        if label and not names_no_one(label.group("label")):
            speaker, body = label.group("label"), body[label.end() :]
    return _Cue(start, end, speaker, body)


def _secs(time: str) -> float:
    head, _, fraction = time.replace(",", ".").partition(".")
    parts = [int(p) for p in head.split(":")]
    while len(parts) < 3:
        parts.insert(0, 0)
    h, m, s = parts
    return h * 3600 + m * 60 + s + (float("0." + fraction) if fraction else 0.0)


def _render(cues: list[_Cue]) -> tuple[str, Parsed]:
    out: list[str] = []
    turns: list[Turn] = []
    times: list[tuple[int, float, float | None]] = []
    pos = 0
    for cue in cues:
        stamp = hms(cue.start)
        prefix = f"[{stamp}] " + (f"{cue.speaker}: " if cue.speaker else "")
        start = pos + len(prefix)
        out.append(prefix + cue.text)
        turns.append(Turn(cue.speaker, ((start, start + len(cue.text)),), stamp))
        times += [(start + offset, s, e) for offset, s, e in cue.parts if s is not None]
        pos += len(prefix) + len(cue.text) + 2
    return "\n\n".join(out) + "\n", Parsed(turns, times)
