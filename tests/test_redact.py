"""De-identification without the NER model: offsets, rules, names lists, decisions, the copy."""

from __future__ import annotations

import json
import re
import sqlite3
import stat

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualkit import redact
from qualkit.errors import InputError
from qualkit.redact import rules
from qualkit.redact.names import read_team_file, speaker_names
from qualkit.redact.text import OffsetMap, Replacement, apply, redact_span
from qualkit.store import Store

from .conftest import assert_user_error, cli, dump

# -- offsets ---------------------------------------------------------------------------------


@st.composite
def _text_and_spans(draw):
    text = draw(st.text(alphabet="ab \né", min_size=1, max_size=80))
    n = len(text)
    reps = []
    for _ in range(draw(st.integers(0, 6))):
        s = draw(st.integers(0, n - 1))
        e = draw(st.integers(s + 1, n))
        reps.append(Replacement(s, e, draw(st.sampled_from(["[P_1]", "[X]", "", "[LONGER_A]"]))))
    s = draw(st.integers(0, n - 1))
    e = draw(st.integers(s + 1, n))
    return text, reps, (s, e)


@settings(max_examples=400, deadline=None)
@given(_text_and_spans())
def test_every_coding_reads_the_redaction_of_its_original_text(case):
    text, reps, (start, end) = case
    omap = OffsetMap(reps)
    new = apply(text, reps)
    ns, ne = omap.span(start, end)
    assert 0 <= ns <= ne <= len(new)
    assert new[ns:ne] == redact_span(text, reps, start, end)
    # untouched text outside every replacement keeps its characters
    if not any(r.start < end and start < r.end for r in omap.replacements):
        assert new[ns:ne] == text[start:end]


def test_a_coding_cut_through_a_name_covers_the_whole_pseudonym():
    text = "I met Marisol Vega at the shelter."
    reps = [Replacement(6, 18, "[CASE_MANAGER_1]")]
    omap = OffsetMap(reps)
    new = apply(text, reps)
    ns, ne = omap.span(0, 10)  # "I met Mari"
    assert new[ns:ne] == "I met [CASE_MANAGER_1]"
    ns, ne = omap.span(22, 33)  # after the name: shifted, unchanged
    assert new[ns:ne] == "the shelter"


# -- rules -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("sentence", "kind", "found"), [
    ("Call me at (206) 555-0142 tonight", "PHONE", "(206) 555-0142"),
    ("her cell is 555-0199", "PHONE", "555-0199"),
    ("write to m.vega@bridgeway.org please", "EMAIL", "m.vega@bridgeway.org"),
    ("she lives at 1412 Pier Road, Apt 3B now", "ADDRESS", "1412 Pier Road, Apt 3B"),
    ("by the Dock Street bakery", "PLACE", "Dock Street"),
    ("arrested on March 3rd, 2025 again", "DATE", "March 3rd, 2025"),
    ("court on 4/17/2026 at nine", "DATE", "4/17/2026"),
    ("I'm 52 and tired", "AGE", "52"),
    ("a forty-one year old woman", "AGE", "forty-one"),
    ("booking number 24-118734 came back", "ID", "24-118734"),
    ("his case number is CR-20931", "ID", "CR-20931"),
])
def test_rules_find_each_kind(sentence, kind, found):
    spans = [(sentence[m.start:m.end], m.kind) for m in rules.find(sentence)]
    assert (found, kind) in spans, spans


def test_rules_leave_ordinary_numbers_alone():
    text = "I'm twenty minutes late, about 30 percent of calls, three years ago."
    assert [m for m in rules.find(text) if m.kind == "AGE"] == []


def test_rules_stay_linear_on_hostile_text():
    import time

    for hostile in ("1" * 200_000, "a@" * 100_000, "1 Aaaa " * 30_000, "-1" * 100_000):
        started = time.process_time()
        list(rules.find(hostile))
        assert time.process_time() - started < 5, hostile[:10]


# -- names -----------------------------------------------------------------------------------


def test_team_file_gives_aliases_one_entity(tmp_path):
    path = tmp_path / "names.csv"
    path.write_text("name,kind,aliases,label\nMarisol Vega,person,Marisol; Ms. Vega,"
                    "CASE_MANAGER_1\nLEAD,keep,,\n")
    entries = read_team_file(path)
    assert {e.alias for e in entries if e.name == "Marisol Vega"} == {
        "Marisol Vega", "Marisol", "Ms. Vega"}
    detector = redact.Detector(entries, ner=False)
    found = detector.find("Ms. Vega said LEAD works. Marisol agreed; MARISOL VEGA laughed.")
    assert [f.text for f in found] == ["Ms. Vega", "Marisol", "MARISOL VEGA"]
    assert len({f.key for f in found}) == 1


