"""Merging coders' project files into a master, with no server: how a team codes apart.

Each coder's codings, memos, completions, reconciliation decisions and audit events come into the
master. Documents are matched by content (SHA-256 of the text), codes by name, coders by name.
Merging is idempotent: a second merge of the same files adds nothing (and writes nothing). All
files are merged in one transaction: a file that cannot be read leaves the master untouched.

Conflicts are reported, never guessed at: a document whose text differs from the master's
document of the same name, and a code renamed in one file (the same code - same id and creation
time, as in a copy of one project - under another name). What hangs on them is left out and
counted; fix the names and merge again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualkit.errors import QualkitError
from qualkit.exchange.merge_read import CoderFile, event_key, read_coder_file
from qualkit.store.exchange import text_sha256

if TYPE_CHECKING:
    from qualkit.store import Store


@dataclass
class FileReport:
    file: str
    coders: list[str] = field(default_factory=list)
    documents_matched: int = 0
    documents_added: list[str] = field(default_factory=list)
    codes_matched: int = 0
    codes_added: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    codings_added: int = 0
    codings_present: int = 0
    skipped: int = 0  # codings, memos, completions, decisions left out by a conflict
    memos_added: int = 0
    memos_updated: int = 0
    completions_added: int = 0
    decisions_added: int = 0
    events_added: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.documents_added or self.codes_added or self.codings_added
                    or self.memos_added or self.memos_updated or self.completions_added
                    or self.decisions_added or self.events_added)


@dataclass
class MergeReport:
    master: str
    files: list[FileReport]
    dry_run: bool = False


class _DryRun(Exception):
    pass


def merge_projects(store: Store, paths: list[str | Path], *, dry_run: bool = False
                   ) -> MergeReport:
    """Merge coders' project files into the open master ``store``, in one transaction."""
    master = Path(store.path).resolve()
    for path in paths:
        if Path(path).resolve() == master:
            raise QualkitError(f"{path}: is the master itself; name the coders' files to merge")
    files = [read_coder_file(p) for p in paths]  # all read (and checked) before any write
    report = MergeReport(str(store.path), [], dry_run)
    try:
        with store.atomic():
            state = _Master(store)
            for data in files:
                report.files.append(_merge_one(store, state, data))
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report


class _Master:
    """What the master holds, indexed for matching; updated as files are merged in."""

    def __init__(self, store: Store) -> None:
        self.hashes = store.exchange.text_hashes()
        self.names = {d.name for d in store.documents.list()}
        codes = store.codes.list(include_retired=True)
        self.codes = {c.name.casefold(): c for c in codes}
        created = store.exchange.code_created()
        self.identity = {(c.id, created[c.id]): c for c in codes}
        self.events = {event_key(at, coder, action, detail): event_id
                       for event_id, at, coder, action, detail in store.exchange.event_rows()}
        self.decisions = {_decision_key(d) for d in store.exchange.decision_rows()}


def _merge_one(store: Store, state: _Master, data: CoderFile) -> FileReport:
    report = FileReport(str(data.path))
    coders = {}
    for coder in data.coders:
        coders[coder.id] = store.codings.ensure_coder(coder.name, kind=coder.kind).id
        report.coders.append(coder.name)
    docs = _documents(store, state, data, report)
    codes = _codes(store, state, data, report)
    _codings(store, data, report, docs, codes, coders)
    _memos(store, data, report, docs, codes, coders)
    completions = [(coders[c], docs[d], at) for c, d, at in data.completions if d in docs]
    report.skipped += len(data.completions) - len(completions)
    report.completions_added = store.exchange.add_completions(completions)
    from qualkit.exchange.merge_events import merge_events

    merge_events(store, state, data, report, docs, codes, coders)
    if report.changed:
        store.log("merge", {"file": str(data.path), "documents_added": report.documents_added,
                            "codes_added": report.codes_added, "codings": report.codings_added,
                            "memos": report.memos_added, "events": report.events_added,
                            "conflicts": report.conflicts})
    return report


def _documents(store: Store, state: _Master, data: CoderFile, report: FileReport
               ) -> dict[int, int]:
    mapped: dict[int, int] = {}
    for doc in data.documents:
        text = data.texts[doc.id]
        digest = text_sha256(text)
        if digest in state.hashes:
            mapped[doc.id] = state.hashes[digest]
            report.documents_matched += 1
            continue
        if doc.name in state.names:
            report.conflicts.append(
                f"document '{doc.name}': its text differs from the master's document of that "
                "name (edited or re-imported in one file); its codings were not merged"
            )
            continue
        new_id = store.documents.add(
            name=doc.name, text=text, sha256=doc.sha256, format=doc.format, source=doc.source,
            encoding=doc.encoding, segments=data.segments[doc.id], imported_at=doc.imported_at,
        )
        fields = {k: getattr(doc, k) for k in ("kind", "role", "site", "date", "case_id")
                  if getattr(doc, k) is not None}
        store.documents.set_metadata(new_id, fields, doc.attributes)
        store.documents.set_speakers(new_id, data.speakers[doc.id])
        state.hashes[digest], mapped[doc.id] = new_id, new_id
        state.names.add(doc.name)
        report.documents_added.append(doc.name)
    return mapped


