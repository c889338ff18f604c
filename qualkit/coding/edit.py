"""Editing the project's codebook: add, rename, edit, move, merge and retire codes.

Each edit is one undoable action of the coder who makes it (see ``qualkit.store.history``), so a
merge that re-points hundreds of codings is undone as one step. Codes are never deleted: a retired
code keeps its codings and can be brought back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qualkit.coding.codebook import COLOR, RESERVED_KEYS
from qualkit.errors import QualkitError
from qualkit.store import edits

if TYPE_CHECKING:
    from qualkit.coding.session import CodingSession
    from qualkit.models import Code
    from qualkit.store.history import Change

TEXT_FIELDS = ("description", "include", "exclude", "example")


def add_code(session: CodingSession, name: str, *, parent_id: int | None = None) -> int:
    """A new active code, last among its siblings; returns its id."""
    store = session.store
    name = _check_name(session, name)
    position = store.codes.next_position(parent_id)
    store.history.apply(
        [edits.add_code(name, parent_id=parent_id, position=position)],
        coder=session.coder,
        action="codebook.add",
        detail={"name": name},
    )
    code = store.codes.by_name(name)
    assert code is not None
    return code.id


def rename_code(session: CodingSession, code_id: int, name: str) -> None:
    code = session.store.codes.get(code_id)
    edit_code(session, code_id, name=_check_name(session, name, keep=code))


def edit_code(session: CodingSession, code_id: int, **fields: Any) -> None:
    """Change a code's name, definition texts, colour or hotkey."""
    code = session.store.codes.get(code_id)
    allowed = {"name", "color", "hotkey", *TEXT_FIELDS}
    unknown = set(fields) - allowed
    if unknown:
        raise QualkitError(f"cannot edit {', '.join(sorted(unknown))} of a code")
    if "hotkey" in fields:
        fields["hotkey"] = _check_hotkey(session, code, fields["hotkey"])
    if "color" in fields:
        fields["color"] = _check_color(fields["color"])
    if "name" in fields:
        fields["name"] = _check_name(session, fields["name"], keep=code)
    changed = {k: v for k, v in fields.items() if getattr(code, k) != v}
    if changed:
        _update(session, code, changed, "codebook.edit")


def move_code(session: CodingSession, code_id: int, direction: str) -> None:
    """Move a code ``up``/``down`` among its siblings, ``in`` under the sibling above it, or
    ``out`` to its parent's level, just after its parent."""
    store = session.store
    code = store.codes.get(code_id)
    siblings = _siblings(session, code.parent_id)
    index = [c.id for c in siblings].index(code.id)
    changes: list[Change]
    if direction in ("up", "down"):
        other = index - 1 if direction == "up" else index + 1
        if not 0 <= other < len(siblings):
            return
        order = [c.id for c in siblings]
        order[index], order[other] = order[other], order[index]
        changes = _positions(siblings, order)
    elif direction == "in":
        if index == 0:
            raise QualkitError(f"'{code.name}' has no code above it to go under")
        parent = siblings[index - 1]
        position = store.codes.next_position(parent.id)
        changes = [edits.edit_code(code, parent_id=parent.id, position=position)]
    elif direction == "out":
        if code.parent_id is None:
            return
        parent = store.codes.get(code.parent_id)
        outer = [c for c in _siblings(session, parent.parent_id) if c.id != code.id]
        at = [c.id for c in outer].index(parent.id) + 1
        order = [c.id for c in outer[:at]] + [code.id] + [c.id for c in outer[at:]]
        changes = [edits.edit_code(code, parent_id=parent.parent_id, position=at)]
        changes += _positions([*outer, code], order, skip=code.id)
    else:
        raise ValueError(direction)
    store.history.apply(
        changes,
        coder=session.coder,
        action="codebook.move",
        detail={"code": code.name, "direction": direction},
    )


