"""The coding workbench, driven through Textual's Pilot as a coder would, asserting on the
project database (what was committed), not only on the screen."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from qualkit.coding.keys import CODING_KEYS
from qualkit.store import Store
from qualkit.tui.app import make_app
from qualkit.tui.screens.coding import CodingScreen

from .conftest import cli


def mine(project, coder="ana"):
    """(document name, start, end, code name) of the coder's codings, as committed."""
    with Store.open(project) as store:
        found = store.codings.coder(coder)
        if found is None:
            return []
        names = {d.id: d.name for d in store.documents.list()}
        codes = {c.id: c.name for c in store.codes.list(include_retired=True)}
        return sorted(
            (names[c.document_id], c.start, c.end, codes[c.code_id])
            for c in store.codings.all(coder_ids=[found.id])
        )


def segments(project, name="fg_case_managers.docx"):
    with Store.open(project) as store:
        return store.documents.segments(store.documents.by_name(name).id)


def code_names(project):
    with Store.open(project) as store:
        return [c.name for c in store.codes.list()]


async def press(project, *keys, coder="ana", size=(120, 40), show_all=False):
    app = make_app(project, coder, show_all=show_all)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press(*keys)
        await pilot.pause()
        return app


def screen(app) -> CodingScreen:
    return next(s for s in app.screen_stack if isinstance(s, CodingScreen))


async def test_digits_toggle_the_nth_code_on_the_current_segment(sample_project):
    first, second = code_names(sample_project)[:2]
    seg = segments(sample_project)[0]
    await press(sample_project, "1", "2")
    assert mine(sample_project) == sorted(
        [
            ("fg_case_managers.docx", seg.start, seg.end, first),
            ("fg_case_managers.docx", seg.start, seg.end, second),
        ]
    )
    await press(sample_project, "1")  # again: removed
    assert [c[3] for c in mine(sample_project)] == [second]


async def test_codebook_hotkey_toggles_its_code(sample_project):
    seg = segments(sample_project)[0]
    await press(sample_project, "w")
    assert mine(sample_project) == [("fg_case_managers.docx", seg.start, seg.end, "Warm handoff")]


@pytest.mark.parametrize(("down", "up"), [("j", "k"), ("down", "up")])
async def test_moving_between_segments(sample_project, down, up):
    segs = segments(sample_project)
    await press(sample_project, down, down, down, "w", up, "w")
    assert [(c[1], c[2]) for c in mine(sample_project)] == [
        (segs[2].start, segs[2].end),
        (segs[3].start, segs[3].end),
    ]


@pytest.mark.parametrize("extend", ["J", "shift+down"])
async def test_extending_the_selection_codes_one_passage(sample_project, extend):
    segs = segments(sample_project)
    await press(sample_project, "j", extend, extend, "w")
    assert [(c[1], c[2]) for c in mine(sample_project)] == [(segs[1].start, segs[3].end)]


@pytest.mark.parametrize("shrink", ["K", "shift+up"])
async def test_extending_upwards(sample_project, shrink):
    segs = segments(sample_project)
    await press(sample_project, "j", "j", "j", shrink, shrink, "w")
    assert [(c[1], c[2]) for c in mine(sample_project)] == [(segs[1].start, segs[3].end)]


async def test_undo_and_redo_survive_a_restart(sample_project):
    await press(sample_project, "w", "j", "w", "u")
    assert len(mine(sample_project)) == 1
    await press(sample_project, "ctrl+r")  # a new app: the history is in the file
    assert len(mine(sample_project)) == 2
    await press(sample_project, "u", "u")
    assert mine(sample_project) == []


async def test_word_mode_codes_part_of_a_segment(sample_project):
    seg = next(s for s in segments(sample_project) if len(s.text.split()) > 6)
    index = segments(sample_project).index(seg)
    await press(sample_project, *["j"] * index, "v", "l", "L", "L", "w")
    words = seg.text.split()
    start = seg.start + seg.text.index(words[1])
    end = seg.start + seg.text.index(words[3], start - seg.start) + len(words[3])
    assert [(c[1], c[2]) for c in mine(sample_project)] == [(start, end)]


async def test_search_jumps_to_a_hit_in_another_document(sample_project):
    app = make_app(sample_project, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"motel voucher", "enter", "enter")
        await pilot.pause()
        coding = screen(app)
        hit = coding.segments[coding.view.current_index]
        assert "motel voucher" in hit.text.lower()
        await pilot.press("w")
    assert mine(sample_project) == [(coding.document.name, hit.start, hit.end, "Warm handoff")]


async def test_n_goes_to_the_next_uncoded_participant_segment(sample_project):
    segs = segments(sample_project)
    await press(sample_project, "w", "n", "w")
    with Store.open(sample_project) as store:
        roles = store.documents.speakers(store.documents.by_name("fg_case_managers.docx").id)
    expected = next(s for s in segs[1:] if roles.get(s.speaker or "") != "facilitator")
    assert (expected.start, expected.end) in [(c[1], c[2]) for c in mine(sample_project)]


async def test_m_writes_a_memo_on_the_segment(sample_project):
    seg = segments(sample_project)[2]
    await press(sample_project, "j", "j", "m", *"Check the recording", "ctrl+s")
    with Store.open(sample_project) as store:
        (memo,) = store.memos.list()
    assert (memo.text, memo.start, memo.end) == ("Check the recording", seg.start, seg.end)


