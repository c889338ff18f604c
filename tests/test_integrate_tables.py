"""Quantitizing, crosstabs, co-occurrence, saturation and quotes on projects with known answers."""

from __future__ import annotations

import json
import stat

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency, fisher_exact

from qualkit.errors import InputError
from qualkit.integrate import (
    code_matrix,
    cooccurrence,
    crosstab,
    independence_test,
    saturation,
    saturation_point,
    write_table,
)
from qualkit.integrate.corpus import choose_scope, load_corpus
from qualkit.integrate.quotes import QuoteFinder, cut
from qualkit.store import Store

from .integrate_helpers import code, tiny_project

DOCS = [("d1.txt", {"kind": "interview", "site": "X", "date": "2026-01-02"}),
        ("d2.txt", {"kind": "focus_group", "site": "Y", "date": "2026-01-01"}),
        ("d3.txt", {"kind": "interview", "site": "X", "date": "2026-01-03"})]


@pytest.fixture
def tiny(tmp_path):
    """ana: d1 A s1, A1 s2, B s2; d2 B s1, B s3; d3 A1 s1.  ben: d1 A s1, B s3."""
    path = tiny_project(tmp_path / "tiny.qualkit", [(n, dict(f)) for n, f in DOCS])
    code(path, "ana", [("d1.txt", "A", 1), ("d1.txt", "A1", 2), ("d1.txt", "B", 2),
                       ("d2.txt", "B", 1), ("d2.txt", "B", 3), ("d3.txt", "A1", 1)])
    code(path, "ben", [("d1.txt", "A", 1), ("d1.txt", "B", 3)])
    return path


def table(path, func, **options):
    with Store.open(path) as store:
        return func(store, **options)


def cells(df, key="document"):
    return {row[key]: row for row in df.to_dict("records")}


# -- matrices -------------------------------------------------------------------------------------


def test_document_matrix_counts_presence_segments_and_share(tiny):
    counts = cells(table(tiny, code_matrix, measure="count"))
    assert (counts["d1.txt"]["A"], counts["d1.txt"]["A1"], counts["d1.txt"]["B"]) == (2, 1, 2)
    assert (counts["d2.txt"]["B"], counts["d3.txt"]["A1"], counts["d3.txt"]["B"]) == (2, 1, 0)
    presence = cells(table(tiny, code_matrix, measure="presence"))
    assert [presence[d]["B"] for d in ("d1.txt", "d2.txt", "d3.txt")] == [1, 1, 0]
    segments = cells(table(tiny, code_matrix, measure="segments"))
    assert segments["d1.txt"]["B"] == 2 and segments["d1.txt"]["segments"] == 4
    share = cells(table(tiny, code_matrix, measure="share"))
    assert share["d1.txt"]["B"] == pytest.approx(0.5)


def test_rollup_adds_sub_codes_to_their_parent(tiny):
    counts = table(tiny, code_matrix, measure="count", rollup=True)
    assert list(counts.attrs["codes"]) == ["A", "B"]
    rows = cells(counts)
    assert rows["d1.txt"]["A"] == 3 and rows["d3.txt"]["A"] == 1
    segments = cells(table(tiny, code_matrix, measure="segments", rollup=True))
    assert segments["d1.txt"]["A"] == 2  # s1 (A) and s2 (A1)


def test_speaker_matrix_counts_codings_touching_each_speaker(tiny):
    df = table(tiny, code_matrix, by="speaker", measure="count")
    rows = {(r["document"], r["speaker"]): r for r in df.to_dict("records")}
    assert (rows[("d1.txt", "P1")]["A"], rows[("d1.txt", "P1")]["B"]) == (2, 1)
    assert (rows[("d1.txt", "P2")]["A1"], rows[("d1.txt", "P2")]["B"]) == (1, 1)
    assert rows[("d1.txt", "P1")]["role"] == "officer"
    assert rows[("d1.txt", "P1")]["segments"] == 2


def test_every_table_says_which_coders_and_documents(tiny):
    df = table(tiny, code_matrix)
    assert df.attrs["coders"] == "union of ana, ben"
    assert df.attrs["documents"] == ["d1.txt", "d2.txt", "d3.txt"]
    only_ben = table(tiny, code_matrix, coders=["ben"])
    assert only_ben.attrs["coders"] == "ben" and only_ben.attrs["documents"] == ["d1.txt"]
    assert only_ben.attrs["documents_left_out"] == ["d2.txt", "d3.txt"]


def test_consensus_is_the_default_scope_once_it_exists(tiny):
    code(tiny, "consensus", [("d2.txt", "A", 2)], kind="consensus")
    df = table(tiny, code_matrix, measure="presence")
    assert df.attrs["coders"] == "consensus" and df.attrs["documents"] == ["d2.txt"]


