"""Reading a REFI-QDA project (``.qdpx`` archive or bare ``.qde``) into plain records.

Tolerant of what real exporters do: the root file named ``project.qde``, ``Project.qde`` or any
single ``*.qde``; ``sources/`` in any case; GUIDs in braces or upper case; namespaces of older
drafts or none; a ``Description`` on a selection (a coding memo, as MAXQDA and QualCoder write);
notes that carry the span they annotate (NVivo). Nothing is written here.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualkit.errors import InputError
from qualkit.exchange.common import norm_guid, parse_date
from qualkit.exchange.refi_model import (
    RefiCase,
    RefiCode,
    RefiCoding,
    RefiNote,
    RefiProject,
    RefiSelection,
    RefiSource,
    RefiVariable,
)
from qualkit.exchange.safety import DEFAULT_LIMITS, Limits, SafeArchive, parse_xml

if TYPE_CHECKING:
    from lxml import etree
    from lxml.etree import _Element as Element

OTHER_SOURCES = {
    "PDFSource": "PDF",
    "PictureSource": "picture",
    "AudioSource": "audio",
    "VideoSource": "video",
}
_OTHER_SELECTIONS = {
    "PDFSelection", "PictureSelection", "AudioSelection", "VideoSelection",
    "TranscriptSelection", "PlainTextSelection",
}
_VALUE_TAGS = ("TextValue", "BooleanValue", "IntegerValue", "FloatValue", "DateValue",
               "DateTimeValue")


def local(element: etree._Element) -> str:
    """An element's name without its namespace (exporters disagree on the namespace)."""
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _prefix(element: etree._Element) -> str:
    """The element's ``{namespace}``, or "" without one."""
    tag = element.tag
    return tag[: tag.index("}") + 1] if tag.startswith("{") else ""


def _qualified(element: etree._Element, name: str) -> str:
    """``name`` in the element's own namespace: a file uses one namespace throughout, so
    lxml can filter children in C (a large project has hundreds of thousands of them)."""
    return _prefix(element) + name


def children(element: etree._Element, name: str) -> list[etree._Element]:
    return list(element.iterchildren(_qualified(element, name)))


def child_text(element: etree._Element, name: str) -> str:
    found = element.find(_qualified(element, name))
    return (found.text or "") if found is not None else ""


def namespace_ok(root: etree._Element) -> bool:
    tag = root.tag if isinstance(root.tag, str) else ""
    namespace = tag[1:].partition("}")[0] if tag.startswith("{") else ""
    return namespace == "" or namespace.lower().startswith("urn:qda-xml:")