def test_team_file_errors_name_the_line(tmp_path):
    path = tmp_path / "names.csv"
    path.write_text("name,kind\nMarisol,person\nHarbor,planet\n")
    with pytest.raises(InputError, match=r"names.csv line 3: kind 'planet'"):
        read_team_file(path)


def test_speaker_labels_that_are_names_become_known_names():
    entries = speaker_names([("MARIA", "case manager"), ("OFFICER 2", "patrol officer"),
                             ("INTERVIEWER", "interviewer"), ("PARTICIPANT", "LEAD participant")])
    assert [(e.name, e.label) for e in entries] == [("Maria", "CASE_MANAGER_")]


# -- review and copy through the CLI (rules and names only) -----------------------------------

TEXT = ("INTERVIEWER: Where did you meet Marisol Vega?\n\n"
        "PARTICIPANT: At 1412 Pier Road. Marisol gave me her number, 555-0142. "
        "Officer Dunn was there too, and Dunn is fine.\n")


@pytest.fixture
def small_project(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "int_a.txt").write_text(TEXT)
    path = tmp_path / "p.qualkit"
    assert cli("init", path).exit_code == 0
    assert cli("import", path, folder / "int_a.txt").exit_code == 0
    names = tmp_path / "names.csv"
    names.write_text("name,kind,aliases,label\nMarisol Vega,person,Marisol,\n"
                     "Dunn,person,Officer Dunn,OFFICER_1\n")
    return path, names


def test_scan_json_then_apply_with_decisions(small_project, tmp_path):
    path, names = small_project
    result = cli("redact", "scan", path, "--names", names, "--no-ner", "--json")
    assert result.exit_code == 0, result.stderr
    found = json.loads(result.stdout)
    texts = [c["text"] for c in found]
    assert texts == ["Marisol Vega", "1412 Pier Road", "Marisol", "555-0142", "Officer Dunn",
                     "Dunn"]
    assert {c["label"] for c in found if "Marisol" in c["text"]} == {"[PERSON_1]"}
    assert {c["label"] for c in found if "Dunn" in c["text"]} == {"[OFFICER_1]"}

    out = tmp_path / "copy.qualkit"
    before = dump(path)
    assert_user_error(cli("redact", "apply", path, "-o", out), "6 candidates not reviewed")
    for c in found:
        c["decision"] = "reject" if c["text"] == "Dunn" else "accept"
    decisions = tmp_path / "decisions.json"
    decisions.write_text(json.dumps(found))
    result = cli("redact", "apply", path, "-o", out, "--decisions", decisions)
    assert result.exit_code == 0, result.stderr
    assert dump(path) == before  # the original is never changed
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    with Store.open(out) as copy:
        text = copy.documents.text(copy.documents.list()[0].id)
        assert redact.candidates(copy) == []
    assert text == ("INTERVIEWER: Where did you meet [PERSON_1]?\n\n"
                    "PARTICIPANT: At [ADDRESS]. [PERSON_1] gave me her number, [PHONE]. "
                    "[OFFICER_1] was there too, and Dunn is fine.\n")
    assert_user_error(cli("redact", "apply", path, "-o", out, "--accept-all"),
                      "already exists", "--force")


def test_accept_all_of_a_string_reaches_occurrences_the_detector_missed(small_project, tmp_path):
    path, _ = small_project
    with Store.open(path) as store:
        found = redact.scan(store, ner=False)
        phone = next(c for c in found if c.kind == "PHONE")
        redact.decide(store, phone, "accept")
        address = next(c for c in found if c.kind == "ADDRESS")
        redact.decide(store, address, "accept")
        # without NER or a names list nothing proposes "Marisol": a reviewer marks it everywhere
        from qualkit.store.redaction import Decision

        assert not any("Marisol" in c.text for c in found)
        store.redaction.decide(Decision("string", None, None, None, "Marisol", "accept"))
        left = [c for c in redact.candidates(store) if c.decision is None]
        for c in left:
            redact.decide(store, c, "reject")
        redact.write_copy(store, tmp_path / "c.qualkit")
    with Store.open(tmp_path / "c.qualkit") as copy:
        text = copy.documents.text(copy.documents.list()[0].id)
    assert "Marisol" not in text and text.count("[OTHER_A]") == 2
    assert "Officer Dunn" in text  # rejected