def test_unknown_coder_or_document_is_one_line(tiny):
    with pytest.raises(InputError, match="unknown coder 'zoe'"):
        table(tiny, code_matrix, coders=["zoe"])
    with pytest.raises(InputError, match=r"unknown document 'd9\.txt'"):
        table(tiny, code_matrix, documents=["d9.txt"])


# -- co-occurrence ----------------------------------------------------------------------------


def test_cooccurrence_counts_and_jaccard(tiny):
    pairs = table(tiny, cooccurrence)
    row = pairs[(pairs.code_a == "A1") & (pairs.code_b == "B")].iloc[0]
    assert (row.both, row.a, row.b) == (1, 2, 4)
    assert row.jaccard == pytest.approx(1 / 5)
    assert ((pairs.code_a == "A") & (pairs.code_b == "B")).sum() == 0  # never together
    rolled = table(tiny, cooccurrence, rollup=True).iloc[0]
    assert (rolled.code_a, rolled.both, rolled.a) == ("A", 1, 3)
    assert rolled.jaccard == pytest.approx(1 / 6)
    docs = table(tiny, cooccurrence, unit="document")
    row = docs[(docs.code_a == "A1") & (docs.code_b == "B")].iloc[0]
    assert (row.both, row.a, row.b) == (1, 2, 2) and row.jaccard == pytest.approx(1 / 3)


# -- crosstab and its tests -------------------------------------------------------------------


def test_chi_square_matches_scipy_and_cramers_v():
    t = np.array([[12, 5, 9], [8, 15, 11]])
    got = independence_test(t)
    chi2, p, dof, _ = chi2_contingency(t, correction=False)
    assert got.test == "Pearson chi-square"
    assert (got.statistic, got.p, got.df) == (pytest.approx(chi2), pytest.approx(p), dof)
    assert got.cramers_v == pytest.approx(np.sqrt(chi2 / (t.sum() * 1)))
    assert not got.warning
    square = np.array([[30, 12], [18, 25]])  # 2 x 2: Pearson, no Yates correction
    assert independence_test(square).statistic == pytest.approx(
        chi2_contingency(square, correction=False)[0])


def test_sparse_two_by_two_uses_fisher_and_larger_sparse_tables_warn():
    t = np.array([[3, 1], [0, 4]])
    got = independence_test(t)
    assert got.test.startswith("Fisher") and got.p == pytest.approx(fisher_exact(t)[1])
    sparse = independence_test(np.array([[3, 1, 0], [1, 4, 2]]))
    assert sparse.test == "Pearson chi-square" and "expected counts below 5" in sparse.warning
    assert independence_test(np.array([[0, 0], [3, 4]])).p is None  # a single non-empty row


def test_crosstab_by_document_kind_against_scipy(tiny):
    df = table(tiny, crosstab, attribute="kind", codes=["B"])
    assert df.attrs["levels"] == {"focus_group": 1, "interview": 2}
    row = df.iloc[0]
    assert (row["interview n"], row["focus_group n"]) == (1, 1)
    assert row["interview %"] == pytest.approx(0.5) and row["interview row %"] == 0.5
    assert row["p"] == pytest.approx(fisher_exact([[1, 1], [0, 1]])[1])


def test_crosstab_by_speaker_role_leaves_interviewers_out(tiny):
    df = table(tiny, crosstab, attribute="speaker_role", unit="speaker", codes=["B"])
    assert df.attrs["levels"] == {"case manager": 3, "officer": 3}
    row = df.iloc[0]
    assert (row["officer n"], row["case manager n"]) == (2, 1)
    assert row["p"] == pytest.approx(fisher_exact([[2, 1], [1, 2]])[1])
    assert any("not independent" in n for n in df.attrs["notes"])


def test_crosstab_refuses_unknown_attributes_and_document_level_speaker_role(tiny):
    with pytest.raises(InputError, match="unknown attribute 'colour'"):
        table(tiny, crosstab, attribute="colour")
    with pytest.raises(InputError, match="varies within a document"):
        table(tiny, crosstab, attribute="speaker_role")


# -- saturation -------------------------------------------------------------------------------


def test_saturation_on_a_hand_worked_sequence():
    # base 4: documents 1-4 hold {A..F}: 6 codes. Run starting at 5 (docs 5, 6): G is new,
    # 1/6 = 17 % > 5 %. Run starting at 6 (docs 6, 7): nothing new (G came in doc 5): 0 %.
    # So saturation is reached after 5 documents, confirmed by documents 6-7.
    sets = [{"A", "B", "C"}, {"B", "D"}, {"E"}, {"A", "F"}, {"G"}, {"A"}, {"B"}, {"C"}]
    result = saturation_point(sets, base=4, run=2, threshold=0.05)
    assert (result.base_codes, result.point, result.run_new, result.run_share) == (6, 5, 0, 0.0)
    assert result.status.startswith("saturation after 5 of 8 documents: documents 6-7")
    # a 20 % threshold accepts the first run (1/6), so saturation comes after 4 documents
    assert saturation_point(sets, base=4, run=2, threshold=0.2).point == 4
    # a new code in every run: never
    never = saturation_point([{i} for i in range(8)], base=4, run=2)
    assert never.point is None and never.status.startswith("not reached in 8")
    short = saturation_point(sets[:5], base=4, run=2)
    assert short.point is None and "fewer than base 4 + run 2" in short.status


