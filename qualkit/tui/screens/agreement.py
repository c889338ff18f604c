"""The agreement screen: per-code statistics of the chosen coders, sortable, marked against
Krippendorff's thresholds, computed in a worker so the screen never freezes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, SelectionList, Static

from qualkit.coding import keys
from qualkit.store import Store
from qualkit.tui.keys import bindings
from qualkit.tui.workers import run_on_own_connection

if TYPE_CHECKING:
    from qualkit.agreement.project import CodeAgreement, ProjectAgreement
    from qualkit.coding.session import CodingSession

MARK_STYLES = {"✓": "bold green", "~": "bold yellow", "✗": "bold red", "·": "dim"}
UNITS = ("segment", "character")


def _value(name: str) -> Callable[[CodeAgreement], float | None]:
    return lambda row: getattr(row.summary, name)


# Sort orders that `s` cycles through: (label, key); None values always sort last.
SORTS: list[tuple[str, Callable[[CodeAgreement], object]]] = [
    ("codebook", lambda row: 0),
    ("alpha", _value("krippendorff_alpha")),
    (
        "kappa",
        lambda row: (
            row.summary.cohen_kappa if row.summary.n_coders == 2 else row.summary.fleiss_kappa
        ),
    ),
    ("agree", _value("percent_agreement")),
    ("AC1", _value("gwet_ac1")),
    ("code", lambda row: row.code.lower()),
]
_COLUMN_SORTS = {
    "mark": "alpha",
    "code": "code",
    "agree": "agree",
    "kappa": "kappa",
    "alpha": "alpha",
    "ac1": "AC1",
}


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


class AgreementScreen(Screen[None]):
    """Per-code agreement of the coders ticked on the left; R reconciles two of them."""

    DEFAULT_CSS = """
    #agreement-title { width: 1fr; height: 1; padding: 0 1; background: $panel; text-style: bold; }
    #agreement-body { height: 1fr; }
    #agreement-side { width: 26; }
    #agreement-coders { height: auto; max-height: 12; border: round $panel-lighten-2; }
    #agreement-legend { padding: 0 1; color: $text-muted; }
    #agreement-table { width: 1fr; height: 1fr; }
    #agreement-summary { height: auto; max-height: 12; padding: 0 1;
                         border-top: solid $panel-lighten-2; }
    /* At 80 columns the table takes the width; c shows the coders (and the legend) again. */
    AgreementScreen.-narrow #agreement-side { display: none; }
    AgreementScreen.-narrow.choosing #agreement-side { display: block; }
    AgreementScreen.-narrow #agreement-summary { max-height: 6; }
    """
    KEYS = keys.AGREEMENT
    BINDINGS = bindings(KEYS)

    @dataclass
    class Computed(Message):
        """The worker finished: the statistics to show."""

        result: ProjectAgreement

    @dataclass
    class Failed(Message):
        """The worker could not compute (e.g. no document done by every coder)."""

        message: str

    def __init__(
        self, store: Store, session: CodingSession, *, coders: Sequence[str] | None = None
    ) -> None:
        super().__init__()
        self.store, self.session = store, session
        counts = store.codings.counts_by_coder()
        self.coders = store.codings.coders()
        default = {c.name for c in self.coders if c.kind == "human" and counts.get(c.name)}
        self.initial = set(coders) if coders else default
        self.unit = "segment"
        self.sort_index, self.reverse = 0, False
        self.result: ProjectAgreement | None = None

    def compose(self) -> ComposeResult:
        yield Label("Agreement", id="agreement-title")
        with Horizontal(id="agreement-body"):
            with Vertical(id="agreement-side"):
                yield SelectionList[str](
                    *((c.name, c.name, c.name in self.initial) for c in self.coders),
                    id="agreement-coders",
                )
                yield Static("✓ α ≥ .800\n~ α ≥ .667\n✗ below\n· undefined", id="agreement-legend")
            yield DataTable(id="agreement-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="agreement-summary")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#agreement-coders", SelectionList).border_title = "coders"
        self.query_one(DataTable).focus()
        self.recompute()

    # -- computing ------------------------------------------------------------------------------

    @property
    def chosen(self) -> list[str]:
        ticked = set(self.query_one("#agreement-coders", SelectionList).selected)
        return [c.name for c in self.coders if c.name in ticked]

    def recompute(self) -> None:
        """Start the worker for the ticked coders, unless fewer than two are ticked."""
        coders = self.chosen
        if len(coders) < 2:
            self.show_message("Tick at least two coders (c, then space).")
            return
        self.title_line(f"computing agreement of {', '.join(coders)} ({self.unit})…")
        self.compute(coders, self.unit)

    @work(thread=True, exclusive=True, group="agreement")
    def compute(self, coders: list[str], unit: str) -> None:
        """Compute on a connection of its own; results come back as a message."""
        from qualkit.agreement.project import project_agreement

        run_on_own_connection(
            self,
            self.store.path,
            lambda store: project_agreement(store, coders=coders, unit=unit),
            done=self.Computed,
            failed=self.Failed,
            what="agreement",
        )

    @on(Computed)
    def _computed(self, event: Computed) -> None:
        self.result = event.result
        self.fill()

    @on(Failed)
    def _failed(self, event: Failed) -> None:
        self.result = None
        self.show_message(event.message)
        self.notify(event.message, severity="error")

    @on(SelectionList.SelectedChanged, "#agreement-coders")
    def _coders_changed(self) -> None:
        self.recompute()

    # -- showing --------------------------------------------------------------------------------

    def title_line(self, text: str) -> None:
        self.query_one("#agreement-title", Label).update(text)

    def show_message(self, text: str) -> None:
        self.query_one(DataTable).clear(columns=True)
        self.query_one("#agreement-summary", Static).update(text)
        self.title_line("Agreement")

    def sorted_rows(self) -> list[CodeAgreement]:
        assert self.result is not None
        label, key = SORTS[self.sort_index]
        rows = list(self.result.codes)
        if label != "codebook":
            known = sorted((r for r in rows if key(r) is not None), key=key, reverse=self.reverse)
            rows = known + [r for r in rows if key(r) is None]
        elif self.reverse:
            rows.reverse()
        return rows

    def fill(self) -> None:
        """Show the result: the table in the current sort order, pooled and pairwise below."""
        result = self.result
        if result is None:
            return
        table = self.query_one(DataTable)
        table.clear(columns=True)
        two = len(result.coders) == 2
        table.add_column("", key="mark")
        table.add_column("code", key="code")
        for name in result.coders:
            table.add_column(name, key=f"coder:{name}")
        for label, key in (
            ("agree", "agree"),
            ("kappa" if two else "fleiss", "kappa"),
            ("alpha", "alpha"),
            ("AC1", "ac1"),
        ):
            table.add_column(label, key=key)
        for row in self.sorted_rows():
            table.add_row(*self._cells(row, two), key=str(row.code_id))
        label = SORTS[self.sort_index][0] + (" ↓" if self.reverse else "")
        self.title_line(
            f"Agreement of {', '.join(result.coders)} · {len(result.documents)} "
            f"documents · unit {result.unit} · {result.n_units} units · sort {label}"
        )
        self.query_one("#agreement-summary", Static).update(self._summary(result))

    def _cells(self, row: CodeAgreement, two: bool) -> list[object]:
        s = row.summary
        kappa = s.cohen_kappa if two else s.fleiss_kappa
        agree = "—" if s.percent_agreement is None else f"{100 * s.percent_agreement:.1f}%"
        numbers = [
            *(str(n) for n in row.applied),
            agree,
            _number(kappa),
            _number(s.krippendorff_alpha),
            _number(s.gwet_ac1),
        ]
        return [
            Text(row.mark, style=MARK_STYLES[row.mark]),
            row.code,
            *(Text(n, justify="right") for n in numbers),
        ]

    def _summary(self, result: ProjectAgreement) -> Text:
        pooled = result.pooled.summary
        text = Text()
        text.append(f"{result.pooled.mark} pooled ", style=MARK_STYLES[result.pooled.mark])
        kappa = pooled.cohen_kappa if len(result.coders) == 2 else pooled.fleiss_kappa
        text.append(
            f"α {_number(pooled.krippendorff_alpha)} · κ {_number(kappa)} · AC1 "
            f"{_number(pooled.gwet_ac1)}\n"
        )
        pairs = [
            f"{a}–{b} {_number(result.pairwise[i][j])}"
            for i, a in enumerate(result.coders)
            for j, b in enumerate(result.coders)
            if i < j
        ]
        text.append("pairwise κ: " + " · ".join(pairs) + "\n")
        groups: dict[str, list[str]] = {}
        for left in result.left_out:
            groups.setdefault(left.reason, []).append(left.document)
        for reason, names in groups.items():
            more = f", … {len(names) - 5} more" if len(names) > 5 else ""
            text.append(f"left out, {reason}: {', '.join(names[:5])}{more}\n", style="dim")
        if not groups:
            text.append("every document compared", style="dim")
        return text

    # -- keys -----------------------------------------------------------------------------------

    def action_sort(self) -> None:
        self.sort_index = (self.sort_index + 1) % len(SORTS)
        self.reverse = False
        self.fill()

    def action_reverse(self) -> None:
        self.reverse = not self.reverse
        self.fill()

    @on(DataTable.HeaderSelected)
    def _header(self, event: DataTable.HeaderSelected) -> None:
        wanted = _COLUMN_SORTS.get(str(event.column_key.value))
        if wanted is None:
            return
        index = [label for label, _ in SORTS].index(wanted)
        self.reverse = not self.reverse if index == self.sort_index else False
        self.sort_index = index
        self.fill()

    def action_unit(self) -> None:
        self.unit = UNITS[(UNITS.index(self.unit) + 1) % len(UNITS)]
        self.recompute()

    def action_coders(self) -> None:
        coders = self.query_one("#agreement-coders", SelectionList)
        if self.has_class("-narrow") and coders.has_focus:  # c again: back to the table
            self.remove_class("choosing")
            self.query_one(DataTable).focus()
            return
        self.add_class("choosing")
        coders.focus()

    def action_cursor(self, delta: int) -> None:
        table = self.query_one(DataTable)
        table.action_cursor_down() if delta > 0 else table.action_cursor_up()

    def action_reconcile(self) -> None:
        from qualkit.tui.screens.reconcile import ReconcileScreen

        coders = self.chosen
        if len(coders) != 2:
            self.notify("Tick exactly two coders to reconcile them.", severity="warning")
            return
        self.app.push_screen(ReconcileScreen(self.store, self.session, (coders[0], coders[1])))

    def action_back(self) -> None:
        self.dismiss(None)
