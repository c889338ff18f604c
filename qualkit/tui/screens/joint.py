"""The joint display of a saved outcome run: effects beside linked themes, quotes and fit.

The table (one row per outcome) is computed in a worker on its own connection; the evaluator
links themes (``t``), sets the fit (``f``) and writes the meta-inference (``e``), each stored at
once with an audit event; ``enter`` on a quote returns to the workbench at its passage.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Label, OptionList, SelectionList, Static
from textual.widgets.option_list import Option

from qualkit.coding import keys
from qualkit.store import Store
from qualkit.tui.dialogs import TextDialog
from qualkit.tui.keys import bindings
from qualkit.tui.workers import run_on_own_connection

FITS = ("confirmation", "expansion", "discordance", "silence")


class CodesPicker(ModalScreen[list[int] | None]):
    """Tick the codes linked to an outcome; enter keeps, esc cancels."""

    # enter would toggle the highlighted code in the list; here it keeps the choice
    BINDINGS = [Binding("escape", "cancel", "cancel"),
                Binding("enter", "keep", "keep", priority=True)]

    def __init__(self, title: str, codes: list[tuple[str, int]], chosen: set[int]) -> None:
        super().__init__()
        self.title_, self.codes, self.chosen = title, codes, chosen

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_, classes="dialog-title")
            yield SelectionList[int](*((name, i, i in self.chosen) for name, i in self.codes),
                                     id="link-codes")
            yield Label("space tick · enter keep · esc cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        choices = self.query_one(SelectionList)
        choices.highlighted = 0
        choices.focus()

    def action_keep(self) -> None:
        self.dismiss(list(self.query_one(SelectionList).selected))

    def action_cancel(self) -> None:
        self.dismiss(None)


class FitPicker(ModalScreen[str | None]):
    """Choose the fit of the two strands ("" = not set)."""

    BINDINGS = [Binding("escape", "cancel", "cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog small"):
            yield Label("Fit of the two strands", classes="dialog-title")
            yield OptionList(*(Option(f, id=f) for f in FITS), Option("not set", id="none"))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss("" if event.option.id == "none" else event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class JointScreen(Screen[tuple[int, int] | None]):
    """Returns (document id, offset) of a chosen quote, or None."""

    DEFAULT_CSS = """
    #joint-title { height: 1; padding: 0 1; background: $panel; text-style: bold; }
    #joint-table { height: 1fr; min-height: 5; }
    #joint-detail { height: 2fr; border-top: solid $panel-lighten-2; }
    #joint-text { height: auto; max-height: 12; padding: 0 1; }
    #joint-quotes { height: 1fr; }
    """
    KEYS = keys.JOINT
    BINDINGS = bindings(KEYS)

    @dataclass
    class Computed(Message):
        table: Any

    @dataclass
    class Failed(Message):
        message: str

    def __init__(self, store: Store, coder: str) -> None:
        super().__init__()
        self.store, self.coder = store, coder
        self.runs = [r.name for r in store.runs.outcome_runs()]
        self.run = self.runs[-1] if self.runs else None
        self.rows: list[dict] = []
        self.quotes: list[dict] = []

    def compose(self) -> ComposeResult:
        yield Label("Joint display", id="joint-title")
        yield DataTable(id="joint-table", cursor_type="row", zebra_stripes=True)
        with Vertical(id="joint-detail"):
            yield Static("", id="joint-text")
            yield OptionList(id="joint-quotes")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("outcome", "ATT [95% CI]", "p", "fit", "themes")
        table.focus()
        if self.run is None:
            self._show("No saved outcome run yet: save one with `qualkit outcomes match DATA "
                       "... --save PROJECT --name RUN`, then press r.")
            return
        self.recompute()

    # -- computing ------------------------------------------------------------------------------

    def recompute(self) -> None:
        self.query_one("#joint-title", Label).update(f"Joint display · run {self.run} · "
                                                     "computing…")
        self.compute(self.run)

    @work(thread=True, exclusive=True, group="joint")
    def compute(self, run: str) -> None:
        from qualkit.integrate import joint_display

        run_on_own_connection(self, self.store.path, lambda s: joint_display(s, run),
                              done=self.Computed, failed=self.Failed, what="joint display")

    @on(Computed)
    def _computed(self, event: Computed) -> None:
        df = event.table
        self.rows = df.to_dict(orient="records")
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        for row in self.rows:
            ci = "—" if row["ci_low"] is None else \
                f"{row['estimate']:.3f} [{row['ci_low']:.2f}, {row['ci_high']:.2f}]"
            p = "—" if row["p"] is None else ("<0.001" if row["p"] < 0.001 else f"{row['p']:.3f}")
            themes = ", ".join(t["code"] for t in row["themes"]) or "—"
            table.add_row(row["outcome"], ci, p, row["fit"] or "—", themes, key=row["outcome"])
        if self.rows:
            table.move_cursor(row=min(keep, len(self.rows) - 1))
        self.query_one("#joint-title", Label).update(
            f"Joint display · run {self.run} · coders: {df.attrs.get('coders')} · "
            f"{len(df.attrs.get('documents', []))} documents")
        self._detail()

    @on(Failed)
    def _failed(self, event: Failed) -> None:
        self._show(event.message)
        self.notify(event.message, severity="error")

    def _show(self, text: str) -> None:
        self.query_one("#joint-text", Static).update(text)

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._detail()

    @property
    def current(self) -> dict | None:
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row is None or table.cursor_row >= len(self.rows):
            return None
        return self.rows[table.cursor_row]

    def _detail(self) -> None:
        row = self.current
        quotes = self.query_one("#joint-quotes", OptionList)
        quotes.clear_options()
        self.quotes = []
        if row is None:
            return
        text = Text()
        text.append(f"{row['outcome']}", style="bold")
        text.append(f" · {row['estimator']}\n", style="dim")
        text.append(f"fit: {row['fit'] or 'not set'}\n", style="bold")
        text.append((row["meta_inference"] or "no meta-inference yet (e)") + "\n")
        for theme in row["themes"]:
            text.append(f"{theme['code']}", style="bold")
            text.append(f" ({theme['prevalence']})\n", style="dim")
            self.quotes += theme["quotes"]
        self._show(text)
        for q in self.quotes:
            quotes.add_option(Option(Text.assemble(f"“{q['text']}” ", (
                f"— {q['document']}, {q['speaker']} · {q['tier']}", "dim"))))
        if self.quotes:
            quotes.highlighted = 0

    # -- keys -----------------------------------------------------------------------------------

    def _link(self) -> Any:
        from qualkit.store.integration import Link

        row = self.current
        if row is None:
            return None
        stored = {k.outcome: k for k in self.store.integration.links(self.run)}
        return stored.get(row["outcome"]) or Link(row["outcome"], (), None, "")

    def _save(self, link: Any) -> None:
        if self.store.integration.set_link(self.run, link, author=self.coder):
            self.notify(f"saved the link of {link.outcome}")
        self.recompute()

    def action_themes(self) -> None:
        from dataclasses import replace

        link = self._link()
        if link is None:
            return
        codes = [(c.name, c.id) for c in self.store.codes.list()]

        def chosen(ids: list[int] | None) -> None:
            if ids is not None:
                order = [i for i in link.code_ids if i in ids] + \
                    [i for _, i in codes if i in ids and i not in link.code_ids]
                self._save(replace(link, code_ids=tuple(order)))

        self.app.push_screen(CodesPicker(f"Themes linked to {link.outcome}", codes,
                                         set(link.code_ids)), chosen)

    def action_fit(self) -> None:
        from dataclasses import replace

        link = self._link()
        if link is not None:
            self.app.push_screen(FitPicker(), lambda fit: None if fit is None else
                                 self._save(replace(link, fit=fit or None)))

    def action_meta(self) -> None:
        from dataclasses import replace

        link = self._link()
        if link is None:
            return

        def keep(text: str | None) -> None:
            if text is not None:
                self._save(replace(link, meta_inference=" ".join(text.split())))

        self.app.push_screen(TextDialog(f"Meta-inference: {link.outcome}", link.meta_inference),
                             keep)

    def action_next_run(self) -> None:
        self.runs = [r.name for r in self.store.runs.outcome_runs()]
        if self.runs:
            index = self.runs.index(self.run) + 1 if self.run in self.runs else 0
            self.run = self.runs[index % len(self.runs)]
            self.recompute()

    @on(OptionList.OptionSelected, "#joint-quotes")
    def _quote(self, event: OptionList.OptionSelected) -> None:
        quote = self.quotes[event.option_index]
        self.dismiss((quote["document_id"], quote["start"]))

    def action_cursor(self, delta: int) -> None:
        table = self.query_one(DataTable)
        table.action_cursor_down() if delta > 0 else table.action_cursor_up()

    def action_back(self) -> None:
        self.dismiss(None)
