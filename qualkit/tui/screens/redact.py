"""The de-identification review: every candidate with its context and pseudonym; accept or
reject it, or every occurrence of its string. Scans run in a worker (the NER model takes a while
to load); each decision is committed when made."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, Static
from textual.worker import Worker, WorkerState

from qualkit import redact
from qualkit.tui.dialogs import InfoDialog, InputDialog, key_table

if TYPE_CHECKING:
    from qualkit.store import Store

REDACT_KEYS: list[tuple[str, str]] = [
    ("a", "accept this candidate (replace it by its pseudonym)"),
    ("r", "reject this candidate (not an identifier; keep the text)"),
    ("A", "accept every occurrence of this string, found or not"),
    ("R", "reject every occurrence of this string"),
    ("u", "forget the decision on this candidate and its string"),
    ("+", "redact a string the scan missed, everywhere (a name you read in the context)"),
    ("n", "next candidate not reviewed yet"),
    ("s", "scan the project again (in the background)"),
    ("j / k", "next / previous candidate"),
    ("?", "this help"),
    ("esc / q", "back"),
]
_VERDICT_STYLE = {"accept": "bold green", "reject": "dim", None: "yellow"}


class RedactScreen(Screen[None]):
    """Review of de-identification candidates; ``ner`` is injected by tests (False: rules and
    names only)."""

    CSS_PATH = "../redact.tcss"
    BINDINGS = [
        Binding("escape,q", "back", "back", show=True),
        Binding("j", "cursor(1)", show=False), Binding("k", "cursor(-1)", show=False),
        Binding("a", "decide('accept')", "accept", show=True),
        Binding("r", "decide('reject')", "reject", show=True),
        Binding("A", "decide('accept-all')", "accept all", show=True),
        Binding("R", "decide('reject-all')", "reject all", show=True),
        Binding("u", "undecide", "undo", show=True),
        Binding("n", "next_open", "next open", show=True),
        Binding("plus", "add_string", "add string", show=True),
        Binding("s", "scan", "scan", show=True),
        Binding("question_mark", "help", "help", show=True),
    ]

    @dataclass
    class Scanned(Message):
        """A background scan stored fresh candidates."""

        count: int

    def __init__(self, store: Store, coder: str, *, ner=None) -> None:
        super().__init__()
        self.store, self.coder, self.ner = store, coder, ner
        self.rows: list[redact.Candidate] = []

    def compose(self) -> ComposeResult:
        yield Label("De-identification", id="redact-title")
        yield DataTable(id="redact-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="redact-context")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("document", "kind", "text", "pseudonym", "decision")
        self.load()
        table.focus()
        if self.store.get_meta("redact_scanned") is None:
            self.action_scan()

    def load(self, *, keep: int | None = None) -> None:
        self.rows = redact.candidates(self.store)
        table = self.query_one(DataTable)
        table.clear()
        for i, c in enumerate(self.rows):
            table.add_row(c.document, c.kind, c.text, c.label, _verdict(c.decision), key=str(i))
        if keep is not None and self.rows:
            table.move_cursor(row=min(keep, len(self.rows) - 1))
        self._title()
        self.show_context()

    def refresh_decisions(self) -> None:
        """Re-resolve every row's decision and repaint only the cells that changed (a key press
        must not re-read every transcript)."""
        from dataclasses import replace

        resolve = redact.Resolver(self.store.redaction.decisions())
        table = self.query_one(DataTable)
        column = list(table.columns)[4]
        for i, c in enumerate(self.rows):
            now = resolve(c.document_id, c.start, c.end, c.text)
            if now != c.decision:
                self.rows[i] = replace(c, decision=now)
                table.update_cell(str(i), column, _verdict(now))
        self._title()

    def _title(self, extra: str = "") -> None:
        open_ = sum(c.decision is None for c in self.rows)
        text = (f"De-identification · {len(self.rows)} candidates · {open_} not reviewed · "
                "? keys" if self.rows else "De-identification · no candidates yet · s scans")
        self.query_one("#redact-title", Label).update(text + extra)

    @property
    def current(self) -> redact.Candidate | None:
        table = self.query_one(DataTable)
        if not self.rows or table.row_count == 0:
            return None
        return self.rows[min(table.cursor_row, len(self.rows) - 1)]

    def on_data_table_row_highlighted(self) -> None:
        self.show_context()

    def show_context(self) -> None:
        c = self.current
        self.query_one("#redact-context", Static).update(
            "" if c is None else f"{c.document} · {c.start}–{c.end} · {c.source}\n{c.context}")

    # -- decisions ------------------------------------------------------------------------------

    def action_decide(self, verdict: str) -> None:
        c = self.current
        if c is None:
            return
        table = self.query_one(DataTable)
        row = table.cursor_row
        redact.decide(self.store, c, verdict, coder=self.coder)
        self.refresh_decisions()
        if not verdict.endswith("-all"):
            table.move_cursor(row=min(row + 1, len(self.rows) - 1))

    def action_undecide(self) -> None:
        c = self.current
        if c is not None:
            redact.undecide(self.store, c)
            self.refresh_decisions()

    def action_add_string(self) -> None:
        def chosen(value: str | None) -> None:
            if value and value.strip():
                redact.mark_string(self.store, value.strip(), coder=self.coder)
                self.refresh_decisions()
                self.notify(f"every {value.strip()!r} will be redacted")

        self.app.push_screen(InputDialog("Redact everywhere (a string the scan missed)"), chosen)

    def action_next_open(self) -> None:
        table = self.query_one(DataTable)
        start = table.cursor_row
        order = list(range(start + 1, len(self.rows))) + list(range(0, start + 1))
        for i in order:
            if self.rows[i].decision is None:
                table.move_cursor(row=i)
                return
        self.notify("every candidate is reviewed")

    def action_cursor(self, step: int) -> None:
        table = self.query_one(DataTable)
        table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + step)))

    # -- scanning in the background --------------------------------------------------------------

    def action_scan(self) -> None:
        self._title(" · scanning…")
        self.scan_in_background()

    @work(thread=True, exclusive=True, exit_on_error=False, group="redact-scan")
    def scan_in_background(self) -> int:
        from qualkit.store import Store

        with Store.open(self.store.path) as store:
            found = redact.scan(store, ner=self.ner)
        self.post_message(self.Scanned(len(found)))
        return len(found)

    def on_redact_screen_scanned(self, message: Scanned) -> None:
        self.load(keep=0)
        self.notify(f"{message.count} candidates found")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "redact-scan" and event.state == WorkerState.ERROR:
            self._title(" · scan failed")
            self.notify(f"scan failed: {event.worker.error}", severity="error")

    def action_help(self) -> None:
        self.app.push_screen(InfoDialog("De-identification keys", key_table(REDACT_KEYS)))

    def action_back(self) -> None:
        self.app.pop_screen()


def _verdict(decision: str | None) -> Text:
    return Text(decision or "—", style=_VERDICT_STYLE[decision])
