"""Hostile input (issue 16 §5) for the codebook loader, the codings CSV importer, the ratings and
cohort readers, and the options that multiply work: each refusal is one line naming the file and
the fix, nothing hangs, nothing is half-written. The fuzz tests (hypothesis) feed each reader
arbitrary text and bytes and accept only a result or a :class:`QualkitError`.
"""

from __future__ import annotations

import os
import signal
import threading
from contextlib import contextmanager
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualkit.agreement import ratings as ratings_io
from qualkit.agreement.ratings import read_ratings_csv
from qualkit.agreement.stats import summarize
from qualkit.coding import import_codings, parse_codebook, yaml_limits
from qualkit.errors import QualkitError
from qualkit.outcomes import read_table
from qualkit.store import Store

from .conftest import CODEBOOK, ROOT, assert_user_error, cli, dump

COHORT = ROOT / "outcomes_sample" / "lead_cohort.csv"
# 150 examples per reader in CI; QUALKIT_FUZZ_EXAMPLES=2000 for the long run quoted in README.
FUZZ = settings(max_examples=int(os.environ.get("QUALKIT_FUZZ_EXAMPLES", "150")), deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


@contextmanager
def within(seconds: int):
    """Fail instead of hanging: SIGALRM interrupts the main thread after ``seconds``."""
    assert threading.current_thread() is threading.main_thread()

    def expire(*_):
        raise TimeoutError(f"still running after {seconds} s")

    old = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


# -- the codebook loader --------------------------------------------------------------------


def test_a_deeply_nested_codebook_is_refused_in_one_line(tmp_path):
    deep = tmp_path / "deep.yaml"
    deep.write_text("codes: " + "[" * 20_000 + "]" * 20_000 + "\n")
    project = tmp_path / "p.qualkit"
    assert_user_error(cli("init", project, "--codebook", deep), "deep.yaml line 1",
                      "nested more than 64 levels")
    assert not project.exists()
    nested = "codes:\n" + "".join(f"{'  ' * i}- name: c{i}\n{'  ' * i}  codes:\n"
                                  for i in range(40))
    with pytest.raises(QualkitError, match="nested more than"):
        parse_codebook(nested)


def test_yaml_cannot_construct_python_objects(tmp_path, sample_project):
    marker = tmp_path / "pwned"
    for payload in (f'!!python/object/apply:os.system ["touch {marker}"]',
                    f'!!python/object/new:subprocess.check_output [["touch", "{marker}"]]',
                    '!!python/name:os.system'):
        path = tmp_path / "evil.yaml"
        path.write_text(f"codes:\n  - name: {payload}\n")
        before = dump(sample_project)
        assert_user_error(cli("codebook", sample_project, "--load", path), "line 2",
                          "is not allowed in a codebook")
        assert dump(sample_project) == before and not marker.exists()


def test_an_alias_bomb_is_refused_before_it_expands():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    bomb = "\n".join(lines) + "\ncodes:\n  - name: *a8\n"
    with within(10), pytest.raises(QualkitError, match="anchors and aliases"):
        parse_codebook(bomb, source="bomb.yaml")


def test_an_oversized_codebook_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(yaml_limits, "MAX_BYTES", 1000)
    big = tmp_path / "big.yaml"
    big.write_text("codes:\n" + "".join(f"  - name: code {i}\n" for i in range(100)))
    assert_user_error(cli("init", tmp_path / "p.qualkit", "--codebook", big), "larger than")


def test_loading_a_folder_as_codebook_is_one_line(tmp_path, sample_project):
    folder = tmp_path / "codebooks"
    folder.mkdir()
    assert_user_error(cli("codebook", sample_project, "--load", folder), "--load",
                      "is a directory")
    assert_user_error(cli("init", tmp_path / "p.qualkit", "--codebook", folder), "folder")


@FUZZ
@given(st.text(max_size=400))
def test_fuzz_codebook_text(text):
    try:
        parse_codebook(text, source="fuzz.yaml")
    except QualkitError as exc:
        assert "\n" not in str(exc).strip() and str(exc).startswith("fuzz.yaml")


YAML_PIECES = st.sampled_from([
    "codes:", "\n", "  ", "- ", "name: ", "x", "[", "]", "{", "}", ",", ":", "&a ", "*a", "!!str ",
    "!!python/object:os.system ", "'", '"', "#", "|", ">", "description: ", "hotkey: a", "---",
    "color: '#fff'", "\t", "\x00", "\ufeff", "codes: ", "? ", "%YAML 1.1\n", "..."])


@FUZZ
@given(st.lists(YAML_PIECES, max_size=60).map("".join))
def test_fuzz_codebook_yaml_shaped(text):
    try:
        parse_codebook(text, source="fuzz.yaml")
    except QualkitError as exc:
        assert "\n" not in str(exc).strip()


# -- the codings CSV importer ----------------------------------------------------------------


@pytest.fixture(scope="module")
def codings_target(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("codings") / "p.qualkit"
    folder = path.parent / "t"
    folder.mkdir()
    (folder / "a.txt").write_text("P1: one two three four five six seven.\nP2: eight nine.\n")
    assert cli("init", path, "--codebook", CODEBOOK).exit_code == 0
    assert cli("import", path, folder).exit_code == 0
    return path


CSV_PIECES = st.sampled_from([
    "document", "start", "end", "code", "coder", "text", ",", "\n", "\r\n", '"', "a.txt", "0",
    "5", "-1", "99999999999999999999", "Collaboration", "ana", "=cmd", "'=x", "\x00", "\ufeff",
    " ", "é", "\\", "''"])


@FUZZ
@given(data=st.one_of(st.lists(CSV_PIECES, max_size=40).map("".join).map(str.encode),
                      st.binary(max_size=300)))
def test_fuzz_codings_csv_all_or_nothing(codings_target, tmp_path_factory, data):
    source = tmp_path_factory.mktemp("fuzz") / "codings.csv"
    source.write_bytes(data)
    with Store.open(codings_target) as store:
        before = store.dump()
        try:
            import_codings(store, source)
        except QualkitError as exc:
            assert "\n" not in str(exc).strip()
            assert store.dump() == before  # a refusal writes nothing


# -- the ratings reader -----------------------------------------------------------------------


def test_more_ratings_than_the_cap_are_refused_while_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(ratings_io, "MAX_RATINGS", 100)
    path = tmp_path / "r.csv"
    path.write_text("unit,coder,value\n" + "".join(f"u{i},{c},1\n" for i in range(60)
                                                   for c in "ab"))
    assert_user_error(cli("agree", "--ratings", path), "more than 100 ratings", "split")
    wide = tmp_path / "w.csv"
    wide.write_text("unit," + ",".join(f"c{j}" for j in range(30)) + "\n"
                    + "".join(f"u{i}," + ",".join("1" * 30) + "\n" for i in range(5)))
    assert_user_error(cli("agree", "--ratings", wide, "--wide"), "more than 100 ratings")


def test_an_oversized_ratings_file_is_refused_before_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(ratings_io, "MAX_BYTES", 1000)
    path = tmp_path / "r.csv"
    path.write_text("unit,coder,value\n" + "u1,a,1\n" * 200)
    assert_user_error(cli("agree", "--ratings", path), "MB", "split it")


def test_a_pipe_as_ratings_file_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "ratings.csv"
    os.mkfifo(fifo)
    with within(20):
        assert_user_error(cli("agree", "--ratings", fifo), "not a regular file")


def test_three_thousand_coders_in_a_wide_file_finish(tmp_path):
    rng = np.random.default_rng(3)
    values = rng.integers(0, 2, size=(50, 3000))
    path = tmp_path / "wide.csv"
    path.write_text("unit," + ",".join(f"c{j}" for j in range(3000)) + "\n" + "".join(
        f"u{i}," + ",".join(map(str, row)) + "\n" for i, row in enumerate(values)))
    with within(60):
        result = cli("agree", "--ratings", path, "--wide", "--json")
    assert result.exit_code == 0, result.stderr
    assert '"n_coders": 3000' in result.stdout


def _alpha_by_pairs(matrix: np.ndarray, level: str) -> float | None:
    """Krippendorff's alpha from its definition, one coder pair at a time (the reference)."""
    values = sorted({v for v in matrix.ravel() if v >= 0})
    rank = {v: i for i, v in enumerate(values)}
    n_c = np.zeros(len(values))
    observed = 0.0
    pairs = []
    for row in matrix:
        present = [v for v in row if v >= 0]
        if len(present) < 2:
            continue
        for v in present:
            n_c[rank[v]] += 1
        pairs.append(present)
    mid = np.cumsum(n_c) - n_c / 2

    def delta(a, b):
        if level == "nominal":
            return float(a != b)
        if level == "interval":
            return float(a - b) ** 2
        return float(mid[rank[a]] - mid[rank[b]]) ** 2  # ordinal

    for present in pairs:
        m = len(present)
        observed += 2 * sum(delta(a, b) for a, b in combinations(present, 2)) / (m - 1)
    n = n_c.sum()
    expected = sum(n_c[rank[a]] * n_c[rank[b]] * delta(a, b) for a in values for b in values)
    return None if expected == 0 else 1 - (n - 1) * observed / expected


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 12), st.integers(3, 15), st.sampled_from(["nominal", "interval", "ordinal"]),
       st.integers(0, 10**6))
