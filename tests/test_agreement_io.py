"""Tests for qualkit.agreement.ratings: reading ratings CSVs and the user-facing errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualkit.agreement.ratings import read_ratings_csv
from qualkit.agreement.stats import fleiss_kappa, gwet_ac1, krippendorff_alpha
from qualkit.errors import InputError


def write(tmp_path: Path, text: str, name: str = "ratings.csv", bom: bool = False) -> Path:
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def error_for(path: Path, **options: object) -> str:
    with pytest.raises(InputError) as caught:
        read_ratings_csv(path, **options)
    message = str(caught.value)
    assert "\n" not in message  # one line on stderr
    assert str(path) in message
    return message


LONG = """unit,coder,value,comment
s1,ann,present,first pass
s1,bob,present,
s2,ann,absent,
s2,bob,present,
s3,ann,,skipped
s3,bob,absent,
"""


def test_long_file_with_bom_blank_missing_and_extra_columns(tmp_path: Path) -> None:
    ratings = read_ratings_csv(write(tmp_path, LONG, bom=True))
    assert ratings.units == ("s1", "s2", "s3") and ratings.coders == ("ann", "bob")
    assert ratings.categories == ("absent", "present")
    assert ratings.codes.tolist() == [[1, 1], [0, 1], [-1, 0]]
    assert ratings.level == "nominal"


def test_wide_file(tmp_path: Path) -> None:
    path = write(tmp_path, "Unit,ann,bob,cy\nu1,1,1,1\nu2,2,2,\nu3,3,3,3\nu4,1,2,2\n")
    ratings = read_ratings_csv(path, wide=True, level="interval")
    assert ratings.coders == ("ann", "bob", "cy") and ratings.n_units == 4
    assert ratings.codes[1, 2] == -1
    assert krippendorff_alpha(ratings) == pytest.approx(
        krippendorff_alpha(read_ratings_csv(_as_long(tmp_path, path), level="interval"))
    )


def _as_long(tmp_path: Path, wide: Path) -> Path:
    lines = wide.read_text().splitlines()
    coders = lines[0].split(",")[1:]
    rows = ["unit,coder,value"]
    for line in lines[1:]:
        unit, *values = line.split(",")
        rows += [f"{unit},{c},{v}" for c, v in zip(coders, values, strict=True)]
    return write(tmp_path, "\n".join(rows) + "\n", name="long.csv")


def test_ordinal_numbers_sort_numerically(tmp_path: Path) -> None:
    path = write(tmp_path, "unit,coder,value\na,x,10\na,y,9\nb,x,2\nb,y,2.0\n")
    ratings = read_ratings_csv(path, level="ordinal")
    assert ratings.categories == (2, 9, 10)
    assert ratings.codes.tolist() == [[2, 1], [0, 0]]


def test_ordinal_text_needs_an_order(tmp_path: Path) -> None:
    path = write(tmp_path, "unit,coder,value\na,x,low\na,y,high\nb,x,mid\nb,y,mid\n")
    message = error_for(path, level="ordinal")
    assert "line 2" in message and "'value'" in message and "'low'" in message
    assert "not a number" in message
    ratings = read_ratings_csv(path, level="ordinal", categories=["low", "mid", "high"])
    assert ratings.categories == ("low", "mid", "high")
    assert ratings.codes.tolist() == [[0, 2], [1, 1]]


def test_value_outside_categories(tmp_path: Path) -> None:
    path = write(tmp_path, "unit,coder,value\na,x,low\na,y,huge\n")
    message = error_for(path, level="ordinal", categories=["low", "high"])
    assert "line 3" in message and "'huge'" in message and "categories" in message


def test_file_not_found(tmp_path: Path) -> None:
    assert "file not found" in error_for(tmp_path / "nope.csv")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "file is empty"),
        ("\n\n", "file is empty"),
        ("unit,coder,value\n", "no ratings below"),
    ],
)
def test_empty_files(tmp_path: Path, text: str, expected: str) -> None:
    assert expected in error_for(write(tmp_path, text))


def test_missing_column(tmp_path: Path) -> None:
    message = error_for(write(tmp_path, "unit,rater,value\na,x,1\n"))
    assert "line 1" in message and "missing column 'coder'" in message
    assert "unit, rater, value" in message
    wide = error_for(write(tmp_path, "id,ann,bob\na,1,1\n", name="w.csv"), wide=True)
    assert "missing column 'unit'" in wide


def test_duplicate_unit_coder_row(tmp_path: Path) -> None:
    path = write(tmp_path, "unit,coder,value\na,x,1\na,y,2\nb,x,1\na,x,2\n")
    message = error_for(path)
    assert "line 5" in message and "first on line 2" in message
    assert "unit 'a'" in message and "coder 'x'" in message
    wide = write(tmp_path, "unit,x,y\na,1,2\na,2,2\n", name="w.csv")
    assert "line 3" in error_for(wide, wide=True)


@pytest.mark.parametrize("level", ["interval", "ratio"])
def test_non_numeric_value_at_numeric_level(tmp_path: Path, level: str) -> None:
    path = write(tmp_path, "unit,coder,value\na,x,1\na,y,two\nb,x,3\nb,y,3\n")
    message = error_for(path, level=level)
    assert "line 3" in message and "column 'value'" in message and "'two'" in message
    assert f"{level} ratings must be numbers" in message


def test_negative_ratio_value(tmp_path: Path) -> None:
    path = write(tmp_path, "unit,coder,value\na,x,1\na,y,-2\n")
    assert "negative" in error_for(path, level="ratio")


def test_only_one_coder(tmp_path: Path) -> None:
    path = write(tmp_path, "unit,coder,value\na,x,1\nb,x,2\n")
    message = error_for(path)
    assert message == f"agreement needs at least 2 coders; {path} has only 'x'"
    assert "no coder columns" in error_for(write(tmp_path, "unit\na\nb\n", "w.csv"), wide=True)


def test_only_one_unit(tmp_path: Path) -> None:
    path = write(tmp_path, "unit,coder,value\na,x,1\na,y,1\n")
    assert error_for(path) == f"agreement needs at least 2 units; {path} has only 'a'"


def test_every_value_blank(tmp_path: Path) -> None:
    path = write(tmp_path, "unit,coder,value\na,x,\na,y,\nb,x,\nb,y,\n")
    assert "every value is blank" in error_for(path)


def test_malformed_rows(tmp_path: Path) -> None:
    extra = write(tmp_path, "unit,coder,value\na,x,1,2\n")
    assert "line 2" in error_for(extra) and "quote values" in error_for(extra)
    blank = write(tmp_path, "unit,coder,value\na,x,1\n,y,1\n", name="b.csv")
    assert "line 3" in error_for(blank) and "column 'unit' is blank" in error_for(blank)
    dup = write(tmp_path, "unit,x,x\na,1,1\nb,1,2\n", name="d.csv")
    assert "appears twice" in error_for(dup, wide=True)


def test_unknown_level_and_bad_encoding(tmp_path: Path) -> None:
    path = write(tmp_path, LONG)
    assert "unknown level 'scale'" in error_for(path, level="scale")
    latin = tmp_path / "latin.csv"
    latin.write_bytes("unit,coder,value\nb\xe9,x,1\n".encode("latin-1"))
    assert "UTF-8" in error_for(latin)


def test_blank_lines_are_skipped(tmp_path: Path) -> None:
    path = write(tmp_path, "unit,coder,value\n\na,x,1\n,,\na,y,1\nb,x,2\nb,y,2\n")
    assert fleiss_kappa(read_ratings_csv(path)) == 1.0


def test_full_category_set_for_a_binary_code(tmp_path: Path) -> None:
    """Only 0 was observed, but the code is binary: categories=[0, 1] gives q = 2."""
    path = write(tmp_path, "unit,a,b\ns1,0,0\ns2,0,0\ns3,0,\n")
    assert read_ratings_csv(path, wide=True).categories == ("0",)
    ratings = read_ratings_csv(path, wide=True, categories=[0, 1])
    assert ratings.categories == ("0", "1")
    assert gwet_ac1(ratings) == 1.0
