"""Full-text search across every document; choosing a hit returns where to jump."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from qualkit.models import Segment
from qualkit.store import Store

LIMIT = 200


class SearchScreen(ModalScreen[Segment | None]):
    """Type words (the last one may be a prefix); enter or ↓ goes to the hits."""

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("down", "to_hits", show=False)]

    def __init__(self, store: Store, query: str = "") -> None:
        super().__init__()
        self.store, self.query_text = store, query
        self.hits: list[Segment] = []
        self.names = {d.id: d.name for d in store.documents.list()}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label("Search all documents", classes="dialog-title")
            yield Input(self.query_text, placeholder="words…", id="query")
            yield OptionList(id="hits")
            yield Label("", id="count", classes="dialog-hint")

    def on_mount(self) -> None:
        if self.query_text:
            self.run_search(self.query_text)

    def on_input_changed(self, event: Input.Changed) -> None:
        self.run_search(event.value)

    def run_search(self, query: str) -> None:
        self.query_text = query  # the workbench highlights these words after the jump
        self.hits = self.store.documents.search(query, limit=LIMIT)
        hits = self.query_one("#hits", OptionList)
        hits.clear_options()
        hits.add_options(Option(self._prompt(s), id=str(i)) for i, s in enumerate(self.hits))
        more = "+" if len(self.hits) == LIMIT else ""
        self.query_one("#count", Label).update(
            f"{len(self.hits)}{more} hits · enter jump · esc cancel" if query.strip() else ""
        )

    def _prompt(self, segment: Segment) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(self.names.get(segment.document_id, "?"), style="bold")
        text.append(f" · {segment.speaker or '—'}: ", style="dim")
        text.append(segment.text)
        return text

    def on_input_submitted(self) -> None:
        self.action_to_hits()

    def action_to_hits(self) -> None:
        if self.hits:
            hits = self.query_one("#hits", OptionList)
            hits.focus()
            hits.highlighted = hits.highlighted or 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.hits[int(event.option.id or 0)])

    def action_cancel(self) -> None:
        self.dismiss(None)