def test_codings_memos_and_events_follow_the_new_text(small_project, tmp_path):
    path, names = small_project
    assert cli("codebook", path, "--load", _codebook(tmp_path)).exit_code == 0
    with Store.open(path) as store:
        from qualkit.coding import CodingSession

        doc = store.documents.list()[0]
        original = store.documents.text(doc.id)
        code = store.codes.list()[0]
        spans = [(m.start(), m.end()) for m in re.finditer(r"[^.?\n]+[.?]", original)]
        name = original.index("Marisol Vega")
        spans += [(name, name + 12), (name + 3, name + 20)]  # one cuts into "Marisol Vega"
        for i, span in enumerate(spans):  # a coder each: one coder's overlapping spans merge
            session = CodingSession(store, f"coder{i}")
            session.apply(doc.id, code.id, [span])
        session.set_memo(doc.id, (name, name + 12), "Marisol Vega again: ask about 555-0142")
        redact.load_names(store, names)
        for c in redact.scan(store, ner=False):
            redact.decide(store, c, "accept")
        the_plan = redact.plan(store)
        result = redact.write_copy(store, tmp_path / "c.qualkit")
    reps = the_plan.replacements[doc.id]
    with Store.open(tmp_path / "c.qualkit") as copy:
        new = copy.documents.text(doc.id)
        con = copy.db.conn
        codings = con.execute('SELECT start, "end" FROM codings ORDER BY id').fetchall()
        memo = con.execute("SELECT text, start, \"end\" FROM memos").fetchone()
        segments = con.execute('SELECT start, "end", text FROM segments').fetchall()
        events = [json.loads(r[0]) for r in con.execute("SELECT detail FROM events")]
    assert len(codings) == len(spans) == result.codings
    for (start, end), (ns, ne) in zip(spans, codings, strict=True):
        assert new[ns:ne] == redact_span(original, reps, start, end)
    assert memo[0] == "[PERSON_1] again: ask about [PHONE]"
    assert new[memo[1]:memo[2]] == "[PERSON_1]"
    assert all(new[s:e] == t for s, e, t in segments)
    remapped = [ch["row"] for e in events for ch in e.get("changes", [])
                if ch["table"] == "codings"]
    assert sorted((r["start"], r["end"]) for r in remapped) == sorted(codings)


def _codebook(tmp_path):
    path = tmp_path / "cb.yaml"
    path.write_text("codes:\n  - name: Support\n")
    return path


def test_copy_holds_no_removed_string_in_any_byte(small_project, tmp_path):
    path, names = small_project
    assert cli("redact", "scan", path, "--names", names, "--no-ner").exit_code == 0
    out = tmp_path / "c.qualkit"
    assert cli("redact", "apply", path, "-o", out, "--accept-all").exit_code == 0
    data = out.read_bytes().decode("latin-1")
    for removed in ("Marisol", "Vega", "Pier Road", "555-0142", "Dunn"):
        assert not re.search(rf"(?<![A-Za-z0-9]){re.escape(removed)}", data, re.IGNORECASE), \
            removed
    con = sqlite3.connect(out)
    assert con.execute("SELECT count(*) FROM segments_fts WHERE segments_fts MATCH 'marisol'"
                       ).fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM segments_fts WHERE segments_fts MATCH 'PERSON_1'"
                       ).fetchone()[0] > 0
    con.close()
    assert not (tmp_path / "c.qualkit-wal").exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_bad_decisions_and_names_files_are_one_line_errors(small_project, tmp_path):
    path, _ = small_project
    assert cli("redact", "scan", path, "--no-ner").exit_code == 0
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert_user_error(cli("redact", "apply", path, "-o", tmp_path / "c.qualkit", "--decisions",
                          bad), "bad.json", "scan PROJECT --json")
    bad.write_text(json.dumps([{"text": "x", "decision": "maybe"}]))
    assert_user_error(cli("redact", "apply", path, "-o", tmp_path / "c.qualkit", "--decisions",
                          bad), "item 1", "'maybe'")
    bad.write_text(json.dumps([{"text": "x", "decision": "accept", "document": "nope"}]))
    assert_user_error(cli("redact", "apply", path, "-o", tmp_path / "c.qualkit", "--decisions",
                          bad), "item 1", "needs document")
    names = tmp_path / "names.csv"
    names.write_text("who,kind\nA,person\n")
    before = dump(path)
    assert_user_error(cli("redact", "scan", path, "--names", names), "line 1",
                      "missing column(s) name")
    assert dump(path) == before
    assert not (tmp_path / "c.qualkit").exists()
