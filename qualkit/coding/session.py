"""A coder's actions: toggle a code on a selection, undo and redo, memos, marking documents done.

Every action is one transaction, recorded in the events table and on the coder's undo stack, so
a killed terminal loses nothing and undo survives a restart.

Toggling code *c* on a selection (one or more spans of one document):

* if the coder's *c*-codings already cover every span, the selection is **uncoded**: each
  overlapping coding is cut back to the parts outside the selection;
* otherwise the selection is **coded**: one coding from the selection's first to last character,
  merged with any of the coder's *c*-codings it overlaps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from qualkit.errors import QualkitError
from qualkit.store import edits

if TYPE_CHECKING:
    from qualkit.models import Coder, Coding, Memo
    from qualkit.store import Store
    from qualkit.store.history import Change, Step

Span = tuple[int, int]


@dataclass(frozen=True)
class Toggled:
    applied: bool  # True: the code was applied; False: it was removed from the selection
    event_id: int


class CodingSession:
    """One coder working on a project; every method commits before it returns."""

    def __init__(self, store: Store, coder: str, *, kind: str = "human") -> None:
        self.store = store
        with store.atomic():
            self.coder: Coder = store.codings.ensure_coder(coder, kind=kind)
        self._texts: dict[int, str] = {}

    # -- codings -------------------------------------------------------------------------------

    def toggle(self, document_id: int, code_id: int, spans: list[Span]) -> Toggled:
        """Apply ``code_id`` to the selection, or remove it if the selection is already coded."""
        toggled = self._set(document_id, code_id, spans, apply=None)
        assert toggled is not None  # a toggle always changes something
        return toggled

    def apply(self, document_id: int, code_id: int, spans: list[Span]) -> Toggled | None:
        """Code the selection (merged with overlapping passages); None if it already was."""
        return self._set(document_id, code_id, spans, apply=True)

    def remove(self, document_id: int, code_id: int, spans: list[Span]) -> Toggled | None:
        """Uncode the selection, cutting longer passages around it; None if it was not coded."""
        return self._set(document_id, code_id, spans, apply=False)

    def _set(
        self, document_id: int, code_id: int, spans: list[Span], *, apply: bool | None
    ) -> Toggled | None:
        if not spans or any(start >= end for start, end in spans):
            raise QualkitError("nothing selected to code")
        # Read and write in one write transaction: what was read cannot change before the write.
        with self.store.atomic():
            return self._set_locked(document_id, code_id, spans, apply=apply)

    def _set_locked(
        self, document_id: int, code_id: int, spans: list[Span], *, apply: bool | None
    ) -> Toggled | None:
        first, last = min(s for s, _ in spans), max(e for _, e in spans)
        # Every span lies within [first, last), so these are all the codings that matter.
        overlapping = self.store.codings.overlapping(document_id, self.coder.id, code_id,
                                                     first, last)
        covered = all(_covered(span, overlapping) for span in spans)
        if apply is None:
            apply = not covered
        elif (apply and covered) or (not apply and not overlapping):
            return None  # already as asked
        if apply:
            changes = _code(document_id, code_id, self.coder.id, overlapping, first, last)
        else:
            changes = _uncode(self._text(document_id), overlapping, first, last)
        event = self.store.history.apply(
            changes,
            coder=self.coder,
            action="code.apply" if apply else "code.remove",
            detail={"document_id": document_id, "code_id": code_id, "start": first, "end": last},
        )
        return Toggled(apply, event)

    def text(self, document_id: int) -> str:
        """A document's text (fetched once a session)."""
        return self._text(document_id)

    def _text(self, document_id: int) -> str:
        # A document's text changes only when it is replaced by a new import; one fetch a session.
        if document_id not in self._texts:
            self._texts[document_id] = self.store.documents.text(document_id)
        return self._texts[document_id]

    def undo(self) -> str | None:
        return self.store.history.undo(self.coder)

    def redo(self) -> str | None:
        return self.store.history.redo(self.coder)

    def undo_step(self) -> Step | None:
        """Undo the latest action; returns it with its detail (document, code, span)."""
        return self.store.history.step(self.coder, undo=True)

    def redo_step(self) -> Step | None:
        return self.store.history.step(self.coder, undo=False)

    # -- memos and completion ------------------------------------------------------------------

    def set_memo(
        self, document_id: int, span: Span, text: str, *, code_id: int | None = None
    ) -> int:
        """Write (or, with empty text, delete) the coder's memo on a passage."""
        existing = self.store.memos.at(self.coder.id, document_id, *span)
        text = text.strip()
        if existing is None and not text:
            raise QualkitError("the memo is empty")
        if existing is None:
            change = edits.add_memo(self.coder.id, document_id, span, text, code_id=code_id)
        elif text:
            change = edits.edit_memo(existing, text)
        else:
            change = edits.remove_memo(existing)
        return self.store.history.apply(
            [change],
            coder=self.coder,
            action="memo",
            detail={"document_id": document_id, "start": span[0], "end": span[1]},
        )

    def code_memo(self, code_id: int) -> Memo | None:
        """The coder's memo on a code (not on a passage), if any."""
        memos = self.store.memos.list(code_id=code_id, coder_id=self.coder.id)
        return next((m for m in memos if m.document_id is None), None)

    def set_code_memo(self, code_id: int, text: str) -> int:
        """Write (or, with empty text, delete) the coder's memo on a code."""
        existing = self.code_memo(code_id)
        text = text.strip()
        if existing is None and not text:
            raise QualkitError("the memo is empty")
        if existing is None:
            change = edits.add_memo(self.coder.id, None, (None, None), text, code_id=code_id)
        elif text:
            change = edits.edit_memo(existing, text)
        else:
            change = edits.remove_memo(existing)
        return self.store.history.apply(
            [change], coder=self.coder, action="memo", detail={"code_id": code_id}
        )

    def toggle_done(self, document_id: int) -> bool:
        """Mark the document done for this coder, or not done if it was; returns the new state."""
        done = self.store.codings.completed_at(self.coder.id, document_id) is not None
        self.set_done(document_id, not done)
        return not done

    def set_done(self, document_id: int, done: bool = True) -> bool:
        """Record whether this coder has finished the document; False if nothing changed."""
        done_at = self.store.codings.completed_at(self.coder.id, document_id)
        if (done_at is not None) == done:
            return False
        self.store.history.apply(
            [edits.set_done(self.coder.id, document_id, done, at=done_at)],
            coder=self.coder,
            action="document.done" if done else "document.undone",
            detail={"document_id": document_id},
        )
        return True


def _covered(span: Span, codings: list[Coding]) -> bool:
    """Whether the union of ``codings`` covers ``span``."""
    position, end = span
    for coding in sorted(codings, key=lambda c: c.start):
        if coding.start > position:
            break
        position = max(position, coding.end)
        if position >= end:
            return True
    return position >= end


def _code(
    document_id: int, code_id: int, coder_id: int, overlapping: list[Coding], first: int, last: int
) -> list[Change]:
    start = min([first, *(c.start for c in overlapping)])
    end = max([last, *(c.end for c in overlapping)])
    return [
        *(edits.remove_coding(c) for c in overlapping),
        edits.add_coding(document_id, code_id, coder_id, start, end),
    ]


def _uncode(text: str, overlapping: list[Coding], first: int, last: int) -> list[Change]:
    from qualkit.ingest.transcripts import trim_span

    changes = [edits.remove_coding(c) for c in overlapping]
    for coding in overlapping:
        for piece in ((coding.start, first), (last, coding.end)):
            start, end = trim_span(text, *piece)
            if start < end:
                changes.append(
                    edits.add_coding(coding.document_id, coding.code_id, coding.coder_id,
                                     start, end)
                )
    return changes
