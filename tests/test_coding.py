"""Coding actions: toggle semantics, undo/redo that survives a restart, memos, completion."""

from __future__ import annotations

import pytest

from qualkit.coding.session import CodingSession
from qualkit.errors import QualkitError
from qualkit.store import Store


@pytest.fixture
def session(sample_project):
    store = Store.open(sample_project)
    yield CodingSession(store, "ana")
    store.close()


def _setup(session):
    store = session.store
    doc = store.documents.by_name("int_patrol_officer.txt")
    segs = store.documents.segments(doc.id)
    code = store.codes.by_name("Warm handoff")
    return store, doc, segs, code


def spans(store, doc, coder_id):
    return [(c.start, c.end) for c in store.codings.for_document(doc.id, coder_ids=[coder_id])]


def test_toggle_codes_then_uncodes_a_segment(session):
    store, doc, segs, code = _setup(session)
    seg = (segs[3].start, segs[3].end)
    assert session.toggle(doc.id, code.id, [seg]).applied
    assert spans(store, doc, session.coder.id) == [seg]
    assert not session.toggle(doc.id, code.id, [seg]).applied
    assert spans(store, doc, session.coder.id) == []
    actions = [e.action for e in store.events()][-2:]
    assert actions == ["code.apply", "code.remove"]


def test_selection_over_segments_is_one_passage_and_uncoding_part_splits_it(session):
    store, doc, segs, code = _setup(session)
    selection = [(s.start, s.end) for s in segs[10:13]]
    session.toggle(doc.id, code.id, selection)
    assert spans(store, doc, session.coder.id) == [(segs[10].start, segs[12].end)]
    session.toggle(doc.id, code.id, [(segs[11].start, segs[11].end)])
    assert spans(store, doc, session.coder.id) == [
        (segs[10].start, segs[10].end),
        (segs[12].start, segs[12].end),
    ]


def test_partial_span_inside_a_segment(session):
    store, doc, segs, code = _setup(session)
    seg = segs[20]
    word = (seg.start + 2, seg.start + 9)
    session.toggle(doc.id, code.id, [word])
    assert spans(store, doc, session.coder.id) == [word]
    # Coding the whole segment now merges the partial span into it.
    session.toggle(doc.id, code.id, [(seg.start, seg.end)])
    assert spans(store, doc, session.coder.id) == [(seg.start, seg.end)]


def test_undo_redo_survive_a_restart(sample_project):
    with Store.open(sample_project) as store:
        session = CodingSession(store, "ana")
        _, doc, segs, code = _setup(session)
        for seg in segs[:3]:
            session.toggle(doc.id, code.id, [(seg.start, seg.end)])
        assert session.undo() == "code.apply"
    with Store.open(sample_project) as store:  # a new process, as after a crash
        session = CodingSession(store, "ana")
        assert len(spans(store, doc, session.coder.id)) == 2
        assert session.redo() == "code.apply"
        assert len(spans(store, doc, session.coder.id)) == 3
        assert session.redo() is None
        for _ in range(3):
            session.undo()
        assert spans(store, doc, session.coder.id) == []
        assert session.undo() is None
        session.redo()
        session.toggle(doc.id, code.id, [(segs[9].start, segs[9].end)])
        assert session.redo() is None  # a new action clears the redo stack


def test_undo_is_per_coder(sample_project):
    with Store.open(sample_project) as store:
        ana, ben = CodingSession(store, "ana"), CodingSession(store, "ben")
        _, doc, segs, code = _setup(ana)
        ana.toggle(doc.id, code.id, [(segs[0].start, segs[0].end)])
        ben.toggle(doc.id, code.id, [(segs[1].start, segs[1].end)])
        assert ana.undo() == "code.apply"
        assert spans(store, doc, ben.coder.id) == [(segs[1].start, segs[1].end)]
        assert spans(store, doc, ana.coder.id) == []


def test_memo_write_edit_delete_and_undo(session):
    store, doc, segs, _ = _setup(session)
    span = (segs[4].start, segs[4].end)
    session.set_memo(doc.id, span, "Officer waited 40 minutes.")
    session.set_memo(doc.id, span, "Officer waited 45 minutes.")
    assert [m.text for m in store.memos.list()] == ["Officer waited 45 minutes."]
    session.undo()
    assert [m.text for m in store.memos.list()] == ["Officer waited 40 minutes."]
    session.set_memo(doc.id, span, "")
    assert store.memos.list() == []
    with pytest.raises(QualkitError, match="empty"):
        session.set_memo(doc.id, (segs[5].start, segs[5].end), "  ")


def test_done_toggles_and_undoes(session):
    store, doc, _, _ = _setup(session)
    assert session.toggle_done(doc.id) is True
    assert store.codings.completed(session.coder.id) == {doc.id}
    session.undo()
    assert store.codings.completed(session.coder.id) == set()
    assert session.set_done(doc.id) and not session.set_done(doc.id)


def test_nothing_selected(session):
    _, doc, _, code = _setup(session)
    with pytest.raises(QualkitError, match="nothing selected"):
        session.toggle(doc.id, code.id, [])
