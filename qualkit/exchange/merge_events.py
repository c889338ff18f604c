"""Merging the audit trail and the reconciliation decisions of a coder's file.

Events are append-only records; one that the master already holds (same time, coder, action and
detail, or the same ``merge_key`` if it was merged before) is not copied again. A copied event
keeps its own time and coder and is marked ``merged_from``; its row ids refer to the file it
came from, so it is not put on anyone's undo stack - except the actions behind a live
reconciliation decision: their changes are rewritten to the master's ids and put at the bottom
of the reconciler's undo stack, so that the decision is live in the master too and undoing it
there removes the right codings.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from qualkit.exchange.merge_read import MERGE_FIELDS, CoderFile, event_key

if TYPE_CHECKING:
    from qualkit.exchange.merge import FileReport, _Master
    from qualkit.store import Store


def merge_events(store: Store, state: _Master, data: CoderFile, report: FileReport,
                 docs: dict[int, int], codes: dict[int, int], coders: dict[int, int]) -> None:
    live = {d["event_id"] for d in data.decisions if data.history.get(d["event_id"]) == "done"}
    mapped: dict[int, int] = {}
    linkable: set[int] = set()
    for event_id, at, coder, action, detail in data.events:
        key = event_key(at, coder, action, detail)
        if key in state.events:
            mapped[event_id] = state.events[key]
            continue
        copy = {k: v for k, v in detail.items() if k not in MERGE_FIELDS}
        if event_id in live:
            changes = _remap(store, detail.get("changes", []), docs, codes, coders)
            if changes is not None:
                copy["changes"] = changes
                linkable.add(event_id)
        copy.update(merged_from=data.path.name, merge_key=key)
        mapped[event_id] = state.events[key] = store.exchange.add_event(at, coder, action, copy)
        report.events_added += 1
    _decisions(store, state, data, report, mapped, linkable, docs, codes, coders)


def _decisions(store: Store, state: _Master, data: CoderFile, report: FileReport,
               events: dict[int, int], linkable: set[int], docs: dict[int, int],
               codes: dict[int, int], coders: dict[int, int]) -> None:
    from qualkit.exchange.merge import _decision_key

    pushed: set[int] = set()
    unlinked = 0
    for decision in data.decisions:
        code_ids = json.loads(decision["codes"])
        if decision["document_id"] not in docs or any(c not in codes for c in code_ids):
            report.skipped += 1
            continue
        row = {
            **{k: coders[decision[k]] for k in ("coder_a", "coder_b", "consensus_id",
                                                "decided_by")},
            "document_id": docs[decision["document_id"]],
            "start": decision["start"], "end": decision["end"],
            "decision": decision["decision"], "reason": decision["reason"],
            "codes": json.dumps(sorted(codes[c] for c in code_ids)),
            "event_id": events[decision["event_id"]], "at": decision["at"],
        }
        key = _decision_key(row)
        if key in state.decisions:
            continue
        store.exchange.add_decision(row)
        state.decisions.add(key)
        report.decisions_added += 1
        source_event = decision["event_id"]
        if source_event in linkable and source_event not in pushed:
            store.exchange.push_history_under(row["decided_by"], row["event_id"])
            pushed.add(source_event)
        elif data.history.get(source_event) == "done" and source_event not in linkable:
            unlinked += 1
    if unlinked:
        report.notes.append(
            f"{unlinked} reconciliation decisions merged as records only (their action touched "
            "rows the master cannot map, so it is not on the reconciler's undo stack)"
        )


def _remap(store: Store, changes: list[dict[str, Any]], docs: dict[int, int],
           codes: dict[int, int], coders: dict[int, int]) -> list[dict[str, Any]] | None:
    """An action's row changes with the master's ids, or None if one cannot be mapped."""
    out = []
    for change in changes:
        row = dict(change.get("row", {}))
        if change.get("op") == "update" or change.get("table") not in ("codings", "completions"):
            return None
        try:
            row["document_id"] = docs[row["document_id"]]
            row["coder_id"] = coders[row["coder_id"]]
            if change["table"] == "codings":
                row["code_id"] = codes[row["code_id"]]
                row["id"] = store.exchange.coding_id(row["document_id"], row["code_id"],
                                                     row["coder_id"], row["start"], row["end"])
        except KeyError:
            return None
        out.append({**change, "row": row})
    return out
