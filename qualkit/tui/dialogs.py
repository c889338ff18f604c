"""Small modal dialogs; each returns a typed result through ``dismiss``."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from qualkit.coding.keys import KeyTable
from qualkit.coding.picker import code_paths, rank_codes
from qualkit.models import Code


class TextDialog(ModalScreen[str | None]):
    """Edit a piece of text (a memo, a definition); ctrl+s keeps it, esc cancels."""

    BINDINGS = [Binding("ctrl+s", "save", "Save"), Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, text: str = "", hint: str = "ctrl+s save · esc cancel") -> None:
        super().__init__()
        self.title_, self.text, self.hint = title, text, hint

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_, classes="dialog-title")
            yield TextArea(self.text, id="text", soft_wrap=True)
            yield Label(self.hint, classes="dialog-hint")

    def action_save(self) -> None:
        self.dismiss(self.query_one(TextArea).text)

    def action_cancel(self) -> None:
        self.dismiss(None)


class InputDialog(ModalScreen[str | None]):
    """Ask for one line (a code name, a file name); enter keeps it, esc cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, value: str = "") -> None:
        super().__init__()
        self.title_, self.value = title, value

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog small"):
            yield Label(self.title_, classes="dialog-title")
            yield Input(self.value, id="value")
            yield Label("enter ok · esc cancel", classes="dialog-hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class CodePicker(ModalScreen[int | None]):
    """Choose a code; ``0`` stands for the extra first entry (e.g. "all segments")."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("j", "down", show=False),
        Binding("k", "up", show=False),
    ]

    def __init__(self, title: str, codes: list[Code], *, extra: str | None = None) -> None:
        super().__init__()
        self.title_, self.codes, self.extra = title, codes, extra

    def compose(self) -> ComposeResult:
        options = [Option(self.extra, id="0")] if self.extra else []
        options += [
            Option(Text.assemble(("● ", c.color or ""), c.name), id=str(c.id)) for c in self.codes
        ]
        with Vertical(classes="dialog"):
            yield Label(self.title_, classes="dialog-title")
            yield OptionList(*options, id="codes")
            yield Label("enter choose · esc cancel", classes="dialog-hint")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id or 0))

    def action_down(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def action_up(self) -> None:
        self.query_one(OptionList).action_cursor_up()

    def action_cancel(self) -> None:
        self.dismiss(None)


class TypeAheadPicker(ModalScreen[int | None]):
    """Type a few letters of a code's name or path; enter returns the best match's id.

    ↑ / ↓ move among the matches; esc cancels. Recent codes come first on ties."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("down", "move(1)", show=False),
        Binding("up", "move(-1)", show=False),
    ]

    def __init__(self, title: str, codes: list[Code], recent: list[int]) -> None:
        super().__init__()
        self.title_, self.codes, self.recent = title, codes, recent
        self.paths = code_paths(codes)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog small", id="picker"):
            yield Label(self.title_, classes="dialog-title")
            yield Input(placeholder="a few letters of the code", id="query")
            yield OptionList(id="matches")
            yield Label("enter apply · ↑↓ choose · esc cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        self.show_matches("")

    def on_input_changed(self, event: Input.Changed) -> None:
        self.show_matches(event.value)

    def show_matches(self, query: str) -> None:
        matches = self.query_one(OptionList)
        matches.clear_options()
        for code in rank_codes(self.codes, query, self.recent):
            label = Text.assemble(("● ", code.color or ""), self.paths[code.id])
            if code.hotkey:
                label.append(f"  {code.hotkey}", style="bold")
            matches.add_option(Option(label, id=str(code.id)))
        if matches.option_count:
            matches.highlighted = 0

    def action_move(self, delta: int) -> None:
        matches = self.query_one(OptionList)
        matches.action_cursor_down() if delta > 0 else matches.action_cursor_up()

    def on_input_submitted(self) -> None:
        matches = self.query_one(OptionList)
        if matches.highlighted is not None:
            self.dismiss(int(matches.get_option_at_index(matches.highlighted).id or 0))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id or 0))

    def action_cancel(self) -> None:
        self.dismiss(None)


class InfoDialog(ModalScreen[None]):
    """Read-only text (a code's definition, the help); any of esc, q, enter or the opening key
    closes it."""

    BINDINGS = [Binding("escape,q,enter,question_mark,d", "close", "Close")]

    def __init__(self, title: str, body: Text | Table) -> None:
        super().__init__()
        self.title_, self.body = title, body

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label(self.title_, classes="dialog-title")
            with VerticalScroll():
                yield Static(self.body, id="info-body")
            yield Label("esc close", classes="dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)


def definition(code: Code) -> Text:
    """A code's definition, include and exclude rules and example, for the `d` dialog."""
    text = Text()
    for label, value in (
        ("Definition", code.description),
        ("Use when", code.include),
        ("Do not use when", code.exclude),
        ("Example", code.example),
    ):
        text.append(f"{label}\n", style="bold")
        text.append((value or "—") + "\n\n")
    if code.hotkey:
        text.append(f"Hotkey: {code.hotkey}", style="dim")
    return text


def key_table(keys: KeyTable) -> Table:
    """A screen's table of the key contract, as the `?` dialog shows it."""
    table = Table(box=None, show_header=False, padding=(0, 2, 0, 0))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for key in keys.keys:
        table.add_row(key.shown, key.help)
    return table
