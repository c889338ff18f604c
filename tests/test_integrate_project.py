"""Themes meet outcomes on the sample project through the CLI: joint display, links, groups,
cases, equity, every table as CSV/XLSX/JSON, and bad input that leaves the project untouched."""

from __future__ import annotations

import json
import stat

import pandas as pd
import pytest

from qualkit.store import Store

from .conftest import assert_user_error, cli, dump
from .integrate_helpers import COHORT, LINKS, RUN, build_sample, fresh_copy


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return build_sample(tmp_path_factory.mktemp("integrate") / "sample.qualkit")


@pytest.fixture
def project(template, tmp_path):
    return fresh_copy(template, tmp_path)


def run_json(*args):
    result = cli(*args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


# -- the joint display and its links ----------------------------------------------------------


def test_joint_display_numbers_are_the_saved_runs(project):
    saved = run_json("outcomes", "show", project, RUN)
    shown = run_json("joint", project, "--run", RUN, "--links", LINKS)
    assert [r["outcome"] for r in shown["rows"]] == [e["outcome"] for e in saved["effects"]]
    for row, effect in zip(shown["rows"], saved["effects"], strict=True):
        for key in ("estimate", "ci_low", "ci_high", "p", "estimator", "rate_ratio"):
            assert row[key] == effect[key], key
    misd = next(r for r in shown["rows"] if r["outcome"] == "misd_arrests")
    assert [t["code"] for t in misd["themes"]] == ["Warm handoff", "Collaboration"]
    assert misd["fit"] == "confirmation" and misd["meta_inference"].startswith("Matched")
    for theme in misd["themes"]:
        assert 1 <= len(theme["quotes"]) <= 3
        assert all(len(q["text"]) <= 300 and q["document"] and q["speaker"]
                   for q in theme["quotes"])
    assert shown["coders"] == "union of ana, ben, rita" and len(shown["documents"]) == 12


def test_links_are_stored_once_with_an_audit_event(project):
    first = cli("joint", project, "--run", RUN, "--links", LINKS)
    assert first.exit_code == 0 and "stored from" in first.stdout
    before = dump(project)
    again = cli("joint", project, "--run", RUN, "--links", LINKS)
    assert "unchanged" in again.stdout and dump(project) == before
    with Store.open(project) as store:
        assert [e.detail["run"] for e in store.events(action="links.set")] == [RUN]
        links = {k.outcome: k for k in store.integration.links(RUN)}
        names = {c.id: c.name for c in store.codes.list()}
        assert [names[i] for i in links["felony_cases"].code_ids] == ["Bias concerns"]
        assert links["citations"].fit == "discordance"
        assert store.integration.groups(RUN)["outcomes"] == "district"
    # stored links are what the display shows without the file
    shown = run_json("joint", project, "--run", RUN)
    assert next(r for r in shown["rows"] if r["outcome"] == "citations")["fit"] == "discordance"


BAD_LINKS = [
    ("links:\n  - outcome: misd_arrests\n    codes: [Warm handof]\n",
     ["line 3", "unknown code 'Warm handof'", "did you mean 'Warm handoff'"]),
    ("links:\n  - outcome: arrests\n    codes: [Warm handoff]\n",
     ["line 2", "outcome 'arrests'", "is not an outcome of run 'sample-nn'"]),
    ("run: other\nlinks:\n  - outcome: misd_arrests\n    codes: [Warm handoff]\n",
     ["line 1", "run 'other'", "does not match the run"]),
    ("links:\n  - outcome: misd_arrests\n    codes: [Warm handoff]\n    fit: agreement\n",
     ["line 4", "fit 'agreement'", "confirmation"]),
    ("links:\n  - outcome: misd_arrests\n    fit: expansion\n", ["line 2", "no `codes:`"]),
    ("links:\n  - outcome: misd_arrests\n    codes: [Collaboration]\n"
     "  - outcome: misd_arrests\n    codes: [Warm handoff]\n", ["line 4", "linked twice"]),
    ("links:\n  - outcome: misd_arrests\n    codez: [Collaboration]\n",
     ["line 3", "unknown field 'codez'"]),
    ("links: [\n", ["YAML syntax error"]),
]


@pytest.mark.parametrize(("text", "needles"), BAD_LINKS, ids=range(len(BAD_LINKS)))
def test_bad_links_files_are_refused_and_change_nothing(project, tmp_path, text, needles):
    path = tmp_path / "links.yaml"
    path.write_text(text)
    before = dump(project)
    assert_user_error(cli("joint", project, "--run", RUN, "--links", path), str(path), *needles)
    assert dump(project) == before


def test_unknown_run_and_missing_links_file(project, tmp_path):
    before = dump(project)
    assert_user_error(cli("joint", project, "--run", "nope"), "no outcome run named 'nope'",
                      RUN)
    assert_user_error(cli("joint", project, "--run", RUN, "--links", tmp_path / "x.yaml"),
                      "no such links file")
    assert dump(project) == before


def test_a_run_saved_without_its_data_says_so(project):
    with Store.open(project) as store:
        run = store.runs.outcome_run(RUN)
        store.runs.save_outcome_run("old", params=run.params, result=run.result,
                                    pairs=run.pairs)  # as qualkit saved runs before
    before = dump(project)
    for args in (["--view", "groups", "--group", "site=district", "--codes", "Warm handoff"],
                 ["--view", "cases", "--codes", "Warm handoff"]):
        assert_user_error(cli("joint", project, "--run", "old", *args),
                          "run 'old' was saved without its matched data", "--save")
    assert_user_error(cli("equity", project, "--run", "old", "--by", "race"),
                      "saved without its matched data")
    assert dump(project) == before
    assert cli("joint", project, "--run", "old").exit_code == 0  # the display needs no data


# -- group level ------------------------------------------------------------------------------


def test_group_view_shows_effects_by_district_beside_their_documents(project):
    data = run_json("joint", project, "--run", RUN, "--links", LINKS, "--view", "groups")
    rows = {(r["group"], r["outcome"]): r for r in data["rows"]}
    assert {g for g, _ in rows} == {"Eastside", "Harbor", "North End"}
    east = rows[("Eastside", "misd_arrests")]
    assert east["documents"] == ["fg_patrol_officers.vtt", "int_participant_eastside.md",
                                 "int_patrol_officer.txt"]
    assert east["n_treated"] == east["n_treated_matched"] == 46 and east["status"] == "ok"
    assert rows[("North End", "misd_arrests")]["documents"] == ["int_participant_northend.txt"]
    theme = east["themes"][0]
    assert theme["code"] == "Warm handoff" and theme["of_documents"] == 3
    assert all(q["document"] in east["documents"] for t in east["themes"] for q in t["quotes"])


@pytest.mark.parametrize(("args", "needles"), [
    (["--group", "site=district"], ["site 'Ashford LEAD program office'", "maps to no value",
                                     "`map:`"]),
    (["--group", "site=district", "--map", "Eastside precinct=Eastsde"],
     ["'Eastsde'", "is not a value of 'district'"]),
    (["--group", "colour=district"], ["documents have no attribute 'colour'"]),
    (["--group", "site=precinct"], ["'precinct'", "is not a column of run 'sample-nn'"]),
    (["--group", "site"], ["--group 'site' needs the form"]),
    ([], ["name the variable on both sides"]),
])
def test_group_view_bad_input(project, args, needles):
    before = dump(project)
    assert_user_error(cli("joint", project, "--run", RUN, "--codes", "Warm handoff", "--view",
                          "groups", *args), *needles)
    assert dump(project) == before


# -- case level -------------------------------------------------------------------------------


def test_case_view_joins_participant_interviews_to_their_outcome_rows(project):
    data = run_json("joint", project, "--run", RUN, "--links", LINKS, "--view", "cases")
    cohort = pd.read_csv(COHORT).set_index("id")
    cases = {c["case_id"]: c for c in data["cases"]}
    assert set(cases) == {"P0024", "P0231", "P0260"}
    for case_id, row in cases.items():
        assert row["treated"] == 1
        assert row["misd_arrests"] == cohort.loc[case_id, "misd_arrests"]
    assert data["unmatched"] == [] and "3 of 3 case id(s) matched" in data["notes"][0]
    for row in data["rows"]:
        assert row["p"] is None  # three cases: never a p-value
        assert "fewer than 5 cases" in row["warning"]


def test_case_view_lists_unmatched_ids_and_refuses_when_none_match(project):
    with Store.open(project) as store, store.atomic():
        doc = store.documents.by_name("int_outreach_peer.vtt")
        store.documents.set_metadata(doc.id, {"case_id": "P9999"}, {})
    data = run_json("joint", project, "--run", RUN, "--links", LINKS, "--view", "cases")
    assert data["unmatched"] == ["P9999"] and "not found: P9999" in data["notes"][0]
    with Store.open(project) as store, store.atomic():
        for d in store.documents.list():
            if d.case_id:
                store.documents.set_metadata(d.id, {"case_id": "X" + d.case_id}, {})
    before = dump(project)
    assert_user_error(cli("joint", project, "--run", RUN, "--links", LINKS, "--view", "cases"),
                      "none of the 4 case id(s)", "XP0024", "check case_id")
    assert dump(project) == before


def test_sample_participants_are_treated_people_of_the_district_their_site_maps_to():
    from qualkit.integrate import load_links

    from .conftest import SAMPLE

    documents = pd.read_csv(SAMPLE / "documents.csv")
    cohort = pd.read_csv(COHORT).set_index("id")
    mapping = load_links(LINKS).groups.mapping
    participants = documents[documents.case_id.notna()]
    assert len(participants) == 3
    for row in participants.itertuples():
        person = cohort.loc[row.case_id]
        assert person.treated == 1
        assert mapping[row.site] == (person.district,)
    assert set(documents.site) <= set(mapping)  # every site is mapped (or mapped to none)


# -- equity lens ------------------------------------------------------------------------------


def test_equity_by_race_and_sex_beside_the_bias_concern_quotes(project):
    race = run_json("equity", project, "--run", RUN, "--by", "race")
    rows = {(r["outcome"], r["subgroup"]): r for r in race["rows"]}
    assert rows[("misd_arrests", "Other")]["status"].startswith("too small to estimate")
    assert rows[("misd_arrests", "Black")]["status"] == "ok"
    assert rows[("misd_arrests", "Black")]["interaction_df"] == 2
    assert race["theme"]["code"] == "Bias concerns"
    assert any("differ from their treated partner on 'race'" in n for n in race["notes"])
    assert "LEAD participant" in race["theme"]["quotes_by_role"]
    sex = run_json("equity", project, "--run", RUN, "--by", "sex", "--outcomes", "misd_arrests")
    assert {r["subgroup"] for r in sex["rows"]} == {"Female", "Male"}
    assert sex["rows"][0]["interaction_df"] == 1


@pytest.mark.parametrize(("args", "needles"), [
    (["--by", "colour"], ["'colour' (--by) is not a column"]),
    (["--by", "race", "--levels", "Asian"], ["subgroup 'Asian' of 'race' has no treated"]),
    (["--by", "age"], ["'age' has", "values among the treated"]),
    (["--by", "treated"], ["'treated' has 1 value(s) among the treated"]),
    (["--by", "race", "--code", "Biass"], ["unknown code 'Biass'"]),
    (["--by", "race", "--outcomes", "arrests"], ["'arrests' is not an outcome"]),
])
def test_equity_bad_input(project, args, needles):
    before = dump(project)
    assert_user_error(cli("equity", project, "--run", RUN, *args), *needles)
    assert dump(project) == before


# -- every table in every format --------------------------------------------------------------


@pytest.mark.parametrize("command", [
    ["matrix"], ["crosstab", "kind"], ["cooccur"], ["saturation"],
    ["joint", "--run", RUN, "--links", str(LINKS)], ["equity", "--run", RUN, "--by", "sex"],
    ["joint", "--run", RUN, "--links", str(LINKS), "--view", "quotes"],
])
def test_every_table_comes_out_as_csv_xlsx_json_and_markdown(project, tmp_path, command):
    files = {fmt: tmp_path / f"t.{fmt}" for fmt in ("csv", "xlsx", "markdown")}
    result = cli(command[0], project, *command[1:], "--json", "--csv", files["csv"],
                 "--xlsx", files["xlsx"], "--markdown", files["markdown"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["coders"] and data["documents"] and data["rows"]
    for path in files.values():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    csv = pd.read_csv(files["csv"], comment="#")
    assert len(csv) == len(data["rows"])
    assert pd.read_excel(files["xlsx"], sheet_name="about").shape[0] >= 2
    assert "coders:" in files["markdown"].read_text()
