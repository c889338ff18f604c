"""Reconciliation: decisions become consensus codings, with who decided and why, undoable, and
work resumes after reopening the project."""

from __future__ import annotations

import csv
import io
import json

import pytest

from qualkit.agreement.reconcile import Reconciler, make_plan
from qualkit.coding.session import CodingSession
from qualkit.errors import InputError, QualkitError
from qualkit.store import Store

from .agreement_helpers import code, consensus, done, make_project, seg
from .conftest import SAMPLE, cli


@pytest.fixture
def project(tmp_path):
    """ana and ben on d1 (done) and d2 (done): two disputed segments in d1, none in d2."""
    path = make_project(tmp_path / "r.qualkit", documents=("d1.txt", "d2.txt"),
                        codes=("A", "B", "C"))
    code(path, "ana", [("d1.txt", "A", *seg(0)), ("d1.txt", "B", *seg(0)),
                       ("d1.txt", "C", 22, 25), ("d2.txt", "A", *seg(3))])
    code(path, "ben", [("d1.txt", "A", 0, 21), ("d2.txt", "A", 33, 40)])
    done(path, "ana")
    done(path, "ben")
    return path


def reconciler(store, decider="carl", a="ana", b="ben"):
    session = CodingSession(store, decider)
    return Reconciler(store, make_plan(store, a, b), session.coder)


def test_plan_finds_disputed_segments_and_shared_codes(project):
    with Store.open(project) as store:
        plan = make_plan(store, "ana", "ben")
        names = {c.id: c.name for c in plan.codes}
        assert [(i.document, i.segment.ordinal, sorted(names[c] for c in i.a_codes),
                 sorted(names[c] for c in i.b_codes)) for i in plan.items] == [
            ("d1.txt", 0, ["A", "B"], ["A"]),
            ("d1.txt", 1, [], ["A"]),
            ("d1.txt", 2, ["C"], []),
        ]
        assert [(key[1:], sorted(names[c] for c in codes)) for key, codes in plan.agreed] == [
            ((33, 43), ["A"])]


def test_seeding_copies_agreed_codes_and_finishes_undisputed_documents(project):
    with Store.open(project) as store:
        r = reconciler(store)
        assert r.seed_agreed() == 2  # A on d1 segment 0 (shared), A on d2 segment 3
        assert r.seed_agreed() == 0  # idempotent
        consensus_id = store.codings.coder("consensus").id
        assert store.codings.coder("consensus").kind == "consensus"
        assert store.codings.completed(consensus_id) == {store.documents.by_name("d2.txt").id}
    assert consensus(project) == [("d1.txt", 0, 10, "A"), ("d2.txt", 33, 43, "A")]


@pytest.mark.parametrize(
    ("kind", "codes"),
    [("a", ["A", "B"]), ("b", ["A"]), ("both", ["A", "B"]), ("reject", ["A"])],
)
def test_each_decision_sets_the_segments_consensus_codes(project, kind, codes):
    with Store.open(project) as store:
        r = reconciler(store)
        r.decide(r.plan.items[0], kind)
    assert [c[3] for c in consensus(project) if c[:3] == ("d1.txt", 0, 10)] == codes


def test_edit_replaces_the_set_and_accepts_codes_neither_applied(project):
    with Store.open(project) as store:
        r = reconciler(store)
        r.seed_agreed()
        c_id = store.codes.by_name("C").id
        r.decide(r.plan.items[0], "edit", codes=[c_id])
    assert [c for c in consensus(project) if c[0] == "d1.txt"] == [("d1.txt", 0, 10, "C")]


def test_decision_records_who_and_why_in_table_and_events(project):
    with Store.open(project) as store:
        r = reconciler(store)
        item = r.plan.items[1]
        r.decide(item, "b", reason="ben saw the referral")
        decision = r.decision(item)
        assert (decision.decision, decision.decided_by, decision.reason) == (
            "b", "carl", "ben saw the referral")
        assert r.label(decision) == "accept ben"
        r.set_reason(item, "the referral is explicit")
        event = store.events(action="reconcile.decide")[-1]
        assert event.coder == "carl"
        assert event.detail["reason"] == "ben saw the referral"
        assert event.detail["decision"] == "b" and event.detail["coder_b"] == "ben"
        assert store.events(action="reconcile.reason")[-1].detail["reason"] == (
            "the referral is explicit")
        assert r.decision(item).reason == "the referral is explicit"
        with pytest.raises(QualkitError, match="decide first"):
            r.set_reason(r.plan.items[0], "too early")


