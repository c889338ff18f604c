"""REFI-QDA codebooks (``.qdc``) in and out.

Out: the project's code tree with GUIDs shared with its ``.qdpx`` export, each code's
definition, include/exclude rules and example in its ``Description`` (labelled paragraphs), its
colour, and the retired codes as a set. In: any ``CodeBook`` in the 1.0 namespace or the aliases
real exporters use (ATLAS.ti writes ``urn:QDA-XML:codebook:0:4``), loaded the way a YAML
codebook is (codes matched by name, added, updated, and the project's codes missing from the
file retired, never deleted), keeping the project's hotkeys.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from qualkit import __version__
from qualkit.coding.codebook import COLOR, Codebook, CodeSpec, LoadReport, apply_codebook
from qualkit.errors import InputError
from qualkit.exchange.common import (
    CODEBOOK_NS,
    RETIRED_SET,
    check_valid,
    compose_description,
    guid,
    norm_guid,
    split_description,
    unique_name,
    write_private,
    xml_text,
)
from qualkit.exchange.safety import DEFAULT_LIMITS, Limits, parse_xml

if TYPE_CHECKING:
    from lxml import etree

    from qualkit.models import Code
    from qualkit.store import Store


@dataclass(frozen=True)
class QdcLoadReport:
    load: LoadReport
    renamed: tuple[tuple[str, str], ...] = ()
    skipped: int = 0  # codes without a name


def export_qdc(store: Store, path: str | Path) -> int:
    """Write the project's codebook (retired codes included) as a ``.qdc``; returns the count."""
    from lxml import etree

    from qualkit.exchange.refi_export import project_namespace

    codes = store.codes.list(include_retired=True)
    if not codes:
        raise InputError(f"{store.path}: the project has no codes to export")
    ns = project_namespace(store)
    root = etree.Element(f"{{{CODEBOOK_NS}}}CodeBook", nsmap={None: CODEBOOK_NS})
    root.set("origin", f"qualkit {__version__}")
    _write_codes(etree.SubElement(root, f"{{{CODEBOOK_NS}}}Codes"), codes, ns)
    retired = [c for c in codes if c.status == "retired"]
    if retired:
        sets = etree.SubElement(root, f"{{{CODEBOOK_NS}}}Sets")
        item = etree.SubElement(sets, f"{{{CODEBOOK_NS}}}Set",
                                {"guid": guid(ns, "set", "retired"), "name": RETIRED_SET})
        for code in retired:
            etree.SubElement(item, f"{{{CODEBOOK_NS}}}MemberCode",
                             {"guid": guid(ns, "code", code.id)})
    check_valid(root, "codebook", path)
    write_private(path, etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                       pretty_print=True))
    return len(codes)


def _write_codes(holder: etree._Element, codes: list[Code], ns) -> None:
    from lxml import etree

    children: dict[int | None, list[Code]] = {}
    for code in codes:
        children.setdefault(code.parent_id, []).append(code)
    known = {c.id for c in codes}

    def write(parent: etree._Element, code: Code) -> None:
        attrs = {"guid": guid(ns, "code", code.id), "name": xml_text(code.name),
                 "isCodable": "true"}
        if code.color:
            attrs["color"] = code.color
        element = etree.SubElement(parent, f"{{{CODEBOOK_NS}}}Code", attrs)
        text = compose_description(code.description, code.include, code.exclude, code.example)
        if text:
            etree.SubElement(element, f"{{{CODEBOOK_NS}}}Description").text = xml_text(text)
        for child in children.get(code.id, []):
            write(element, child)

    for code in codes:
        if code.parent_id is None or code.parent_id not in known:
            write(holder, code)


def read_qdc(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> tuple[Codebook, QdcLoadReport]:
    """Parse a ``.qdc`` into a codebook (without touching a project)."""
    from qualkit.exchange.refi_read import children, local, namespace_ok

    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such codebook file")
    data = path.read_bytes()
    if len(data) > limits.max_read:
        raise InputError(f"{path}: refused: larger than {limits.max_read:,} bytes")
    root = parse_xml(data, str(path), limits)
    if local(root) != "CodeBook" or not namespace_ok(root):
        raise InputError(
            f"{path}: not a REFI-QDA codebook (the root element is <{local(root)}>, expected "
            "<CodeBook> in urn:QDA-XML:codebook:1.0)"
        )
    reader = _QdcReader(root)
    codes = [c for holder in children(root, "Codes") for c in
             (reader.code(el, None) for el in children(holder, "Code")) if c]
    if not codes:
        raise InputError(f"{path}: the codebook has no codes")
    book = Codebook(codes=tuple(codes), source=str(path))
    return book, QdcLoadReport(LoadReport((), (), ()), tuple(reader.renamed), reader.skipped)


class _QdcReader:
    """Turns ``Code`` elements into ``CodeSpec``s, making names unique as it goes."""

    def __init__(self, root: etree._Element) -> None:
        from qualkit.exchange.refi_read import children

        self.retired = {
            norm_guid(m.get("guid") or m.get("targetGUID"))
            for sets in children(root, "Sets") for s in children(sets, "Set")
            if (s.get("name") or "").strip() == RETIRED_SET for m in children(s, "MemberCode")
        }
        self.taken: set[str] = set()
        self.renamed: list[tuple[str, str]] = []
        self.skipped = 0

    def code(self, element: etree._Element, parent: str | None) -> CodeSpec | None:
        from qualkit.exchange.refi_read import child_text, children

        name = " ".join((element.get("name") or "").split())
        if not name:
            self.skipped += 1
            return None
        final = unique_name(name, parent, self.taken)
        if final != name:
            self.renamed.append((name, final))
        color = (element.get("color") or "").strip()
        kids = [c for c in (self.code(k, final) for k in children(element, "Code")) if c]
        return CodeSpec(
            name=final,
            color=color if COLOR.match(color) else None,
            status="retired" if norm_guid(element.get("guid")) in self.retired else "active",
            origin="imported",
            children=tuple(kids),
            **split_description(child_text(element, "Description")),
        )


def load_qdc(store: Store, path: str | Path, limits: Limits = DEFAULT_LIMITS) -> QdcLoadReport:
    """Load a ``.qdc`` into the project in one transaction (as ``codebook --load`` does YAML)."""
    book, report = read_qdc(path, limits)
    existing = {c.name.casefold(): c for c in store.codes.list(include_retired=True)}

    def keep(spec: CodeSpec) -> CodeSpec:
        # REFI has no hotkeys: a code's hotkey in the project survives a codebook reload.
        current = existing.get(spec.name.casefold())
        hotkey = current.hotkey if current and spec.status == "active" else None
        return replace(spec, hotkey=hotkey, children=tuple(keep(c) for c in spec.children))

    book = Codebook(
        title=store.get_meta("codebook.title", "") or Path(path).stem,
        version=store.get_meta("codebook.version", "") or "",
        description=store.get_meta("codebook.description", "") or "",
        codes=tuple(keep(c) for c in book.codes),
        source=book.source,
    )
    return QdcLoadReport(apply_codebook(store, book), report.renamed, report.skipped)
