"""A REFI-QDA project as read from a file: plain records, GUIDs normalised, nothing resolved yet.

GUIDs are kept per element type (users, codes, sources, selections, notes, ...) because real
exporters reuse one GUID for elements of different types (the spec's own Annex A.2 does).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class RefiCoding:
    code: str | None  # the CodeRef's target GUID
    user: str | None
    created: str | None
    note_refs: list[str] = field(default_factory=list)


@dataclass(slots=True)
class RefiSelection:
    guid: str | None
    start: int
    end: int
    name: str | None
    user: str | None
    created: str | None
    description: str = ""
    codings: list[RefiCoding] = field(default_factory=list)
    note_refs: list[str] = field(default_factory=list)


@dataclass
class RefiCode:
    guid: str | None
    name: str
    description: str = ""
    color: str | None = None
    codable: bool = True
    parent: RefiCode | None = None
    note_refs: list[str] = field(default_factory=list)


@dataclass
class RefiSource:
    """A source of any type; only text sources (``kind == "text"``) carry a text."""

    guid: str | None
    name: str
    kind: str  # text, pdf, picture, audio, video
    raw: str | None = None  # the text as the exporter wrote it (BOM and CRLF kept)
    problem: str | None = None  # why the text could not be read, if it could not
    user: str | None = None
    created: str | None = None
    description: str = ""
    selections: list[RefiSelection] = field(default_factory=list)
    note_refs: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)  # variable GUID -> value
    other_selections: int = 0  # picture/PDF/audio/video selections (never imported)


@dataclass
class RefiNote:
    guid: str | None
    name: str
    text: str
    user: str | None
    created: str | None
    modified: str | None
    # NVivo-style annotations: a note that carries the span it annotates in the source that
    # refers to it.
    spans: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class RefiVariable:
    guid: str | None
    name: str
    type: str


@dataclass
class RefiCase:
    guid: str | None
    name: str
    values: dict[str, Any] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)


@dataclass
class RefiProject:
    name: str
    origin: str = ""
    description: str = ""
    users: dict[str, str] = field(default_factory=dict)  # GUID -> display name
    codes: list[RefiCode] = field(default_factory=list)  # depth first, parents first
    sources: list[RefiSource] = field(default_factory=list)
    notes: dict[str, RefiNote] = field(default_factory=dict)
    loose_notes: list[RefiNote] = field(default_factory=list)  # notes without a GUID
    links: list[tuple[str | None, str | None]] = field(default_factory=list)
    variables: dict[str, RefiVariable] = field(default_factory=dict)
    cases: list[RefiCase] = field(default_factory=list)
    sets: list[tuple[str, list[str]]] = field(default_factory=list)  # name, member code GUIDs
    note_refs: list[str] = field(default_factory=list)  # the project's own
    warnings: list[str] = field(default_factory=list)