def test_undo_and_redo_a_decision(project):
    with Store.open(project) as store:
        r = reconciler(store)
        item = r.plan.items[0]
        r.decide(item, "a")
        assert r.decided == 1
        assert r.undo() == "reconcile.decide"
        assert r.decided == 0 and r.decision(item) is None
        assert consensus(project) == []
        assert r.redo() == "reconcile.decide"
        assert r.decision(item).decision == "a"
    assert len(consensus(project)) == 2


def test_undo_refuses_to_undo_a_coding_action(project):
    with Store.open(project) as store:
        session = CodingSession(store, "ana")
        r = Reconciler(store, make_plan(store, "ana", "ben"), session.coder)
        session.toggle(store.documents.by_name("d2.txt").id, store.codes.by_name("B").id,
                       [seg(0)])
        with pytest.raises(QualkitError, match="not a reconciliation step"):
            r.undo()
        assert store.codings.count(coder_id=session.coder.id) == 5  # still there


def test_deciding_the_last_item_marks_the_document_done_and_undo_unmarks(project):
    with Store.open(project) as store:
        r = reconciler(store)
        d1 = store.documents.by_name("d1.txt").id
        for item in r.plan.items:
            r.decide(item, "both")
        assert d1 in store.codings.completed(r.consensus.id)
        r.undo()
        assert d1 not in store.codings.completed(r.consensus.id)


def test_work_resumes_after_reopening(project):
    with Store.open(project) as store:
        r = reconciler(store)
        r.decide(r.plan.items[0], "a")
        r.decide(r.plan.items[2], "reject")
    with Store.open(project) as store:
        r = reconciler(store)
        assert (r.decided, r.total) == (2, 3)
        assert r.next_undecided() == 1
        r2 = Reconciler(store, make_plan(store, "ben", "ana"), r.decider)  # same pair, reversed
        assert r2.decided == 2
        assert r2.label(r2.decision(r2.plan.items[0])) == "accept ana"


def test_a_later_decision_replaces_the_earlier_one(project):
    with Store.open(project) as store:
        r = reconciler(store)
        item = r.plan.items[0]
        r.decide(item, "a")
        r.decide(item, "b")
        assert r.decision(item).decision == "b"
        assert r.decided == 1
    assert [c[3] for c in consensus(project) if c[1:3] == (0, 10)] == ["A"]


def test_bad_pairs(project):
    with Store.open(project) as store:
        with pytest.raises(InputError, match="two different coders"):
            make_plan(store, "ana", "ana")
        with pytest.raises(InputError, match="unknown coder"):
            make_plan(store, "ana", "zed")
        plan = make_plan(store, "ana", "ben")
        with pytest.raises(InputError, match="one of the coders"):
            Reconciler(store, plan, CodingSession(store, "carl").coder, consensus="ana")


def test_sample_project_consensus_is_exported_and_usable_as_gold(sample_project):
    for name in ("ana", "ben"):
        cli("codings", "import", sample_project, SAMPLE / "codings" / f"{name}.csv",
            "--coder", name)
        cli("codings", "done", sample_project, "--coder", name, "--all")
    with Store.open(sample_project) as store:
        r = reconciler(store)
        r.seed_agreed()
        for index, item in enumerate(r.plan.items):
            r.decide(item, "a" if index % 2 else "b", reason="test")
        assert r.decided == r.total > 0
    exported = cli("codings", "export", sample_project, "-", "--coder", "consensus")
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert rows and {r["coder"] for r in rows} == {"consensus"}
    report = json.loads(cli("agree", sample_project, "--train", "ana", "--gold", "consensus",
                            "--json").stdout)
    assert len(report["documents"]) == 3
    assert report["pooled"]["misses"] + report["pooled"]["false_hits"] > 0
