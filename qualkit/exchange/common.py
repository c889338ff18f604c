"""What the REFI-QDA reader and writers share: namespaces, GUIDs, dates, code descriptions, XML-safe
text, private file writing and schema validation.
"""

from __future__ import annotations

import functools
import hashlib
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from qualkit.errors import InputError
from qualkit.files import write_private  # noqa: F401  (the exchange writers' import)

if TYPE_CHECKING:
    from lxml import etree

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
# Namespaces real exporters write for the same elements: ATLAS.ti codebooks appear with
# ``urn:QDA-XML:codebook:0:4``, other tools with ``...:1:0``; some files carry none at all.
PROJECT_ALIASES = (PROJECT_NS, "urn:QDA-XML:project:1:0", "urn:QDA-XML:project:0:4", "")
CODEBOOK_ALIASES = (CODEBOOK_NS, "urn:QDA-XML:codebook:1:0", "urn:QDA-XML:codebook:0:4", "")
SCHEMAS = Path(__file__).resolve().parent / "schemas"

# A fixed namespace for qualkit's name-based GUIDs (uuid5), so that the same project exports
# the same GUIDs every time.
QUALKIT_NS = uuid.UUID("6f1d4a52-2b7e-5c1e-9a43-7d0c3e8b5a10")
_GUID = re.compile(
    r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$"
)
# Characters XML 1.0 cannot carry at all (C0 controls other than tab, LF, CR; surrogates; FFFE/F).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
SECTION_LABELS = ("Include", "Exclude", "Example")
_SECTION = re.compile(r"\n\n(Include|Exclude|Example): ?")
RETIRED_SET = "qualkit: retired codes"


def project_guid(seed: str) -> uuid.UUID:
    """The namespace of one project's GUIDs, from a value fixed at the project's creation."""
    return uuid.uuid5(QUALKIT_NS, f"project:{seed}")


def guid(namespace: uuid.UUID, *identity: object) -> str:
    """A stable GUID for one entity: the same identity always gives the same GUID.

    This is ``uuid.uuid5(namespace, "a:b:c")``, computed without building a UUID object: an
    export makes one per selection and coding, hundreds of thousands on a large project.
    """
    name = ":".join(str(part) for part in identity)
    raw = bytearray(hashlib.sha1(namespace.bytes + name.encode("utf-8")).digest()[:16])
    raw[6] = (raw[6] & 0x0F) | 0x50  # version 5
    raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def norm_guid(value: str | None) -> str | None:
    """GUIDs compare case-insensitively, with or without braces; anything else is kept as is
    (lowercased) so that a sloppy exporter's ids still link up."""
    if value is None:
        return None
    if len(value) == 36 and value[8] == "-" and value[23] == "-":  # the usual bare form
        return value.lower()
    value = value.strip()
    match = _GUID.match(value)
    return (match.group(1) if match else value).lower() or None


_UTC_STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?\+00:00$")


def xml_date(stamp: str | None) -> str | None:
    """qualkit's ISO time (``...+00:00``) as the ``xsd:dateTime`` the spec's examples use (Z)."""
    if not stamp:
        return None
    if _UTC_STAMP.match(stamp):  # qualkit's own stamps: no need to parse them
        return stamp[:-6].removesuffix(".000") + "Z"
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    millis = f".{moment.microsecond // 1000:03d}" if moment.microsecond else ""
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + millis + "Z"


_Z_STAMP = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d{3})?Z$")


@functools.lru_cache(maxsize=4096)
def parse_date(value: str | None) -> str | None:
    """An ``xsd:dateTime`` from a file as qualkit's ISO form, or None if it is not one."""
    if not value:
        return None
    fast = _Z_STAMP.match(value)
    if fast:  # the spec's own form (and qualkit's): no need for datetime
        return f"{fast.group(1)}{fast.group(2) or '.000'}+00:00"
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:  # a local time of unknown zone: read as UTC, never guessed
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def xml_text(value: str) -> str:
    """Text XML 1.0 can carry: characters it forbids are dropped."""
    return _NOT_XML.sub("", value)


def compose_description(description: str, include: str, exclude: str, example: str) -> str:
    """A code's definition as one REFI ``Description``: the definition, then labelled
    paragraphs (``Include: ...``) for the rules and the example, which other programs show as
    they are and ``split_description`` reads back."""
    parts = [description.strip()] if description.strip() else []
    for label, value in zip(SECTION_LABELS, (include, exclude, example), strict=True):
        if value.strip():
            parts.append(f"{label}: {value.strip()}")
    return "\n\n".join(parts)


def split_description(text: str | None) -> dict[str, str]:
    """The inverse of ``compose_description``: description, include, exclude, example.

    A paragraph that starts with ``Include:``, ``Exclude:`` or ``Example:`` opens that section;
    everything before the first one is the definition.
    """
    out = {"description": "", "include": "", "exclude": "", "example": ""}
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    pieces = _SECTION.split("\n\n" + text)
    out["description"] = pieces[0].strip()
    for label, value in zip(pieces[1::2], pieces[2::2], strict=True):
        key = label.lower()
        out[key] = f"{out[key]}\n\n{value.strip()}" if out[key] else value.strip()
    return out


def unique_name(name: str, parent: str | None, taken: set[str]) -> str:
    """A code name not yet in ``taken`` (case-insensitive), added to it. qualkit's code names
    are unique, other programs' are unique among siblings only (MAXQDA's "Positive" under
    several parents): a repeated name becomes ``Parent / Name``, then ``Parent / Name (2)``."""
    candidate = name
    if candidate.casefold() in taken:
        base = candidate = f"{parent} / {name}" if parent else name
        n = 2
        while candidate.casefold() in taken:
            candidate, n = f"{base} ({n})", n + 1
    taken.add(candidate.casefold())
    return candidate


def schema_errors(root: etree._Element, kind: str) -> list[str]:
    """Problems of ``root`` against the REFI-QDA schema (``project`` or ``codebook``)."""
    from lxml import etree

    name = "Project-mrt2019.xsd" if kind == "project" else "Codebook-mrt2019.xsd"
    schema = etree.XMLSchema(etree.parse(str(SCHEMAS / name)))
    if schema.validate(root):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


def check_valid(root: etree._Element, kind: str, path: str | Path) -> None:
    """Refuse to write a file that would not validate (a bug in qualkit, never the user's)."""
    errors = schema_errors(root, kind)
    if errors:
        raise InputError(
            f"{path}: the {kind} written does not validate against the REFI-QDA schema "
            f"({errors[0]}); please report this as a qualkit bug"
        )
