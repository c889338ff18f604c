"""A key swaps only the codings it changed in the pane's index; the result must equal indexing
the whole document again, or the screen would show codes the project does not hold."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from qualkit.models import Coding, Segment
from qualkit.tui.app import make_app
from qualkit.tui.widgets.segment_codings import index_codings, swap_codings

SEGMENTS = [Segment(i, 1, i, 0, "P1", 10 * i, 10 * i + 8, "x" * 8) for i in range(30)]
STARTS = [s.start for s in SEGMENTS]
spans = st.tuples(st.integers(0, 290), st.integers(1, 40), st.integers(1, 3), st.integers(1, 2))


def _codings(rows, first_id: int) -> list[Coding]:
    return [Coding(first_id + k, 1, code, coder, start, min(start + length, 298), "")
            for k, (start, length, code, coder) in enumerate(rows)]


@settings(max_examples=200, deadline=None)
@given(st.lists(spans, max_size=25), st.data())
def test_swapping_equals_indexing_again(before_rows, data):
    def order(c):  # the store's order
        return (c.start, c.end, c.code_id, c.coder_id)

    before = sorted(_codings(before_rows, 1), key=order)
    removed = data.draw(st.lists(st.sampled_from(before), unique_by=lambda c: c.id)) if before \
        else []
    added = _codings(data.draw(st.lists(spans, max_size=5)), 1000)
    by_segment, mine = index_codings(SEGMENTS, STARTS, before, coder_id=1)
    changed = swap_codings(SEGMENTS, STARTS, by_segment, mine, 1, removed, added)
    gone = {c.id for c in removed}
    after = sorted([c for c in before if c.id not in gone] + added, key=order)
    expected, expected_mine = index_codings(SEGMENTS, STARTS, after, coder_id=1)
    assert {i: [c.id for c in cs] for i, cs in by_segment.items()} == \
        {i: [c.id for c in cs] for i, cs in expected.items()}
    assert mine == expected_mine
    touched = {i for c in removed + added for i in range(len(SEGMENTS))
               if SEGMENTS[i].start < c.end and c.start < SEGMENTS[i].end}
    assert changed == touched


async def test_keys_leave_the_pane_as_a_fresh_load_would(sample_project):
    """Apply, extend, remove and merge through real keys; then compare the pane's index with
    one built from the store."""
    app = make_app(sample_project, "ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        for keys in (["1"], ["j", "1"], ["k", "J", "J", "1"], ["j", "1"], ["2"], ["k", "2"]):
            await pilot.press(*keys)
        await pilot.pause()
        screen = app.screen
        view = screen.view
        shown = {i: sorted(c.id for c in cs) for i, cs in view.by_segment.items()}
        fresh, mine = index_codings(view.segments, view.starts, app.store.codings.for_document(
            screen.document.id, coder_ids=[screen.coder.id]), screen.coder.id)
        assert shown == {i: sorted(c.id for c in cs) for i, cs in fresh.items()}
        assert view.mine == mine and len(mine) >= 3
