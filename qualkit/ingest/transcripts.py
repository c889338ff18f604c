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
from qualkit.ingest.plain import Parsed, Turn, parse_lines, parse_plain, trim_span

__all__ = ["FORMATS", "Transcript", "Turn", "parse_plain", "read_transcript", "trim_span"]

FORMATS = {
    ".txt": "txt",
    ".md": "md",
    ".markdown": "md",
    ".vtt": "vtt",
    ".srt": "srt",
    ".docx": "docx",
}


@dataclass(frozen=True)
class Transcript:
    """The normalised text, its speaker turns, and where times are known: ``times`` holds
    (offset, start seconds, end seconds or None), sorted by offset; a segment takes the last
    mark at or before its start. ``legend`` maps labels to their description at the top."""

    text: str
    turns: tuple[Turn, ...]
    format: str
    encoding: str | None
    warnings: tuple[str, ...] = ()
    times: tuple[tuple[int, float, float | None], ...] = ()
    legend: tuple[tuple[str, str], ...] = ()
    skipped: tuple[tuple[str, int], ...] = ()


def transcript_format(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(
            f"{path}: unsupported file type '{path.suffix or path.name}'; "
            "qualkit reads .txt, .md, .vtt, .srt and .docx transcripts"
        )
    return fmt


def read_transcript(
    path: Path, data: bytes, *, speaker_pattern: re.Pattern[str] | None = None
) -> Transcript:
    """Parse a transcript file's bytes. Raises InputError with the file name on bad input.

    ``speaker_pattern`` (a compiled regular expression with a ``speaker`` group, matched at the
    start of each line) replaces the built-in speaker rules for plain text, Markdown and Word.
    """
    fmt = transcript_format(path)
    if not data.strip():
        raise InputError(f"{path}: the file is empty; nothing to import")
    warnings: list[str] = []
    if fmt == "docx":
        from qualkit.ingest.docx import docx_text

        text, encoding = normalise(docx_text(path, data)), None
    else:
        if data.lstrip()[:5] == b"{\\rtf":
            raise InputError(
                f"{path}: this is a Rich Text (RTF) file with a {path.suffix} name; "
                "open it in Word and save it as .docx (or as plain text), then import that"
            )
        raw, encoding = decode(path, data, fmt=fmt, warnings=warnings)
        text = normalise(raw)
    _check_nul(path, text)
    if fmt in ("vtt", "srt"):
        from qualkit.ingest.captions import parse_cues

        text, parsed = parse_cues(text, fmt=fmt, path=path, warnings=warnings)
    else:
        parsed = parse_lines(text, markdown=fmt in ("md", "docx"), pattern=speaker_pattern)
    if not any(start < end for turn in parsed.turns for start, end in turn.blocks):
        raise InputError(f"{path}: no transcript text found (only headings or cue timings)")
    return _transcript(text, parsed, fmt, encoding, warnings)


def _transcript(text: str, parsed: Parsed, fmt: str, encoding, warnings) -> Transcript:
    return Transcript(
        text,
        tuple(parsed.turns),
        fmt,
        encoding,
        tuple(warnings),
        tuple(sorted(parsed.times)),
        tuple(parsed.legend.items()),
        tuple(sorted(parsed.skipped.items())),
    )


def _check_nul(path: Path, text: str) -> None:
    """A NUL character breaks every tool downstream (and codings after it): refuse the file."""
    at = text.find("\x00")
    if at != -1:
        line = text.count("\n", 0, at) + 1
        raise InputError(
            f"{path} line {line}: a NUL character (byte 0) in the text: the file is damaged or "
            "binary, not a text transcript; remove the NUL bytes (tr -d '\\000') and import again"
        )


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
    if data[:65536].count(b"\x00") > 16:
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