async def test_d_shows_the_highlighted_codes_definition(sample_project):
    app = make_app(sample_project, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        shown = str(app.screen.query_one("#info-body").render())
        with Store.open(sample_project) as store:
            first = store.codes.list()[0]
        assert first.description.split()[0] in shown and "Do not use when" in shown
        await pilot.press("escape")
        assert isinstance(app.screen, CodingScreen)
    assert mine(sample_project) == []


async def test_c_shows_only_segments_with_a_code(sample_project):
    segs = segments(sample_project)
    app = make_app(sample_project, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("j", "j", "j", "w", "c")
        await pilot.pause()
        picker = app.screen.query_one("OptionList")
        picker.highlighted = next(
            i for i, o in enumerate(picker._options) if "Warm handoff" in str(o.prompt)
        )
        await pilot.press("enter")
        await pilot.pause()
        assert screen(app).view.rows == [3]
        await pilot.press("1")  # codes the only visible segment
        await pilot.press("c")
        assert len(screen(app).view.rows) == len(segs)
    assert {(c[1], c[3]) for c in mine(sample_project)} == {
        (segs[3].start, "Warm handoff"),
        (segs[3].start, code_names(sample_project)[0]),
    }


async def test_D_marks_the_document_done(sample_project):
    await press(sample_project, "D")
    with Store.open(sample_project) as store:
        ana = store.codings.coder("ana")
        assert store.codings.completed(ana.id) == {
            store.documents.by_name("fg_case_managers.docx").id
        }
    await press(sample_project, "D")
    with Store.open(sample_project) as store:
        assert store.codings.completed(store.codings.coder("ana").id) == set()


async def test_tab_cycles_panes_and_enter_opens_a_document(sample_project):
    app = make_app(sample_project, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.focused.id == "transcript"
        await pilot.press("tab")
        assert app.focused.id == "codebook"
        await pilot.press("tab")
        assert app.focused.id == "documents"
        await pilot.press("down", "enter")
        await pilot.pause()
        assert screen(app).document.name == "fg_legal_partners.txt"
        assert app.focused.id == "transcript"
        await pilot.press("w")
    assert mine(sample_project)[0][0] == "fg_legal_partners.txt"


async def test_clicks_select_a_segment_and_apply_a_code(sample_project):
    segs = segments(sample_project)
    app = make_app(sample_project, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        view = screen(app).view
        kinds = [line.kind for line in view.layout_.block(4)]
        target_line = view.layout_.span(4)[0] + kinds.index("text")  # the 5th segment's text
        await pilot.click("#transcript", offset=(10, target_line + 1))  # + 1: the border
        await pilot.pause()
        assert view.current_index == 4
        await pilot.click("#codebook", offset=(10, 4))  # the 4th code's row
        await pilot.pause()
    fourth = code_names(sample_project)[3]
    assert mine(sample_project) == [("fg_case_managers.docx", segs[4].start, segs[4].end, fourth)]


async def test_help_palette_and_quit(sample_project):
    app = make_app(sample_project, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        console = Console(width=120, record=True, file=io.StringIO())
        console.print(app.screen.body)
        shown = console.export_text()
        assert all(what in shown for _, what in CODING_KEYS)
        await pilot.press("escape", "ctrl+p")
        await pilot.pause()
        assert type(app.screen).__name__ == "CommandPalette"
        await pilot.press("escape", "j", "j", "q")
        await pilot.pause()
    with Store.open(sample_project) as store:
        doc = store.documents.by_name("fg_case_managers.docx")
        assert store.get_meta("tui.position.ana") == f"{doc.id}:2"
    # the next session resumes there
    app = make_app(sample_project, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert screen(app).view.current_index == 2


async def test_blind_by_default_show_all_on_request(sample_project, tmp_path):
    from .conftest import SAMPLE

    cli("codings", "import", sample_project, SAMPLE / "codings" / "ben.csv", "--coder", "ben")
    app = make_app(sample_project, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        coding = screen(app)
        coding.open_document(coding.store.documents.by_name("int_patrol_officer.txt").id)
        assert coding.view.by_segment == {}
        coding.toggle_show_all()
        coders = {c.coder_id for cs in coding.view.by_segment.values() for c in cs}
        assert coders == {coding.store.codings.coder("ben").id}


async def test_narrow_terminal_still_codes(sample_project):
    await press(sample_project, "j", "w", size=(80, 24))
    assert len(mine(sample_project)) == 1


async def test_A_and_R_open_agreement_and_reconciliation(sample_project):
    from qualkit.tui.screens.agreement import AgreementScreen
    from qualkit.tui.screens.reconcile import ReconcileScreen

    from .conftest import SAMPLE

    for coder in ("ana", "ben"):
        cli("codings", "import", sample_project, SAMPLE / "codings" / f"{coder}.csv")
        cli("codings", "done", sample_project, "--coder", coder, "--all")
    app = make_app(sample_project, "lee")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("A")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, AgreementScreen)
        await pilot.press("escape", "R")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ReconcileScreen)
        await pilot.press("a")  # accept coder A's codes for the first disagreement
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, CodingScreen)
    assert mine(sample_project, "consensus")  # agreed codes and the decision, as codings
    with Store.open(sample_project) as store:
        assert [e.coder for e in store.events(action="reconcile.decide")] == ["lee"]


async def test_T_opens_the_topics_screen_and_comes_back(sample_project):
    from qualkit.tui.screens.topics import TopicsScreen

    app = make_app(sample_project, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("T")
        await pilot.pause()
        assert isinstance(app.screen, TopicsScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, CodingScreen)
    with Store.open(sample_project) as store:
        assert store.topics.runs() == []  # opening the screen fits nothing by itself
