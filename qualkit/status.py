"""The project at a glance: counts, each coder's progress, saved analysis runs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qualkit.store import Store


def project_status(store: Store) -> dict[str, Any]:
    """What `qualkit status --json` prints."""
    counts = store.counts()
    names = {d.id: d.name for d in store.documents.list()}
    by_coder = store.codings.counts_by_coder()
    coverage = store.codings.coverage_by_coder()
    completion = []
    for coder in store.codings.coders():
        done = sorted(names[i] for i in store.codings.completed(coder.id))
        coded = sum(coverage.get(coder.id, {}).values())
        completion.append(
            {
                "coder": coder.name,
                "kind": coder.kind,
                "codings": by_coder.get(coder.name, 0),
                "done": len(done),
                "documents_done": done,
                "coded_segments": coded,
                "coded_segments_pct": 100.0 * coded / counts["segments"]
                if counts["segments"]
                else 0.0,
            }
        )
    runs = [
        {
            "name": r.name,
            "created_at": r.created_at,
            "n_treated_matched": r.result.get("n_treated_matched"),
        }
        for r in store.runs.outcome_runs()
    ]
    return {
        "project": str(store.path),
        **counts,  # "codes": the codes in use; retired ones are counted apart
        "retired_codes": len(store.codes.list(include_retired=True)) - counts["codes"],
        "codebook": store.get_meta("codebook.title", "") or "",
        "completion": completion,
        "outcome_runs": runs,
    }


def share(percent: float) -> str:
    """A share in whole percent, but "<1%" for a little above nothing and ">99%" for a little
    below everything: a first coding of 394 segments is not "0%"."""
    if 0 < percent < 1:
        return "<1%"
    if 99 < percent < 100:
        return ">99%"
    return f"{percent:.0f}%"
