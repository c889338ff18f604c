"""Snapshots of the main screens (pytest-textual-snapshot): a change in how they look shows up
as a diff to review. Update with `pytest tests/test_tui_snapshots.py --snapshot-update`."""

from __future__ import annotations

import pytest

from qualkit.tui.app import make_app

from .conftest import SAMPLE, cli


@pytest.fixture
def coded_project(sample_project):
    cli("codings", "import", sample_project, SAMPLE / "codings" / "ana.csv", "--coder", "ana")
    return sample_project


def test_coding_screen(snap_compare, coded_project):
    app = make_app(coded_project, "ana")
    assert snap_compare(
        app,
        press=["tab", "tab", "down", "down", "down", "down", "down", "enter", "j", "j", "J"],
        terminal_size=(120, 36),
    )


def test_coding_screen_at_80_by_24_in_light_theme(snap_compare, coded_project):
    app = make_app(coded_project, "ana")

    async def light(pilot):
        pilot.app.theme = "textual-light"

    assert snap_compare(
        app, press=["j", "j", "v", "l", "L"], terminal_size=(80, 24), run_before=light
    )


def test_help_screen(snap_compare, sample_project):
    assert snap_compare(
        make_app(sample_project, "ana"), press=["question_mark"], terminal_size=(100, 36)
    )


def test_codebook_editor(snap_compare, sample_project):
    assert snap_compare(
        make_app(sample_project, "ana"), press=["B", "j", "j"], terminal_size=(120, 36)
    )


# -- every screen at 80x24 (issue 9: a screen must be usable in the smallest common terminal) --


@pytest.fixture
def two_coders(coded_project):
    cli("codings", "import", coded_project, SAMPLE / "codings" / "ben.csv", "--coder", "ben")
    for coder in ("ana", "ben"):
        cli("codings", "done", coded_project, "--coder", coder, "--all")
    return coded_project


async def _settle(pilot):
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize(("name", "press"), [
    ("coding_codes_wrapped", ["j", "1", "2", "3", "4", "5", "6"]),
    ("help", ["question_mark"]),
    ("codebook_editor", ["B", "j", "j"]),
    ("codebook_help", ["B", "question_mark"]),
    ("agreement", ["A"]),
    ("reconcile", ["R"]),
    ("memos", ["M"]),
    ("passages", ["P"]),
    ("picker", ["space", "s", "u"]),
    ("search_hits", ["slash", *"coffee", "enter", "enter"]),
    ("joint", ["O"]),
])
def test_screen_at_80_by_24(snap_compare, two_coders, name, press):
    assert snap_compare(
        make_app(two_coders, "ana"), press=press, terminal_size=(80, 24), run_before=_settle
    )


def test_topics_at_80_by_24(snap_compare, tmp_path):
    from qualkit.coding.session import CodingSession
    from qualkit.topics import TopicOptions
    from qualkit.tui.screens.topics import TopicsScreen

    from .topics_helpers import FakeEmbedder, fast_parts, make_synthetic_project

    app = make_app(make_synthetic_project(tmp_path), "ana")

    async def fitted(pilot):
        screen = TopicsScreen(app.store, CodingSession(app.store, "ana"),
                              options=TopicOptions(min_topic_size=10),
                              embedder=FakeEmbedder(), parts=fast_parts())
        await app.push_screen(screen)
        await pilot.press("f")
        await pilot.pause()
        await pilot.press("enter")
        await _settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=fitted)