def test_saturation_of_a_project_follows_the_interview_dates(tiny):
    df = table(tiny, saturation, base=1, run=1)
    order = df[df.order == "interview order"]
    assert list(order.document) == ["d2.txt", "d1.txt", "d3.txt"]  # by date, not by name
    assert list(order.new) == [1, 2, 0] and list(order.cumulative) == [1, 3, 3]
    summary = df.attrs["saturation"][0]
    assert summary["point"] == 2 and summary["base_codes"] == 1
    assert {s["order"] for s in df.attrs["saturation"]} == {"interview order", "coder ana",
                                                           "coder ben"}
    with pytest.raises(InputError, match=r"^threshold must"):
        table(tiny, saturation, threshold=1.5)


def test_saturation_plot_writes_png_and_svg_owner_only(tiny, tmp_path):
    from qualkit.integrate import saturation_plot

    png, svg = saturation_plot(table(tiny, saturation, base=1, run=1), tmp_path / "sat.png")
    assert png.read_bytes()[:4] == b"\x89PNG" and "<svg" in svg.read_text()
    assert stat.S_IMODE(png.stat().st_mode) == 0o600 == stat.S_IMODE(svg.stat().st_mode)


# -- quotes -----------------------------------------------------------------------------------


def test_cut_stops_at_a_sentence_and_never_passes_the_limit():
    text = "First sentence is here. " * 30
    out = cut(text)
    assert len(out) <= 300 and out.endswith("here. …")
    long = cut("word " * 100)
    assert len(long) <= 300 and long.endswith("…")
    assert cut("  Short\n text. ") == "Short text."


def test_quotes_prefer_consensus_then_agreement_and_skip_interviewers(tiny):
    code(tiny, "consensus", [("d3.txt", "A", 3)], kind="consensus")
    code(tiny, "ana", [("d2.txt", "A", 0)])  # the interviewer's turn: never quoted
    with Store.open(tiny) as store:
        corpus = load_corpus(store, choose_scope(store, ["ana", "ben", "consensus"]))
        finder = QuoteFinder(store, corpus)
        quotes = finder.quotes(corpus.code_index("A"), limit=5)
        assert [(q.document, q.start, q.tier) for q in quotes] == [
            ("d3.txt", 33, "consensus"), ("d1.txt", 11, "coders agreed"),
            ("d1.txt", 22, "one coder"), ("d3.txt", 11, "one coder")]  # A1: a sub-code of A
        assert quotes[0].speaker == "P1" and quotes[0].role == "officer"
        assert quotes[0].text == "dddd ddddd"
        # one coder's scope still sees that another coder agreed (a second read of codings)
        alone = load_corpus(store, choose_scope(store, ["ana"]))
        mine = QuoteFinder(store, alone).quotes(alone.code_index("A"), limit=5)
        assert [(q.document, q.start, q.tier) for q in mine] == [
            ("d1.txt", 11, "coders agreed"), ("d3.txt", 11, "one coder"),
            ("d1.txt", 22, "one coder")]
        prevalence = finder.prevalence(corpus.code_index("A"))
        assert (prevalence["documents"], prevalence["of_documents"]) == (2, 3)
        assert prevalence["roles"] == {"officer": 2, "case manager": 1}


# -- files --------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json", "markdown"])
def test_tables_are_written_owner_only_with_their_provenance(tiny, tmp_path, fmt):
    df = table(tiny, code_matrix, measure="presence")
    path = write_table(df, tmp_path / f"t.{fmt}", fmt)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    if fmt == "csv":
        back = pd.read_csv(path, comment="#")
        assert list(back["B"]) == list(df["B"])
        assert "# coders: union of ana, ben" in path.read_text()
    elif fmt == "xlsx":
        sheets = pd.read_excel(path, sheet_name=None)
        assert list(sheets["table"]["B"]) == list(df["B"])
        assert any("union of ana, ben" in str(v) for v in sheets["about"]["about"])
    elif fmt == "json":
        data = json.loads(path.read_text())
        assert data["coders"] == "union of ana, ben" and len(data["rows"]) == 3
    else:
        assert "| document |" in path.read_text() and "coders: union of ana, ben" in \
            path.read_text()
