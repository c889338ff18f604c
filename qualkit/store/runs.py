"""Saved analysis runs that reports cite: outcome (matching) runs with their pairs."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qualkit.errors import QualkitError

if TYPE_CHECKING:
    from qualkit.store import Store


@dataclass(frozen=True)
class OutcomeRun:
    name: str
    created_at: str
    params: dict[str, Any]
    result: dict[str, Any]
    pairs: list[tuple[str, str, int, float]]


class Runs:
    def __init__(self, store: Store) -> None:
        self.store = store

    def save_outcome_run(self, name: str, *, params: dict, result: dict, pairs: list) -> int:
        """Store a matching run under a new name; the name must not be taken."""
        from qualkit.store import now

        if not name.strip():
            raise QualkitError("run name is empty; pass --name NAME")
        if self._outcome_row(name) is not None:
            raise QualkitError(
                f"an outcome run named '{name}' already exists; choose another --name"
            )
        with self.store.atomic():
            cursor = self.store._sql(
                "INSERT INTO outcome_runs (name, created_at, params, result) VALUES (?, ?, ?, ?)",
                [name, now(), json.dumps(params), json.dumps(result)],
            )
            run_id = cursor.lastrowid
            self.store.db.conn.executemany(
                "INSERT INTO outcome_pairs (run_id, treated_id, control_id, pair_id, weight) "
                "VALUES (?, ?, ?, ?, ?)",
                [(run_id, str(t), str(c), int(p), float(w)) for t, c, p, w in pairs],
            )
            self.store.log("outcomes.save", {"run": name, "pairs": len(pairs)})
        return run_id

    def outcome_run(self, name: str) -> OutcomeRun:
        row = self._outcome_row(name)
        if row is None:
            known = ", ".join(r.name for r in self.outcome_runs()) or "none yet"
            raise QualkitError(f"no outcome run named '{name}' (saved runs: {known})")
        return self._outcome(row)

    def outcome_runs(self) -> list[OutcomeRun]:
        rows = self.store._sql(
            "SELECT id, name, created_at, params, result FROM outcome_runs ORDER BY created_at"
        )
        return [self._outcome(r) for r in rows.fetchall()]

    def _outcome_row(self, name: str):
        return self.store._sql(
            "SELECT id, name, created_at, params, result FROM outcome_runs WHERE name = ?", [name]
        ).fetchone()

    def _outcome(self, row) -> OutcomeRun:
        run_id, name, created_at, params, result = row
        pairs = self.store._sql(
            "SELECT treated_id, control_id, pair_id, weight FROM outcome_pairs WHERE run_id = ? "
            "ORDER BY pair_id, control_id",
            [run_id],
        ).fetchall()
        return OutcomeRun(
            name, created_at, json.loads(params), json.loads(result), [tuple(p) for p in pairs]
        )
