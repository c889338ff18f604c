"""Writing a planned REFI-QDA import into the project (the caller holds the transaction)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from qualkit.coding.codebook import COLOR
from qualkit.exchange.common import split_description

if TYPE_CHECKING:
    from qualkit.exchange.refi_import import RefiImportReport, _Doc, _Plan
    from qualkit.exchange.refi_model import RefiProject
    from qualkit.store import Store


class _Coders:
    """REFI user GUIDs -> qualkit coder ids, creating coders by name on first use."""

    def __init__(self, store: Store, project: RefiProject, fallback: str) -> None:
        self.store, self.project, self.fallback = store, project, fallback
        self.ids: dict[str | None, int] = {}
        self.names: list[str] = []

    def __call__(self, user: str | None) -> int:
        if user not in self.ids:
            name = self.project.users.get(user or "", "") if user else ""
            if not name:
                name = f"user-{user[:8]}" if user else self.fallback
            coder = self.store.codings.ensure_coder(name)
            self.ids[user] = coder.id
            if coder.name not in self.names:
                self.names.append(coder.name)
        return self.ids[user]


def write_plan(store: Store, project: RefiProject, plan: _Plan, report: RefiImportReport,
               coder: str) -> None:
    """Codes, documents, codings, memos and one event, in the caller's transaction."""
    from qualkit.store import now

    stamp = now()
    fresh = not store.documents.list() and not store.codes.list(include_retired=True)
    coders = _Coders(store, project, coder)
    _write_codes(store, plan, report)
    for doc in plan.docs:
        _write_document(store, doc, report, stamp)
    rows = [
        (plan.docs[d].id, plan.codes[code].id, coders(user or None), start, end,
         created or stamp)
        for d, code, user, start, end, created in plan.codings
    ]
    report.codings_added = store.exchange.add_codings(rows)
    report.codings_present = len(rows) - report.codings_added
    _write_memos(store, plan, report, coders, stamp)
    report.coders = sorted(coders.names)
    if fresh and project.name and not store.get_meta("codebook.title"):
        store.set_meta("codebook.title", project.name)
    if not (report.documents_added or report.codes_added or report.codings_added
            or report.memos_added or report.metadata_filled):
        return  # importing the same file again writes nothing, not even an event
    store.log(
        "import.refi",
        {
            "file": report.file,
            "documents_added": report.documents_added,
            "documents_matched": report.documents_matched,
            "codes_added": report.codes_added,
            "codings_added": report.codings_added,
            "memos_added": report.memos_added,
            "skipped": report.skipped,
        },
    )


def _write_codes(store: Store, plan: _Plan, report: RefiImportReport) -> None:
    by_refi = {id(item.refi): item for item in plan.code_order}
    for item in plan.code_order:
        if item.existing is not None:
            item.id = item.existing
            continue
        parent = by_refi.get(id(item.refi.parent)) if item.refi.parent else None
        parent_id = parent.id if parent else None
        color = item.refi.color if item.refi.color and COLOR.match(item.refi.color) else None
        item.id = store.codes.insert(
            {
                "name": item.name,
                "parent_id": parent_id,
                "position": store.codes.next_position(parent_id),
                "color": color,
                "origin": "imported",
                "origin_detail": {"refi": Path(report.file).name},
                "status": "retired" if item.retired else "active",
                **split_description(item.refi.description),
            }
        )


def _write_document(store: Store, doc: _Doc, report: RefiImportReport, stamp: str) -> None:
    from qualkit.ingest.metadata import auto_roles
    from qualkit.ingest.transcripts import FORMATS
    from qualkit.store.exchange import text_sha256

    if doc.existing is not None:
        doc.id = doc.existing
        _fill_metadata(store, doc, report)
        return
    doc.id = store.documents.add(
        name=doc.name,
        text=doc.text,
        sha256=text_sha256(doc.text),
        format=FORMATS.get(Path(doc.name).suffix.lower(), "txt"),
        source=f"{Path(report.file).name}!{doc.source.guid or doc.source.name}",
        encoding="utf-8",
        segments=doc.segments,
        imported_at=stamp,
    )
    store.documents.set_metadata(doc.id, doc.meta.fields, doc.meta.attributes)
    roles = auto_roles({row[2] for row in doc.segments if row[2]})
    roles.update({k: v for k, v in doc.meta.speakers.items()})
    store.documents.set_speakers(doc.id, roles)


def _fill_metadata(store: Store, doc: _Doc, report: RefiImportReport) -> None:
    """A document the project has already: add what it lacks, never overwrite."""
    assert doc.id is not None
    current = store.documents.get(doc.id)
    fields = {k: v for k, v in doc.meta.fields.items() if getattr(current, k) in (None, "")}
    attributes = {k: v for k, v in doc.meta.attributes.items() if k not in current.attributes}
    if fields or attributes:
        store.documents.set_metadata(doc.id, fields, attributes)
    known = store.documents.speakers(doc.id)
    missing = {k: v for k, v in doc.meta.speakers.items() if known.get(k) is None}
    if missing:
        store.documents.set_speakers(doc.id, missing)
    report.metadata_filled += bool(fields or attributes or missing)


def _write_memos(store: Store, plan: _Plan, report: RefiImportReport, coders: _Coders,
                 stamp: str) -> None:
    existing = {
        (m.coder_id, m.document_id, m.start, m.end, m.code_id, m.text.strip())
        for m in store.memos.list()
    }
    for memo in plan.memos:
        anchor = memo.anchor
        code = plan.codes.get(anchor.code) if anchor.code else None
        row = {
            "coder_id": coders(memo.user),
            "document_id": plan.docs[anchor.doc].id if anchor.doc is not None else None,
            "start": anchor.span[0] if anchor.span else None,
            "end": anchor.span[1] if anchor.span else None,
            "code_id": code.id if code else None,
            "text": memo.text.strip(),
            "created_at": memo.created or stamp,
            "updated_at": memo.modified or memo.created or stamp,
        }
        key = tuple(row[k] for k in ("coder_id", "document_id", "start", "end", "code_id",
                                     "text"))
        if key in existing:
            report.memos_present += 1
            continue
        existing.add(key)
        store.exchange.add_memo(row)
        report.memos_added += 1
