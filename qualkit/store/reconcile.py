"""Reconciliation decisions: which consensus a reconciler chose for a disputed segment, and why.

A decision row points at the event of the undoable action that wrote its consensus codings.
A decision is *live* while that action is done: undoing it (``u``) retires the decision with
the codings, and redoing it brings both back, without this table needing undo support of its
own.  Earlier decisions on the same segment stay in the table as the record of a change of mind.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qualkit.store import Store

DECISIONS = ("a", "b", "both", "reject", "edit")

_COLUMNS = (
    'd.id, d.coder_a, d.coder_b, d.consensus_id, d.document_id, d.start, d."end", d.decision, '
    "d.codes, d.reason, k.name, d.at, d.event_id"
)


@dataclass(frozen=True)
class Decision:
    """One recorded decision on a segment (span ``start``-``end`` of a document).

    Attributes:
        decision: ``a``, ``b``, ``both``, ``reject`` or ``edit``, relative to ``coder_a`` and
            ``coder_b`` as they were given when deciding.
        codes: the segment's consensus code ids after the decision.
        decided_by: the name of the coder who decided.
    """

    id: int
    coder_a: int
    coder_b: int
    consensus_id: int
    document_id: int
    start: int
    end: int
    decision: str
    codes: tuple[int, ...]
    reason: str
    decided_by: str
    at: str
    event_id: int


class Reconciliation:
    """The ``reconcile_decisions`` table."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def add(
        self,
        *,
        pair: tuple[int, int],
        consensus_id: int,
        span: tuple[int, int, int],
        decision: str,
        codes: list[int],
        reason: str,
        decided_by: int,
        event_id: int,
    ) -> int:
        """Record a decision on ``span`` = (document_id, start, end); call in a transaction."""
        from qualkit.store import now

        if decision not in DECISIONS:
            raise ValueError(decision)
        cursor = self.store._sql(
            "INSERT INTO reconcile_decisions (coder_a, coder_b, consensus_id, document_id, start, "
            '"end", decision, codes, reason, decided_by, event_id, at) '
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [*pair, consensus_id, *span, decision, json.dumps(sorted(codes)), reason,
             decided_by, event_id, now()],
        )
        return cursor.lastrowid

    def live(self, coder_a: int, coder_b: int) -> dict[tuple[int, int, int], Decision]:
        """The current decision per (document_id, start, end) for the pair, in either order.

        Decisions whose action was undone are left out; of several live ones on one segment the
        latest wins.
        """
        rows = self.store._sql(
            f"SELECT {_COLUMNS} FROM reconcile_decisions d JOIN coders k ON k.id = d.decided_by "
            "WHERE ((d.coder_a = ? AND d.coder_b = ?) OR (d.coder_a = ? AND d.coder_b = ?)) "
            "AND d.event_id IN (SELECT event_id FROM history WHERE state = 'done') "
            "ORDER BY d.id",
            [coder_a, coder_b, coder_b, coder_a],
        )
        found: dict[tuple[int, int, int], Decision] = {}
        for row in rows:
            decision = Decision(*row[:8], tuple(json.loads(row[8])), *row[9:])
            found[(decision.document_id, decision.start, decision.end)] = decision
        return found

    def set_reason(self, decision_id: int, reason: str) -> None:
        """Change a decision's reason; call in a transaction (and log the change)."""
        self.store._sql(
            "UPDATE reconcile_decisions SET reason = ? WHERE id = ?", [reason, decision_id]
        )

    def next_step(self, coder_id: int, *, undo: bool = True) -> str | None:
        """The name of the action the coder's next undo (or redo) would replay, or None."""
        state, order = ("done", "DESC") if undo else ("undone", "ASC")
        row = self.store._sql(
            "SELECT e.action FROM history h JOIN events e ON e.id = h.event_id "
            f"WHERE h.coder_id = ? AND h.state = ? ORDER BY h.seq {order} LIMIT 1",
            [coder_id, state],
        ).fetchone()
        return None if row is None else row[0]
