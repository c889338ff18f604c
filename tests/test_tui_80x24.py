"""Every screen is usable in an 80x24 terminal: what a coder needs is on screen, and the footer
shows how to leave and `?` (the help lists the rest). Asserted on the rendered text; the look of
each screen at that size is in test_tui_snapshots."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from qualkit.coding.session import CodingSession
from qualkit.topics import TopicOptions
from qualkit.tui.app import make_app
from qualkit.tui.screens.topics import TopicsScreen

from .conftest import SAMPLE, cli
from .topics_helpers import FakeEmbedder, fast_parts, make_synthetic_project


def screen_text(app) -> list[str]:
    """The terminal's lines as the user sees them (the top screen over those beneath)."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True,
                      force_terminal=True, color_system="truecolor")
    # The compositor's full frame is what Textual sends to the terminal.
    console.print(app.screen._compositor.render_update(
        full=True, screen_stack=app._background_screens))
    return console.export_text(styles=False).splitlines()


@pytest.fixture(scope="module")
def coded_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("small") / "sample.qualkit"
    cli("init", path, "--codebook", SAMPLE.parent / "codebooks" / "lead_process.yaml")
    cli("import", path, SAMPLE)
    for coder in ("ana", "ben"):
        cli("codings", "import", path, SAMPLE / "codings" / f"{coder}.csv", "--coder", coder)
        cli("codings", "done", path, "--coder", coder, "--all")
    return path


@pytest.fixture
def coded(coded_template, tmp_path):
    import shutil

    path = tmp_path / "sample.qualkit"
    shutil.copy(coded_template, path)
    return path


async def show(project, *keys, size=(80, 24)) -> list[str]:
    app = make_app(project, "ana")
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        return screen_text(app)


def footer(lines: list[str], *labels: str) -> None:
    for label in labels:
        assert label in lines[-1], (label, lines[-1])


async def test_coding_screen_footer_keeps_quit_help_and_done(coded):
    lines = await show(coded)
    footer(lines, "q quit", "? keys", "D done", "␣ code", "/ search", "P passages")


@pytest.mark.parametrize(("key", "leave", "needles"), [
    ("B", "esc back", ["Collaboration", "Definition"]),
    ("A", "esc back", ["agree", "kappa", "alpha", "AC1", "Collaboration"]),
    ("R", "esc back", ["A: ana", "B: ben"]),
    ("M", "esc back", ["document", "memo"]),
    ("P", "esc back", ["Collaboration", "speaker", "coder"]),
    ("O", "esc back", ["outcome"]),
    ("question_mark", "", ["Keys of the coding screen", "next segment"]),
])
async def test_each_screen_at_80_by_24(coded, key, leave, needles):
    lines = await show(coded, key)
    text = "\n".join(lines)
    for needle in needles:
        assert needle in text, (needle, text)
    if leave:
        footer(lines, leave, "? keys")


async def test_codebook_editor_help_works_and_its_footer_fits(coded):
    lines = await show(coded, "B", "question_mark")
    assert any("Keys of the codebook editor" in line for line in lines)


async def test_help_dialog_scrolls_to_the_last_key_at_80_by_24(coded):
    lines = await show(coded, "question_mark", "end")
    text = "\n".join(lines)
    assert "quit (everything is already saved)" in text


@pytest.mark.parametrize("size", [(80, 24), (140, 40)])
async def test_topics_list_shows_star_similarity_and_coverage(tmp_path, size):
    project = make_synthetic_project(tmp_path)
    app = make_app(project, "ana")
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = TopicsScreen(app.store, CodingSession(app.store, "ana"),
                              options=TopicOptions(min_topic_size=10),
                              embedder=FakeEmbedder(), parts=fast_parts())
        await app.push_screen(screen)
        await pilot.press("f")
        await pilot.pause()
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        lines = screen_text(app)
    header = next(line for line in lines if " size " in line)
    for column in ("★", "sim", "cov", "closest code"):
        assert column in header, header
    assert any("★" in line for line in lines[lines.index(header) + 1 :])
    footer(lines, "esc back", "? keys", "f fit", "p promote")
