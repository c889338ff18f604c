"""Reading transcripts: decoding, normalisation and speaker turns for .txt, .md, .vtt, .srt, .docx.

Text is normalised once (Unicode NFC, LF line ends) and that exact text is what the project stores;
every position is a code point offset into it. Plain text and Markdown are stored as they are, so
the speaker labels stay in the text but outside the spans that get coded. Subtitles and Word files
are rendered to the same plain layout first (``[hh:mm:ss] SPEAKER: text``, one turn a paragraph).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from qualkit.errors import InputError

FORMATS = {
    ".txt": "txt",
    ".md": "md",
    ".markdown": "md",
    ".vtt": "vtt",
    ".srt": "srt",
    ".docx": "docx",
}


@dataclass(frozen=True)
class Turn:
    """One speaker's turn: the spans (paragraphs) of what they said, inside the transcript text."""

    speaker: str | None
    blocks: tuple[tuple[int, int], ...]
    timestamp: str | None = None


@dataclass(frozen=True)
class Transcript:
    text: str
    turns: tuple[Turn, ...]
    format: str
    encoding: str | None
    warnings: tuple[str, ...] = ()


def transcript_format(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(
            f"{path}: unsupported file type '{path.suffix or path.name}'; "
            "qualkit reads .txt, .md, .vtt, .srt and .docx transcripts"
        )
    return fmt


def read_transcript(path: Path, data: bytes) -> Transcript:
    """Parse a transcript file's bytes. Raises InputError with the file name on bad input."""
    fmt = transcript_format(path)
    if not data.strip():
        raise InputError(f"{path}: the file is empty; nothing to import")
    warnings: list[str] = []
    if fmt == "docx":
        from qualkit.ingest.docx import docx_text

        text, encoding = normalise(docx_text(path, data)), None
    else:
        raw, encoding = decode(path, data, fmt=fmt, warnings=warnings)
        text = normalise(raw)
    if fmt in ("vtt", "srt"):
        text, turns = parse_cues(text, fmt=fmt, path=path)
    else:
        turns = parse_plain(text, markdown=fmt in ("md", "docx"))
    if not any(start < end for turn in turns for start, end in turn.blocks):
        raise InputError(f"{path}: no transcript text found (only headings or cue timings)")
    return Transcript(text, tuple(turns), fmt, encoding, tuple(warnings))


# -- decoding -----------------------------------------------------------------------------------

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig", "UTF-8"),
    (b"\xff\xfe\x00\x00", "utf-32", "UTF-32"),
    (b"\x00\x00\xfe\xff", "utf-32", "UTF-32"),
    (b"\xff\xfe", "utf-16", "UTF-16"),
    (b"\xfe\xff", "utf-16", "UTF-16"),
)
# A valid multi-byte UTF-8 sequence: a file with these is UTF-8 text, even without a BOM.
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def decode(path: Path, data: bytes, *, fmt: str, warnings: list[str]) -> tuple[str, str]:
    """Decode with a BOM's encoding, else UTF-8, else (with a warning) Windows-1252."""
    for bom, encoding, label in _BOMS:
        if data.startswith(bom):
            return _strict(path, data, encoding, label, f"it starts with a {label} byte-order mark")
    if b"\x00" in data[:65536]:
        raise InputError(
            f"{path}: looks like a binary file (NUL bytes), not a text transcript; "
            "qualkit reads .txt, .md, .vtt, .srt and .docx"
        )
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        if fmt == "vtt" or _UTF8_MULTIBYTE.search(data):
            reason = "WebVTT files are UTF-8" if fmt == "vtt" else "the rest of the file is UTF-8"
            raise InputError(
                f"{path}: invalid UTF-8 at byte {exc.start} ({reason}); "
                "repair the file or re-save it as UTF-8"
            ) from None
    text, encoding = _strict(path, data, "cp1252", "Windows-1252", "it is not UTF-8 either")
    warnings.append(
        f"{path}: not UTF-8; read as Windows-1252 (cp1252) — check accented letters and quotes"
    )
    return text, encoding


def _strict(path: Path, data: bytes, encoding: str, label: str, why: str) -> tuple[str, str]:
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: invalid {label} at byte {exc.start} ({why}); "
            "repair the file or re-save it as UTF-8"
        ) from None


