"""The type-ahead code picker (space): any code of the LEAD codebook is a few letters away, recent
codes come first, and enter codes the selection (checked in the project file)."""

from __future__ import annotations

from qualkit.coding.codebook import apply_codebook, load_codebook
from qualkit.coding.picker import code_paths, rank_codes
from qualkit.store import Store
from qualkit.tui.app import make_app
from qualkit.tui.dialogs import TypeAheadPicker

from .conftest import CODEBOOK
from .test_tui import mine, segments


def lead_codes(tmp_path):
    with Store.create(tmp_path / "p.qualkit") as store:
        apply_codebook(store, load_codebook(CODEBOOK))
        return store.codes.list()


def test_every_lead_code_is_at_most_three_letters_away(tmp_path):
    codes = lead_codes(tmp_path)
    assert len(codes) > 20  # more codes than free hotkeys
    for code in codes:
        reach = next(
            (n for n in (1, 2, 3) if rank_codes(codes, code.name[:n])[0].id == code.id), None
        )
        assert reach is not None, code.name


def test_matches_words_paths_and_letters_in_order_and_recent_codes_win_ties(tmp_path):
    codes = lead_codes(tmp_path)
    by_name = {c.name: c for c in codes}
    names = lambda query, recent=(): [c.name for c in rank_codes(codes, query, recent)]  # noqa: E731
    assert names("buy")[0] == "Officer buy-in"  # a word's prefix
    assert "Support" in names("buy")  # under Officer buy-in: its path matches
    assert names("hndf")[0] == "Warm handoff"  # letters in order
    assert names("zzzz") == []
    recent = [by_name["Gender"].id, by_name["Staffing"].id]
    assert names("", recent)[:2] == ["Gender", "Staffing"]
    assert names("", [])[0] == codes[0].name
    assert code_paths(codes)[by_name["Support"].id] == "Officer buy-in / Support"


async def test_space_letters_enter_codes_the_selection_and_it_comes_first_next_time(
    sample_project,
):
    segs = segments(sample_project)
    app = make_app(sample_project, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("j", "J", "space")
        await pilot.pause()
        assert isinstance(app.screen, TypeAheadPicker)
        await pilot.press(*"staf", "enter")
        await pilot.pause()
        assert mine(sample_project) == [
            ("fg_case_managers.docx", segs[1].start, segs[2].end, "Staffing")
        ]
        await pilot.press("space")
        await pilot.pause()
        first = app.screen.query_one("#matches").get_option_at_index(0)
        assert str(first.prompt).endswith("Staffing")
        await pilot.press("escape")  # cancel: nothing changes
        await pilot.pause()
    assert len(mine(sample_project)) == 1
