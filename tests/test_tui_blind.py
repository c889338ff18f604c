"""Blind coding shows only the coder's own work (codebook counts, memos); memos filter by the
codes of their passage; the reconcile editor lists the codebook as a tree (issue 9, §4)."""

from __future__ import annotations

from textual.widgets import SelectionList

from qualkit.store import Store
from qualkit.tui.app import make_app
from qualkit.tui.screens.reconcile import ReconcileScreen

from .conftest import SAMPLE, cli
from .test_tui import screen


def with_coders(project, *coders: str, done: bool = False):
    for coder in coders:
        cli("codings", "import", project, SAMPLE / "codings" / f"{coder}.csv", "--coder", coder)
        if done:
            cli("codings", "done", project, "--coder", coder, "--all")
    return project


async def test_reconcile_edit_lists_the_codebook_tree_in_order(sample_project):
    with_coders(sample_project, "ana", "ben", done=True)
    with Store.open(sample_project) as store:
        codes = store.codes.list()
        parents = {c.id: c.parent_id for c in codes}
    expected = []
    for code in codes:
        depth, parent = 0, parents[code.id]
        while parent is not None:
            depth, parent = depth + 1, parents[parent]
        expected.append("  " * depth + code.name)
    assert any(c.parent_id for c in codes)  # the sample codebook is a tree
    app = make_app(sample_project, "lee")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        reconcile = ReconcileScreen(app.store, screen(app).session, ("ana", "ben"))
        await app.push_screen(reconcile)
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        listed = app.screen.query_one(SelectionList)
        shown = [str(listed.get_option_at_index(i).prompt) for i in range(listed.option_count)]
    assert shown == expected


def editor_counts(app) -> dict[str, str]:
    codes = app.screen.query_one("#codes")
    out = {}
    for i in range(codes.option_count):
        prompt = str(codes.get_option_at_index(i).prompt).strip()
        name = prompt.split("● ", 1)[1].split("  ")[0]
        out[name] = prompt.rsplit("  ", 1)[-1] if "coding" in prompt else ""
    return out


async def test_blind_codebook_editor_counts_only_my_codings(sample_project):
    with_coders(sample_project, "ben")
    with Store.open(sample_project) as store:
        ben = store.codings.coder("ben")
        theirs = store.codings.count(code_id=store.codes.by_name("Support").id, coder_id=ben.id)
    assert theirs > 1
    app = make_app(sample_project, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("B")
        await pilot.pause()
        assert editor_counts(app)["Support"] == "0 codings"
        await pilot.press("escape")
        screen(app).toggle_show_all()
        await pilot.press("B")
        await pilot.pause()
        assert editor_counts(app)["Support"] == f"{theirs} codings"


def memo_rows(app) -> list[tuple[str, ...]]:
    table = app.screen.query_one("DataTable")
    return [tuple(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]


async def test_blind_memos_screen_lists_only_my_memos(sample_project):
    from qualkit.coding.session import CodingSession

    with Store.open(sample_project) as store:
        document = store.documents.by_name("int_patrol_officer.txt")
        CodingSession(store, "ben").set_memo(document.id, (0, 20), "ben's private thought")
    app = make_app(sample_project, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("m", *"mine", "ctrl+s", "M")
        await pilot.pause()
        assert [row[4] for row in memo_rows(app)] == ["mine"]
        coder_choices = [str(o[0]) for o in app.screen.query_one("#coder")._options]
        assert not any("ben" in c for c in coder_choices)
        await pilot.press("escape")
        screen(app).toggle_show_all()
        await pilot.press("M")
        await pilot.pause()
        assert sorted(row[4] for row in memo_rows(app)) == ["ben's private thought", "mine"]


async def test_memos_filter_by_the_codes_of_their_passage(sample_project):
    app = make_app(sample_project, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("j", "j", "j", "w", "m", *"about the handoff", "ctrl+s")
        await pilot.press("j", "j", "m", *"uncoded passage", "ctrl+s", "M")
        await pilot.pause()
        rows = {row[4]: row[2] for row in memo_rows(app)}
        assert rows == {"about the handoff": "Warm handoff", "uncoded passage": ""}
        with Store.open(sample_project) as store:
            warm = store.codes.by_name("Warm handoff").id
        app.screen.query_one("#code").value = warm
        await pilot.pause()
        assert [row[4] for row in memo_rows(app)] == ["about the handoff"]


async def test_m_writes_a_memo_on_the_extended_selection(sample_project):
    from .test_tui import segments

    segs = segments(sample_project)
    app = make_app(sample_project, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("j", "J", "J", "m", *"three turns", "ctrl+s")
        await pilot.pause()
    with Store.open(sample_project) as store:
        (memo,) = store.memos.list()
    assert (memo.text, memo.start, memo.end) == ("three turns", segs[1].start, segs[3].end)


async def test_m_in_the_codebook_pane_writes_a_memo_on_the_code(sample_project):
    app = make_app(sample_project, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("tab")
        assert app.focused.id == "codebook"
        await pilot.press("down", "m", *"when to split this code", "ctrl+s")
        await pilot.pause()
        second = screen(app).codes[1]
        await pilot.press("M")
        await pilot.pause()
        app.screen.query_one("#code").value = second.id
        await pilot.pause()
        assert [(row[2], row[4]) for row in memo_rows(app)] == [
            (second.name, "when to split this code")
        ]
    with Store.open(sample_project) as store:
        (memo,) = store.memos.list()
    assert (memo.code_id, memo.document_id, memo.text) == (
        second.id, None, "when to split this code"
    )
