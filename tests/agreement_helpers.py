"""Small hand-made projects with known answers for the agreement and reconciliation tests.

Every document holds the same four 10-character segments separated by newlines, so segment s
spans characters 11*s .. 11*s + 10 and a document is 44 characters long.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from qualkit.coding.session import CodingSession
from qualkit.store import Store, now

LINES = ("aaaa aaaaa", "bbbb bbbbb", "cccc ccccc", "dddd ddddd")
TEXT = "\n".join(LINES) + "\n"


def seg(index: int) -> tuple[int, int]:
    """(start, end) of segment ``index``."""
    return 11 * index, 11 * index + 10


def make_project(
    path: Path, *, documents: Sequence[str] = ("d1.txt",), codes: Sequence[str] = ("A", "B")
) -> Path:
    """A project with the given codes (in that order) and identical four-segment documents."""
    rows = [(i, i, "P1", *seg(i)) for i in range(len(LINES))]
    with Store.create(path) as store, store.atomic():
        for position, name in enumerate(codes):
            store.codes.insert({"name": name, "position": position})
        for name in documents:
            store.documents.add(
                name=name, text=TEXT, sha256=hashlib.sha256(TEXT.encode()).hexdigest(),
                format="txt", source=None, encoding="utf-8", segments=rows, imported_at=now())
    return path


def code(path: Path, coder: str, spans: Sequence[tuple[str, str, int, int]]) -> None:
    """Give ``coder`` the codings (document, code, start, end), exactly as written."""
    with Store.open(path) as store, store.atomic():
        coder_id = store.codings.ensure_coder(coder).id
        store.codings.add_many([
            (store.documents.by_name(d).id, store.codes.by_name(c).id, coder_id, s, e)
            for d, c, s, e in spans
        ])


def done(path: Path, coder: str, *documents: str) -> None:
    """Mark documents done for ``coder`` (all documents when none are named)."""
    with Store.open(path) as store:
        session = CodingSession(store, coder)
        names = documents or [d.name for d in store.documents.list()]
        for name in names:
            session.set_done(store.documents.by_name(name).id)


def consensus(path: Path, name: str = "consensus") -> list[tuple[str, int, int, str]]:
    """(document, start, end, code) of the consensus coder's codings, sorted."""
    with Store.open(path) as store:
        found = store.codings.coder(name)
        if found is None:
            return []
        documents = {d.id: d.name for d in store.documents.list()}
        codes = {c.id: c.name for c in store.codes.list(include_retired=True)}
        return sorted((documents[c.document_id], c.start, c.end, codes[c.code_id])
                      for c in store.codings.all(coder_ids=[found.id]))
