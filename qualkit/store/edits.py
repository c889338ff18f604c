"""The undoable edits the domain asks for, named in its own terms.

Domain code (coding sessions, codebook edits, reconciliation) says *what* changes — a coding
added or removed, a memo written, a document marked done, a code edited — with models and
plain values; only this module knows which table and columns that means. Each function returns
a :class:`~qualkit.store.history.Change` for ``store.history.apply``.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from qualkit.store.history import Change

if TYPE_CHECKING:
    from qualkit.models import Code, Coding, Memo


def _now() -> str:
    from qualkit.store import now

    return now()


# -- codings ----------------------------------------------------------------------------------


def add_coding(document_id: int, code_id: int, coder_id: int, start: int, end: int) -> Change:
    row = {"id": None, "document_id": document_id, "code_id": code_id, "coder_id": coder_id,
           "start": start, "end": end, "created_at": _now()}
    return Change("codings", "insert", row)


def remove_coding(coding: Coding) -> Change:
    return Change("codings", "delete", asdict(coding))


def recode(coding: Coding, code_id: int) -> Change:
    """Point a coding at another code (a merge)."""
    return Change("codings", "update", {"id": coding.id, "code_id": code_id},
                  before={"code_id": coding.code_id})


# -- memos ------------------------------------------------------------------------------------


def add_memo(coder_id: int, document_id: int, span: tuple[int, int], text: str, *,
             code_id: int | None = None) -> Change:
    stamp = _now()
    row = {"id": None, "coder_id": coder_id, "document_id": document_id, "start": span[0],
           "end": span[1], "code_id": code_id, "text": text, "created_at": stamp,
           "updated_at": stamp}
    return Change("memos", "insert", row)


def edit_memo(memo: Memo, text: str) -> Change:
    return Change("memos", "update", {"id": memo.id, "text": text, "updated_at": _now()},
                  before={"text": memo.text, "updated_at": memo.updated_at})


def remove_memo(memo: Memo) -> Change:
    return Change("memos", "delete", asdict(memo))


# -- completion -------------------------------------------------------------------------------


def set_done(coder_id: int, document_id: int, done: bool, *, at: str | None = None) -> Change:
    """Mark (or unmark) a document done for a coder; ``at`` is the recorded time when unmarking."""
    row = {"coder_id": coder_id, "document_id": document_id, "at": at or _now()}
    return Change("completions", "insert" if done else "delete", row)


# -- codes ------------------------------------------------------------------------------------


def add_code(name: str, *, parent_id: int | None, position: int, origin: str = "manual") -> Change:
    row = {"id": None, "name": name, "parent_id": parent_id, "origin": origin,
           "position": position, "created_at": _now()}
    return Change("codes", "insert", row)


def edit_code(code: Code, **fields: Any) -> Change:
    """Change some fields of a code; undo restores the values ``code`` has now."""
    return Change("codes", "update", {"id": code.id, **fields},
                  before={k: getattr(code, k) for k in fields})
