"""Writing a project as a REFI-QDA project archive (``.qdpx``) that other programs open.

The archive holds ``project.qde`` and ``sources/<GUID>.txt`` (UTF-8, no BOM, LF line ends:
exactly the text positions refer to, in code points, end exclusive). Every GUID is derived from
the project's creation time and the entity's own identity (uuid5), so exporting twice gives the
same GUIDs, and the same bytes. The XML is checked against the REFI-QDA schema before anything
is written.
"""

from __future__ import annotations

import io
import math
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from qualkit import __version__
from qualkit.exchange.common import (
    PROJECT_NS,
    RETIRED_SET,
    check_valid,
    compose_description,
    guid,
    project_guid,
    write_private,
    xml_date,
    xml_text,
)
from qualkit.exchange.refi_notes import NoteWriter, Selections

if TYPE_CHECKING:
    from lxml import etree

    from qualkit.models import Code, Document
    from qualkit.store import Store


@dataclass(frozen=True)
class ExportSummary:
    path: str
    documents: int
    codes: int
    coders: int
    codings: int
    memos: int


def export_qdpx(
    store: Store, path: str | Path, *, coders: list[str] | None = None
) -> ExportSummary:
    """Write the project (or only the named coders' work) as a ``.qdpx`` file (0600)."""
    from lxml import etree

    writer = _Writer(store, coders)
    root = writer.build()
    check_valid(root, "project", path)
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    stamp = _zip_time(store.get_meta("created_at"))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        _add(archive, "project.qde", xml, stamp)
        for name, text in writer.files:
            _add(archive, f"sources/{name}", text.encode("utf-8"), stamp)
    write_private(path, buffer.getvalue())
    return ExportSummary(str(path), len(writer.documents), len(writer.codes),
                         len(writer.coder_names), writer.coding_count, writer.notes.count)


def _add(archive: zipfile.ZipFile, name: str, data: bytes, stamp: tuple) -> None:
    info = zipfile.ZipInfo(name, date_time=stamp)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16
    archive.writestr(info, data)


def _zip_time(created: str | None) -> tuple[int, int, int, int, int, int]:
    """The project's creation time for every entry: the same project gives the same bytes."""
    from datetime import datetime

    try:
        moment = datetime.fromisoformat(created or "")
    except ValueError:
        return (1980, 1, 1, 0, 0, 0)
    return (max(moment.year, 1980), moment.month, moment.day, moment.hour, moment.minute,
            moment.second)


def project_namespace(store: Store):
    """The namespace of the project's GUIDs: fixed when the project file was created."""
    return project_guid(store.get_meta("created_at") or store.path.name)


