"""One consistent pseudonym per person, place or organisation: ``[OFFICER_1]``, ``[SHELTER_A]``.

People are numbered under their role (from a title such as "Officer", or the names list), places
and organisations lettered under what they are (from their last word: "Harbor Light shelter" is a
SHELTER). Dates, phone numbers and the like get a fixed tag. Labels once given are kept in the
original project (``redact_pseudonyms``), so a second review or copy gives the same person the
same label; that mapping never goes into the redacted copy.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable

from qualkit.redact.detect import Found

FIXED = {"DATE": "DATE", "PHONE": "PHONE", "EMAIL": "EMAIL", "ADDRESS": "ADDRESS", "AGE": "AGE",
         "ID": "ID"}
PLACE_WORDS = {
    "shelter": "SHELTER", "clinic": "CLINIC", "street": "STREET", "avenue": "STREET",
    "road": "STREET", "boulevard": "STREET", "lane": "STREET", "park": "PARK",
    "precinct": "PRECINCT", "center": "CENTER", "centre": "CENTER", "church": "CHURCH",
    "motel": "MOTEL", "hotel": "MOTEL", "hospital": "HOSPITAL", "library": "LIBRARY",
    "court": "COURT", "courthouse": "COURT", "jail": "JAIL", "school": "SCHOOL",
    "county": "COUNTY", "city": "CITY", "services": "AGENCY", "department": "AGENCY",
}
_NUMBERED = re.compile(r"^\[([A-Z0-9_]+?)_(\d+|[A-Z]+)\]$")


def link_people(found: Iterable[Found]) -> dict[str, str]:
    """Key → canonical key: "Marisol" is the "Marisol Vega" of the same project when that is
    the only full name with that word."""
    keys = {f.key for f in found if f.kind == "PERSON"}
    full = [k for k in keys if " " in k.split(":", 1)[1]]
    links: dict[str, str] = {}
    for key in keys:
        word = key.split(":", 1)[1]
        if " " in word:
            continue
        owners = [k for k in full if word in k.split(":", 1)[1].split(" ")]
        if len(owners) == 1:
            links[key] = owners[0]
    return links


def prefix(found: Found) -> str:
    if found.kind in FIXED:
        return FIXED[found.kind]
    if found.kind == "PERSON":
        return (found.role or "PERSON").rstrip("_")
    last = re.findall(r"[a-z]+", found.text.lower())
    return PLACE_WORDS.get(last[-1] if last else "", found.kind)


def _letters(n: int) -> str:
    """1 → A, 26 → Z, 27 → AA."""
    out = ""
    while n:
        n, rem = divmod(n - 1, 26)
        out = string.ascii_uppercase[rem] + out
    return out


def assign(found: Iterable[Found], existing: dict[str, tuple[str, str]]
           ) -> dict[str, tuple[str, str]]:
    """Pseudonyms for every key in ``found`` not in ``existing``: key → (kind, label)."""
    found = list(found)
    links = link_people(found)
    given = dict(existing)
    used: dict[str, set[str]] = {}
    for _, label in given.values():
        m = _NUMBERED.match(label)
        if m:
            used.setdefault(m.group(1), set()).add(m.group(2))
    new: dict[str, tuple[str, str]] = {}
    for item in sorted(found, key=lambda f: f.key in links):  # full names before their parts
        if item.key in given:
            continue
        canonical = links.get(item.key)
        if canonical in given:
            label = given[canonical][1]
        elif item.kind in FIXED:
            label = f"[{FIXED[item.kind]}]"
        elif item.role and re.search(r"_\d+$", item.role):
            label = f"[{item.role}]"  # the names list gave the whole label
        else:
            label = _next_label(prefix(item), item.kind, used)
        given[item.key] = new[item.key] = (item.kind, label)
    return new


def _next_label(head: str, kind: str, used: dict[str, set[str]]) -> str:
    taken = used.setdefault(head, set())
    n = 1
    while True:
        tag = str(n) if kind == "PERSON" else _letters(n)
        if tag not in taken:
            taken.add(tag)
            return f"[{head}_{tag}]"
        n += 1
