"""The agreement and reconciliation screens, driven through Pilot; assertions on the database."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from qualkit.store import Store
from qualkit.tui.app import make_app
from qualkit.tui.screens.agreement import AgreementScreen
from qualkit.tui.screens.coding import CodingScreen
from qualkit.tui.screens.reconcile import ReconcileScreen

from .agreement_helpers import code, consensus, done, make_project, seg
from .conftest import cli


@pytest.fixture
def project(tmp_path):
    """ana and ben disagree on segments 0, 1 and 2 of d1; both finished d1."""
    path = make_project(tmp_path / "t.qualkit", codes=("A", "B", "C"))
    code(path, "ana", [("d1.txt", "A", *seg(0)), ("d1.txt", "B", *seg(0)),
                       ("d1.txt", "C", *seg(2)), ("d1.txt", "A", *seg(3))])
    code(path, "ben", [("d1.txt", "A", *seg(0)), ("d1.txt", "A", *seg(1)),
                       ("d1.txt", "A", *seg(3))])
    done(path, "ana")
    done(path, "ben")
    return path


def session_of(app):
    return next(s for s in app.screen_stack if isinstance(s, CodingScreen)).session


async def settle(app, pilot):
    """Let workers finish and their messages be handled."""
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def decisions(path):
    with Store.open(path) as store:
        return [(r[0], r[1]) for r in store._sql(
            "SELECT decision, reason FROM reconcile_decisions ORDER BY id")]


async def test_agreement_screen_shows_sorts_and_switches_unit(project):
    app = make_app(project, "carl")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = AgreementScreen(app.store, session_of(app))
        await app.push_screen(screen)
        await settle(app, pilot)
        table = screen.query_one(DataTable)
        assert screen.result.coders == ("ana", "ben")
        assert [str(table.get_row_at(i)[1]) for i in range(table.row_count)] == ["A", "B", "C"]
        await pilot.press("s")  # by alpha, worst first; undefined last
        alphas = [r.summary.krippendorff_alpha for r in screen.sorted_rows()]
        known = [a for a in alphas if a is not None]
        assert known == sorted(known) and alphas[len(known):] == [None] * (3 - len(known))
        assert [str(table.get_row_at(i)[1]) for i in range(3)] == [
            r.code for r in screen.sorted_rows()]
        await pilot.press("t")
        await settle(app, pilot)
        assert screen.result.unit == "character"
        assert "unit character" in str(screen.query_one("#agreement-title").render())


async def test_agreement_screen_reports_a_refusal_without_crashing(tmp_path):
    path = make_project(tmp_path / "none.qualkit")
    code(path, "ana", [("d1.txt", "A", *seg(0))])
    code(path, "ben", [("d1.txt", "A", *seg(0))])  # nobody marked d1 done
    app = make_app(path, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = AgreementScreen(app.store, session_of(app))
        await app.push_screen(screen)
        await settle(app, pilot)
        assert screen.result is None
        assert "no document is marked done" in str(
            screen.query_one("#agreement-summary").render())


async def test_reconcile_decisions_reach_the_database_and_undo(project):
    app = make_app(project, "carl")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = ReconcileScreen(app.store, session_of(app), ("ana", "ben"))
        await app.push_screen(screen)
        await settle(app, pilot)
        assert "0/3 decided" in str(screen.query_one("#reconcile-title").render())
        # Agreed codes were copied: A on segments 0 and 3.
        assert consensus(project) == [("d1.txt", 0, 10, "A"), ("d1.txt", 33, 43, "A")]
        await pilot.press("a")  # segment 0: ana's A and B
        await pilot.pause()
        assert ("d1.txt", 0, 10, "B") in consensus(project)
        assert screen.index == 1
        await pilot.press("u")
        await pilot.pause()
        assert ("d1.txt", 0, 10, "B") not in consensus(project)
        assert screen.index == 0
        await pilot.press("x", "2")  # reject on segment 0, both on segment 1
        await pilot.pause()
        assert decisions(project) == [("a", ""), ("reject", ""), ("both", "")]
        assert "2/3 decided" in str(screen.query_one("#reconcile-title").render())
        await pilot.press("r", *"explicit", "ctrl+s")  # reason typed before deciding
        await pilot.press("e", "space", "ctrl+s")  # edit segment 2: tick the first code
        await pilot.pause()
        assert decisions(project)[-1] == ("edit", "explicit")
        assert ("d1.txt", 22, 32, "A") in consensus(project)
        assert ("d1.txt", 22, 32, "C") not in consensus(project)
    exported = cli("codings", "export", project, "-", "--coder", "consensus").stdout
    assert "d1.txt,22,32,A,consensus" in exported


async def test_reconcile_asks_for_the_pair_when_there_is_no_obvious_one(project):
    code(project, "cid", [("d1.txt", "A", *seg(0))])
    app = make_app(project, "carl")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = ReconcileScreen(app.store, session_of(app))
        await app.push_screen(screen)
        await pilot.pause()
        await pilot.press(*"ana,ben", "enter")
        await settle(app, pilot)
        assert screen.reconciler is not None and screen.reconciler.total == 3


async def test_reconcile_resumes_at_the_first_undecided(project):
    app = make_app(project, "carl")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await app.push_screen(ReconcileScreen(app.store, session_of(app), ("ana", "ben")))
        await settle(app, pilot)
        await pilot.press("b")
        await pilot.pause()
    app = make_app(project, "carl")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = ReconcileScreen(app.store, session_of(app))  # the pair by default
        await app.push_screen(screen)
        await settle(app, pilot)
        assert screen.index == 1
        assert "1/3 decided" in str(screen.query_one("#reconcile-title").render())
        await pilot.press("k")
        await pilot.pause()
        assert "accept ben" in str(screen.query_one("#reconcile-decision").render())


async def test_capital_r_on_the_agreement_screen_opens_reconciliation(project):
    app = make_app(project, "carl")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await app.push_screen(AgreementScreen(app.store, session_of(app)))
        await settle(app, pilot)
        await pilot.press("R")
        await settle(app, pilot)
        assert isinstance(app.screen, ReconcileScreen)
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert isinstance(app.screen, CodingScreen)
