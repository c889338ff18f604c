"""Reconciliation: two coders' disagreements become a ``consensus`` coding, one segment at a time.

The unit of reconciliation is a *segment whose code sets differ* between coder A and coder B
(segment unit, as in the agreement table).  Deciding on the whole set is what makes every choice
meaningful: *accept A* takes A's codes, *accept B* B's, *accept both* their union, *reject*
keeps only the codes both applied, and *edit* sets any codes.  The decision writes codings of
the consensus coder spanning the whole segment, one per code.

Segments where A and B agree get their shared codes copied to the consensus by
:meth:`Reconciler.seed_agreed`, so that the consensus is a complete coding; a document counts
as done for the consensus coder once every disagreement in it is decided.  Every write is an
undoable action on the deciding coder's undo stack and an event in the audit trail.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from qualkit.agreement.disagreements import segments_by_id
from qualkit.agreement.select import Comparison, compare, segment_units, span_table
from qualkit.errors import InputError, QualkitError
from qualkit.models import Code, Coder, Segment
from qualkit.store import edits

if TYPE_CHECKING:
    from qualkit.store import Store
    from qualkit.store.history import Change
    from qualkit.store.reconcile import Decision

Key = tuple[int, int, int]  # (document_id, segment start, segment end)
KINDS = ("a", "b", "both", "reject", "edit")


@dataclass(frozen=True)
class Item:
    """A segment on which coder A's and coder B's code sets differ (code ids)."""

    document: str
    segment: Segment
    a_codes: frozenset[int]
    b_codes: frozenset[int]

    @property
    def key(self) -> Key:
        return (self.segment.document_id, self.segment.start, self.segment.end)

    @property
    def agreed(self) -> frozenset[int]:
        return self.a_codes & self.b_codes

    def target(self, kind: str, codes: Iterable[int] | None = None) -> frozenset[int]:
        """The segment's consensus codes after decision ``kind`` (``edit`` takes ``codes``)."""
        if kind == "edit":
            if codes is None:
                raise ValueError("an edit decision needs the codes")
            return frozenset(codes)
        targets = {"a": self.a_codes, "b": self.b_codes, "both": self.a_codes | self.b_codes,
                   "reject": self.agreed}
        if kind not in targets:
            raise ValueError(f"unknown decision {kind!r}; use one of {', '.join(KINDS)}")
        return targets[kind]


@dataclass(frozen=True)
class Plan:
    """What there is to reconcile between two coders (read-only; safe to build in a worker).

    Attributes:
        items: the disputed segments, in reading order.
        agreed: (key, codes) of undisputed segments that both coders coded.
    """

    comparison: Comparison
    codes: tuple[Code, ...]
    overlap: float
    items: tuple[Item, ...]
    agreed: tuple[tuple[Key, frozenset[int]], ...]

    @property
    def coder_a(self) -> Coder:
        return self.comparison.coders[0]

    @property
    def coder_b(self) -> Coder:
        return self.comparison.coders[1]


def make_plan(
    store: Store,
    coder_a: str,
    coder_b: str,
    *,
    overlap: float = 0.0,
    documents: Sequence[str] | None = None,
) -> Plan:
    """Find the disputed and the agreed segments of two coders on the documents both finished.

    Raises:
        InputError: the same coder twice, or an unknown name.
        QualkitError: no document finished by both.
    """
    if coder_a == coder_b:
        raise InputError(f"reconcile two different coders, not '{coder_a}' with themselves")
    comparison = compare(store, [coder_a, coder_b], documents)
    units = segment_units(store, span_table(store, comparison), overlap=overlap)
    present = units.present
    code_ids = np.array([c.id for c in units.table.codes], dtype=np.int64)
    differ = (present[:, :, 0] != present[:, :, 1]).any(axis=1)
    disputed = np.flatnonzero(differ)
    shared = np.flatnonzero(present[:, :, 0].any(axis=1) & ~differ)
    segments = segments_by_id(store, np.unique(units.document_ids[disputed]).tolist())
    names = {d.id: d.name for d in comparison.documents}
    items = tuple(
        Item(names[int(units.document_ids[r])], segments[int(units.segment_ids[r])],
             frozenset(code_ids[present[r, :, 0]].tolist()),
             frozenset(code_ids[present[r, :, 1]].tolist()))
        for r in disputed.tolist()
    )
    agreed = tuple(
        ((int(units.document_ids[r]), int(units.starts[r]), int(units.ends[r])),
         frozenset(code_ids[present[r, :, 0]].tolist()))
        for r in shared.tolist()
    )
    return Plan(comparison, units.table.codes, overlap, items, agreed)


