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
