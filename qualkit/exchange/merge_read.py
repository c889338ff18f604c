"""Reading a coder's project file for a merge: a private snapshot, read whole into memory.

The coder's file is never written: SQLite's backup API copies it (committed WAL content
included) into a folder only the user can read, that copy is opened (and migrated, if the
coder runs an older qualkit), read, and deleted.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qualkit.errors import ProjectError
from qualkit.models import Code, Coder, Coding, Document, Memo


@dataclass
class CoderFile:
    path: Path
    documents: list[Document] = field(default_factory=list)
    texts: dict[int, str] = field(default_factory=dict)
    segments: dict[int, list] = field(default_factory=dict)
    speakers: dict[int, dict[str, str | None]] = field(default_factory=dict)
    codes: list[Code] = field(default_factory=list)  # tree order, parents first
    code_created: dict[int, str] = field(default_factory=dict)
    coders: list[Coder] = field(default_factory=list)
    codings: list[Coding] = field(default_factory=list)
    memos: list[Memo] = field(default_factory=list)
    completions: list[tuple[int, int, str]] = field(default_factory=list)
    decisions: list[dict[str, Any]] = field(default_factory=list)
    events: list[tuple[int, str, str | None, str, dict[str, Any]]] = field(default_factory=list)
    history: dict[int, str] = field(default_factory=dict)


def read_coder_file(path: str | Path) -> CoderFile:
    """Everything a merge needs from one coder's project file."""
    from qualkit.store import Store, _check_project_file
    from qualkit.store.exchange import snapshot

    path = Path(path)
    _check_project_file(path)
    with tempfile.TemporaryDirectory(prefix="qualkit-merge-") as folder:  # 0700
        copy = Path(folder) / "coder.qualkit"
        snapshot(path, copy)
        try:
            store = Store.open(copy)
        except ProjectError as exc:
            raise ProjectError(str(exc).replace(str(copy), str(path))) from None
        with store:
            return _read(store, path)


def _read(store, path: Path) -> CoderFile:
    data = CoderFile(path)
    data.documents = store.documents.list()
    for doc in data.documents:
        data.texts[doc.id] = store.documents.text(doc.id)
        data.segments[doc.id] = store.exchange.segment_rows(doc.id)
        data.speakers[doc.id] = store.documents.speakers(doc.id)
    data.codes = store.codes.list(include_retired=True)
    data.code_created = store.exchange.code_created()
    data.coders = store.codings.coders()
    data.codings = store.codings.all()
    data.memos = store.memos.list()
    data.completions = store.exchange.completion_rows()
    data.decisions = store.exchange.decision_rows()
    data.events = store.exchange.event_rows()
    data.history = store.exchange.history_states()
    return data


MERGE_FIELDS = ("merged_from", "merge_key")


def event_key(at: str, coder: str | None, action: str, detail: dict[str, Any]) -> str:
    """An event's identity across copies of a project: the same moment, coder, action and
    detail. An event merged before carries the key it had in its own file."""
    if "merge_key" in detail:
        return str(detail["merge_key"])
    payload = json.dumps([at, coder, action, detail], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
