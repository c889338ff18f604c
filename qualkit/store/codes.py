"""Codes: a tree ordered by ``position`` among siblings; retired codes keep their codings."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from qualkit.models import Code

if TYPE_CHECKING:
    from qualkit.store import Store

_COLUMNS = (
    "id, name, parent_id, position, description, include, exclude, example, color, hotkey, "
    "origin, origin_detail, status"
)
EDITABLE = (
    "name",
    "parent_id",
    "position",
    "description",
    "include",
    "exclude",
    "example",
    "color",
    "hotkey",
    "origin",
    "origin_detail",
    "status",
)


def _code(row: Sequence[Any]) -> Code:
    return Code(*row[:11], origin_detail=json.loads(row[11]), status=row[12])


def tree_order(codes: list[Code]) -> list[Code]:
    """Depth-first, siblings by position: the order the codebook is read and shown in."""
    children: dict[int | None, list[Code]] = {}
    for code in codes:
        children.setdefault(code.parent_id, []).append(code)
    ordered: list[Code] = []

    def visit(parent: int | None) -> None:
        for code in sorted(children.get(parent, []), key=lambda c: (c.position, c.id)):
            ordered.append(code)
            visit(code.id)

    visit(None)
    known = {c.id for c in ordered}
    # A child whose parent is filtered out (e.g. retired) still appears, after the tree.
    ordered += [c for c in codes if c.id not in known]
    return ordered


class Codes:
    def __init__(self, store: Store) -> None:
        self.store = store

    def list(self, *, include_retired: bool = False) -> list[Code]:
        sql = f"SELECT {_COLUMNS} FROM codes"
        if not include_retired:
            sql += " WHERE status = 'active'"
        return tree_order([_code(r) for r in self.store._sql(sql)])

    def get(self, code_id: int) -> Code:
        row = self.store._sql(f"SELECT {_COLUMNS} FROM codes WHERE id = ?", [code_id])
        found = row.fetchone()
        if found is None:
            raise KeyError(code_id)
        return _code(found)

    def by_name(self, name: str) -> Code | None:
        row = self.store._sql(f"SELECT {_COLUMNS} FROM codes WHERE name = ?", [name])
        found = row.fetchone()
        return None if found is None else _code(found)

    def next_position(self, parent_id: int | None) -> int:
        row = self.store._sql(
            "SELECT coalesce(max(position), -1) + 1 FROM codes WHERE parent_id IS ?", [parent_id]
        )
        return row.fetchone()[0]

    def insert(self, fields: dict[str, Any]) -> int:
        """Insert a code (in the caller's transaction); returns its id."""
        from qualkit.store import now

        row = _encode({"created_at": now(), **fields})
        columns = ", ".join(f'"{k}"' for k in row)
        cursor = self.store._sql(
            f"INSERT INTO codes ({columns}) VALUES ({', '.join('?' * len(row))})",
            list(row.values()),
        )
        return cursor.lastrowid

    def clear_hotkeys(self) -> None:
        """Take every hotkey off (in the caller's transaction), before hotkeys are reassigned."""
        self.store._sql("UPDATE codes SET hotkey = NULL")

    def update(self, code_id: int, fields: dict[str, Any]) -> None:
        """Change some columns of a code (in the caller's transaction)."""
        unknown = set(fields) - set(EDITABLE)
        if unknown:
            raise ValueError(f"not editable: {sorted(unknown)}")
        row = _encode(fields)
        sets = ", ".join(f'"{k}" = ?' for k in row)
        self.store._sql(f"UPDATE codes SET {sets} WHERE id = ?", [*row.values(), code_id])


def _encode(fields: dict[str, Any]) -> dict[str, Any]:
    if isinstance(fields.get("origin_detail"), dict):
        return {**fields, "origin_detail": json.dumps(fields["origin_detail"], sort_keys=True)}
    return fields
