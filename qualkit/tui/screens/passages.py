"""Retrieval: every passage of a code (and its sub-codes) across the documents, filtered by coder
and by a document field or attribute; enter jumps to the passage in the workbench."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, Select, Static

from qualkit.coding import keys, retrieve
from qualkit.coding.passages import Passage, attribute_values
from qualkit.errors import QualkitError
from qualkit.tui.dialogs import TypeAheadPicker
from qualkit.tui.keys import bindings

if TYPE_CHECKING:
    from qualkit.store import Store

_ANY = "any"


class PassagesScreen(Screen[tuple[int, int] | None]):
    """Returns (document id, offset) of the chosen passage, or None.

    ``coder`` limits the passages to one coder's (blind coding); None shows every coder's."""

    DEFAULT_CSS = """
    #passages-title { height: 1; padding: 0 1; background: $panel; text-style: bold; }
    #passage-filters { height: auto; }
    #passage-filters Select { width: 1fr; }
    #passages-table { height: 1fr; }
    #passage-context { height: 7; padding: 0 1; border-top: solid $panel-lighten-2; }
    """
    KEYS = keys.RETRIEVE
    BINDINGS = bindings(KEYS)

    def __init__(self, store: Store, code: str, *, coder: str | None = None) -> None:
        super().__init__()
        self.store, self.code, self.only_coder = store, code, coder
        self.passages: list[Passage] = []

    def compose(self) -> ComposeResult:
        yield Label(id="passages-title")
        with Horizontal(id="passage-filters"):
            coders = [self.only_coder] if self.only_coder else [
                c.name for c in self.store.codings.coders()
            ]
            yield Select([(n, n) for n in coders], prompt="any coder", id="coder",
                         disabled=self.only_coder is not None)
            pairs = [
                (f"{key} = {value}", f"{key}\x00{value}")
                for key, values in attribute_values(self.store).items() if key != "format"
                for value in values
            ]
            yield Select(pairs, prompt="any document", id="attribute")
        yield DataTable(id="passages-table", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="passage-context"):
            yield Static(id="context")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("document", "speaker", "code", "coder", "passage")
        self.fill()
        table.focus()

    def on_select_changed(self) -> None:
        self.fill()

    def _selected(self, name: str) -> str | None:
        value = self.query_one(f"#{name}", Select).value
        return value if isinstance(value, str) else None

    def fill(self) -> None:
        coder = self.only_coder or self._selected("coder")
        attribute = self._selected("attribute")
        where = dict([attribute.split("\x00", 1)]) if attribute else None
        try:
            self.passages = retrieve(
                self.store, self.code, coders=[coder] if coder else None, where=where
            )
        except QualkitError as exc:
            self.notify(str(exc), severity="error")
            self.passages = []
        table = self.query_one(DataTable)
        table.clear()
        for i, p in enumerate(self.passages):
            table.add_row(p.document, p.speaker or "", p.code, p.coder,
                          " ".join(p.text.split())[:80], key=str(i))
        self.query_one("#passages-title", Label).update(
            f"Passages of '{self.code}' and its sub-codes: {len(self.passages)}"
            " · enter jumps · c another code"
        )
        self.show_context()

    def on_data_table_row_highlighted(self) -> None:
        self.show_context()

    def show_context(self) -> None:
        context = self.query_one("#context", Static)
        row = self.query_one(DataTable).cursor_row
        if not self.passages or row is None or not 0 <= row < len(self.passages):
            context.update(Text("No passages: another code (c) or filter?", style="dim"))
            return
        p = self.passages[row]
        text = Text()
        text.append(" ".join(p.before.split()) + " ", style="dim")
        text.append(" ".join(p.text.split()), style="bold")
        text.append(" " + " ".join(p.after.split()), style="dim")
        context.update(text)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        passage = self.passages[int(event.row_key.value or 0)]
        self.dismiss((passage.document_id, passage.start))

    def action_choose_code(self) -> None:
        codes = self.store.codes.list()

        def chosen(code_id: int | None) -> None:
            if code_id:
                self.code = self.store.codes.get(code_id).name
                self.fill()

        self.app.push_screen(TypeAheadPicker("Passages of…", codes, []), chosen)

    def action_cursor(self, delta: int) -> None:
        table = self.query_one(DataTable)
        table.action_cursor_down() if delta > 0 else table.action_cursor_up()

    def action_back(self) -> None:
        self.dismiss(None)
