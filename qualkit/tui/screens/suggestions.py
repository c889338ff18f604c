"""Review the machine coder's suggestions: accept one (it becomes the reviewer's own coding,
undoable like any) or reject it (recorded); bertopic's codings themselves never change."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label

from qualkit.coding import keys
from qualkit.errors import QualkitError
from qualkit.topics import accept_suggestion, pending_suggestions, reject_suggestion
from qualkit.tui.keys import bindings

if TYPE_CHECKING:
    from qualkit.coding.session import CodingSession
    from qualkit.store import Store
    from qualkit.store.topics import Suggestion


class SuggestionsScreen(Screen[None]):
    """bertopic's suggestions that the session's coder has not reviewed yet (only those of
    ``code_id`` when given)."""

    CSS_PATH = "../topics.tcss"
    KEYS = keys.SUGGESTIONS
    BINDINGS = bindings(KEYS)

    def __init__(self, store: Store, session: CodingSession, *, code_id: int | None = None
                 ) -> None:
        super().__init__()
        self.store, self.session, self.code_id = store, session, code_id
        self.pending: list[Suggestion] = []

    def compose(self) -> ComposeResult:
        yield Label("Suggestions", id="suggestions-title")
        yield DataTable(id="suggestions-table", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("document", "code", "passage")
        self.fill()
        table.focus()

    def fill(self, cursor: int = 0) -> None:
        table = self.query_one(DataTable)
        table.clear()
        self.pending = pending_suggestions(self.store, self.session.coder, code_id=self.code_id)
        for suggestion in self.pending:
            table.add_row(suggestion.document, suggestion.code,
                          " ".join(suggestion.text.split())[:110], key=str(suggestion.coding_id))
        if self.pending:
            table.move_cursor(row=min(cursor, len(self.pending) - 1))
        self.query_one("#suggestions-title", Label).update(
            f"Suggestions by bertopic for {self.session.coder.name}: {len(self.pending)} to "
            "review · a accept (codes it as yours) · r reject · esc back")

    @property
    def current(self) -> Suggestion | None:
        table = self.query_one(DataTable)
        if not self.pending or table.row_count == 0:
            return None
        return self.pending[min(table.cursor_row, len(self.pending) - 1)]

    def action_accept(self) -> None:
        suggestion = self.current
        if suggestion is None:
            return
        try:
            coded = accept_suggestion(self.session, suggestion)
        except QualkitError as exc:
            self.notify(str(exc), severity="error")
            return
        self.notify(f"coded as {suggestion.code}" if coded else "you had already coded it")
        self.fill(self.query_one(DataTable).cursor_row)

    def action_reject(self) -> None:
        suggestion = self.current
        if suggestion is None:
            return
        reject_suggestion(self.store, self.session.coder, suggestion)
        self.notify("rejected")
        self.fill(self.query_one(DataTable).cursor_row)

    def action_cursor(self, delta: int) -> None:
        table = self.query_one(DataTable)
        table.action_cursor_down() if delta > 0 else table.action_cursor_up()

    def action_back(self) -> None:
        self.dismiss(None)
