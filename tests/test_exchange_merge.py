"""Merging coders' project files: nothing lost, idempotent, one transaction, conflicts said,
and the same agreement as coding in one file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from qualkit.agreement import Reconciler, make_plan
from qualkit.coding import CodingSession
from qualkit.coding.csv_io import import_codings
from qualkit.coding.edit import rename_code
from qualkit.exchange import merge_projects
from qualkit.store import Store

from .conftest import SAMPLE, assert_user_error, cli, dump

CODERS = ("ana", "ben", "cruz", "dee")


def _coder_file(master: Path, folder: Path, name: str, seed: int) -> Path:
    """A copy of the master in which one coder codes, writes memos and finishes documents."""
    path = folder / f"{name}.qualkit"
    shutil.copy(master, path)
    with Store.open(path) as store:
        session = CodingSession(store, name)
        codes = [c.id for c in store.codes.list()]
        docs = store.documents.list()
        for n, doc in enumerate(docs):
            segments = store.documents.segments(doc.id)
            for k, segment in enumerate(segments[seed::7][:12]):
                session.apply(doc.id, codes[(seed + k + n) % len(codes)],
                              [(segment.start, segment.end)])
            if (n + seed) % 3 == 0:
                session.set_memo(doc.id, (segments[seed].start, segments[seed].end),
                                 f"{name} thinks about {doc.name}")
            if n < 5:
                session.set_done(doc.id)
    return path


@pytest.fixture
def team(sample_project, tmp_path) -> tuple[Path, list[Path]]:
    folder = tmp_path / "laptops"
    folder.mkdir()
    return sample_project, [_coder_file(sample_project, folder, name, seed)
                            for seed, name in enumerate(CODERS)]


def _work(path: Path, coder: str) -> dict[str, set]:
    """One coder's codings, memos and completions, by names."""
    with Store.open(path) as store:
        docs = {d.id: d.name for d in store.documents.list()}
        codes = {c.id: c.name for c in store.codes.list(include_retired=True)}
        me = store.codings.coder(coder)
        assert me is not None
        return {
            "codings": {(docs[c.document_id], codes[c.code_id], c.start, c.end, c.created_at)
                        for c in store.codings.all(coder_ids=[me.id])},
            "memos": {(docs[m.document_id], m.start, m.end, m.text, m.created_at)
                      for m in store.memos.list(coder_id=me.id)},
            "done": {(docs[d], store.codings.completed_at(me.id, d))
                     for d in store.codings.completed(me.id)},
            "events": {(e.at, e.action) for e in store.events() if e.coder == coder},
        }


def test_four_coders_merge_without_losing_anything(team):
    master, files = team
    untouched = [f.read_bytes() for f in files]
    result = cli("merge", master, *files)
    assert result.exit_code == 0, result.stderr
    assert "4 files merged; 0 conflicts" in result.stdout
    for name, path in zip(CODERS, files, strict=True):
        mine, merged = _work(path, name), _work(master, name)
        assert mine == merged, name
        assert mine["codings"] and mine["memos"] and mine["done"]
    assert [f.read_bytes() for f in files] == untouched  # the coders' files are only read


def test_merging_twice_adds_nothing_and_writes_nothing(team):
    master, files = team
    assert cli("merge", master, *files).exit_code == 0
    before = dump(master)
    again = cli("merge", master, *files)
    assert again.exit_code == 0 and "0 codings added" in again.stdout
    assert dump(master) == before


def test_merged_events_are_marked_and_not_duplicated(team):
    master, files = team
    with Store.open(master) as store:
        own = len(store.events())
        merge_projects(store, files[:1])
        events = store.events()
    merged = [e for e in events if e.detail.get("merged_from") == "ana.qualkit"]
    # the copy shares the master's history: only ana's own actions came over
    assert merged and all(e.coder == "ana" for e in merged)
    assert len(events) == own + len(merged) + 1  # and one "merge" event


def test_one_unreadable_file_leaves_the_master_untouched(team, tmp_path):
    master, files = team
    broken = tmp_path / "broken.qualkit"
    broken.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    before = dump(master)
    assert_user_error(cli("merge", master, *files, broken), "broken.qualkit")
    assert dump(master) == before


def test_a_dry_run_writes_nothing(team):
    master, files = team
    before = dump(master)
    result = cli("merge", master, *files, "--dry-run")
    assert result.exit_code == 0 and "dry run: nothing written" in result.stdout
    assert "codings added" in result.stdout and "0 codings added" not in result.stdout
    assert dump(master) == before


def test_the_master_cannot_merge_itself(sample_project):
    assert_user_error(cli("merge", sample_project, sample_project), "master itself")


def test_two_coders_merged_agree_as_if_coded_in_one_file(sample_project, tmp_path):
    both = tmp_path / "both.qualkit"
    shutil.copy(sample_project, both)
    files = []
    for name in ("ana", "ben"):
        path = tmp_path / f"{name}.qualkit"
        shutil.copy(sample_project, path)
        for target in (path, both):
            with Store.open(target) as store:
                import_codings(store, SAMPLE / "codings" / f"{name}.csv")
                session = CodingSession(store, name)
                for doc_id in {c.document_id for c in store.codings.all()}:
                    session.set_done(doc_id)
        files.append(path)
    assert cli("merge", sample_project, *files).exit_code == 0
    merged = cli("agree", sample_project, "--json")
    single = cli("agree", both, "--json")
    assert merged.exit_code == 0 and merged.stdout == single.stdout.replace(str(both),
                                                                           str(sample_project))
    assert '"cohen_kappa"' in merged.stdout


