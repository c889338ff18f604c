"""The key contract (qualkit.coding.keys) is the only source of every screen's keys: the bindings,
the footer, the `?` help and the hotkeys a codebook may not take all follow it, both ways.
(README's key tour is checked against it in test_cli_docs.)"""

from __future__ import annotations

import io
import string

import pytest
from rich.console import Console

from qualkit.coding import edit, keys
from qualkit.coding.codebook import parse_codebook
from qualkit.coding.session import CodingSession
from qualkit.errors import InputError, QualkitError
from qualkit.store import Store
from qualkit.tui.app import QualkitApp, make_app
from qualkit.tui.screens.agreement import AgreementScreen
from qualkit.tui.screens.codebook import CodebookScreen
from qualkit.tui.screens.coding import CodingScreen
from qualkit.tui.screens.joint import JointScreen
from qualkit.tui.screens.memos import MemosScreen
from qualkit.tui.screens.passages import PassagesScreen
from qualkit.tui.screens.reconcile import ReconcileScreen
from qualkit.tui.screens.suggestions import SuggestionsScreen
from qualkit.tui.screens.topics import TopicsScreen

SCREENS = {
    "coding": CodingScreen,
    "codebook": CodebookScreen,
    "agreement": AgreementScreen,
    "reconcile": ReconcileScreen,
    "topics": TopicsScreen,
    "suggestions": SuggestionsScreen,
    "memos": MemosScreen,
    "retrieve": PassagesScreen,
    "joint": JointScreen,
}


def test_every_table_belongs_to_a_screen_and_every_screen_has_one():
    assert {t.name for t in keys.TABLES} == set(SCREENS)
    for name, screen in SCREENS.items():
        assert screen.KEYS.name == name


@pytest.mark.parametrize("name", list(SCREENS))
def test_a_screens_bindings_are_its_table_and_nothing_else(name):
    screen = SCREENS[name]
    table = screen.KEYS
    bound = {(b.key, b.action) for b in screen.BINDINGS}
    listed = {(k, action) for key in table.keys for k, action in key.binds}
    assert bound == listed
    for _, action in listed:  # every action exists: a typo in the table cannot pass
        owner = QualkitApp if action.startswith("app.") else screen
        method = action.removeprefix("app.").split("(")[0]
        assert hasattr(owner, f"action_{method}"), (name, action)
    shown = [b for b in screen.BINDINGS if b.show]
    labels = [label for _, _, label in table.footer_order() if label]
    assert [b.description for b in shown] == labels
    # leaving the screen and its help are the first things in the footer
    assert {shown[0].action, shown[1].action} <= {"quit", "back", "app.help"}
    assert shown[1].action == "app.help"


def test_the_transcript_panes_own_keys_are_in_the_contract():
    """The transcript pane binds the arrows itself (so they move the selection, not the scroll):
    each does what a row of the coding table does, and that row names the arrow."""
    from qualkit.tui.widgets.transcript import TranscriptView

    glyphs = {"down": "↓", "up": "↑", "right": "→", "left": "←", "home": "home", "end": "end"}
    for binding in TranscriptView.BINDINGS:
        modifier, _, name = binding.key.rpartition("+")
        spelled = (f"{modifier}+" if modifier else "") + glyphs[name]
        rows = [k for k in keys.CODING.keys if any(a == binding.action for _, a in k.binds)]
        assert any(spelled in row.shown or spelled in row.help for row in rows), binding


def test_reserved_hotkeys_are_the_coding_screens_keys_plus_capitals_and_digits():
    characters = {"slash": "/", "question_mark": "?", "space": " "}
    bound = {characters.get(k, k) for k in keys.CODING.bound_keys()}
    single = {k for k in bound if len(k) == 1}
    assert keys.reserved_keys() == single | set(string.ascii_uppercase) | set(string.digits)
    # what the codebook refuses is exactly that set
    for key in sorted(keys.reserved_keys() - {" "}):  # a blank hotkey is no hotkey at all
        with pytest.raises(InputError, match="reserved key"):
            parse_codebook(f"codes:\n  - name: A\n    hotkey: '{key}'\n")
    free = set(string.ascii_lowercase) - keys.reserved_keys()
    assert free and "P" not in free
    for key in sorted(free):
        assert parse_codebook(f"codes:\n  - name: A\n    hotkey: '{key}'\n").codes[0].hotkey == key


def test_the_codebook_editor_refuses_a_hotkey_the_coding_screen_uses(sample_project):
    with Store.open(sample_project) as store:
        session = CodingSession(store, "ana")
        code = store.codes.list()[0]
        for key in ("P", "v", "/", "?"):
            with pytest.raises(QualkitError, match="coding screen does not use"):
                edit.edit_code(session, code.id, hotkey=key)


def _body(app) -> str:
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(app.screen.body)
    return console.export_text()


async def test_question_mark_shows_each_screens_own_keys(sample_project):
    app = make_app(sample_project, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        session = CodingSession(app.store, "ana")
        screens = [
            CodebookScreen(session),
            MemosScreen(app.store, "ana"),
            PassagesScreen(app.store, "Collaboration"),
            JointScreen(app.store, "ana"),
            SuggestionsScreen(app.store, session),
        ]
        for screen in [None, *screens]:
            if screen is not None:
                await app.push_screen(screen)
                await pilot.pause()
            table = app.screen.KEYS
            await pilot.press("question_mark")
            await pilot.pause()
            assert app.screen.title_ == table.title
            shown = _body(app)
            for key in table.keys:
                assert key.shown in shown and key.help in shown, key
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen.KEYS is table
