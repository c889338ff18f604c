"""The codebook editor: add, rename, edit, move, merge, retire and restore codes; export YAML.

Every change is one undoable action (u / ctrl+r here and on the coding screen)."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Label, OptionList, Static
from textual.widgets.option_list import Option

from qualkit.coding import edit, keys
from qualkit.coding.session import CodingSession
from qualkit.errors import QualkitError
from qualkit.files import write_private
from qualkit.models import Code
from qualkit.tui.dialogs import CodePicker, InputDialog, TextDialog, definition
from qualkit.tui.feedback import plural
from qualkit.tui.keys import bindings


class CodebookScreen(Screen[None]):
    KEYS = keys.CODEBOOK
    BINDINGS = bindings(KEYS)

    def __init__(self, session: CodingSession, *, blind: bool = True) -> None:
        super().__init__()
        self.session = session
        self.store = session.store
        # Blind coding: the counts are the coder's own, or they would tell how others code.
        self.count_coder = session.coder.id if blind else None

    def compose(self) -> ComposeResult:
        yield Label("Codebook editor · every change is saved and undoable", id="codebook-title")
        with Horizontal():
            yield OptionList(id="codes")
            with VerticalScroll(id="code-detail"):
                yield Static(id="detail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.reload()
        self.query_one(OptionList).focus()

    def reload(self, select: int | None = None) -> None:
        current = select if select is not None else self.current_id  # before the list changes
        self.codes: list[Code] = self.store.codes.list(include_retired=True)
        parents = {c.id: c.parent_id for c in self.codes}
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(Option(self._prompt(c, parents), id=str(c.id)) for c in self.codes)
        ids = [c.id for c in self.codes]
        if self.codes:
            options.highlighted = ids.index(current) if current in ids else 0
        self.show_detail()

    def _prompt(self, code: Code, parents: dict[int, int | None]) -> Text:
        depth, parent = 0, parents.get(code.id)
        while parent is not None:
            depth, parent = depth + 1, parents.get(parent)
        count = self.store.codings.count(code_id=code.id, coder_id=self.count_coder)
        text = Text("  " * depth)
        text.append("● ", style=code.color or "")
        text.append(code.name, style="strike dim" if not code.active else "")
        text.append(f"  {code.hotkey or ''}", style="bold")
        text.append(f"  {plural(count, 'coding')}", style="dim")
        if code.origin != "codebook":
            text.append(f"  ({code.origin})", style="italic dim")
        return text

    @property
    def current_id(self) -> int | None:
        options = self.query_one(OptionList)
        if options.highlighted is None or not getattr(self, "codes", None):
            return None
        return self.codes[options.highlighted].id

    @property
    def current(self) -> Code | None:
        code_id = self.current_id
        return None if code_id is None else self.store.codes.get(code_id)

    def on_option_list_option_highlighted(self) -> None:
        self.show_detail()

    def show_detail(self) -> None:
        code = self.current
        detail = self.query_one("#detail", Static)
        if code is None:
            detail.update("No codes yet: press a to add one.")
            return
        text = Text(code.name + ("  (retired)" if not code.active else "") + "\n\n", style="bold")
        text.append_text(definition(code))
        text.append(f"\nColour: {code.color or '—'}", style="dim")
        detail.update(text)

    def run(self, change, *args, message: str = "", **kwargs) -> None:
        """Call a codebook edit; show a user error instead of failing."""
        try:
            result = change(self.session, *args, **kwargs)
        except QualkitError as exc:
            self.notify(str(exc), severity="error")
            return
        self.reload(select=result if isinstance(result, int) and change is edit.add_code else None)
        if message:
            self.notify(message)

    # -- actions --------------------------------------------------------------------------------

    def action_cursor(self, delta: int) -> None:
        options = self.query_one(OptionList)
        options.action_cursor_down() if delta > 0 else options.action_cursor_up()

    def action_add(self, child: bool) -> None:
        code = self.current
        parent = (code.id if child else code.parent_id) if code else None

        def named(name: str | None) -> None:
            if name:
                self.run(edit.add_code, name, parent_id=parent)

        self.app.push_screen(
            InputDialog("New code name" + (" (under " + code.name + ")" if child and code else "")),
            named,
        )

    def action_rename(self) -> None:
        code = self.current
        if code is not None:
            self.app.push_screen(
                InputDialog(f"Rename '{code.name}'", code.name),
                lambda name: name and self.run(edit.rename_code, code.id, name),
            )

    def action_edit_field(self, field: str) -> None:
        code = self.current
        if code is None:
            return

        def save(text: str | None) -> None:
            if text is not None:
                self.run(edit.edit_code, code.id, **{field: text.strip()})

        self.app.push_screen(
            TextDialog(f"{field.capitalize()} of '{code.name}'", getattr(code, field)), save
        )

    def action_hotkey(self) -> None:
        code = self.current
        if code is not None:
            self.app.push_screen(
                InputDialog(
                    f"Hotkey of '{code.name}' (one character; empty for none)", code.hotkey or ""
                ),
                lambda key: key is not None and self.run(edit.edit_code, code.id, hotkey=key),
            )

    def action_color(self) -> None:
        code = self.current
        if code is not None:
            self.app.push_screen(
                InputDialog(f"Colour of '{code.name}' (#rrggbb; empty for none)", code.color or ""),
                lambda color: color is not None and self.run(edit.edit_code, code.id, color=color),
            )

    def action_move(self, direction: str) -> None:
        if self.current_id is not None:
            self.run(edit.move_code, self.current_id, direction)

    def action_merge(self) -> None:
        code = self.current
        if code is None:
            return
        targets = [c for c in self.store.codes.list() if c.id != code.id]

        def chosen(target: int | None) -> None:
            if target:
                self.run(
                    edit.merge_codes, code.id, target, message=f"merged '{code.name}' (u undoes it)"
                )

        self.app.push_screen(CodePicker(f"Merge '{code.name}' into…", targets), chosen)

    def action_retire(self) -> None:
        code = self.current
        if code is not None:
            self.run(edit.set_retired, code.id, code.active)

    def action_undo(self) -> None:
        action = self.session.undo()
        self.reload()
        self.notify(f"undid {action}" if action else "nothing to undo")

    def action_redo(self) -> None:
        action = self.session.redo()
        self.reload()
        self.notify(f"redid {action}" if action else "nothing to redo")

    def action_export(self) -> None:
        default = str(Path(self.store.path).with_suffix("")) + "-codebook.yaml"
        self.app.push_screen(
            InputDialog("Export the codebook to (YAML file)", default), self.export_to
        )

    def export_to(self, path: str | None) -> None:
        from qualkit.coding.codebook import dump_codebook, project_codebook

        if not path:
            return
        try:
            write_private(path, dump_codebook(project_codebook(self.store)))
        except QualkitError as exc:
            self.notify(str(exc), severity="error")
            return
        self.notify(f"codebook written to {path}")

    def action_back(self) -> None:
        self.dismiss(None)
