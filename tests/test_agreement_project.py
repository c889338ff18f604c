"""Agreement on a project: units with known answers, document choice, output, bad input."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from qualkit.agreement.project import project_agreement, reliability
from qualkit.agreement.stats import Ratings, cohen_kappa, summarize
from qualkit.agreement.stats.binary import summary
from qualkit.agreement.stats.summary import STATISTICS
from qualkit.agreement.units import (
    character_counts,
    pattern_counts,
    pattern_keys,
    segment_presence,
)
from qualkit.errors import InputError, QualkitError
from qualkit.store import Store

from .agreement_helpers import code, done, make_project, seg
from .conftest import SAMPLE, assert_user_error, cli, dump


@pytest.fixture
def tiny(tmp_path):
    """d1 and d2 (four segments each), codes A and B; nobody has coded yet."""
    return make_project(tmp_path / "tiny.qualkit", documents=("d1.txt", "d2.txt"))


def agreement(path, **options):
    with Store.open(path) as store:
        return project_agreement(store, **options)


def applied(result, code_name="A"):
    row = next(r for r in result.codes if r.code == code_name)
    return dict(zip(result.coders, row.applied, strict=True))


# -- the segment unit ---------------------------------------------------------------------------


def test_any_overlap_counts_one_character(tiny):
    code(tiny, "ana", [("d1.txt", "A", 0, 10), ("d1.txt", "A", 15, 16)])
    code(tiny, "ben", [("d1.txt", "A", 0, 21)])
    done(tiny, "ana", "d1.txt")
    done(tiny, "ben", "d1.txt")
    result = agreement(tiny)
    assert result.n_units == 4
    assert applied(result) == {"ana": 2, "ben": 2}
    assert result.codes[0].summary.percent_agreement == 1.0


@pytest.mark.parametrize(
    ("overlap", "ana_applied"),
    [(0.0, 2), (0.1, 2), (0.3, 2), (0.31, 1), (0.5, 1), (1.0, 1)],
)
def test_overlap_share_of_one_span(tiny, overlap, ana_applied):
    # ana's second span covers 3 of segment 1's 10 characters: exactly 0.3 still counts.
    code(tiny, "ana", [("d1.txt", "A", 0, 10), ("d1.txt", "A", 11, 14)])
    code(tiny, "ben", [("d1.txt", "A", 0, 21)])
    done(tiny, "ana", "d1.txt")
    done(tiny, "ben", "d1.txt")
    assert applied(agreement(tiny, overlap=overlap)) == {"ana": ana_applied, "ben": 2}


def test_overlap_is_per_span_not_the_union(tiny):
    # Two adjacent spans cover 4 + 6 characters of segment 1: neither alone reaches 0.7.
    code(tiny, "ana", [("d1.txt", "A", 11, 15), ("d1.txt", "A", 15, 21)])
    code(tiny, "ben", [("d1.txt", "A", 11, 21)])
    done(tiny, "ana", "d1.txt")
    done(tiny, "ben", "d1.txt")
    assert applied(agreement(tiny, overlap=0.7)) == {"ana": 0, "ben": 1}
    assert applied(agreement(tiny, overlap=0.6)) == {"ana": 1, "ben": 1}


def test_a_span_between_segments_touches_none(tiny):
    code(tiny, "ana", [("d1.txt", "A", 10, 11)])  # the newline between segments 0 and 1
    code(tiny, "ben", [("d1.txt", "B", 0, 1)])
    done(tiny, "ana", "d1.txt")
    done(tiny, "ben", "d1.txt")
    assert applied(agreement(tiny)) == {"ana": 0, "ben": 0}


def _brute_presence(seg_bounds, spans, n_codes, n_coders, overlap):
    present = np.zeros((len(seg_bounds), n_codes, n_coders), dtype=bool)
    for i, (s, e) in enumerate(seg_bounds):
        for a, b, c, k in spans:
            covered = min(e, b) - max(s, a)
            if covered > 0 and covered >= overlap * (e - s) - 1e-9:
                present[i, c, k] = True
    return present


def _brute_characters(total, spans, n_codes, n_coders):
    counts = np.zeros((n_codes, 1 << n_coders), dtype=np.int64)
    for c in range(n_codes):
        marks = np.zeros((total, n_coders), dtype=bool)
        for a, b, code_index, k in spans:
            if code_index == c:
                marks[a:b, k] = True
        keys = marks @ (1 << np.arange(n_coders))
        counts[c] = np.bincount(keys, minlength=1 << n_coders)
    return counts


@pytest.mark.parametrize("seed", range(25))
def test_vectorised_units_match_a_loop_per_character(seed):
    rng = np.random.default_rng(seed)
    lengths = rng.integers(1, 12, size=rng.integers(1, 15))
    ends = np.cumsum(lengths + rng.integers(0, 3, size=lengths.size))
    starts = ends - lengths
    total = int(ends[-1] + rng.integers(0, 4))
    n_codes, n_coders = int(rng.integers(1, 4)), int(rng.integers(2, 5))
    m = int(rng.integers(0, 30))
    a = rng.integers(0, total, size=m)
    b = np.minimum(a + rng.integers(1, 15, size=m), total)
    spans = np.column_stack([a, b, rng.integers(0, n_codes, m), rng.integers(0, n_coders, m)])
    overlap = float(rng.choice([0.0, 0.25, 0.5, 1.0]))
    bounds = list(zip(starts.tolist(), ends.tolist(), strict=True))
    expected = _brute_presence(bounds, spans.tolist(), n_codes, n_coders, overlap)
    got = segment_presence(starts, ends, spans.astype(np.int64), n_codes=n_codes,
                           n_coders=n_coders, overlap=overlap)
    assert (got == expected).all()
    chars = character_counts(total, spans.astype(np.int64), n_codes=n_codes, n_coders=n_coders)
    assert (chars == _brute_characters(total, spans.tolist(), n_codes, n_coders)).all()


# -- the character unit -------------------------------------------------------------------------


def test_character_unit_counts_every_character_of_the_documents(tiny):
    code(tiny, "ana", [("d1.txt", "A", 0, 10), ("d1.txt", "A", 5, 15)])  # union: 0-15
    code(tiny, "ben", [("d1.txt", "A", 5, 21)])
    done(tiny, "ana", "d1.txt")
    done(tiny, "ben", "d1.txt")
    result = agreement(tiny, unit="character")
    assert result.n_units == 44
    assert applied(result) == {"ana": 15, "ben": 16}
    # both: 5-15 (10); ana only: 0-5 (5); ben only: 15-21 (6); neither: 23.
    assert result.codes[0].summary.percent_agreement == pytest.approx((10 + 23) / 44)
    expected = Ratings(np.array([[1, 1]] * 10 + [[1, 0]] * 5 + [[0, 1]] * 6 + [[0, 0]] * 23),
                       (0, 1))
    assert result.codes[0].summary.cohen_kappa == pytest.approx(cohen_kappa(expected))


# -- statistics on the units --------------------------------------------------------------------


def _three_coders(tiny):
    code(tiny, "ana", [("d1.txt", "A", *seg(0)), ("d1.txt", "B", *seg(1)),
                       ("d2.txt", "A", *seg(2)), ("d2.txt", "B", *seg(3))])
    code(tiny, "ben", [("d1.txt", "A", *seg(0)), ("d1.txt", "A", *seg(1)),
                       ("d2.txt", "A", *seg(2))])
    code(tiny, "cid", [("d1.txt", "B", *seg(1)), ("d2.txt", "A", *seg(2)),
                       ("d2.txt", "B", *seg(3)), ("d2.txt", "B", *seg(0))])
    for name in ("ana", "ben", "cid"):
        done(tiny, name)


def _stacked(present):
    """Units x codes x coders -> every (unit, code) decision as one row of ratings."""
    n, c, k = present.shape
    return Ratings(present.reshape(n * c, k).astype(int), (0, 1))


def test_per_code_pooled_and_pairwise_match_summarize_on_the_unit_matrix(tiny):
    _three_coders(tiny)
    result = agreement(tiny)
    assert result.coders == ("ana", "ben", "cid")
    a = np.array([[1, 1, 0], [0, 1, 0], [0, 0, 0], [0, 0, 0],
                  [0, 0, 0], [0, 0, 0], [1, 1, 1], [0, 0, 0]], dtype=bool)
    b = np.array([[0, 0, 0], [1, 0, 1], [0, 0, 0], [0, 0, 0],
                  [0, 0, 1], [0, 0, 0], [0, 0, 0], [1, 0, 1]], dtype=bool)
    present = np.stack([a, b], axis=1)
    for index, row in enumerate(result.codes):
        expected = summarize(Ratings(present[:, index].astype(int), (0, 1)))
        for name in STATISTICS:
            assert getattr(row.summary, name) == pytest.approx(getattr(expected, name)), name
    pooled = summarize(_stacked(present))
    for name in STATISTICS:
        assert getattr(result.pooled.summary, name) == pytest.approx(getattr(pooled, name))
    stacked = _stacked(present).codes
    for i in range(3):
        assert result.pairwise[i][i] is None
        for j in range(3):
            if i != j:
                pair = Ratings(stacked[:, [i, j]], (0, 1))
                assert result.pairwise[i][j] == pytest.approx(cohen_kappa(pair))


def test_pattern_counts_give_the_same_values_as_summarize():
    rng = np.random.default_rng(7)
    present = rng.random((300, 2, 3)) < 0.3
    counts = pattern_counts(pattern_keys(present), 3)
    for c in range(2):
        ours = summary(counts[c], 3, n_boot=200, rng=np.random.default_rng(1))
        theirs = summarize(Ratings(present[:, c].astype(int), (0, 1)))
        for name in STATISTICS:
            assert getattr(ours, name) == pytest.approx(getattr(theirs, name))
        assert ours.interval("krippendorff_alpha").low is not None


def test_bootstrap_gives_intervals_per_code_and_pooled(tiny):
    _three_coders(tiny)
    result = agreement(tiny, n_boot=200, seed=3)
    again = agreement(tiny, n_boot=200, seed=3)
    assert result.pooled.summary.interval("percent_agreement").low is not None
    assert result.to_dict() == again.to_dict()
    assert "percent_agreement_ci" in result.to_dict()["pooled"]


def test_reliability_thresholds():
    assert [reliability(v) for v in (None, 0.9, 0.8, 0.7999, 0.667, 0.5)] == [
        None, "reliable", "reliable", "tentative", "tentative", "unreliable"]


# -- which documents ----------------------------------------------------------------------------


def test_only_documents_every_coder_finished_and_the_rest_explained(tiny):
    code(tiny, "ana", [("d1.txt", "A", *seg(0)), ("d2.txt", "A", *seg(0))])
    code(tiny, "ben", [("d1.txt", "A", *seg(0)), ("d2.txt", "B", *seg(0))])
    done(tiny, "ana", "d1.txt", "d2.txt")
    done(tiny, "ben", "d1.txt")
    result = agreement(tiny)
    assert result.documents == ("d1.txt",)
    assert [(x.document, x.reason) for x in result.left_out] == [
        ("d2.txt", "not marked done by ben")]
    assert result.codes[0].summary.percent_agreement == 1.0
    named = agreement(tiny, documents=["d1.txt"], coders=["ana", "ana", "ben"])
    assert named.coders == ("ana", "ben")
    assert [(x.document, x.reason) for x in named.left_out] == [
        ("d2.txt", "not among the documents chosen")]
    with pytest.raises(QualkitError, match="no document"):
        agreement(tiny, documents=["d2.txt"])


def test_default_coders_are_humans_with_codings(tiny):
    code(tiny, "ana", [("d1.txt", "A", *seg(0))])
    code(tiny, "ben", [("d1.txt", "A", *seg(0))])
    code(tiny, "half", [("d1.txt", "A", *seg(1))])  # has finished no document
    with Store.open(tiny) as store, store.atomic():
        store.codings.ensure_coder("idle")  # no codings
        consensus = store.codings.ensure_coder("consensus", kind="consensus")
        store._sql('INSERT INTO codings (document_id, code_id, coder_id, start, "end", '
                      "created_at) VALUES (1, 1, ?, 0, 5, 'x')", [consensus.id])
    for name in ("ana", "ben", "consensus"):
        done(tiny, name, "d1.txt")
    assert agreement(tiny).coders == ("ana", "ben")
    assert agreement(tiny, coders=["consensus", "ana"]).coders == ("consensus", "ana")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"coders": ["ana"]}, "at least 2 coders"),
        ({"coders": ["ana", "zed"]}, "unknown coder 'zed'"),
        ({"documents": ["nope.txt"]}, "unknown document 'nope.txt'"),
        ({"overlap": 1.5}, "^overlap must lie between 0 and 1"),
        ({"unit": "word"}, "unknown unit"),
        ({"unit": "character", "n_boot": 10}, "use unit segment"),
    ],
)
def test_bad_options_are_input_errors(tiny, options, message):
    code(tiny, "ana", [("d1.txt", "A", *seg(0))])
    code(tiny, "ben", [("d1.txt", "A", *seg(0))])
    done(tiny, "ana")
    done(tiny, "ben")
    with pytest.raises(InputError, match=message):
        agreement(tiny, **options)


def test_no_finished_document_is_an_error(tiny):
    code(tiny, "ana", [("d1.txt", "A", *seg(0))])
    code(tiny, "ben", [("d1.txt", "A", *seg(0))])
    done(tiny, "ana")
    with pytest.raises(QualkitError, match=r"no document is marked done by every coder"):
        agreement(tiny)
    with pytest.raises(QualkitError, match=r"done by every compared coder \(ana, ben\)"):
        agreement(tiny, coders=["ana", "ben"])


# -- the CLI ------------------------------------------------------------------------------------


@pytest.fixture
def coded(tiny):
    _three_coders(tiny)
    return tiny


def test_cli_prints_the_per_code_table_pooled_and_pairwise(coded):
    result = cli("agree", coded, "--coders", "ana,ben")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "Agreement of ana, ben on 2 documents" in out
    assert "(pooled)" in out and "Pairwise Cohen's kappa" in out
    assert "All 2 documents were compared." in out


def test_cli_json_has_null_never_nan(coded):
    result = cli("agree", coded, "--json")
    data = json.loads(result.stdout, parse_constant=lambda c: pytest.fail(f"{c} in JSON"))
    assert data["coders"] == ["ana", "ben", "cid"]
    assert [c["code"] for c in data["codes"]] == ["A", "B"]
    assert set(STATISTICS) <= set(data["pooled"])
    assert data["codes"][0]["cohen_kappa"] is None  # three coders
    assert any("cohen_kappa is undefined" in n for n in data["codes"][0]["notes"])
    assert data["pairwise_cohen_kappa"]["ana"]["ana"] is None


def test_cli_csv_file(coded, tmp_path):
    target = tmp_path / "agree.csv"
    result = cli("agree", coded, "--csv", target, "--bootstrap", "50", "--seed", "1")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(target.open()))
    assert [r["code"] for r in rows] == ["A", "B", "(pooled)"]
    assert {"applied_ana", "krippendorff_alpha", "krippendorff_alpha_ci_low"} <= set(rows[0])


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["--coders", "ana"], ["at least 2 coders"]),
        (["--coders", "ana,zed"], ["unknown coder 'zed'", "ana, ben, cid"]),
        (["--documents", "x.txt"], ["unknown document 'x.txt'"]),
        (["--level", "ordinal"], ["--ratings"]),
        (["--json", "--csv", "x.csv"], ["--json or --csv"]),
        (["--ratings", "x.csv"], ["a PROJECT or --ratings"]),
        (["--gold", "ana"], ["--train"]),
    ],
)
def test_cli_bad_input_is_one_line(coded, args, needles):
    before = dump(coded)
    assert_user_error(cli("agree", coded, *args), *needles)
    assert dump(coded) == before


def test_cli_no_completed_documents(tiny):
    code(tiny, "ana", [("d1.txt", "A", *seg(0))])
    code(tiny, "ben", [("d1.txt", "A", *seg(0))])
    assert_user_error(cli("agree", tiny), "no document is marked done", "codings done")


def test_cli_project_with_one_coder(tiny):
    code(tiny, "ana", [("d1.txt", "A", *seg(0))])
    done(tiny, "ana")
    assert_user_error(cli("agree", tiny), "at least 2 coders", "--coders")


def test_agree_on_the_sample_project_prints_the_table(sample_project):
    for coder in ("ana", "ben"):
        assert cli("codings", "import", sample_project, SAMPLE / "codings" / f"{coder}.csv",
                   "--coder", coder).exit_code == 0
        assert cli("codings", "done", sample_project, "--coder", coder, "--all").exit_code == 0
    result = cli("agree", sample_project)
    assert result.exit_code == 0, result.stderr
    assert "Warm handoff" in result.stdout and "(pooled)" in result.stdout
    assert "Left out 9 of 12 documents" in result.stdout


# -- disagreements ------------------------------------------------------------------------------


def test_disagreements_list_who_applied_what(coded):
    result = cli("disagreements", coded, "--coders", "ana,ben", "--json")
    found = json.loads(result.stdout)["disagreements"]
    assert [(d["document"], d["segment"], d["code"], d["applied_by"], d["not_applied_by"])
            for d in found] == [
        ("d1.txt", 1, "A", ["ben"], ["ana"]),
        ("d1.txt", 1, "B", ["ana"], ["ben"]),
        ("d2.txt", 3, "B", ["ana"], ["ben"]),
    ]
    assert found[0]["text"] == "bbbb bbbbb"


def test_disagreements_text_csv_and_code_filter(coded, tmp_path):
    text = cli("disagreements", coded, "--coders", "ana,ben")
    assert "3 disagreements on 2 segments between ana, ben" in text.stdout
    target = tmp_path / "d.csv"
    assert cli("disagreements", coded, "--coders", "ana,ben", "--code", "B",
               "--csv", target).exit_code == 0
    rows = list(csv.DictReader(target.open()))
    assert [(r["document"], r["code"], r["applied_by"]) for r in rows] == [
        ("d1.txt", "B", "ana"), ("d2.txt", "B", "ana")]
    none = cli("disagreements", coded, "--coders", "ana,ben", "--code", "A", "--documents",
               "d2.txt")
    assert "No disagreements" in none.stdout


def test_disagreements_bad_input(coded):
    assert_user_error(cli("disagreements", coded, "--coders", "ana,ben", "--code", "Nope"),
                      "unknown code 'Nope'")
    assert_user_error(cli("disagreements", coded, "--coders", "ana"), "at least 2 coders")


# -- training mode ------------------------------------------------------------------------------


def test_training_counts_misses_and_false_hits(coded):
    result = cli("agree", coded, "--train", "ben", "--gold", "ana", "--json")
    data = json.loads(result.stdout)
    a, b = data["codes"]
    assert (a["gold"], a["trainee"], a["hits"], a["misses"], a["false_hits"]) == (2, 3, 2, 0, 1)
    assert (b["hits"], b["misses"], b["false_hits"]) == (0, 2, 0)
    assert [(e["kind"], e["document"], e["segment"], e["code"]) for e in data["errors"]] == [
        ("false hit", "d1.txt", 1, "A"), ("miss", "d1.txt", 1, "B"), ("miss", "d2.txt", 3, "B")]
    text = cli("agree", coded, "--train", "ben", "--gold", "ana").stdout
    assert "Misses (ana applied the code, ben did not): 2" in text


def test_training_bad_input(coded):
    assert_user_error(cli("agree", coded, "--train", "ben"), "unknown coder 'consensus'")
    assert_user_error(cli("agree", coded, "--train", "ana", "--gold", "ana"), "own gold")
    assert_user_error(cli("agree", coded, "--train", "ana", "--gold", "ben", "--unit",
                          "character"), "segments")


# -- ratings files through the CLI --------------------------------------------------------------


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_ratings_file_table_and_json(tmp_path):
    ratings = _write(tmp_path / "r.csv", "unit,coder,value\n1,a,x\n1,b,x\n2,a,y\n2,b,x\n"
                                         "3,a,y\n3,b,y\n4,a,x\n4,b,\n")
    table = cli("agree", "--ratings", ratings)
    assert table.exit_code == 0, table.stderr
    assert "Krippendorff's alpha" in table.stdout and "4 units x 2 coders" in table.stdout
    data = json.loads(cli("agree", "--ratings", ratings, "--json", "--bootstrap", "100",
                          "--seed", "2").stdout)
    assert set(data) >= {"n_units", "n_coders", *STATISTICS, "notes", "level",
                         "krippendorff_alpha_ci"}
    assert data["percent_agreement"] == pytest.approx(2 / 3)


def test_ratings_file_wide_and_undefined_values(tmp_path):
    wide = _write(tmp_path / "w.csv", "unit,a,b,c\n1,1,1,1\n2,1,1,1\n")
    data = json.loads(cli("agree", "--ratings", wide, "--wide", "--json").stdout)
    assert data["n_coders"] == 3 and data["krippendorff_alpha"] is None
    assert any("krippendorff_alpha is undefined" in n for n in data["notes"])


@pytest.mark.parametrize(
    ("text", "args", "needles"),
    [
        ("unit,coder,value\n1,a,1\n2,a,2\n", [], ["at least 2 coders", "only 'a'"]),
        ("unit,coder,value\n1,a,1\n1,b,2\n", [], ["at least 2 units"]),
        ("unit,coder,value\n1,a,1\n1,b,two\n2,a,1\n2,b,1\n", ["--level", "interval"],
         ["line 3", "'two' is not a number"]),
        ("unit,rater,value\n1,a,1\n", [], ["missing column 'coder'"]),
    ],
)
def test_ratings_file_errors_are_one_line(tmp_path, text, args, needles):
    ratings = _write(tmp_path / "bad.csv", text)
    assert_user_error(cli("agree", "--ratings", ratings, *args), *needles)


def test_ratings_with_project_options_is_refused(tmp_path):
    ratings = _write(tmp_path / "r.csv", "unit,coder,value\n1,a,1\n1,b,1\n2,a,0\n2,b,1\n")
    assert_user_error(cli("agree", "--ratings", ratings, "--coders", "a,b"), "--coders")
    assert_user_error(cli("agree", "--ratings", tmp_path / "missing.csv"), "file not found")