def test_alpha_without_the_pair_loop_equals_the_definition(coders, units, level, seed):
    rng = np.random.default_rng(seed)
    matrix = rng.integers(1, 5, size=(units, coders)).astype(float)
    matrix[rng.random(matrix.shape) < 0.2] = -1
    triples = [(f"u{u}", f"c{c}", None if matrix[u, c] < 0 else int(matrix[u, c]))
               for u in range(units) for c in range(coders)]
    from qualkit.agreement.stats.data import ratings_from_long

    expected = _alpha_by_pairs(matrix, level)
    got = summarize(ratings_from_long(triples, level=level)).krippendorff_alpha
    if expected is None:  # no pairable unit, or every pairable value the same: undefined
        assert got is None
    else:
        assert got == pytest.approx(expected, abs=1e-9)


def test_a_bootstrap_of_a_hundred_million_is_refused(tmp_path, sample_project):
    path = tmp_path / "r.csv"
    path.write_text("unit,coder,value\nu1,a,1\nu1,b,1\nu2,a,2\nu2,b,1\n")
    assert_user_error(cli("agree", "--ratings", path, "--bootstrap", "100000000"),
                      "--bootstrap is at most 100,000")
    assert_user_error(cli("agree", sample_project, "--bootstrap", "100000000"),
                      "--bootstrap is at most 100,000")