def normalise(text: str) -> str:
    """NFC, LF line ends, no BOM: the one form that offsets refer to."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


# -- plain text and Markdown --------------------------------------------------------------------

_TIME = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
# A speaker label: up to five words, each starting with a capital or digit ("OFFICER 2",
# "Dr. Lee", "P3", "Case Manager"), so that "So the thing is: ..." is not mistaken for one.
_LABEL = r"[A-Z0-9][\w'’.()&/-]*(?:[ ][A-Z0-9(][\w'’.()&/-]*){0,4}"
_TURN = re.compile(
    rf"^(?:\[(?P<ts>{_TIME})\][ \t]*)?"
    rf"(?:\*\*(?P<bold>{_LABEL})(?::\*\*|\*\*:)"  # **NAME:** or **NAME**:
    rf"|(?P<plain>{_LABEL})(?:[ \t]*\[(?P<ts2>{_TIME})\])?:)"  # NAME: or NAME [hh:mm:ss]:
    r"(?:[ \t]+|$)"
)
_STAMP = re.compile(rf"^\[(?P<ts>{_TIME})\][ \t]*")
_MD_SKIP = re.compile(r"^(?:#{1,6}\s|[-*_]{3,}\s*$|```)")


def parse_plain(text: str, *, markdown: bool = False) -> list[Turn]:
    """Speaker turns of a plain-text or Markdown transcript.

    A line ``SPEAKER: text`` (optionally ``[hh:mm:ss]`` before it or ``**SPEAKER:**`` in
    Markdown) opens a turn; lines without a label continue it, one block per paragraph. Text
    before the first label becomes turns without a speaker. Markdown headings and rules are
    left out of every turn.
    """
    builder = _TurnBuilder()
    pos = 0
    for line in text.split("\n"):
        start, pos = pos, pos + len(line) + 1
        if not line.strip():
            builder.end_block()
            continue
        if markdown and _MD_SKIP.match(line):
            builder.end_turn()
            continue
        match = _TURN.match(line)
        if match:
            speaker = match.group("bold") or match.group("plain")
            builder.start_turn(speaker.strip(), match.group("ts") or match.group("ts2"))
            builder.add_line(text, start + match.end(), start + len(line))
            continue
        offset = _line_content_start(line, markdown)
        stamp = _STAMP.match(line[offset:])
        if stamp:
            offset += stamp.end()
        if builder.current is None:
            builder.start_turn(None, stamp.group("ts") if stamp else None)
        builder.add_line(text, start + offset, start + len(line))
    return builder.finish()


def _line_content_start(line: str, markdown: bool) -> int:
    """Skip a Markdown blockquote marker so that '> ' is not part of the coded text."""
    if markdown:
        quote = re.match(r"^\s*>\s?", line)
        if quote:
            return quote.end()
    return len(line) - len(line.lstrip())


class _TurnBuilder:
    """Collects turns and their paragraph blocks as lines arrive."""

    def __init__(self) -> None:
        self.turns: list[Turn] = []
        self.current: tuple[str | None, str | None] | None = None
        self.blocks: list[tuple[int, int]] = []
        self.block: tuple[int, int] | None = None

    def start_turn(self, speaker: str | None, timestamp: str | None) -> None:
        self.end_turn()
        self.current = (speaker, timestamp)

    def add_line(self, text: str, start: int, end: int) -> None:
        start, end = trim_span(text, start, end)
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


# -- WebVTT and SubRip ---------------------------------------------------------------------------

_CUE_TIME = re.compile(
    r"^\s*(?P<start>(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})\s*-->\s*(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3}"
)
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+([^>]+)>")
_TAG = re.compile(r"<[^>]*>|\{\\[^}]*\}")
_ENTITIES = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&nbsp;": " ", "&lrm;": "", "&rlm;": ""}
_PLAIN_LABEL = re.compile(rf"^(?P<label>{_LABEL}):[ \t]+")


@dataclass
class _Cue:
    time: str
    speaker: str | None
    text: str


def parse_cues(text: str, *, fmt: str, path: Path) -> tuple[str, list[Turn]]:
    """Render subtitle cues as turns: consecutive cues of one voice join into one turn."""
    lines = text.split("\n")
    if fmt == "vtt" and not lines[0].startswith("WEBVTT"):
        raise InputError(f"{path} line 1: a WebVTT file must start with 'WEBVTT'")
    cues = _read_cues(lines, fmt)
    if not cues:
        raise InputError(f"{path}: no cues found (lines like '00:00:01.000 --> 00:00:04.000')")
    merged: list[_Cue] = []
    for cue in cues:
        speaker = (
            cue.speaker if cue.speaker is not None else (merged[-1].speaker if merged else None)
        )
        if merged and speaker is not None and speaker == merged[-1].speaker:
            merged[-1].text += " " + cue.text
        else:
            merged.append(_Cue(cue.time, speaker, cue.text))
    return _render(merged)


def _read_cues(lines: list[str], fmt: str) -> list[_Cue]:
    cues: list[_Cue] = []
    i = 0
    while i < len(lines):
        timing = _CUE_TIME.match(lines[i])
        if not timing or (fmt == "vtt" and _in_note(lines, i)):
            i += 1
            continue
        payload = []
        i += 1
        while i < len(lines) and lines[i].strip():
            payload.append(lines[i].strip())
            i += 1
        cue = _cue(timing.group("start"), " ".join(payload))
        if cue.text:
            cues.append(cue)
    return cues


def _in_note(lines: list[str], i: int) -> bool:
    """True if line i sits inside a WebVTT NOTE/STYLE/REGION block."""
    j = i
    while j > 0 and lines[j - 1].strip():
        j -= 1
    return lines[j].startswith(("NOTE", "STYLE", "REGION"))


def _cue(time: str, payload: str) -> _Cue:
    voice = _VOICE.search(payload)
    speaker = voice.group(1).strip() if voice else None
    body = _TAG.sub("", payload)
    for entity, char in _ENTITIES.items():
        body = body.replace(entity, char)
    body = re.sub(r"\s+", " ", body).strip()
    if speaker is None:
        label = _PLAIN_LABEL.match(body)
        if label:
            speaker, body = label.group("label"), body[label.end() :]
    return _Cue(_hms(time), speaker, body)


def _hms(time: str) -> str:
    parts = time.replace(",", ".").split(".")[0].split(":")
    if len(parts) == 2:
        parts.insert(0, "0")
    return "{:02d}:{:02d}:{:02d}".format(*(int(p) for p in parts))


def _render(cues: list[_Cue]) -> tuple[str, list[Turn]]:
    out: list[str] = []
    turns: list[Turn] = []
    pos = 0
    for cue in cues:
        prefix = f"[{cue.time}] " + (f"{cue.speaker}: " if cue.speaker else "")
        start = pos + len(prefix)
        out.append(prefix + cue.text)
        turns.append(Turn(cue.speaker, ((start, start + len(cue.text)),), cue.time))
        pos += len(prefix) + len(cue.text) + 2
    return "\n\n".join(out) + "\n", turns
