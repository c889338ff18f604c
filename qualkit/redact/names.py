"""The project's list of known names and aliases: the team's file plus the speaker metadata.

The team file is a CSV with a header ``name,kind,aliases,label``::

    name,kind,aliases,label
    Marisol Vega,person,Marisol; Ms. Vega,CASE_MANAGER_1
    Harbor Light,place,Harbor Light shelter,SHELTER_A
    LEAD,keep,,

``kind`` is ``person``, ``place``, ``org`` or ``keep`` (never propose it: the program's own name);
``aliases`` are separated by ``;``; ``label`` (optional) is the pseudonym, without brackets.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from pathlib import Path

from qualkit.errors import InputError, located
from qualkit.store.redaction import NameEntry

KINDS = {"person": "PERSON", "place": "PLACE", "org": "ORG", "keep": "KEEP"}
_LABEL = re.compile(r"^[A-Z][A-Z0-9_]{0,40}$")
_MAX_BYTES = 5_000_000
# Speaker labels that name a role, not a person.
_ROLE_WORDS = {
    "interviewer", "facilitator", "participant", "moderator", "respondent", "speaker",
    "officer", "manager", "case", "outreach", "worker", "prosecutor", "defender", "probation",
    "lead", "health", "program", "peer", "note", "taker", "observer", "unknown", "all",
    "group", "several", "voices", "crosstalk", "staff", "client", "q", "a", "r", "i",
}


def read_team_file(path: str | Path) -> list[NameEntry]:
    """Parse the team's names file; a bad row raises one line naming the file, line and field."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: not a file; give the team's names CSV (name,kind,aliases,label)")
    if path.stat().st_size > _MAX_BYTES:
        raise InputError(f"{path}: over 5 MB; a names list is a few hundred rows")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text; save it as UTF-8 CSV") from None
    reader = csv.DictReader(io.StringIO(text))
    missing = {"name", "kind"} - set(reader.fieldnames or ())
    if missing:
        raise InputError(located(path, f"missing column(s) {', '.join(sorted(missing))}; "
                                       "the header is name,kind,aliases,label", line=1))
    entries: list[NameEntry] = []
    for row in reader:
        entries.extend(_row_entries(path, reader.line_num, row))
    return entries


def _row_entries(path: Path, line: int, row: dict) -> list[NameEntry]:
    name = (row.get("name") or "").strip()
    kind = KINDS.get((row.get("kind") or "").strip().lower())
    label = (row.get("label") or "").strip().strip("[]") or None
    if not name:
        raise InputError(located(path, "empty name; give the person, place or organisation",
                                 line=line))
    if kind is None:
        raise InputError(located(path, f"kind {row.get('kind')!r}: use person, place, org or keep",
                                 line=line))
    if label is not None and not _LABEL.match(label):
        raise InputError(located(path, f"label {label!r}: use capitals, digits and _, "
                                       "e.g. OFFICER_1", line=line))
    aliases = [a.strip() for a in (row.get("aliases") or "").split(";") if a.strip()]
    return [NameEntry(name, alias, kind, label) for alias in [name, *aliases]]


def speaker_names(speakers: Iterable[tuple[str, str | None]]) -> list[NameEntry]:
    """Speaker labels that are people's names ("MARIA", role "case manager"), labelled by role.

    A label made only of role words or numbers ("OFFICER 2", "INTERVIEWER") is not a name.
    """
    entries: dict[str, NameEntry] = {}
    for label, role in speakers:
        words = re.findall(r"[A-Za-z']+", label)
        role_words = set(re.findall(r"[a-z]+", (role or "").lower()))
        if not words or any(ch.isdigit() for ch in label):
            continue
        if all(w.lower() in _ROLE_WORDS or w.lower() in role_words for w in words):
            continue
        pretty = " ".join(w.capitalize() for w in words)
        role_label = re.sub(r"[^A-Z0-9]+", "_", (role or "").upper()).strip("_") or None
        entries[pretty] = NameEntry(pretty, pretty, "PERSON", f"{role_label}_" if role_label
                                    else None)
    return list(entries.values())
