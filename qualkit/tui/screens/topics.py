"""The topics screen: fit BERTopic in a worker, read the topics against the codebook, and
promote, map or dismiss them; the machine coder's suggestions are reviewed from here."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, ProgressBar, Static
from textual.worker import Worker, WorkerState

from qualkit.coding import keys
from qualkit.errors import QualkitError
from qualkit.topics import (
    FIT_STEP_NAMES,
    FIT_STEPS,
    TopicOptions,
    dismiss_topic,
    map_topic,
    promote_topic,
    topic_report,
    write_suggestions,
)
from qualkit.topics.report import fmt
from qualkit.tui.dialogs import CodePicker, InputDialog
from qualkit.tui.keys import bindings

if TYPE_CHECKING:
    from qualkit.coding.session import CodingSession
    from qualkit.store import Store
    from qualkit.topics.report import TopicReport, TopicSummary

_PHASES = {"load": "loading the embedding model", "embed": "embedding segments",
           "fit": "fitting BERTopic", "map": "mapping to codes"}


class TopicsScreen(Screen[None]):
    """Topics of the latest run; ``embedder`` and ``parts`` are injected by tests."""

    CSS_PATH = "../topics.tcss"
    KEYS = keys.TOPICS
    BINDINGS = bindings(KEYS)

    @dataclass
    class TopicsFitted(Message):
        """A background fit stored a new run."""

        run_id: int

    def __init__(self, store: Store, session: CodingSession, *,
                 options: TopicOptions | None = None, embedder=None, parts=None) -> None:
        super().__init__()
        self.store, self.session = store, session
        self.options = options or TopicOptions()
        self.parts = parts
        if embedder is None:
            from qualkit.topics.embed import PackagedModel

            embedder = PackagedModel()  # kept, so the model loads once per session
        self.embedder = embedder
        self.report: TopicReport | None = None

    def compose(self) -> ComposeResult:
        yield Label("Topics", id="topics-title")
        with Horizontal(id="topics-fitting", classes="idle"):
            yield Label("", id="topics-phase")
            yield ProgressBar(id="topics-progress", show_eta=False)
        with Horizontal(id="topics-body"):
            yield DataTable(id="topics-table", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="topics-detail"):
                yield Static(id="topics-quotes")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        # What a reviewer decides on first (★, similarity, coverage) before the long keywords.
        table.add_columns("#", "size", "★", "sim", "cov", "closest code", "status", "keywords")
        self.load()
        table.focus()

    # -- showing a run ----------------------------------------------------------------------

    def load(self, run_id: int | None = None, *, keep: int | None = None) -> None:
        """Show a stored run (the latest by default), keeping the cursor on topic ``keep``."""
        try:
            self.report = topic_report(self.store, run_id)
        except QualkitError:
            self.report = None
        table = self.query_one(DataTable)
        table.clear()
        if self.report is None:
            self._title("No topic run yet · f fits one (embedding the segments takes a while)")
            self.query_one("#topics-quotes", Static).update("")
            return
        for topic in self.report.topics:
            row = topic.row
            table.add_row(row.topic, row.size, "★" if row.candidate else "",
                          fmt(row.similarity), fmt(row.coverage), _clip(row.code_name or "—"),
                          _status(row), ", ".join(row.keywords[:4]), key=str(row.topic))
        ids = [t.id for t in self.report.topics]
        if keep in ids:
            table.move_cursor(row=ids.index(keep))
        run = self.report.run
        self._title(f"Topics · run {run.id} · {len(ids)} topics from {run.stats.get('units')} "
                    f"units · ★ {len(self.report.candidates)} candidate new themes · ? keys")
        self.show_detail()

    def _title(self, text: str) -> None:
        self.query_one("#topics-title", Label).update(text)

    @property
    def current(self) -> TopicSummary | None:
        table = self.query_one(DataTable)
        if self.report is None or not self.report.topics or table.row_count == 0:
            return None
        return self.report.topics[min(table.cursor_row, len(self.report.topics) - 1)]

    def on_data_table_row_highlighted(self) -> None:
        self.show_detail()

    def show_detail(self) -> None:
        topic = self.current
        detail = self.query_one("#topics-quotes", Static)
        if topic is None or self.report is None:
            detail.update("")
            return
        detail.update(describe(topic, self.report.run.params))

    # -- fitting in the background -------------------------------------------------------------

    def action_fit(self) -> None:
        def chosen(value: str | None) -> None:
            if value is None:
                return
            try:
                size = int(value)
            except ValueError:
                self.notify("the minimum topic size is a whole number", severity="error")
                return
            self.options = replace(self.options, min_topic_size=size)
            self._fitting(True)
            self.fit_in_background(self.options)

        title = "Fit topics · minimum topic size (larger: fewer, broader topics)"
        self.app.push_screen(InputDialog(title, str(self.options.min_topic_size)), chosen)

    @work(thread=True, exclusive=True, exit_on_error=False, group="topics-fit")
    def fit_in_background(self, options: TopicOptions) -> int:
        """Fit on a connection of its own; progress and the result come back as calls and a
        message, never by touching widgets from this thread."""
        from qualkit.store import Store
        from qualkit.topics import fit_topics

        with Store.open(self.store.path) as store:
            run = fit_topics(store, options, embedder=self.embedder, parts=self.parts,
                             progress=self._progress_from_thread)
        self.post_message(self.TopicsFitted(run.id))
        return run.id

    def _progress_from_thread(self, phase: str, done: int, total: int) -> None:
        self.app.call_from_thread(self.show_progress, phase, done, total)

    def show_progress(self, phase: str, done: int, total: int) -> None:
        """A phase's own measure where it has one (units embedded, the fit's steps); a moving
        bar where it has none (loading the model); the seconds always tick (``_tick``)."""
        label = _PHASES.get(phase, phase)
        if phase == "fit" and total == FIT_STEPS:
            label += ": " + FIT_STEP_NAMES[min(done, FIT_STEPS)]
        elif total:
            label += f" {done:,}/{total:,}"
        self._phase = label
        self._tick()
        self.query_one(ProgressBar).update(total=total or None, progress=done)

    def _tick(self) -> None:
        elapsed = time.monotonic() - self._fit_started
        self.query_one("#topics-phase", Label).update(f"{self._phase} · {elapsed:.0f} s")

    def _fitting(self, on: bool) -> None:
        self.query_one("#topics-fitting").set_class(not on, "idle")
        timer = getattr(self, "_fit_timer", None)
        if timer is not None:
            timer.stop()
            self._fit_timer = None
        if on:
            self._fit_started, self._phase = time.monotonic(), "starting"
            self.query_one(ProgressBar).update(total=None, progress=0)
            self._tick()
            self._fit_timer = self.set_interval(1.0, self._tick)

    def on_topics_screen_topics_fitted(self, message: TopicsFitted) -> None:
        self._fitting(False)
        self.load(message.run_id)
        self.notify(f"run {message.run_id} fitted")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "topics-fit" or event.state != WorkerState.ERROR:
            return
        self._fitting(False)
        error = event.worker.error
        text = str(error) if isinstance(error, QualkitError) else f"{type(error).__name__}: {error}"
        self.notify(text, title="the fit failed", severity="error", timeout=12)

    # -- acting on a topic -----------------------------------------------------------------

    def _decide(self, call, done: str) -> None:
        """Run a domain action on the current topic; errors become notifications."""
        topic, report = self.current, self.report
        if topic is None or report is None:
            return
        try:
            result = call(report.run.id, topic.id)
        except QualkitError as exc:
            self.notify(str(exc), severity="error")
            return
        self.load(report.run.id, keep=topic.id)
        self.notify(done.format(result=result))

    def action_promote(self) -> None:
        topic = self.current
        if topic is None:
            return

        def chosen(name: str | None) -> None:
            if name and name.strip():
                self._decide(lambda run, t: promote_topic(self.store, run, t, name,
                                                          coder=self.session.coder.name),
                             "'{result.name}' added to the codebook as an emergent code")

        seed = ", ".join(topic.row.keywords[:3]).capitalize()
        self.app.push_screen(InputDialog(f"Promote topic {topic.id} · name of the new code",
                                         seed), chosen)

    def action_map(self) -> None:
        topic = self.current
        if topic is None:
            return

        def chosen(code_id: int | None) -> None:
            if code_id:
                self._decide(lambda run, t: map_topic(self.store, run, t, code_id,
                                                      coder=self.session.coder.name),
                             "topic mapped")

        self.app.push_screen(CodePicker(f"Map topic {topic.id} to…", self.store.codes.list()),
                             chosen)

    def action_dismiss_topic(self) -> None:
        topic = self.current
        if topic is not None:
            restore = topic.row.status == "dismissed"
            self._decide(lambda run, t: dismiss_topic(self.store, run, t, restore=restore,
                                                      coder=self.session.coder.name),
                         "topic is {result}")

    def action_suggest(self) -> None:
        self._decide(lambda run, t: write_suggestions(self.store, run, t,
                                                      coder=self.session.coder.name),
                     "{result} new suggestions by bertopic · r reviews them")

    def action_review(self) -> None:
        from qualkit.tui.screens.suggestions import SuggestionsScreen

        topic = self.current
        code_id = topic.row.target_code_id if topic is not None else None
        self.app.push_screen(SuggestionsScreen(self.store, self.session, code_id=code_id))

    def action_cursor(self, delta: int) -> None:
        table = self.query_one(DataTable)
        table.action_cursor_down() if delta > 0 else table.action_cursor_up()

    def action_back(self) -> None:
        self.dismiss(None)


def describe(topic: TopicSummary, params: dict) -> Text:
    """The right-hand pane: keywords, the mapping with its rule, and the quotes."""
    row = topic.row
    text = Text()
    text.append(f"Topic {row.topic} · {row.size} units\n", style="bold")
    text.append(", ".join(row.keywords) + "\n\n")
    text.append(f"Closest code: {row.code_name or '—'} (similarity {fmt(row.similarity)})\n")
    text.append(f"Coverage by human coders: {fmt(row.coverage)}\n")
    if row.candidate:
        text.append("★ candidate new theme: most of its units carry its keywords, it is far from "
                    f"the codebook (similarity < {params.get('similarity_threshold')} or "
                    "keywords the codebook never uses) and coverage < "
                    f"{params.get('coverage_threshold')}\n", style="bold")
    if row.status != "new":
        text.append(f"Status: {_status(row)}\n", style="italic")
    text.append("\nQuotes\n", style="bold")
    for quote in topic.quotes:
        text.append(f"“{' '.join(quote.text.split())}”\n")
        text.append(f"  {quote.document}, {quote.speaker or '?'}\n\n", style="dim")
    return text


def _clip(text: str, width: int = 22) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _status(row) -> str:
    if row.status in ("promoted", "mapped"):
        return f"{row.status} → {row.target_code_name}"
    return "" if row.status == "new" else row.status