_DEFINITION = ("description", "include", "exclude", "example", "color")


def _codes(store: Store, state: _Master, data: CoderFile, report: FileReport) -> dict[int, int]:
    mapped: dict[int, int] = {}
    names = {c.name.casefold() for c in data.codes}
    for code in data.codes:
        found = state.codes.get(code.name.casefold())
        if found is not None:
            mapped[code.id] = found.id
            report.codes_matched += 1
            if any(getattr(found, k) != getattr(code, k) for k in _DEFINITION):
                report.notes.append(f"code '{code.name}': definition differs; the master's kept")
            continue
        twin = state.identity.get((code.id, data.code_created.get(code.id)))
        if twin is not None and twin.name.casefold() not in names:
            report.conflicts.append(
                f"code '{code.name}' is '{twin.name}' in the master (renamed in one file); "
                "its codings were not merged: give it the same name in both, then merge again"
            )
            continue
        mapped[code.id] = _add_code(store, state, code, mapped, data)
        report.codes_added.append(code.name)
    return mapped


def _add_code(store: Store, state: _Master, code, mapped: dict[int, int], data: CoderFile
              ) -> int:
    parent = mapped.get(code.parent_id) if code.parent_id else None
    taken = {c.hotkey for c in state.codes.values() if c.hotkey}
    new_id = store.codes.insert({
        "name": code.name, "parent_id": parent, "position": store.codes.next_position(parent),
        "description": code.description, "include": code.include, "exclude": code.exclude,
        "example": code.example, "color": code.color,
        "hotkey": code.hotkey if code.hotkey not in taken else None, "origin": code.origin,
        "origin_detail": code.origin_detail, "status": code.status,
        "created_at": data.code_created.get(code.id),
    })
    state.codes[code.name.casefold()] = store.codes.get(new_id)
    return new_id


def _codings(store: Store, data: CoderFile, report: FileReport, docs: dict[int, int],
             codes: dict[int, int], coders: dict[int, int]) -> None:
    rows = [
        (docs[c.document_id], codes[c.code_id], coders[c.coder_id], c.start, c.end, c.created_at)
        for c in data.codings if c.document_id in docs and c.code_id in codes
    ]
    report.skipped += len(data.codings) - len(rows)
    report.codings_added = store.exchange.add_codings(rows)
    report.codings_present = len(rows) - report.codings_added


def _memos(store: Store, data: CoderFile, report: FileReport, docs: dict[int, int],
           codes: dict[int, int], coders: dict[int, int]) -> None:
    """A memo is the same memo in two files when coder, anchor and creation time agree; the
    later edit wins."""
    existing = {
        (m.coder_id, m.document_id, m.start, m.end, m.code_id, m.created_at): m
        for m in store.memos.list()
    }
    for memo in data.memos:
        if (memo.document_id is not None and memo.document_id not in docs) or (
            memo.code_id is not None and memo.code_id not in codes
        ):
            report.skipped += 1
            continue
        row: dict[str, Any] = {
            "coder_id": coders[memo.coder_id],
            "document_id": docs.get(memo.document_id) if memo.document_id else None,
            "start": memo.start, "end": memo.end,
            "code_id": codes.get(memo.code_id) if memo.code_id else None,
            "text": memo.text, "created_at": memo.created_at, "updated_at": memo.updated_at,
        }
        key = tuple(row[k] for k in ("coder_id", "document_id", "start", "end", "code_id",
                                     "created_at"))
        found = existing.get(key)
        if found is None:
            store.exchange.add_memo(row)
            report.memos_added += 1
        elif found.text != memo.text and memo.updated_at > found.updated_at:
            store.exchange.update_memo(found.id, memo.text, memo.updated_at)
            report.memos_updated += 1


def _decision_key(row: dict[str, Any]) -> tuple:
    codes = row["codes"] if isinstance(row["codes"], str) else json.dumps(sorted(row["codes"]))
    return (row["coder_a"], row["coder_b"], row["consensus_id"], row["document_id"],
            row["start"], row["end"], row["decision"], codes, row["decided_by"], row["at"])
