"""Words for the status bar: counts with their plural, shares that never read "0%" once something
is done, what an undo or redo just did, and why a write failed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualkit.errors import DiskFull, ProjectBusy, ProjectCorrupt, ProjectReadOnly, StorageError
from qualkit.status import share  # noqa: F401  (the workbench's shares, as `status` prints them)

if TYPE_CHECKING:
    from qualkit.store.history import Step


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 segment``, ``2 segments``, ``1 coding``."""
    return f"{count:,} {word if count == 1 else (many or word + 's')}"


def describe_step(
    step: Step, verb: str, *, codes: dict[int, str], segment: int | None, document: str | None
) -> str:
    """``undid applying Warm handoff to segment 12 (fg_legal_partners.txt)``."""
    detail, action = step.detail, step.action
    where = ""
    if segment is not None:
        where = f" segment {segment + 1}" + (f" ({document})" if document else "")
    code = codes.get(detail.get("code_id", 0), "a code")
    if action == "code.apply":
        return f"{verb} applying {code} to{where or ' a passage'}"
    if action == "code.remove":
        return f"{verb} removing {code} from{where or ' a passage'}"
    if action == "memo":
        return f"{verb} a memo edit" + (f" on{where}" if where else "")
    if action in ("document.done", "document.undone"):
        state = "done" if action == "document.done" else "not done"
        return f"{verb} marking {document or 'a document'} {state}"
    if action.startswith("codebook."):
        return f"{verb} a codebook edit ({action.split('.', 1)[1]})"
    if action.startswith("reconcile."):
        return f"{verb} a reconciliation decision" + (f" on{where}" if where else "")
    return f"{verb} {action}"


def storage_reason(exc: StorageError) -> str:
    """``disk full`` in "NOT SAVED (disk full): press the key again"."""
    reasons = {
        ProjectBusy: "project busy",
        DiskFull: "disk full",
        ProjectReadOnly: "read-only",
        ProjectCorrupt: "file damaged",
    }
    return next((r for t, r in reasons.items() if isinstance(exc, t)), "disk error")
