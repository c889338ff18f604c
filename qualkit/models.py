"""Frozen records the store returns: documents, segments, codes, coders, codings, memos, events.

Positions (``start``, ``end``) are Unicode code point offsets into the document's stored text, end
exclusive: the REFI-QDA convention, and what Python's ``str`` slicing uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DOCUMENT_KINDS = ("interview", "focus_group", "other")
CODER_KINDS = ("human", "machine", "consensus")
CODE_ORIGINS = ("codebook", "emergent", "imported", "manual")
CODE_STATUSES = ("active", "retired")


@dataclass(frozen=True, slots=True)
class Document:
    id: int
    name: str
    format: str
    sha256: str
    length: int
    source: str | None = None
    encoding: str | None = None
    kind: str | None = None
    role: str | None = None
    site: str | None = None
    date: str | None = None
    case_id: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    imported_at: str = ""


@dataclass(frozen=True, slots=True)
class Segment:
    """A default coding unit: one sentence of one speaker turn."""

    id: int
    document_id: int
    ordinal: int
    turn: int
    speaker: str | None
    start: int
    end: int
    text: str
    # Seconds into the recording where the transcript gives times (captions, timestamps).
    start_time: float | None = None
    end_time: float | None = None


@dataclass(frozen=True, slots=True)
class Code:
    id: int
    name: str
    parent_id: int | None = None
    position: int = 0
    description: str = ""
    include: str = ""
    exclude: str = ""
    example: str = ""
    color: str | None = None
    hotkey: str | None = None
    origin: str = "codebook"
    origin_detail: dict[str, Any] = field(default_factory=dict)
    status: str = "active"

    @property
    def active(self) -> bool:
        return self.status == "active"


@dataclass(frozen=True, slots=True)
class Coder:
    id: int
    name: str
    kind: str = "human"


@dataclass(frozen=True, slots=True)
class Coding:
    id: int
    document_id: int
    code_id: int
    coder_id: int
    start: int
    end: int
    created_at: str = ""

    def overlaps(self, start: int, end: int) -> bool:
        return self.start < end and start < self.end


@dataclass(frozen=True, slots=True)
class Memo:
    id: int
    coder_id: int
    document_id: int | None
    start: int | None
    end: int | None
    code_id: int | None
    text: str
    created_at: str = ""
    updated_at: str = ""


@dataclass(frozen=True, slots=True)
class Event:
    id: int
    at: str
    coder: str | None
    action: str
    detail: dict[str, Any]
