"""What the workbench says back (issue 9, §4 "Feedback"): undo names the code and the place and
goes there, the word-mode hint leaves with word mode, small shares read "<1%", counts have their
plural, one "Keys" in the palette, `d` explains the segment's codes, `init` and `status` count
codes alike."""

from __future__ import annotations

import io

from rich.console import Console

from qualkit.store import Store
from qualkit.tui.app import make_app
from qualkit.tui.feedback import plural, share

from .conftest import CODEBOOK, cli
from .test_tui import mine, screen, segments


def status_line(app) -> str:
    return str(screen(app).query_one("#status").render())


def body_text(dialog) -> str:
    console = Console(width=120, record=True, file=io.StringIO())
    console.print(dialog.body)
    return console.export_text()


async def test_undo_names_the_code_and_the_place_and_goes_there(sample_project):
    segs = segments(sample_project)
    app = make_app(sample_project, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("j", "j", "j", "w", "g")
        await pilot.pause()
        coding = screen(app)
        assert coding.view.current_index == 0
        await pilot.press("u")
        await pilot.pause()
        assert coding.view.current_index == 3  # the cursor went to what was undone
        line = status_line(app)
        assert "undid applying Warm handoff to segment 4 (fg_case_managers.docx)" in line
        assert "code.apply" not in line
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert "redid applying Warm handoff to segment 4" in status_line(app)
    assert mine(sample_project) == [
        ("fg_case_managers.docx", segs[3].start, segs[3].end, "Warm handoff")
    ]


async def test_undo_opens_the_document_of_the_undone_coding(sample_project):
    other = segments(sample_project, "int_patrol_officer.txt")
    app = make_app(sample_project, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        coding = screen(app)
        coding.open_document(coding.store.documents.by_name("int_patrol_officer.txt").id, 5)
        await pilot.press("w")
        coding.open_document(coding.store.documents.by_name("fg_case_managers.docx").id)
        await pilot.press("u")
        await pilot.pause()
        assert coding.document.name == "int_patrol_officer.txt"
        assert coding.segments[coding.view.current_index] == other[5]
        assert "undid applying Warm handoff to segment 6 (int_patrol_officer.txt)" in (
            status_line(app)
        )
    assert mine(sample_project) == []


async def test_the_word_mode_hint_leaves_with_escape(sample_project):
    app = make_app(sample_project, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("v")
        await pilot.pause()
        assert "word mode" in status_line(app) and "WORDS" in status_line(app)
        await pilot.press("escape")
        await pilot.pause()
        assert "word mode" not in status_line(app) and "WORDS" not in status_line(app)


async def test_a_first_coding_of_a_long_document_is_not_zero_percent(sample_project):
    app = make_app(sample_project, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        coding = screen(app)
        coding.open_document(coding.store.documents.by_name("fg_legal_partners.txt").id)
        assert len(coding.segments) > 100
        assert "coded 0%" in status_line(app)
        await pilot.press("w")
        await pilot.pause()
        assert "coded <1%" in status_line(app)
        await pilot.pause(0.6)  # the documents pane is updated a moment after the key
        documents = coding.query_one("#documents")
        prompt = str(documents.get_option_at_index(documents.highlighted).prompt)
        assert "<1%" in prompt and "fg_legal_partners.txt" in prompt


def test_shares_and_plurals():
    assert [share(p) for p in (0, 0.26, 1, 49.6, 99.5, 100)] == [
        "0%", "<1%", "1%", "50%", ">99%", "100%"
    ]
    assert [plural(n, "coding") for n in (0, 1, 2, 1200)] == [
        "0 codings", "1 coding", "2 codings", "1,200 codings"
    ]


async def test_one_segment_shown_and_one_coding_in_the_editor(sample_project):
    app = make_app(sample_project, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("w", "c")
        picker = app.screen.query_one("OptionList")
        picker.highlighted = next(
            i for i, o in enumerate(picker._options) if "Warm handoff" in str(o.prompt)
        )
        await pilot.press("enter")
        await pilot.pause()
        assert "1 segment shown" in status_line(app)
        await pilot.press("c", "B")
        await pilot.pause()
        codes = app.screen.query_one("#codes")
        prompts = [str(codes.get_option_at_index(i).prompt) for i in range(codes.option_count)]
        assert any("Warm handoff" in p and "1 coding" in p and "codings" not in p
                   for p in prompts)


async def test_the_palette_has_one_keys_entry(sample_project):
    app = make_app(sample_project, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        titles = [c.title for c in app.get_system_commands(screen(app))]
        assert titles.count("Keys") == 1
        await pilot.press("ctrl+p", *"Keys", "enter")
        await pilot.pause()
        assert "Keys of the coding screen" in app.screen.title_


async def test_d_explains_the_codes_of_the_segment(sample_project):
    app = make_app(sample_project, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("w", "d")  # the codebook pane highlights its first code, not this one
        await pilot.pause()
        coding = screen(app)
        first = coding.codes[0]
        assert first.name != "Warm handoff"
        assert app.screen.title_ == "Warm handoff"
        warm = coding.store.codes.by_name("Warm handoff")
        assert warm.description.split()[0] in body_text(app.screen)
        await pilot.press("escape", "2", "d")  # two codes: both explained
        await pilot.pause()
        shown = body_text(app.screen)
        second = coding.codes[1]
        assert "Warm handoff" in shown and second.name in shown
        await pilot.press("escape", "tab", "d")  # browsing the codebook: the highlighted code
        await pilot.pause()
        assert app.screen.title_ == first.name


def test_init_and_status_count_the_same_codes(tmp_path):
    text = CODEBOOK.read_text()
    book = tmp_path / "book.yaml"
    book.write_text(text.replace(
        "codes:\n", "codes:\n  - name: Old theme\n    status: retired\n", 1
    ))
    project = tmp_path / "p.qualkit"
    made = cli("init", project, "--codebook", book)
    with Store.open(project) as store:
        active = len(store.codes.list())
    assert f"created with {active} codes (+1 retired)" in made.stdout
    assert f", {active} codes (+1 retired)," in cli("status", project).stdout
