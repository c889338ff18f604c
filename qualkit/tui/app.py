"""The qualkit workbench app and its one factory, used by the CLI and by the tests."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from qualkit.store import Store
from qualkit.tui.collector import Collector

BACKUP_EVERY_S = 3600.0


class QualkitApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "qualkit"
    # `?` once for every screen: each screen names its table of the key contract in ``KEYS``.
    BINDINGS = [Binding("question_mark", "help", "keys", show=True)]
    # Screens get `-narrow` below 110 columns; the stylesheet gives the content the room there.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]

    def __init__(
        self, project: str | Path, coder: str, *, show_all: bool = False, measure: bool = False
    ) -> None:
        super().__init__()
        self.project = Path(project)
        self.coder = coder
        self.show_all = show_all
        # Key press → committed → repainted, in seconds, when a benchmark asks for it.
        self.latencies: list[float] | None = [] if measure else None
        self.store = Store.open(self.project)
        # A key waits this long for another process's write (an import's final transaction);
        # past it the screen says "NOT SAVED … press the key again" instead of freezing.
        self.store.write_wait = 10.0
        self.collector = Collector(self.set_timer)
        # When the last key or click arrived (Textual's monotonic clock): a benchmark's latency
        # counts from there, so time spent waiting behind anything else is counted too.
        self.input_arrived: float | None = None

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent):
            self.input_arrived = event.time
            self.collector.key()
        await super().on_event(event)

    def on_mount(self) -> None:
        from qualkit.tui.screens.coding import CodingScreen

        self.collector.start()
        self.sub_title = f"{self.project.name} · coder {self.coder}"
        self.push_screen(CodingScreen(self.store, self.coder, show_all=self.show_all))
        self.call_after_refresh(self.collector.settle)
        self.set_interval(BACKUP_EVERY_S, self.rolling_backup)

    def rolling_backup(self) -> None:
        """Hourly, a consistent copy in ``<project>.backups/`` (the latest 24 are kept), made
        on a thread of its own through SQLite's backup API, so coding goes on meanwhile."""
        from qualkit.errors import QualkitError
        from qualkit.store.upkeep import rolling_backup

        def work() -> None:
            try:
                rolling_backup(self.project)
            except (QualkitError, OSError) as exc:
                self.call_from_thread(self.notify, f"backup failed: {exc}", severity="warning")

        self.run_worker(work, thread=True, group="backup", exclusive=True, exit_on_error=False)

    def on_unmount(self) -> None:
        self.collector.release()
        self.store.close()

    def action_help(self) -> None:
        from qualkit.tui.dialogs import InfoDialog, key_table

        table = getattr(self.screen, "KEYS", None)
        if table is not None:
            self.push_screen(InfoDialog(table.title, key_table(table)))

    def action_redact(self) -> None:
        """The de-identification review (palette: "De-identification review")."""
        self.push_screen(_redact_screen(self))

    async def action_quit(self) -> None:
        """Quit from anywhere (the palette's Quit, ctrl+q): keep the coder's place first."""
        from qualkit.tui.screens.coding import CodingScreen

        for screen in self.screen_stack:
            if isinstance(screen, CodingScreen):
                screen.remember_position()
        await super().action_quit()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        from qualkit.tui.screens.coding import CodingScreen

        coding = isinstance(screen, CodingScreen)
        for command in super().get_system_commands(screen):
            # Textual's own "Keys" (its bindings panel) would sit beside ours, which lists the
            # whole key contract: one "Keys" entry, ours, on the coding screen.
            if not (coding and command.title == "Keys"):
                yield command
        if coding:
            yield SystemCommand(
                "Other coders' codings: show / hide",
                "Blind coding is the default",
                screen.toggle_show_all,
            )
            yield SystemCommand(
                "Codebook editor", "Add, rename, move, merge, retire codes", screen.action_codebook
            )
            yield SystemCommand("Memos", "All memos, filtered; jump to one", screen.action_memos)
            yield SystemCommand(
                "Agreement", "Per-code agreement between coders", screen.action_agreement
            )
            yield SystemCommand(
                "Reconcile",
                "Walk two coders' disagreements into a consensus",
                screen.action_reconcile,
            )
            yield SystemCommand(
                "Topics",
                "Emergent themes from BERTopic, against the codebook",
                screen.action_topics,
            )
            yield SystemCommand("Search all documents", "Full-text search", screen.action_search)
            yield SystemCommand(
                "Passages of a code", "Every passage of a code across documents",
                screen.action_retrieve,
            )
            yield SystemCommand(
                "De-identification review",
                "Candidates for redaction: accept, reject, pseudonyms",
                self.action_redact,
            )
            yield SystemCommand("Keys", "The keys of this screen", self.action_help)


def _redact_screen(app: QualkitApp):
    from qualkit.tui.screens.redact import RedactScreen

    return RedactScreen(app.store, app.coder)


def make_app(
    project: str | Path, coder: str, *, show_all: bool = False, measure: bool = False
) -> QualkitApp:
    """The workbench on ``project`` for ``coder``; raises ProjectError for a bad project."""
    return QualkitApp(project, coder, show_all=show_all, measure=measure)
