"""All memos in one table, filtered by document, code and coder; enter jumps to the passage.

A memo's codes are the one it was written on, if any, and those its author gave its passage: a
memo written with `m` on a segment carries no code of its own, yet belongs to the codes there.
In blind coding only the coder's own memos are listed."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, Select

from qualkit.coding import keys
from qualkit.store import Store
from qualkit.tui.keys import bindings


class MemosScreen(Screen[tuple[int, int] | None]):
    """Returns (document id, offset) of the chosen memo's passage, or None."""

    KEYS = keys.MEMOS
    BINDINGS = bindings(KEYS)

    def __init__(self, store: Store, coder: str, *, blind: bool = True) -> None:
        super().__init__()
        self.store, self.coder = store, coder
        self.documents = {d.id: d.name for d in store.documents.list()}
        self.codes = {c.id: c.name for c in store.codes.list(include_retired=True)}
        self.coders = {c.id: c.name for c in store.codings.coders()}
        me = next((i for i, name in self.coders.items() if name == coder), None)
        self.only_coder = (me if me is not None else -1) if blind else None
        if blind:
            self.coders = {i: n for i, n in self.coders.items() if i == me}

    def compose(self) -> ComposeResult:
        yield Label("Memos · enter jumps to the passage", id="memos-title")
        with Horizontal(id="memo-filters"):
            yield Select(
                [(n, i) for i, n in self.documents.items()], prompt="any document", id="document"
            )
            yield Select([(n, i) for i, n in self.codes.items()], prompt="any code", id="code")
            yield Select([(n, i) for i, n in self.coders.items()], prompt="any coder", id="coder")
        yield DataTable(id="memo-table", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("document", "passage", "code", "coder", "memo", "updated")
        self.fill()
        table.focus()

    def on_select_changed(self) -> None:
        self.fill()

    def _filter(self, name: str) -> int | None:
        value = self.query_one(f"#{name}", Select).value
        return value if isinstance(value, int) else None

    def fill(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        chosen_code = self._filter("code")
        memos = self.store.memos.list(
            document_id=self._filter("document"),
            coder_id=self._filter("coder") or self.only_coder,
        )
        self._codings: dict[tuple[int, int], list] = {}
        codes_of = {memo.id: self._memo_codes(memo) for memo in memos}
        if chosen_code is not None:
            memos = [m for m in memos if chosen_code in codes_of[m.id]]
        texts: dict[int, str] = {}
        self.targets: dict[str, tuple[int, int]] = {}
        for memo in memos:
            passage = ""
            if memo.document_id is not None and memo.start is not None:
                text = texts.setdefault(
                    memo.document_id, self.store.documents.text(memo.document_id)
                )
                passage = " ".join(text[memo.start : memo.end].split())[:50]
            table.add_row(
                self.documents.get(memo.document_id or 0, "—"),
                passage,
                ", ".join(self.codes[c] for c in codes_of[memo.id] if c in self.codes),
                self.coders.get(memo.coder_id, "?"),
                " ".join(memo.text.split())[:60],
                memo.updated_at[:16].replace("T", " "),
                key=str(memo.id),
            )
            self.targets[str(memo.id)] = (memo.document_id or 0, memo.start or 0)
        self.query_one("#memos-title", Label).update(
            f"Memos ({len(memos)}) · enter jumps to the passage · esc back"
        )

    def _memo_codes(self, memo) -> list[int]:
        """The memo's own code, then the codes its author gave any part of its passage."""
        codes = [memo.code_id] if memo.code_id is not None else []
        if memo.document_id is None or memo.start is None or memo.end is None:
            return codes
        key = (memo.document_id, memo.coder_id)
        if key not in self._codings:
            self._codings[key] = self.store.codings.for_document(
                memo.document_id, coder_ids=[memo.coder_id]
            )
        for coding in self._codings[key]:
            if coding.overlaps(memo.start, memo.end) and coding.code_id not in codes:
                codes.append(coding.code_id)
        return codes

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        document_id, offset = self.targets[str(event.row_key.value)]
        self.dismiss((document_id, offset) if document_id else None)

    def action_cursor(self, delta: int) -> None:
        table = self.query_one(DataTable)
        table.action_cursor_down() if delta > 0 else table.action_cursor_up()

    def action_back(self) -> None:
        self.dismiss(None)