def read_project_file(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> RefiProject:
    """Read a ``.qdpx`` (or a bare ``.qde``) within ``limits``; raises InputError on refusal."""
    path = Path(path)
    if path.suffix.lower() == ".qde":
        if not path.is_file():
            raise InputError(f"{path}: no such file")
        data = path.read_bytes()
        if len(data) > limits.max_read:
            raise InputError(f"{path}: refused: larger than {limits.max_read:,} bytes")
        return _Reader(None, str(path)).project(parse_xml(data, str(path), limits))
    with SafeArchive(path, limits) as archive:
        member = root_member(archive)
        label = f"{path}!{member}"
        root = parse_xml(archive.read(member), label, limits)
        return _Reader(archive, label).project(root)


def root_member(archive: SafeArchive) -> str:
    """``project.qde`` (any case), or else the archive's single ``*.qde`` at the top level."""
    top = [n for n in archive.members if "/" not in n and n.lower().endswith(".qde")]
    exact = [n for n in top if n.lower() == "project.qde"]
    if len(exact) == 1:
        return exact[0]
    if len(top) == 1:
        return top[0]
    if not top:
        raise InputError(
            f"{archive.path}: no project.qde at the top of the archive; is it a REFI-QDA "
            "project (.qdpx)?"
        )
    raise InputError(
        f"{archive.path}: {len(top)} .qde files at the top of the archive "
        f"({', '.join(sorted(top))}) and none called project.qde; cannot tell which is the project"
    )


class _Reader:
    def __init__(self, archive: SafeArchive | None, label: str) -> None:
        self.archive = archive
        self.label = label
        self.bad_positions = 0

    def project(self, root: etree._Element) -> RefiProject:
        if local(root) != "Project" or not namespace_ok(root):
            raise InputError(
                f"{self.label}: not a REFI-QDA project (the root element is <{local(root)}>, "
                "expected <Project> in urn:QDA-XML:project:1.0)"
            )
        project = RefiProject(name=root.get("name") or "", origin=root.get("origin") or "")
        self.project_ = project
        for section in root:
            handler = getattr(self, f"section_{local(section)}", None)
            if handler is not None:
                handler(section, project)
        if self.bad_positions:
            project.warnings.append(
                f"{self.label}: {self.bad_positions} selections without whole-number "
                "startPosition/endPosition skipped"
            )
        return project

    # -- the sections of <Project>, in the schema's order ----------------------------------------

    def section_Users(self, section: Element, project: RefiProject) -> None:
        for user in children(section, "User"):
            key = norm_guid(user.get("guid"))
            if key:
                project.users[key] = (user.get("name") or user.get("id") or "").strip()

    def section_CodeBook(self, section: Element, project: RefiProject) -> None:
        for codes in children(section, "Codes"):
            for code in children(codes, "Code"):
                self.code(code, None)

    def section_Variables(self, section: Element, project: RefiProject) -> None:
        for var in children(section, "Variable"):
            key = norm_guid(var.get("guid"))
            if key:
                name = (var.get("name") or "").strip()
                project.variables[key] = RefiVariable(key, name, var.get("typeOfVariable") or "")

    def section_Cases(self, section: Element, project: RefiProject) -> None:
        project.cases += [self.case(case) for case in children(section, "Case")]

    def section_Sources(self, section: Element, project: RefiProject) -> None:
        project.sources += [s for s in (self.source(el) for el in section) if s]

    def section_Notes(self, section: Element, project: RefiProject) -> None:
        for note in children(section, "Note"):
            self.note(note)

    def section_Links(self, section: Element, project: RefiProject) -> None:
        project.links += [
            (norm_guid(link.get("originGUID")), norm_guid(link.get("targetGUID")))
            for link in children(section, "Link")
        ]

    def section_Sets(self, section: Element, project: RefiProject) -> None:
        project.sets += [self.set_(s) for s in children(section, "Set")]

    def section_Description(self, section: Element, project: RefiProject) -> None:
        project.description = section.text or ""

    def section_NoteRef(self, section: Element, project: RefiProject) -> None:
        project.note_refs.append(norm_guid(section.get("targetGUID")) or "")

    # -- codes, cases, sets ----------------------------------------------------------------------

    def code(self, element: etree._Element, parent: RefiCode | None) -> None:
        codable = (element.get("isCodable") or "true").strip().lower() not in ("false", "0")
        code = RefiCode(
            guid=norm_guid(element.get("guid")),
            name=" ".join((element.get("name") or "").split()),
            description=child_text(element, "Description"),
            color=(element.get("color") or "").strip() or None,
            codable=codable,
            parent=parent,
            note_refs=refs(element, "NoteRef"),
        )
        self.project_.codes.append(code)
        for child in children(element, "Code"):
            self.code(child, code)

    def case(self, element: etree._Element) -> RefiCase:
        return RefiCase(
            guid=norm_guid(element.get("guid")),
            name=(element.get("name") or "").strip(),
            values=values(element),
            sources=refs(element, "SourceRef"),
        )

    def set_(self, element: etree._Element) -> tuple[str, list[str]]:
        members = [
            norm_guid(m.get("targetGUID") or m.get("guid")) or ""
            for m in children(element, "MemberCode")
        ]
        return (element.get("name") or "").strip(), members

    # -- sources ---------------------------------------------------------------------------------

    def source(self, element: etree._Element) -> RefiSource | None:
        kind = local(element)
        guid_ = norm_guid(element.get("guid"))
        name = (element.get("name") or "").strip() or f"source {guid_ or '?'}"
        common = dict(
            guid=guid_,
            name=name,
            user=norm_guid(element.get("creatingUser")),
            created=parse_date(element.get("creationDateTime")),
            description=child_text(element, "Description"),
        )
        if kind in OTHER_SOURCES:
            count = sum(1 for el in element.iter() if local(el) in _OTHER_SELECTIONS)
            return RefiSource(kind=OTHER_SOURCES[kind], other_selections=count, **common)
        if kind != "TextSource":
            return None
        source = RefiSource(kind="text", note_refs=refs(element, "NoteRef"),
                            values=values(element), **common)
        source.raw, source.problem = self.text_of(element)
        source.selections = [
            s for s in (self.selection(el) for el in children(element, "PlainTextSelection")) if s
        ]
        return source

    def selection(self, element: etree._Element) -> RefiSelection | None:
        # One pass over the children, by tag: a large project has tens of thousands of these.
        get = element.get
        try:
            start, end = int(get("startPosition", "")), int(get("endPosition", ""))
        except ValueError:
            self.bad_positions += 1
            return None
        user = norm_guid(get("creatingUser") or get("modifyingUser"))
        created = parse_date(get("creationDateTime") or get("modifiedDateTime"))
        prefix = _prefix(element)
        found = RefiSelection(guid=norm_guid(get("guid")), start=start, end=end,
                              name=get("name"), user=user, created=created)
        for child in element:
            tag = child.tag
            if tag == prefix + "Coding":
                found.codings.append(self.coding(child, prefix, user, created))
            elif tag == prefix + "NoteRef":
                found.note_refs.append(norm_guid(child.get("targetGUID")) or "")
            elif tag == prefix + "Description":
                found.description = child.text or ""
        return found

    @staticmethod
    def coding(element: etree._Element, prefix: str, user: str | None,
               created: str | None) -> RefiCoding:
        code, notes = None, []
        for child in element:
            if child.tag == prefix + "CodeRef" and code is None:
                code = norm_guid(child.get("targetGUID"))
            elif child.tag == prefix + "NoteRef":
                notes.append(norm_guid(child.get("targetGUID")) or "")
        return RefiCoding(
            code=code,
            user=norm_guid(element.get("creatingUser")) or user,
            created=parse_date(element.get("creationDateTime")) or created,
            note_refs=notes,
        )

    def text_of(self, element: etree._Element) -> tuple[str | None, str | None]:
        """The source's plain text as written (BOM and CRLF kept), or why there is none."""
        for child in element:
            if local(child) == "PlainTextContent":
                return child.text or "", None
        path = (element.get("plainTextPath") or "").strip()
        if not path:
            if element.get("richTextPath"):
                return None, "only a rich-text file, no plain-text version"
            return None, "no text (neither PlainTextContent nor plainTextPath)"
        member = self.member_for(path)
        if member is None:
            where = "outside the archive" if "://" in path and not path.lower().startswith(
                "internal://") else "missing from the archive"
            return None, f"its text file {path} is {where}"
        return self.decode(member), None

    def decode(self, member: str) -> str:
        text, fallback = decode_text(self.archive.read(member))  # type: ignore[union-attr]
        if fallback:
            self.project_.warnings.append(
                f"{self.label}: {member} is not UTF-8; read as Windows-1252 (check accents)"
            )
        return text

    def member_for(self, path: str) -> str | None:
        if self.archive is None or not path.lower().startswith("internal://"):
            return None
        name = path[len("internal://"):].lstrip("/")
        for candidate in (name, f"sources/{name}"):
            found = self.archive.find(candidate)
            if found is not None:
                return found
        return None

    # -- notes -----------------------------------------------------------------------------------

    def note(self, element: etree._Element) -> None:
        text = None
        for child in element:
            if local(child) == "PlainTextContent":
                text = child.text or ""
        if text is None and element.get("plainTextPath"):
            member = self.member_for(element.get("plainTextPath", ""))
            text = self.decode(member) if member else None
        if text is None:
            text = child_text(element, "Description")
        spans = []
        for sel in children(element, "PlainTextSelection"):
            try:
                spans.append((int(sel.get("startPosition", "")), int(sel.get("endPosition", ""))))
            except ValueError:
                self.bad_positions += 1
        note = RefiNote(
            guid=norm_guid(element.get("guid")),
            name=(element.get("name") or "").strip(),
            text=text,
            user=norm_guid(element.get("creatingUser") or element.get("modifyingUser")),
            created=parse_date(element.get("creationDateTime") or element.get("modifiedDateTime")),
            modified=parse_date(element.get("modifiedDateTime")),
            spans=spans,
        )
        if note.guid:
            self.project_.notes[note.guid] = note
        else:
            self.project_.loose_notes.append(note)


def refs(element: etree._Element, name: str) -> list[str]:
    """The targets of an element's ``<name targetGUID=...>`` children, normalised."""
    return [g for g in (norm_guid(c.get("targetGUID")) for c in children(element, name)) if g]


def values(element: etree._Element) -> dict[str, Any]:
    """Variable GUID -> typed value, from an element's ``VariableValue`` children."""
    found: dict[str, Any] = {}
    for item in children(element, "VariableValue"):
        target = refs(item, "VariableRef")
        for child in item:
            kind = local(child)
            if target and kind in _VALUE_TAGS and child.text is not None:
                found[target[0]] = typed(kind, child.text.strip())
    return found


def typed(kind: str, text: str) -> Any:
    try:
        if kind == "BooleanValue":
            return text.lower() in ("true", "1")
        if kind == "IntegerValue":
            return int(text)
        if kind == "FloatValue":
            return float(text)
    except ValueError:
        pass
    return text


def decode_text(data: bytes) -> tuple[str, bool]:
    """A source file's text, and whether it had to fall back to Windows-1252: UTF-8 as the spec
    requires (a BOM kept as U+FEFF: whether it was counted is decided later), or UTF-16."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), False
    try:
        return data.decode("utf-8"), False
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), True
