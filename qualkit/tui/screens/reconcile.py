"""The reconciliation screen: walk two coders' disagreements one segment at a time and decide
the consensus (accept A, accept B, both, reject or edit), with a reason if wanted."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Label, SelectionList, Static

from qualkit.coding import keys
from qualkit.errors import QualkitError
from qualkit.store import Store
from qualkit.tui.dialogs import InputDialog, TextDialog
from qualkit.tui.feedback import plural
from qualkit.tui.keys import bindings
from qualkit.tui.widgets.panels import code_depth
from qualkit.tui.workers import run_on_own_connection

if TYPE_CHECKING:
    from qualkit.agreement.reconcile import Item, Plan, Reconciler
    from qualkit.coding.session import CodingSession
    from qualkit.models import Code, Segment

CONTEXT = 3  # segments shown before and after the disputed one


class CodeSetDialog(ModalScreen[frozenset[int] | None]):
    """Tick the consensus codes of a segment; ctrl+s keeps them, esc cancels."""

    BINDINGS = [Binding("ctrl+s", "save", "Save"), Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, codes: list[Code], chosen: frozenset[int]) -> None:
        super().__init__()
        self.title_, self.codes, self.chosen = title, codes, chosen

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_, classes="dialog-title")
            parents = {c.id: c.parent_id for c in self.codes}
            yield SelectionList[int](
                *(("  " * code_depth(c.id, parents) + c.name, c.id, c.id in self.chosen)
                  for c in self.codes),
                id="code-set",
            )
            yield Label("space tick · ctrl+s save · esc cancel", classes="dialog-hint")

    def action_save(self) -> None:
        self.dismiss(frozenset(self.query_one(SelectionList).selected))

    def action_cancel(self) -> None:
        self.dismiss(None)


class ReconcileScreen(Screen[None]):
    """Decide, segment by segment, what the consensus coder applies where A and B differ."""

    DEFAULT_CSS = """
    #reconcile-title { width: 1fr; height: 1; padding: 0 1; background: $panel; text-style: bold; }
    #reconcile-context { height: 1fr; padding: 0 1; border: round $panel-lighten-2; }
    #reconcile-sides { height: auto; max-height: 14; }
    #reconcile-a, #reconcile-b { width: 1fr; height: auto; padding: 0 1;
                                 border: round $panel-lighten-2; }
    #reconcile-decision { height: auto; padding: 0 1; }
    """
    KEYS = keys.RECONCILE
    BINDINGS = bindings(KEYS)

    @dataclass
    class PlanLoaded(Message):
        """The worker found the disagreements."""

        plan: Plan

    @dataclass
    class Failed(Message):
        """The worker could not build the plan; the message says why."""

        message: str

    def __init__(
        self,
        store: Store,
        session: CodingSession,
        coders: tuple[str, str] | None = None,
        *,
        consensus: str = "consensus",
        overlap: float = 0.0,
    ) -> None:
        super().__init__()
        self.store, self.session = store, session
        self.coders, self.consensus, self.overlap = coders, consensus, overlap
        self.reconciler: Reconciler | None = None
        self.index = 0
        self.pending: dict[tuple[int, int, int], str] = {}  # reasons typed before deciding
        self.trail: list[int] = []  # indexes decided here, so undo returns to them
        self.segments: dict[int, list[Segment]] = {}
        self.codes: dict[int, Code] = {}

    def compose(self) -> ComposeResult:
        yield Label("Reconcile", id="reconcile-title")
        with VerticalScroll(id="reconcile-context"):
            yield Static("", id="reconcile-text")
        with Horizontal(id="reconcile-sides"):
            yield Static("", id="reconcile-a")
            yield Static("", id="reconcile-b")
        yield Static("", id="reconcile-decision")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        if self.coders is None:
            self.coders = self._default_pair()
        if self.coders is None:
            self.app.push_screen(
                InputDialog("Reconcile which two coders? (e.g. ana,ben)"), self._pair_chosen
            )
            return
        self.start()

    def _default_pair(self) -> tuple[str, str] | None:
        counts = self.store.codings.counts_by_coder()
        humans = [
            c.name for c in self.store.codings.coders() if c.kind == "human" and counts.get(c.name)
        ]
        return (humans[0], humans[1]) if len(humans) == 2 else None

    def _pair_chosen(self, value: str | None) -> None:
        names = [n.strip() for n in (value or "").split(",") if n.strip()]
        if len(names) != 2:
            self.notify("Name exactly two coders, e.g. ana,ben", severity="error")
            self.dismiss(None)
            return
        self.coders = (names[0], names[1])
        self.start()

    # -- loading --------------------------------------------------------------------------------

    def start(self) -> None:
        assert self.coders is not None
        a, b = self.coders
        self.query_one("#reconcile-title", Label).update(f"Finding where {a} and {b} differ…")
        self.load(a, b)

    @work(thread=True, exclusive=True, group="reconcile")
    def load(self, coder_a: str, coder_b: str) -> None:
        """Find the disagreements on a connection of its own; post the plan back."""
        from qualkit.agreement.reconcile import make_plan

        run_on_own_connection(
            self,
            self.store.path,
            lambda store: make_plan(store, coder_a, coder_b, overlap=self.overlap),
            done=self.PlanLoaded,
            failed=self.Failed,
            what="reconciliation",
        )

    @on(PlanLoaded)
    def _loaded(self, event: PlanLoaded) -> None:
        from qualkit.agreement.reconcile import Reconciler

        try:
            self.reconciler = Reconciler(
                self.store, event.plan, self.session.coder, consensus=self.consensus
            )
            added = self.reconciler.seed_agreed()
        except QualkitError as exc:
            self._failed(self.Failed(str(exc)))
            return
        if added:
            self.notify(
                f"{plural(added, 'coding')} both coders agreed on copied to {self.consensus}"
            )
        self.codes = {c.id: c for c in self.store.codes.list(include_retired=True)}
        self.index = self.reconciler.next_undecided() or 0
        self.render_item()

    @on(Failed)
    def _failed(self, event: Failed) -> None:
        self.query_one("#reconcile-title", Label).update("Reconcile")
        self.query_one("#reconcile-text", Static).update(event.message)
        self.notify(event.message, severity="error")

    # -- showing --------------------------------------------------------------------------------

    @property
    def item(self) -> Item | None:
        if self.reconciler is None or not self.reconciler.plan.items:
            return None
        return self.reconciler.plan.items[self.index]

    def render_item(self) -> None:
        r = self.reconciler
        if r is None:
            return
        a, b = r.plan.coder_a.name, r.plan.coder_b.name
        head = f"Reconcile {a} (A) vs {b} (B) → {r.consensus.name} · {r.decided}/{r.total} decided"
        item = self.item
        if item is None:
            self.query_one("#reconcile-title", Label).update(head)
            self.query_one("#reconcile-text", Static).update(
                f"No disagreements between {a} and {b}: the consensus has their shared codes."
            )
            return
        self.query_one("#reconcile-title", Label).update(f"{head} · {self.index + 1} of {r.total}")
        self.query_one("#reconcile-text", Static).update(self._context_text(item))
        self.query_one("#reconcile-a", Static).update(self._side(a, "A", item.a_codes, item))
        self.query_one("#reconcile-b", Static).update(self._side(b, "B", item.b_codes, item))
        self.query_one("#reconcile-decision", Static).update(self._decision(item))

    def _context_text(self, item: Item) -> Text:
        segments = self.segments.get(item.segment.document_id)
        if segments is None:
            segments = self.segments[item.segment.document_id] = self.store.documents.segments(
                item.segment.document_id
            )
        position = next(i for i, s in enumerate(segments) if s.id == item.segment.id)
        text = Text()
        text.append(f"{item.document} · segment {item.segment.ordinal}\n\n", style="bold")
        for s in segments[max(0, position - CONTEXT) : position + CONTEXT + 1]:
            current = s.id == item.segment.id
            text.append(f"{s.speaker or '—'}: ", style="bold" if current else "dim")
            text.append(" ".join(s.text.split()) + "\n", style="bold reverse" if current else "dim")
        return text

    def _side(self, name: str, letter: str, codes: frozenset[int], item: Item) -> Text:
        text = Text()
        text.append(f"{letter}: {name}\n", style="bold")
        if not codes:
            text.append("(no code)", style="dim")
        order = {code_id: i for i, code_id in enumerate(self.codes)}  # the codebook's order
        for code_id in sorted(codes, key=order.__getitem__):
            code = self.codes[code_id]
            shared = code_id in item.agreed
            text.append("● ", style=code.color or "")
            text.append(
                code.name + (" (both)" if shared else "") + "\n", style="dim" if shared else "bold"
            )
        return text

    def _decision(self, item: Item) -> Text:
        assert self.reconciler is not None
        decision = self.reconciler.decision(item)
        text = Text()
        if decision is None:
            text.append("undecided", style="bold yellow")
            if item.key in self.pending:
                text.append(f" · reason ready: {self.pending[item.key]}", style="dim")
            return text
        names = ", ".join(self.codes[c].name for c in decision.codes) or "no code"
        text.append(f"{self.reconciler.label(decision)}", style="bold green")
        text.append(f" → {names} · by {decision.decided_by} · {decision.at[:16]}")
        if decision.reason:
            text.append(f"\nreason: {decision.reason}", style="italic")
        return text

    # -- deciding -------------------------------------------------------------------------------

    def action_decide(self, kind: str, codes: frozenset[int] | None = None) -> None:
        item = self.item
        if item is None or self.reconciler is None:
            return
        try:
            self.reconciler.decide(item, kind, codes=codes, reason=self.pending.pop(item.key, ""))
        except QualkitError as exc:
            self.notify(str(exc), severity="error")
            return
        self.trail.append(self.index)
        following = self.reconciler.next_undecided(self.index)
        if following is None:
            self.notify("Every disagreement is decided.")
        else:
            self.index = following
        self.render_item()

    def action_edit(self) -> None:
        item = self.item
        if item is None or self.reconciler is None:
            return
        decision = self.reconciler.decision(item)
        chosen = frozenset(decision.codes) if decision else item.agreed
        # The codebook's tree, in its order (``codes.list`` walks the tree); ``position`` alone
        # is the place among siblings, which sorted every level's first child together.
        active = [c for c in self.codes.values() if c.active]

        def done(codes: frozenset[int] | None) -> None:
            if codes is not None:
                self.action_decide("edit", codes)

        self.app.push_screen(
            CodeSetDialog("Consensus codes for this segment", active, chosen), done
        )

    def action_reason(self) -> None:
        item = self.item
        if item is None or self.reconciler is None:
            return
        decision = self.reconciler.decision(item)
        current = decision.reason if decision else self.pending.get(item.key, "")

        def done(text: str | None) -> None:
            if text is None or self.reconciler is None:
                return
            if self.reconciler.decision(item) is None:
                self.pending[item.key] = text.strip()
                self.notify("Reason kept: it is saved with your decision.")
            else:
                self.reconciler.set_reason(item, text)
            self.render_item()

        self.app.push_screen(TextDialog("Reason for this decision", current), done)

    def action_undo(self) -> None:
        self._history(undo=True)

    def action_redo(self) -> None:
        self._history(undo=False)

    def _history(self, *, undo: bool) -> None:
        if self.reconciler is None:
            return
        try:
            action = self.reconciler.undo() if undo else self.reconciler.redo()
        except QualkitError as exc:
            self.notify(str(exc), severity="warning")
            return
        if action is None:
            self.notify(f"Nothing to {'undo' if undo else 'redo'}.")
            return
        if undo and action == "reconcile.decide" and self.trail:
            self.index = self.trail.pop()
        self.render_item()

    # -- moving ---------------------------------------------------------------------------------

    def action_move(self, delta: int) -> None:
        if self.reconciler is not None and self.reconciler.plan.items:
            self.index = (self.index + delta) % len(self.reconciler.plan.items)
            self.render_item()

    def action_next_open(self) -> None:
        if self.reconciler is None:
            return
        following = self.reconciler.next_undecided(self.index)
        if following is None:
            self.notify("Every disagreement is decided.")
            return
        self.index = following
        self.render_item()

    def action_back(self) -> None:
        self.dismiss(None)

