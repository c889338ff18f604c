"""The coding screen: documents | transcript | codebook, and every key of the coding contract."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.events import Key
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, OptionList

from qualkit.coding import keys
from qualkit.coding.navigate import next_uncoded
from qualkit.coding.session import CodingSession
from qualkit.errors import QualkitError, StorageError
from qualkit.models import Code, Document, Segment
from qualkit.store import Store
from qualkit.tui.feedback import describe_step, storage_reason
from qualkit.tui.keys import bindings
from qualkit.tui.position import SavedPosition
from qualkit.tui.screens.coding_dialogs import CodingDialogs
from qualkit.tui.widgets.panels import CodebookPanel, DocumentList, StatusBar, code_depth
from qualkit.tui.widgets.segment_codings import extent
from qualkit.tui.widgets.transcript import TranscriptView

if TYPE_CHECKING:
    from qualkit.store.history import Step


class CodingScreen(Screen):
    KEYS = keys.CODING
    BINDINGS = bindings(KEYS)

    def __init__(self, store: Store, coder: str, *, show_all: bool = False) -> None:
        super().__init__()
        self.store = store
        self.session = CodingSession(store, coder)
        self.show_all = show_all
        self.document: Document | None = None
        self.filter_code: int | None = None
        self.last_action = "ready"
        self.dialogs = CodingDialogs(self)

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        with Horizontal(id="panes"):
            yield DocumentList(id="documents")
            yield TranscriptView(id="transcript")
            yield CodebookPanel(id="codebook")
        yield Footer(compact=True)

    @property
    def view(self) -> TranscriptView:
        return self.query_one(TranscriptView)

    @property
    def coder(self):
        return self.session.coder

    def on_mount(self) -> None:
        self._counts_due: set[int] = set()
        self._side_panes_timer: Timer | None = None
        self._position_timer: Timer | None = None
        self.position = SavedPosition(self.store, self.coder.name)
        self.documents = self.store.documents.list()
        self.query_one(DocumentList).set_documents(self.documents)
        self.view.coder_id = self.coder.id
        self.view.coder_names = {c.id: c.name for c in self.store.codings.coders()}
        self.view.show_others = self.show_all
        self.reload_codes()
        self.refresh_progress()
        if self.documents:
            saved = self.position.resume({d.id for d in self.documents})
            self.open_document(*(saved or (self.documents[0].id, None)))
        self.view.focus()

    def on_resize(self) -> None:
        self.set_class(self.size.width < 110, "narrow")

    # -- loading ------------------------------------------------------------------------------

    def reload_codes(self) -> None:
        """Read the codebook again (after an edit in the codebook screen, or undo)."""
        self.codes: list[Code] = self.store.codes.list()
        self.hotkeys = {c.hotkey: c for c in self.codes if c.hotkey}
        parents = {c.id: c.parent_id for c in self.codes}
        depth = {c.id: code_depth(c.id, parents) for c in self.codes}
        counts = self.store.codings.counts_by_code(self.coder.id)
        self.query_one(CodebookPanel).set_codes(self.codes, depth, counts)
        self.view.set_codes(self.store.codes.list(include_retired=True))

    def refresh_progress(self) -> None:
        coded = self.store.codings.coded_segment_counts(self.coder.id)
        totals = self.store.documents.segment_counts()
        done = self.store.codings.completed(self.coder.id)
        documents = self.query_one(DocumentList)
        for document in self.documents:
            total = totals.get(document.id, 0)
            percent = 100 * coded.get(document.id, 0) / total if total else 0.0
            documents.show_progress(document.id, percent, document.id in done)

    def open_document(self, document_id: int, ordinal: int | None = None) -> None:
        self.document = self.store.documents.get(document_id)
        self.segments: list[Segment] = self.store.documents.segments(document_id)
        self.roles = self.store.documents.speakers(document_id)
        self.filter_code = None
        self.view.show_document(self.segments, layout=False)
        self.load_codings(relayout=True)
        if ordinal is not None:
            self.view.move_to_index(min(ordinal, len(self.segments) - 1))
        index = [d.id for d in self.documents].index(document_id)
        self.query_one(DocumentList).highlighted = index
        self.update_status()
        self._position_moved()

    def load_codings(self, *, relayout: bool = False) -> set[int]:
        """Fetch this document's codings (mine, or everyone's with show-all) and memos; repaint
        the segments whose codings changed. Returns their indexes."""
        assert self.document is not None
        coders = None if self.view.show_others else [self.coder.id]
        codings = self.store.codings.for_document(self.document.id, coder_ids=coders)
        memos = self.store.memos.list(document_id=self.document.id, coder_id=self.coder.id)
        before = self.view.marks()
        self.view.set_codings(codings, [(m.start, m.end) for m in memos if m.start is not None])
        changed = self.view.marks().changed_since(before)
        if relayout:
            self.view.relayout()
        else:
            self.view.refresh_rows(changed)
        return changed

    # -- status ---------------------------------------------------------------------------------

    def my_coverage(self) -> float:
        return 100 * len(self.view.mine) / len(self.segments) if self.segments else 0.0

    def update_status(self) -> None:
        view = self.view
        position = f"{view.selection.cursor + 1}/{len(view.rows)}" if view.rows else "0/0"
        if len(view.selection.rows) > 1:
            position += f" (+{len(view.selection.rows) - 1})"
        modes = []
        if view.selection.span_mode:
            modes.append("WORDS")
        if self.filter_code:
            modes.append("only " + self.store.codes.get(self.filter_code).name)
        if self.view.show_others:
            modes.append("all coders")
        done = self.document and self.document.id in self.store.codings.completed(self.coder.id)
        name = (self.document.name if self.document else "no documents") + (" ✓" if done else "")
        self.query_one(StatusBar).show(
            coder=self.coder.name,
            document=name,
            position=position,
            coded=self.my_coverage(),
            mode=" · ".join(modes),
            last=self.last_action,
        )

    def done_action(self, message: str) -> None:
        self.last_action = message
        self.update_status()

    def remember_position(self) -> None:
        """Write where the coder is, if it changed since the last write: called half a second
        after moving, after every coding and on quitting, so that a killed terminal (or the
        palette's Quit) reopens where the coder was."""
        self._position_timer = None
        index = self.view.current_index
        if self.document is not None and index is not None:
            self.position.write(self.document.id, self.segments[index].ordinal)

    def _position_moved(self) -> None:
        # At most one write per half second while keys move the cursor: a timer that restarted
        # on every key would never fire while the coder holds j down.
        if self._position_timer is None:
            self._position_timer = self.set_timer(0.5, self.remember_position)

    # -- moving ---------------------------------------------------------------------------------

    def action_move(self, delta: int, extend: bool = False) -> None:
        self.view.move(delta, extend=extend)

    def action_edge(self, direction: int) -> None:
        self.view.action_edge(direction)

    def action_span_mode(self) -> None:
        on_ = self.view.toggle_span_mode()
        self.done_action("word mode: h/l move, H/L extend, a code key applies" if on_ else "")

    def action_word(self, delta: int, extend: bool = False) -> None:
        self.view.move_word(delta, extend=extend)

    def action_leave_span(self) -> None:
        if self.view.selection.span_mode:
            self.view.toggle_span_mode()
            self.done_action("")  # the word-mode hint no longer applies
        else:
            self.view.move(0)

    @on(TranscriptView.Moved)
    def _moved(self) -> None:
        self.update_status()
        self._position_moved()

    # -- coding ---------------------------------------------------------------------------------

    def action_apply_nth(self, n: int) -> None:
        if n < len(self.codes):
            self.toggle(self.codes[n])

    def on_key(self, event: Key) -> None:
        code = self.hotkeys.get(event.character or "")
        if code is not None:
            event.stop()
            self.toggle(code)

    @on(OptionList.OptionSelected, "#codebook")
    def _code_chosen(self, event: OptionList.OptionSelected) -> None:
        self.toggle(self.store.codes.get(int(event.option.id or 0)))

    @on(OptionList.OptionSelected, "#documents")
    def _document_chosen(self, event: OptionList.OptionSelected) -> None:
        self.open_document(int(event.option.id or 0))
        self.view.focus()

    def toggle(self, code: Code) -> None:
        """Apply or remove ``code`` on the selection: committed, then repainted."""
        started = getattr(self.app, "input_arrived", None) or time.monotonic()
        spans = self.view.selected_spans()
        if self.document is None or not spans:
            return
        # A toggle changes only this coder's codings of this code that overlap the selection,
        # and what replaces them stays within their extent: re-read just that range.
        first, last = min(s for s, _ in spans), max(e for _, e in spans)
        low, high = extent(self.view.shown_codings(self.coder.id, code.id, first, last), first,
                           last)
        try:
            result = self.session.toggle(self.document.id, code.id, spans)
        except StorageError as exc:
            self.not_saved(exc)
            return
        except QualkitError as exc:
            self.notify(str(exc), severity="error")
            return
        shown = self.view.shown_codings(self.coder.id, code.id, low, high)
        now = self.store.codings.overlapping(self.document.id, self.coder.id, code.id, low, high)
        self.view.refresh_rows(self.view.update_codings(shown, now))
        self.done_action(("applied " if result.applied else "removed ") + code.name)
        self.remember_position()
        self._counts_due.add(code.id)
        if self._side_panes_timer is not None:
            self._side_panes_timer.stop()
        self._side_panes_timer = self.set_timer(0.4, self._update_side_panes)
        latencies = getattr(self.app, "latencies", None)
        if latencies is not None:
            self.call_after_refresh(lambda: latencies.append(time.monotonic() - started))

    def _update_side_panes(self) -> None:
        """Counts in the codebook pane and this document's progress, a moment after the last
        coding key: re-rendering the side lists on every key would double the key's latency
        on a large project, and nobody reads them mid-burst."""
        for code_id in self._counts_due:
            count = self.store.codings.count(code_id=code_id, coder_id=self.coder.id)
            self.query_one(CodebookPanel).show_count(code_id, count)
        self._counts_due.clear()
        self._progress_current()

    def _progress_current(self) -> None:
        assert self.document is not None
        done = self.document.id in self.store.codings.completed(self.coder.id)
        self.query_one(DocumentList).show_progress(self.document.id, self.my_coverage(), done)

    def action_undo(self) -> None:
        try:
            self._history(self.session.undo_step(), "undid", "undo")
        except StorageError as exc:
            self.not_saved(exc)

    def action_redo(self) -> None:
        try:
            self._history(self.session.redo_step(), "redid", "redo")
        except StorageError as exc:
            self.not_saved(exc)

    def not_saved(self, exc: StorageError) -> None:
        """The project could not be written (busy, full, read-only): say so and keep working;
        nothing was half-written, so pressing the key again retries the whole action."""
        self.done_action(f"NOT SAVED ({storage_reason(exc)}): press the key again")
        self.notify(str(exc), severity="error", timeout=10)

    def _history(self, step: Step | None, done: str, verb: str) -> None:
        if step is None:
            self.done_action(f"nothing to {verb}")
            return
        if step.action.startswith("codebook"):
            self.reload_codes()
        else:
            panel = self.query_one(CodebookPanel)
            counts = self.store.codings.counts_by_code(self.coder.id)
            panel.set_codes(self.codes, panel.depth, counts)
        index = self._go_to_step(step)
        self.refresh_progress()
        names = {c.id: c.name for c in self.store.codes.list(include_retired=True)}
        document = self.document.name if self.document else None
        self.done_action(describe_step(step, done, codes=names, segment=index, document=document))

    def _go_to_step(self, step: Step) -> int | None:
        """Show what an undo or redo changed: open its document, put the cursor on its passage;
        returns the segment's index, or None for an action without a passage."""
        document_id, start = step.detail.get("document_id"), step.detail.get("start")
        if document_id is None or document_id not in {d.id for d in self.documents}:
            self.load_codings()
            return None
        if self.document is None or self.document.id != document_id:
            self.open_document(document_id)
        else:
            self.load_codings()
        if start is None:
            return None
        index = next((i for i, s in enumerate(self.segments) if s.end > start), None)
        if index is not None:
            if index not in self.view.rows:
                self.dialogs.apply_filter(None)
            self.view.move_to_index(index)
        return index

    # -- the other keys -------------------------------------------------------------------------

    def toggle_show_all(self) -> None:
        self.view.show_others = not self.view.show_others
        self.load_codings(relayout=True)
        self.done_action("showing all coders" if self.view.show_others else "showing only yours")

    def action_next_uncoded(self) -> None:
        view = self.view
        mine = view.marks().coded()
        row = next_uncoded(self.segments, view.rows, view.selection.cursor, self.roles, mine)
        if row is None:
            self.done_action("every segment here has your codes")
        else:
            view.move(row - view.selection.cursor)

    def action_done(self) -> None:
        if self.document is None:
            return
        try:
            done = self.session.toggle_done(self.document.id)
        except StorageError as exc:
            self.not_saved(exc)
            return
        self._progress_current()
        self.done_action("document marked done" if done else "document marked not done")

    # The keys that open a dialog or another screen: what they do lives in ``CodingDialogs``.

    def action_memo(self) -> None:
        self.dialogs.memo()

    def action_definition(self) -> None:
        self.dialogs.definition()

    def action_filter(self) -> None:
        self.dialogs.filter()

    def action_pick_code(self) -> None:
        self.dialogs.pick_code()

    def action_search(self) -> None:
        self.dialogs.search()

    def action_codebook(self) -> None:
        self.dialogs.codebook()

    def action_memos(self) -> None:
        self.dialogs.memos()

    def action_retrieve(self) -> None:
        self.dialogs.retrieve()

    def action_joint(self) -> None:
        self.dialogs.joint()

    def action_agreement(self) -> None:
        self.dialogs.agreement()

    def action_topics(self) -> None:
        self.dialogs.topics()

    def action_reconcile(self) -> None:
        self.dialogs.reconcile()

    def action_quit(self) -> None:
        self.remember_position()
        self.app.exit()