def test_a_renamed_code_and_a_changed_document_are_conflicts(team, tmp_path):
    master, files = team
    ana = files[0]
    with Store.open(ana) as store:
        session = CodingSession(store, "ana")
        code = store.codes.by_name("Training")
        renamed_codings = store.codings.count(code_id=code.id)
        rename_code(session, code.id, "Officer training")
    with Store.open(master) as store:  # the master's copy of one transcript was re-imported
        doc = store.documents.by_name("int_patrol_officer.txt")
        from qualkit.store import now

        store.documents.replace_text(
            doc.id, text="INTERVIEWER: A corrected transcript.\n", sha256="x", format="txt",
            source=None, encoding="utf-8", segments=[(0, 0, "INTERVIEWER", 13, 36)],
            imported_at=now())
    result = cli("merge", master, ana)
    assert result.exit_code == 0
    assert "code 'Officer training' is 'Training' in the master (renamed in one file)" in (
        result.stderr)
    assert "document 'int_patrol_officer.txt': its text differs" in result.stderr
    assert "1 files merged; 2 conflicts" in result.stdout
    with Store.open(master) as store:
        assert store.codes.by_name("Officer training") is None
        training = store.codes.by_name("Training")
        ana_id = store.codings.coder("ana").id
        assert store.codings.count(code_id=training.id, coder_id=ana_id) == 0
        assert renamed_codings > 0 and store.codings.count(coder_id=ana_id) > 0


def test_a_new_document_and_a_new_code_come_over(sample_project, tmp_path):
    coder = tmp_path / "ana.qualkit"
    shutil.copy(sample_project, coder)
    extra = tmp_path / "int_new.txt"
    extra.write_text("INTERVIEWER: Anything else?\n\nOFFICER: More night coverage, please.\n")
    assert cli("import", coder, extra).exit_code == 0
    with Store.open(coder) as store:
        session = CodingSession(store, "ana")
        from qualkit.coding.edit import add_code

        new_code = add_code(session, "Night coverage")
        doc = store.documents.by_name("int_new.txt")
        session.apply(doc.id, new_code, [(38, 72)])
    assert cli("merge", sample_project, coder).exit_code == 0
    with Store.open(sample_project) as store:
        doc = store.documents.by_name("int_new.txt")
        (coding,) = store.codings.for_document(doc.id)
        assert store.documents.text(doc.id)[coding.start:coding.end] == (
            "More night coverage, please.\n"[: 72 - 38])
        assert store.codes.get(coding.code_id).name == "Night coverage"
        assert len(store.documents.segments(doc.id)) == 2


def test_a_memo_edited_later_wins(team):
    master, files = team
    assert cli("merge", master, files[0]).exit_code == 0
    with Store.open(files[0]) as store:
        session = CodingSession(store, "ana")
        memo = store.memos.list()[0]
        session.set_memo(memo.document_id, (memo.start, memo.end), "second thoughts")
    result = cli("merge", master, files[0])
    assert "1 updated" in result.stdout
    with Store.open(master) as store:
        assert "second thoughts" in [m.text for m in store.memos.list()]


def test_reconciliation_decisions_come_over_live_and_undoable(sample_project, tmp_path):
    reconciler = tmp_path / "rec.qualkit"
    shutil.copy(sample_project, reconciler)
    with Store.open(reconciler) as store:
        for name in ("ana", "ben"):
            import_codings(store, SAMPLE / "codings" / f"{name}.csv")
            session = CodingSession(store, name)
            for doc_id in {c.document_id for c in store.codings.all()}:
                session.set_done(doc_id)
        decider = CodingSession(store, "lead").coder
        recon = Reconciler(store, make_plan(store, "ana", "ben"), decider)
        item = recon.plan.items[0]
        recon.decide(item, "both", reason="both readings hold")
        expected = sorted(c.code_id for c in store.codings.for_document(
            item.segment.document_id) if c.coder_id == recon.consensus.id)
    assert cli("merge", sample_project, reconciler).exit_code == 0
    with Store.open(sample_project) as store:
        ana, ben = store.codings.coder("ana"), store.codings.coder("ben")
        live = store.reconcile.live(ana.id, ben.id)
        (decision,) = live.values()
        assert decision.reason == "both readings hold" and decision.decided_by == "lead"
        consensus = store.codings.coder("consensus")
        mine = sorted(c.code_id for c in store.codings.for_document(decision.document_id)
                      if c.coder_id == consensus.id)
        assert len(mine) == len(expected) > 0
        lead = store.codings.coder("lead")
        assert store.history.undo(lead) == "reconcile.decide"  # undone with the master's ids
        assert not [c for c in store.codings.for_document(decision.document_id)
                    if c.coder_id == consensus.id]
        assert store.reconcile.live(ana.id, ben.id) == {}
