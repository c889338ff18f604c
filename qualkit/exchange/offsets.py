"""How another program counted its text positions, and how to move them onto qualkit's text.

The REFI-QDA standard counts Unicode code points from 0 with the end exclusive, but says nothing
about a byte-order mark or Windows line ends, and real exporters differ:

* a UTF-8 BOM at the start of a source file is not counted (QualCoder writes one; a BOM is no
  character of the transcript) - but an exporter may count it;
* ATLAS.ti counts a CRLF line end as one character (QualCoder's importer special-cases it),
  while NVivo-style exports count both characters, as the file holds them;
* programs on .NET, Java or JavaScript count UTF-16 code units, so a character outside the
  Basic Multilingual Plane (an emoji) counts twice.

qualkit stores text without BOM, with LF line ends, in Unicode NFC. For each source it tries the
readings the file's text allows (only those that differ for this text), scores each by how many
selections' ``name`` attributes (the quoted text many exporters write) match the text at the
span, and takes the best; with no evidence it takes the spec's reading, code points of the file
as written, except CRLF as one for a project whose ``origin`` names ATLAS.ti. A position that
falls outside the text under the chosen reading is reported, never moved.
"""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from dataclasses import dataclass

_CRLF = re.compile("\r\n")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_ELLIPSIS = re.compile(r"(\.\.\.|…)\s*$")


@dataclass(frozen=True)
class Reading:
    """One way of counting positions in a source text."""

    bom_counted: bool = False
    crlf_as_one: bool = False
    utf16: bool = False

    def describe(self, raw: str) -> str:
        """How this reading counts, naming only what the text ``raw`` makes matter."""
        parts = ["UTF-16 code units" if self.utf16 else "code points"]
        if "\r\n" in raw:
            parts.append("CRLF as one character" if self.crlf_as_one else "CRLF as two")
        if raw.startswith("\ufeff"):
            parts.append("byte-order mark " + ("counted" if self.bom_counted else "not counted"))
        return ", ".join(parts)


def normalise(raw: str) -> str:
    """qualkit's stored form: no BOM, LF line ends, NFC (as ``qualkit.ingest`` stores text)."""
    body = raw[1:] if raw.startswith("\ufeff") else raw
    return unicodedata.normalize("NFC", body.replace("\r\n", "\n").replace("\r", "\n"))


class PositionMap:
    """Maps one reading's positions in a raw source text onto the normalised text."""

    def __init__(self, raw: str, reading: Reading, nfc: _NfcMap | None = None) -> None:
        self.reading = reading
        self.has_bom = raw.startswith("\ufeff")
        body = raw[1:] if self.has_bom else raw
        # The text as this reading counts it, before UTF-16 widening.
        self.counted = ("\ufeff" if self.has_bom and reading.bom_counted else "") + (
            body.replace("\r\n", "\n") if reading.crlf_as_one else body
        )
        self.astral = (
            _utf16_starts(self.counted) if reading.utf16 and _ASTRAL.search(self.counted) else []
        )
        self.length = len(self.counted) + len(self.astral)  # in this reading's units
        self.bom_shift = 1 if self.has_bom and reading.bom_counted else 0
        crlf_text = body if not reading.crlf_as_one else ""
        self.crs = [m.start() for m in _CRLF.finditer(crlf_text)]  # each CR to drop
        # The same for every reading of one text: built once by choose_reading.
        self.nfc = nfc or _NfcMap(body.replace("\r\n", "\n").replace("\r", "\n"))
        self.normalised = self.nfc.text

    def to_text(self, position: int, *, end: bool) -> int | None:
        """The normalised position for ``position``, or None if it lies outside the text."""
        if position < 0 or position > self.length:
            return None
        point = position
        if self.astral:  # UTF-16 units -> code points; the middle of a pair rounds outward
            full = bisect.bisect_right(self.astral, point - 2)
            half = full < len(self.astral) and self.astral[full] == point - 1
            point = point - full - (1 if half else 0) + (1 if half and end else 0)
        point = max(point - self.bom_shift, 0)
        if self.crs:
            point -= bisect.bisect_left(self.crs, point)
        return self.nfc.map(point, end=end)