RATINGS_PIECES = st.sampled_from([
    "unit", "coder", "value", ",", "\n", '"', "u1", "u2", "a", "b", "1", "2", "-1", "1e308", "nan",
    "inf", "", " ", "\x00", "\ufeff", "x" * 50, "3.5"])


@FUZZ
@given(data=st.one_of(st.lists(RATINGS_PIECES, max_size=50).map("".join).map(str.encode),
                      st.binary(max_size=300)),
       wide=st.booleans(), level=st.sampled_from(["nominal", "ordinal", "interval", "ratio"]))
def test_fuzz_ratings_reader(tmp_path_factory, data, wide, level):
    path = tmp_path_factory.mktemp("r") / "r.csv"
    path.write_bytes(data)
    try:
        ratings = read_ratings_csv(path, wide=wide, level=level)
    except QualkitError as exc:
        assert "\n" not in str(exc).strip()
        return
    try:
        summarize(ratings, n_boot=20, seed=1)
    except ValueError as exc:  # the CLI maps these to one line
        assert "\n" not in str(exc).strip()


# -- the cohort reader -------------------------------------------------------------------------


def test_a_workbook_that_is_not_a_zip_is_one_line(tmp_path):
    path = tmp_path / "cohort.xlsx"
    path.write_text("id,treated\n1,0\n")
    assert_user_error(cli("outcomes", "match", path, "--treatment", "treated", "--covariates",
                          "age", "--outcomes", "arrests"), "cohort.xlsx", "not an Excel workbook")


def test_a_covariate_name_with_mathtext_still_plots(tmp_path):
    header, *rows = COHORT.read_text().splitlines()
    odd = "pay$_$rate"  # two dollars: matplotlib would parse "_" as mathtext and fail
    path = tmp_path / "cohort.csv"
    path.write_text("\n".join([header.replace("prior_misd_arrests", odd), *rows]) + "\n")
    plot = tmp_path / "love.png"
    result = cli("outcomes", "match", path, "--treatment", "treated", "--covariates",
                 f"sex,age,{odd}", "--outcomes", "misd_arrests", "--plot", plot)
    assert result.exit_code == 0, result.stderr
    assert plot.stat().st_size > 1000 and (tmp_path / "love.svg").exists()
    assert odd in (tmp_path / "love.svg").read_text()


@FUZZ
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".xlsx", ".tsv"]))
def test_fuzz_cohort_reader(tmp_path_factory, data, suffix):
    path = tmp_path_factory.mktemp("c") / f"cohort{suffix}"
    path.write_bytes(data)
    try:
        read_table(path)
    except QualkitError as exc:
        assert "\n" not in str(exc).strip()


@pytest.fixture(scope="module")
def workbook_members(tmp_path_factory) -> dict[str, bytes]:
    """The parts of a real workbook of the sample cohort, to damage one at a time."""
    import zipfile

    import pandas as pd

    path = tmp_path_factory.mktemp("xlsx") / "cohort.xlsx"
    pd.read_csv(COHORT).head(40).to_excel(path, index=False)
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@FUZZ
@given(data=st.data())
def test_fuzz_damaged_workbooks(workbook_members, tmp_path_factory, data):
    import zipfile

    names = sorted(workbook_members)
    target = data.draw(st.sampled_from(names))
    body = bytearray(workbook_members[target])
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(0, max(len(body) - 1, 0)))
        body[at:at + 1] = data.draw(st.binary(min_size=0, max_size=3))
    dropped = data.draw(st.sets(st.sampled_from(names), max_size=1))
    path = tmp_path_factory.mktemp("x") / "cohort.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        for name in names:
            if name not in dropped:
                archive.writestr(name, bytes(body) if name == target else workbook_members[name])
    try:
        read_table(path)
    except QualkitError as exc:
        assert "\n" not in str(exc).strip()
