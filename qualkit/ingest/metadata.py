"""Per-document metadata from a CSV (``documents.csv`` in an imported folder, or ``--meta``).

Columns: ``file`` (the document name: its file name), ``kind`` (interview / focus_group / other),
``role`` (participant role), ``site``, ``date`` (YYYY-MM-DD or YYYY-MM), ``case_id``, and
``speakers`` (``LABEL=role; LABEL=role``, e.g. ``FACILITATOR=facilitator; OFFICER 1=patrol
officer``) and ``speaker_pattern`` (a regular expression with a ``speaker`` group for a house style
of speaker labels, used when the file is imported). Any other column is kept as a free attribute
of the document.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualkit.errors import InputError, located

if TYPE_CHECKING:
    from qualkit.store import Store

NAME_COLUMNS = ("file", "document", "name")
KINDS = {
    "interview": "interview",
    "focus_group": "focus_group",
    "focus group": "focus_group",
    "focus-group": "focus_group",
    "fg": "focus_group",
    "other": "other",
}
_DATE = re.compile(r"^\d{4}-\d{2}(?:-\d{2})?$")
# Speaker labels that, unless the metadata says otherwise, belong to the research team.
_RESEARCHER = re.compile(
    r"^(?:interviewer|facilitator|moderator|researcher|int|fac|mod|q|i)(?:\s*\d+)?$", re.I
)


@dataclass
class DocumentMeta:
    name: str
    line: int
    fields: dict[str, str] = field(default_factory=dict)
    attributes: dict[str, Any] = field(default_factory=dict)
    speakers: dict[str, str] = field(default_factory=dict)
    speaker_pattern: str | None = None
    source: Path | None = None

    def apply(self, store: Store, document_id: int) -> None:
        store.documents.set_metadata(document_id, self.fields, self.attributes)
        if self.speakers:
            store.documents.set_speakers(document_id, self.speakers)


def read_metadata(path: Path, known: set[str], warnings: list[str]) -> list[DocumentMeta]:
    """Validate and read a metadata CSV; rows for unknown documents become warnings."""
    if not path.is_file():
        raise InputError(f"{path}: no such metadata file")
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle))
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 (byte {exc.start}); save the CSV as UTF-8") from None
    if not rows:
        raise InputError(f"{path}: the metadata file is empty; it needs a header row")
    header = [h.strip().lower() for h in rows[0]]
    name_col = next((c for c in NAME_COLUMNS if c in header), None)
    if name_col is None:
        raise InputError(
            located(
                path,
                "no 'file' column (the document's file name); expected columns: "
                "file, kind, role, site, date, case_id, speakers",
                line=1,
            )
        )
    entries: dict[str, DocumentMeta] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        entry = _entry(
            path, number, dict(zip(header, (c.strip() for c in row), strict=False)), name_col
        )
        if entry.name in entries:
            raise InputError(
                located(
                    path,
                    f"'{entry.name}' is listed twice (also line {entries[entry.name].line})",
                    line=number,
                )
            )
        entries[entry.name] = entry
    for name in sorted(set(entries) - known):
        warnings.append(f"{path}: no document named '{name}' in the project; row ignored")
    return [e for e in entries.values() if e.name in known]


def _entry(path: Path, line: int, values: dict[str, str], name_col: str) -> DocumentMeta:
    name = values.pop(name_col, "")
    if not name:
        raise InputError(located(path, f"the '{name_col}' field is empty", line=line))
    entry = DocumentMeta(Path(name).name, line, source=path)
    for key, value in values.items():
        if not value or key in NAME_COLUMNS:
            continue
        if key == "kind":
            kind = KINDS.get(value.lower())
            if kind is None:
                raise InputError(
                    located(
                        path, f"kind '{value}' is not interview, focus_group or other", line=line
                    )
                )
            entry.fields["kind"] = kind
        elif key == "date":
            if not _DATE.match(value):
                raise InputError(
                    located(path, f"date '{value}' is not YYYY-MM-DD (or YYYY-MM)", line=line)
                )
            entry.fields["date"] = value
        elif key in ("role", "site", "case_id"):
            entry.fields[key] = value
        elif key == "speakers":
            entry.speakers = _speakers(path, line, value)
        elif key == "speaker_pattern":
            entry.speaker_pattern = value
        else:
            entry.attributes[key] = value
    return entry


def _speakers(path: Path, line: int, value: str) -> dict[str, str]:
    speakers = {}
    for part in filter(None, (p.strip() for p in value.split(";"))):
        label, sep, role = part.partition("=")
        if not sep or not label.strip() or not role.strip():
            raise InputError(
                located(
                    path,
                    f"speakers entry '{part}' is not LABEL=role "
                    "(e.g. 'FACILITATOR=facilitator; OFFICER 1=patrol officer')",
                    line=line,
                )
            )
        speakers[label.strip()] = role.strip()
    return speakers


def auto_roles(labels: set[str]) -> dict[str, str | None]:
    """Roles guessed from labels alone: interviewers and facilitators are recognised by name."""
    return {label: ("interviewer" if _RESEARCHER.match(label) else None) for label in labels}


def is_researcher(role: str | None) -> bool:
    """Whether a speaker role belongs to the research team (left out of topic modelling)."""
    return bool(role) and role.strip().lower() in {
        "interviewer",
        "facilitator",
        "moderator",
        "researcher",
    }