def _utf16_starts(text: str) -> list[int]:
    """UTF-16 offsets at which the characters outside the BMP start."""
    return [m.start() + extra for extra, m in enumerate(_ASTRAL.finditer(text))]


class _NfcMap:
    """Positions in a text -> positions in its NFC form (identity for most texts)."""

    def __init__(self, text: str) -> None:
        if unicodedata.is_normalized("NFC", text):
            self.text, self.breaks = text, None
            return
        # Chunks that start at a character of combining class 0 normalise independently (but
        # for rare cases, checked below); record where each changed chunk sits in both texts.
        pieces, self.breaks = [], []
        old = new = 0
        for chunk in _chunks(text):
            done = unicodedata.normalize("NFC", chunk)
            pieces.append(done)
            if done != chunk:
                self.breaks.append((old, old + len(chunk), new, new + len(done)))
            old, new = old + len(chunk), new + len(done)
        self.text = "".join(pieces)
        if self.text != unicodedata.normalize("NFC", text):  # a composition across chunks
            self.text = unicodedata.normalize("NFC", text)
            self.breaks = [(0, len(text), 0, len(self.text))] if text else []
        self.starts = [b[0] for b in self.breaks]

    def map(self, point: int, *, end: bool) -> int:
        if self.breaks is None:
            return point
        i = bisect.bisect_right(self.starts, point) - 1
        if i < 0:
            return point
        old0, old1, new0, new1 = self.breaks[i]
        if point >= old1:
            return point - old1 + new1
        if point == old0:
            return new0
        return new1 if end else new0  # inside a recomposed cluster: widen to the whole of it


def _chunks(text: str):
    start = 0
    for i in range(1, len(text)):
        char = text[i]
        if unicodedata.combining(char) == 0 and not ("\u1160" <= char <= "\u11ff"):
            yield text[start:i]
            start = i
    if text:
        yield text[start:]


def candidate_readings(raw: str, *, atlas: bool) -> list[Reading]:
    """The readings that differ for this text, the default (no evidence) first."""
    bom = [False, True] if raw.startswith("\ufeff") else [False]
    crlf = [atlas, not atlas] if "\r\n" in raw else [False]
    utf16 = [False, True] if _ASTRAL.search(raw) else [False]
    return [Reading(b, c, u) for b, c, u in itertools.product(bom, crlf, utf16)]


def name_matches(name: str | None, quoted: str) -> bool | None:
    """Whether a selection's ``name`` is the text at its span (None: the name tells nothing).

    Exporters write the whole quote, or its start followed by an ellipsis; white space may be
    collapsed. Names too short to tell anything (or coordinates like ``(115,0)``) are ignored.
    """
    if not name:
        return None
    expected = " ".join(_ELLIPSIS.sub("", name).split())
    if len(expected) < 4:
        return None
    actual = " ".join(quoted.split())
    return actual == expected or (len(expected) >= 8 and actual.startswith(expected))


@dataclass(frozen=True)
class Choice:
    position_map: PositionMap
    matched: int  # selection names that matched under this reading
    checked: int  # selection names that could tell

    @property
    def reading(self) -> Reading:
        return self.position_map.reading


def choose_reading(
    raw: str, selections: list[tuple[int, int, str | None]], *, atlas: bool, sample: int = 300
) -> Choice:
    """The reading under which the selections' names best match the text."""
    candidates = candidate_readings(raw, atlas=atlas)
    named = [s for s in selections if s[2]][:sample]
    first = PositionMap(raw, candidates[0])
    if not named or len(candidates) == 1:
        candidates = candidates[:1]
    best: Choice | None = None
    for reading in candidates:
        pmap = first if reading == candidates[0] else PositionMap(raw, reading, first.nfc)
        matched = checked = 0
        for start, end, name in named:
            a, b = pmap.to_text(start, end=False), pmap.to_text(end, end=True)
            if a is None or b is None:
                checked += 1  # out of range under this reading counts against it
                continue
            verdict = name_matches(name, pmap.normalised[a:b])
            if verdict is not None:
                checked += 1
                matched += verdict
        if best is None or matched > best.matched:
            best = Choice(pmap, matched, checked)
    assert best is not None
    return best
