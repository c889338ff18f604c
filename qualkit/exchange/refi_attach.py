"""What hangs off a REFI-QDA project's sources and codes: notes become memos on what they
annotate, variables and cases become document metadata.

A note is linked to what it annotates in several ways, all read here: a ``NoteRef`` on a
selection (a passage memo), on a coding (a memo on that passage and code), on a source (a
document memo), on a code (a code memo) or on the project; a ``Link`` between the note and one
of those (NVivo); a note carrying the span itself inside a source that refers to it (NVivo's
annotations); and a selection's own ``Description`` (MAXQDA, QualCoder). A note nothing refers
to, or whose target was not imported, becomes a project memo: its text is never dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from qualkit.exchange.refi_model import RefiNote, RefiProject

Span = tuple[int, int]
_DATE = re.compile(r"^\d{4}-\d{2}(?:-\d{2})?$")
_KINDS = {"interview": "interview", "focus_group": "focus_group", "focus group": "focus_group",
          "fg": "focus_group", "other": "other"}


@dataclass(frozen=True, slots=True)
class Anchor:
    """Where a memo sits: a document (index into the import's documents), a span, a code."""

    doc: int | None = None
    span: Span | None = None
    code: str | None = None  # the code's GUID in the file


@dataclass
class MemoPlan:
    anchor: Anchor
    text: str
    user: str | None
    created: str | None
    modified: str | None


@dataclass
class Anchors:
    """Collects, per note GUID, every place that refers to it."""

    by_note: dict[str, list[Anchor]] = field(default_factory=dict)
    selections: dict[str, Anchor] = field(default_factory=dict)  # selection GUID -> anchor
    sources: dict[str, int] = field(default_factory=dict)  # source GUID -> document index
    direct: list[MemoPlan] = field(default_factory=list)  # selection Descriptions
    dropped: set[str] = field(default_factory=set)  # notes referred to by what was skipped

    def add(self, note: str, anchor: Anchor) -> None:
        self.by_note.setdefault(note, []).append(anchor)


def memo_plans(project: RefiProject, anchors: Anchors, spans_in: Any) -> tuple[list[MemoPlan],
                                                                                  int]:
    """One memo per (note, distinct target), plus the selections' own descriptions.

    ``spans_in(doc, start, end)`` maps a note-carried span of document ``doc`` to the stored
    text (None if outside). Returns the plans and how many notes lost their target.
    """
    codes = {c.guid for c in project.codes if c.guid}
    for code in project.codes:
        for note in code.note_refs:
            anchors.add(note, Anchor(code=code.guid))
    for note in project.note_refs:
        anchors.add(note, Anchor())
    for origin, target in project.links:
        for note, other in ((origin, target), (target, origin)):
            if note in project.notes and other:
                found = _linked(other, anchors, codes)
                if found is not None:
                    anchors.add(note, found)
    plans = list(anchors.direct)
    orphans = 0
    for note in [*project.notes.values(), *project.loose_notes]:
        if not note.text.strip():
            continue
        targets = _targets(note, anchors.by_note.get(note.guid or "", []), spans_in)
        if not targets:
            orphans += (note.guid or "") in anchors.dropped or bool(anchors.by_note.get(note.guid))
            targets = [Anchor()]
        plans += [MemoPlan(t, note.text, note.user, note.created, note.modified) for t in targets]
    return plans, orphans


def _linked(guid: str, anchors: Anchors, codes: set[str]) -> Anchor | None:
    if guid in anchors.selections:
        return anchors.selections[guid]
    if guid in anchors.sources:
        return Anchor(doc=anchors.sources[guid])
    if guid in codes:
        return Anchor(code=guid)
    return None


def _targets(note: RefiNote, found: list[Anchor], spans_in: Any) -> list[Anchor]:
    """Merge what refers to one note into the memos it becomes."""
    code_only = {a.code for a in found if a.doc is None and a.code}
    code = next(iter(code_only)) if len(code_only) == 1 else None
    docs = [a for a in found if a.doc is not None and a.span is None]
    if note.spans and docs:  # an annotation carrying its own span, inside the referring source
        docs = [Anchor(d.doc, s, d.code) for d in docs
                for s in [spans_in(d.doc, *span) for span in note.spans] if s]
    with_span = [a for a in found if a.span is not None] + [d for d in docs if d.span]
    pool = with_span or [d for d in docs if d.span is None]
    if pool:
        unique = dict.fromkeys(Anchor(a.doc, a.span, a.code or code) for a in pool)
        return list(unique)
    if code_only:
        return [Anchor(code=c) for c in sorted(code_only)]
    if any(a.doc is None and a.code is None for a in found):
        return [Anchor()]
    return []


# -- variables and cases -----------------------------------------------------------------------


@dataclass
class Metadata:
    fields: dict[str, str] = field(default_factory=dict)  # kind, role, site, date, case_id
    attributes: dict[str, Any] = field(default_factory=dict)
    speakers: dict[str, str] = field(default_factory=dict)


def source_metadata(project: RefiProject, source_guid: str | None,
                    values: dict[str, Any]) -> Metadata:
    """A source's variables, and those of the cases it belongs to, as qualkit metadata."""
    named: dict[str, Any] = {}
    case_names = []
    for case in project.cases:
        if source_guid and source_guid in case.sources:
            case_names.append(case.name)
            named.update(_by_name(project, case.values))
    named.update(_by_name(project, values))  # the source's own values win over its case's
    meta = Metadata()
    for name, value in named.items():
        _assign(meta, name, value)
    if case_names and "case_id" not in meta.fields:
        meta.fields["case_id"] = case_names[0]
        if len(case_names) > 1:
            meta.attributes["cases"] = "; ".join(case_names)
    return meta


def _by_name(project: RefiProject, values: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for guid, value in values.items():
        variable = project.variables.get(guid)
        if variable is not None and variable.name:
            out[variable.name] = value
    return out


def _assign(meta: Metadata, name: str, value: Any) -> None:
    key = name.strip().lower().replace(" ", "_")
    text = str(value).strip() if value is not None else ""
    if key == "kind" and text.lower() in _KINDS:
        meta.fields["kind"] = _KINDS[text.lower()]
    elif key == "date" and _DATE.match(text):
        meta.fields["date"] = text
    elif key in ("role", "site", "case_id") and text:
        meta.fields[key] = text
    elif key == "speakers" and "=" in text:
        for part in filter(None, (p.strip() for p in text.split(";"))):
            label, _, role = part.partition("=")
            if label.strip() and role.strip():
                meta.speakers[label.strip()] = role.strip()
    elif value is not None and text != "":
        meta.attributes[name.strip()] = value