class Reconciler:
    """Decisions on a :class:`Plan`, written as ``decider``; every method commits."""

    def __init__(
        self, store: Store, plan: Plan, decider: Coder, *, consensus: str = "consensus"
    ) -> None:
        self.store, self.plan, self.decider = store, plan, decider
        if consensus in (plan.coder_a.name, plan.coder_b.name):
            raise InputError(f"'{consensus}' is one of the coders being reconciled; "
                             "choose another consensus coder")
        with store.atomic():
            self.consensus = store.codings.ensure_coder(consensus, kind="consensus")
        self.names = {plan.coder_a.id: plan.coder_a.name, plan.coder_b.id: plan.coder_b.name}
        self.by_document: dict[int, list[Item]] = {}
        for item in plan.items:
            self.by_document.setdefault(item.segment.document_id, []).append(item)
        self.refresh()

    # -- reading -------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Re-read the live decisions (after an undo or redo, or another reconciler's work)."""
        self.decisions = self.store.reconcile.live(self.plan.coder_a.id, self.plan.coder_b.id)

    def decision(self, item: Item) -> Decision | None:
        return self.decisions.get(item.key)

    @property
    def decided(self) -> int:
        return sum(item.key in self.decisions for item in self.plan.items)

    @property
    def total(self) -> int:
        return len(self.plan.items)

    def next_undecided(self, after: int = -1) -> int | None:
        """Index of the first undecided item after ``after`` (wrapping round), or None."""
        n = len(self.plan.items)
        for step in range(1, n + 1):
            index = (after + step) % n
            if self.plan.items[index].key not in self.decisions:
                return index
        return None

    def label(self, decision: Decision) -> str:
        """``accept ana``, ``accept both``, ``reject`` or ``edit``."""
        if decision.decision in ("a", "b"):
            coder = decision.coder_a if decision.decision == "a" else decision.coder_b
            return f"accept {self.names.get(coder, '?')}"
        return {"both": "accept both"}.get(decision.decision, decision.decision)

    # -- writing -------------------------------------------------------------------------------

    def decide(
        self, item: Item, kind: str, *, codes: Iterable[int] | None = None, reason: str = ""
    ) -> int:
        """Set the segment's consensus codes by decision ``kind``; returns the event id."""
        target = item.target(kind, codes)
        current = self._consensus_on(item)
        changes = [edits.remove_coding(c)
                   for code, c in current.items() if code not in target]
        changes += [self._add(item.key, code)
                    for code in sorted(target - current.keys())]
        changes += self._completion(item.segment.document_id, also_decided=item.key)
        detail = {**self._pair_detail(), "document_id": item.segment.document_id,
                  "start": item.segment.start, "end": item.segment.end, "decision": kind,
                  "codes": sorted(target), "reason": reason.strip()}
        with self.store.atomic():
            event = self.store.history.apply(changes, coder=self.decider,
                                             action="reconcile.decide", detail=detail)
            self.store.reconcile.add(
                pair=(self.plan.coder_a.id, self.plan.coder_b.id), consensus_id=self.consensus.id,
                span=item.key, decision=kind, codes=sorted(target), reason=reason.strip(),
                decided_by=self.decider.id, event_id=event)
        self.refresh()
        return event

    def set_reason(self, item: Item, reason: str) -> None:
        """Give (or change) the reason of the item's decision; logged in the audit trail."""
        decision = self.decision(item)
        if decision is None:
            raise QualkitError("decide first (a, b, 2, x or e); the reason belongs to a decision")
        with self.store.atomic():
            self.store.reconcile.set_reason(decision.id, reason.strip())
            self.store.log("reconcile.reason", {"decision_id": decision.id,
                                                "reason": reason.strip()},
                           coder=self.decider.name)
        self.refresh()

    def seed_agreed(self) -> int:
        """Copy the codes both coders applied to every segment without a decision into the
        consensus (missing ones only); mark finished documents done.  Returns codings added."""
        existing: dict[Key, set[int]] = {}
        for c in self.store.codings.all(coder_ids=[self.consensus.id]):
            existing.setdefault((c.document_id, c.start, c.end), set()).add(c.code_id)
        pending = [*self.plan.agreed,
                   *((i.key, i.agreed) for i in self.plan.items if i.key not in self.decisions)]
        changes = [self._add(key, code)
                   for key, codes in pending if key not in self.decisions
                   for code in sorted(codes - existing.get(key, set()))]
        added = len(changes)
        for document in self.plan.comparison.documents:
            changes += self._completion(document.id)
        if changes:
            self.store.history.apply(changes, coder=self.decider, action="reconcile.agreed",
                                     detail={**self._pair_detail(), "codings": added})
        return added

    def undo(self) -> str | None:
        """Undo the decider's latest action if it is part of reconciliation."""
        return self._step(undo=True)

    def redo(self) -> str | None:
        """Redo the decider's latest undone action if it is part of reconciliation."""
        return self._step(undo=False)

    def _step(self, *, undo: bool) -> str | None:
        action = self.store.reconcile.next_step(self.decider.id, undo=undo)
        if action is None:
            return None
        if not action.startswith("reconcile."):
            verb = "undo" if undo else "redo"
            raise QualkitError(f"your next {verb} is '{action}', not a reconciliation step; "
                               f"{verb} it in the coding screen")
        history = self.store.history
        done = history.undo(self.decider) if undo else history.redo(self.decider)
        self.refresh()
        return done

    # -- helpers -------------------------------------------------------------------------------

    def _pair_detail(self) -> dict[str, str]:
        return {"coder_a": self.plan.coder_a.name, "coder_b": self.plan.coder_b.name,
                "consensus": self.consensus.name}

    def _consensus_on(self, item: Item) -> dict[int, object]:
        """The consensus codings spanning exactly this segment, by code id."""
        segment = item.segment
        return {c.code_id: c
                for c in self.store.codings.for_document(segment.document_id,
                                                         coder_ids=[self.consensus.id])
                if (c.start, c.end) == (segment.start, segment.end)}

    def _add(self, key: Key, code_id: int) -> Change:
        document_id, start, end = key
        return edits.add_coding(document_id, code_id, self.consensus.id, start, end)

    def _completion(self, document_id: int, *, also_decided: Key | None = None) -> list[Change]:
        """Mark the document done for the consensus once none of its items is undecided."""
        if self.store.codings.completed_at(self.consensus.id, document_id) is not None:
            return []
        open_items = [i for i in self.by_document.get(document_id, [])
                      if i.key not in self.decisions and i.key != also_decided]
        if open_items:
            return []
        return [edits.set_done(self.consensus.id, document_id, True)]
