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