class _Writer:
    def __init__(self, store: Store, coders: list[str] | None) -> None:
        self.store = store
        self.ns = project_namespace(store)
        all_coders = store.codings.coders()
        if coders is not None:
            from qualkit.errors import QualkitError

            unknown = sorted(set(coders) - {c.name for c in all_coders})
            if unknown:
                raise QualkitError(f"no coder called {', '.join(unknown)} in this project")
            all_coders = [c for c in all_coders if c.name in coders]
        self.coder_ids = {c.id: c.name for c in all_coders}
        self.coder_names = sorted(self.coder_ids.values())
        self.codes = store.codes.list(include_retired=True)
        self.documents = store.documents.list()
        self.files: list[tuple[str, str]] = []
        self.coding_count = 0
        self.notes = NoteWriter(self)
        self._users_cache: dict[int, str] = {}
        self._codes_cache: dict[int, str] = {}

    def user(self, coder_id: int) -> str:
        if coder_id not in self._users_cache:
            self._users_cache[coder_id] = guid(self.ns, "user", self.coder_ids[coder_id])
        return self._users_cache[coder_id]

    def code_guid(self, code_id: int) -> str:
        if code_id not in self._codes_cache:
            self._codes_cache[code_id] = guid(self.ns, "code", code_id)
        return self._codes_cache[code_id]

    def build(self) -> etree._Element:
        from lxml import etree

        self.E = etree
        created = self.store.get_meta("created_at")
        title = self.store.get_meta("codebook.title") or Path(self.store.path).stem
        root = etree.Element(f"{{{PROJECT_NS}}}Project", nsmap={None: PROJECT_NS})
        root.set("name", xml_text(title))
        root.set("origin", f"qualkit {__version__}")
        if created and xml_date(created):
            root.set("creationDateTime", xml_date(created))
        memos = [m for m in self.store.memos.list() if m.coder_id in self.coder_ids]
        self.notes.plan(memos)
        selections = Selections(self)
        codings = [c for c in self.store.codings.all() if c.coder_id in self.coder_ids]
        self.coding_count = len(codings)
        selections.add_codings(codings)
        selections.add_memos(self.notes)
        self._users(root)
        self._codebook(root)
        variables = self._variables(root)
        self._cases(root)
        self._sources(root, selections, variables)
        self.notes.write(root)
        self._sets(root)
        self.notes.project_refs(root)
        return root

    def sub(self, parent, tag: str, **attrs: str | None):
        clean = {k: v for k, v in attrs.items() if v is not None}
        return self.E.SubElement(parent, _TAGS.get(tag) or f"{{{PROJECT_NS}}}{tag}", clean)

    def _users(self, root) -> None:
        if self.coder_names:
            users = self.sub(root, "Users")
            for name in self.coder_names:
                self.sub(users, "User", guid=guid(self.ns, "user", name), name=xml_text(name),
                         id=xml_text(name))

    def _codebook(self, root) -> None:
        if not self.codes:
            return
        children: dict[int | None, list[Code]] = {}
        for code in self.codes:
            children.setdefault(code.parent_id, []).append(code)
        known = {c.id for c in self.codes}
        top = [c for c in self.codes if c.parent_id is None or c.parent_id not in known]
        holder = self.sub(self.sub(root, "CodeBook"), "Codes")

        def write(parent, code: Code) -> None:
            element = self.sub(parent, "Code", guid=self.code_guid(code.id),
                               name=xml_text(code.name), isCodable="true", color=code.color)
            text = compose_description(code.description, code.include, code.exclude,
                                       code.example)
            if text:
                self.sub(element, "Description").text = xml_text(text)
            self.notes.refs(element, code=code.id)
            for child in children.get(code.id, []):
                write(element, child)

        for code in top:
            write(holder, code)

    def _variables(self, root) -> dict[str, str]:
        """One Variable per metadata field and attribute the documents use -> its type."""
        types: dict[str, str] = {}
        for doc in self.documents:
            for name, value in _values(self.store, doc).items():
                kind = _kind(value)
                types[name] = kind if types.get(name, kind) == kind else "Text"
        if types:
            holder = self.sub(root, "Variables")
            for name in sorted(types):
                self.sub(holder, "Variable", guid=guid(self.ns, "var", name),
                         name=xml_text(name), typeOfVariable=types[name])
        return types

    def _cases(self, root) -> None:
        cases: dict[str, list[Document]] = {}
        for doc in self.documents:
            if doc.case_id:
                cases.setdefault(doc.case_id, []).append(doc)
        if cases:
            holder = self.sub(root, "Cases")
            for name in sorted(cases):
                case = self.sub(holder, "Case", guid=guid(self.ns, "case", name),
                                name=xml_text(name))
                for doc in cases[name]:
                    self.sub(case, "SourceRef", targetGUID=guid(self.ns, "doc", doc.id))

    def _sources(self, root, selections: Selections, types: dict[str, str]) -> None:
        if not self.documents:
            return
        holder = self.sub(root, "Sources")
        for doc in self.documents:
            key = guid(self.ns, "doc", doc.id)
            text = self.store.documents.text(doc.id)
            self.files.append((f"{key}.txt", text))
            source = self.sub(holder, "TextSource", guid=key, name=xml_text(doc.name),
                              plainTextPath=f"internal://{key}.txt",
                              creationDateTime=xml_date(doc.imported_at))
            selections.write(source, doc.id, text)
            self.notes.refs(source, document=doc.id)
            for name, value in sorted(_values(self.store, doc).items()):
                item = self.sub(source, "VariableValue")
                self.sub(item, "VariableRef", targetGUID=guid(self.ns, "var", name))
                tag = f"{types[name]}Value"
                self.sub(item, tag).text = xml_text(_text(value, types[name]))

    def _sets(self, root) -> None:
        retired = [c for c in self.codes if c.status == "retired"]
        if retired:
            item = self.sub(self.sub(root, "Sets"), "Set", guid=guid(self.ns, "set", "retired"),
                            name=RETIRED_SET)
            self.sub(item, "Description").text = (
                "Codes retired in qualkit: kept for their codings, no longer applied."
            )
            for code in retired:
                self.sub(item, "MemberCode", targetGUID=self.code_guid(code.id))


_TAGS = {t: f"{{{PROJECT_NS}}}{t}" for t in ("PlainTextSelection", "Coding", "CodeRef",
                                               "NoteRef")}


def _values(store: Store, doc: Document) -> dict[str, object]:
    """A document's metadata as variables: the fixed fields, its speakers' roles, attributes."""
    values: dict[str, object] = {}
    for name in ("kind", "role", "site", "date"):
        if getattr(doc, name):
            values[name] = getattr(doc, name)
    roles = {k: v for k, v in store.documents.speakers(doc.id).items() if v}
    if roles:
        values["speakers"] = "; ".join(f"{k}={v}" for k, v in sorted(roles.items()))
    for key, value in doc.attributes.items():
        if key not in values and value is not None and str(value) != "":
            values[key] = value
    return values


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int):
        return "Integer"
    if isinstance(value, float) and math.isfinite(value):
        return "Float"
    return "Text"


def _text(value: object, kind: str) -> str:
    if kind == "Boolean":
        return "true" if value else "false"
    if kind == "Float":  # xsd:decimal has no exponent: 1e-05 must be written 0.00001
        return format(Decimal(repr(value)), "f")
    return str(value)