def merge_codes(session: CodingSession, source_id: int, target_id: int) -> int:
    """Re-point every coding of ``source`` to ``target`` (all coders), move its sub-codes under
    ``target`` and retire it, in one undoable transaction; returns how many codings moved."""
    store = session.store
    source, target = store.codes.get(source_id), store.codes.get(target_id)
    if source.id == target.id:
        raise QualkitError("choose a different code to merge into")
    if _is_descendant(session, target, source):
        raise QualkitError(f"'{target.name}' is inside '{source.name}'; move it out first")
    existing = {
        (c.document_id, c.coder_id, c.start, c.end) for c in store.codings.for_code(target.id)
    }
    changes: list[Change] = []
    moved = 0
    for coding in store.codings.for_code(source.id):
        key = (coding.document_id, coding.coder_id, coding.start, coding.end)
        if key in existing:  # the coder already has the target code on this span
            changes.append(edits.remove_coding(coding))
        else:
            changes.append(edits.recode(coding, target.id))
            moved += 1
    position = store.codes.next_position(target.id)
    for offset, child in enumerate(_siblings(session, source.id, include_retired=True)):
        changes.append(edits.edit_code(child, parent_id=target.id, position=position + offset))
    changes.append(edits.edit_code(source, status="retired", hotkey=None))
    store.history.apply(
        changes,
        coder=session.coder,
        action="codebook.merge",
        detail={"source": source.name, "target": target.name, "codings": moved},
    )
    return moved


def set_retired(session: CodingSession, code_id: int, retired: bool = True) -> None:
    """Retire a code (hidden from coding; its codings stay) or bring it back."""
    code = session.store.codes.get(code_id)
    status = "retired" if retired else "active"
    if code.status != status:
        fields: dict[str, Any] = {"status": status}
        if retired and code.hotkey:
            fields["hotkey"] = None
        _update(session, code, fields, "codebook.retire" if retired else "codebook.restore")


# -- helpers ------------------------------------------------------------------------------------


def _update(session: CodingSession, code: Code, fields: dict[str, Any], action: str) -> None:
    session.store.history.apply(
        [edits.edit_code(code, **fields)],
        coder=session.coder,
        action=action,
        detail={"code": code.name, "fields": sorted(fields)},
    )


def _positions(codes: list[Code], order: list[int], *, skip: int | None = None) -> list[Change]:
    by_id = {c.id: c for c in codes}
    return [
        edits.edit_code(by_id[code_id], position=position)
        for position, code_id in enumerate(order)
        if code_id != skip and by_id[code_id].position != position
    ]


def _siblings(
    session: CodingSession, parent_id: int | None, *, include_retired: bool = False
) -> list[Code]:
    codes = session.store.codes.list(include_retired=True)
    return sorted(
        (c for c in codes if c.parent_id == parent_id and (include_retired or c.active)),
        key=lambda c: (c.position, c.id),
    )


def _is_descendant(session: CodingSession, code: Code, ancestor: Code) -> bool:
    parents = {c.id: c.parent_id for c in session.store.codes.list(include_retired=True)}
    current = code.parent_id
    while current is not None:
        if current == ancestor.id:
            return True
        current = parents.get(current)
    return False


def _check_name(session: CodingSession, name: str, *, keep: Code | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise QualkitError("a code needs a name")
    other = session.store.codes.by_name(name)
    if other is not None and (keep is None or other.id != keep.id):
        raise QualkitError(f"there is already a code called '{other.name}'")
    return name


def _check_hotkey(session: CodingSession, code: Code, key: str | None) -> str | None:
    key = (key or "").strip() or None
    if key is None:
        return None
    if len(key) != 1 or key in RESERVED_KEYS:
        raise QualkitError(
            f"hotkey '{key}' must be one character that the coding screen does not use "
            f"(not {' '.join(sorted(k for k in RESERVED_KEYS if k.islower()))}, space, / ?, "
            "a digit or a capital)"
        )
    for other in session.store.codes.list():
        if other.hotkey == key and other.id != code.id:
            raise QualkitError(f"hotkey '{key}' is already used by '{other.name}'")
    return key


def _check_color(color: str | None) -> str | None:
    color = (color or "").strip() or None
    if color is not None and not COLOR.match(color):
        raise QualkitError(f"colour '{color}' is not #rgb or #rrggbb")
    return color
