"""Read a ratings CSV into :class:`~qualkit.agreement.stats.Ratings`, with one-line user errors.

Two layouts are accepted (UTF-8, a BOM is fine):

* long (default): columns ``unit,coder,value``, one row per rating; other columns are ignored.
* wide: a ``unit`` column, then one column per coder holding that coder's value.

A blank value is a missing rating.  At ordinal, interval and ratio level every value must be a
number (ordinal values are ordered numerically) unless ``categories`` gives the scale order of
text labels.  Every problem raises :class:`~qualkit.errors.InputError` naming the file, line and
column, and saying how to fix it.
"""

from __future__ import annotations

import csv
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path

from qualkit.agreement.stats.data import LEVELS, Ratings, ratings_from_long, to_number
from qualkit.errors import InputError, located

LONG_COLUMNS = ("unit", "coder", "value")
# Reading costs about 800 bytes of memory per rating: one million ratings (15 MB as a long
# file) stay under 1 GB; a 200 MB file used to pass 8 GB.
MAX_RATINGS = 1_000_000
MAX_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class _Cell:
    """One rating as read: where it came from and its raw text."""

    unit: str
    coder: str
    text: str
    line: int
    column: str


def read_ratings_csv(
    path: str | Path,
    *,
    wide: bool = False,
    level: str = "nominal",
    categories: Sequence[Hashable] | None = None,
) -> Ratings:
    """Read ratings from a CSV file.

    Args:
        path: the CSV file.
        wide: True for the wide layout (``unit`` then one column per coder).
        level: nominal, ordinal, interval or ratio.
        categories: optional full category set; for ordinal text labels, their scale order.

    Returns:
        The ratings, units and coders in order of first appearance.

    Raises:
        InputError: the file is missing, empty or malformed, or has fewer than 2 coders or units.
    """
    path = Path(path)
    if level not in LEVELS:
        raise InputError(located(path, f"unknown level {level!r}; use one of {', '.join(LEVELS)}"))
    if categories is not None and level == "nominal":
        categories = [str(c).strip() for c in categories]  # file values are text
    header, rows = _read_rows(path, wide=wide)
    cells = _wide_cells(path, header, rows) if wide else _long_cells(path, header, rows)
    allowed = None if categories is None else {str(c).strip() for c in categories}
    triples = [(c.unit, c.coder, _parse_value(path, c, level, allowed)) for c in cells]
    _check_shape(path, cells, triples)
    try:
        return ratings_from_long(triples, level=level, categories=categories)
    except ValueError as exc:  # e.g. categories of the wrong kind for the level
        raise InputError(located(path, str(exc))) from None


def _read_rows(path: Path, *, wide: bool) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and non-blank data rows with their line numbers, within the size limits."""
    _check_file(path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            rows, ratings = [], 0
            for row in reader:
                if not any(f.strip() for f in row):
                    continue
                rows.append((reader.line_num, row))
                ratings += max(len(row) - 1, 1) if wide else 1
                if ratings > MAX_RATINGS + (len(rows[0][1]) if wide else 1):  # header counted
                    raise InputError(located(
                        path, f"refused: more than {MAX_RATINGS:,} ratings; split the file (by "
                        "code or by batch of units) and compare each part", line=reader.line_num))
    except FileNotFoundError:
        raise InputError(located(path, "file not found; check the path")) from None
    except IsADirectoryError:
        raise InputError(located(path, "is a folder, not a CSV file")) from None
    except UnicodeDecodeError:
        raise InputError(located(path, "is not UTF-8 text; save it as 'CSV UTF-8'")) from None
    except csv.Error as exc:
        raise InputError(located(path, f"is not valid CSV ({exc})")) from None
    if not rows:
        raise InputError(
            located(path, "file is empty; expected a header row such as 'unit,coder,value'", line=1)
        )
    (_, header), body = rows[0], rows[1:]
    if not body:
        raise InputError(located(path, "has a header but no ratings below it", line=rows[0][0]))
    return [h.strip() for h in header], body


def _check_file(path: Path) -> None:
    """A regular file of sane size: a FIFO would block the read forever, a device never end."""
    if path.is_dir():
        raise InputError(located(path, "is a folder, not a CSV file"))
    if not path.exists():
        raise InputError(located(path, "file not found; check the path"))
    if not path.is_file():
        raise InputError(located(path, "is not a regular file (a pipe or a device?); save the "
                                 "ratings to a file"))
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise InputError(located(path, f"refused: {size / 2**20:,.0f} MB is more than the "
                                 f"{MAX_BYTES // 2**20} MB a ratings file may have; split it"))


def _column_index(path: Path, header: list[str], name: str, hint: str) -> int:
    lowered = [h.lower() for h in header]
    if lowered.count(name) > 1:
        raise InputError(located(path, f"column '{name}' appears twice in the header", line=1))
    if name not in lowered:
        found = ", ".join(header) or "nothing"
        raise InputError(located(path, f"missing column '{name}' ({hint}); found: {found}", line=1))
    return lowered.index(name)


def _fields(path: Path, header: list[str], line: int, row: list[str]) -> list[str]:
    if len(row) > len(header):
        raise InputError(
            located(
                path,
                f"{len(row)} fields but the header has {len(header)}; "
                "quote values that contain commas",
                line=line,
            )
        )
    return [f.strip() for f in row] + [""] * (len(header) - len(row))


def _long_cells(path: Path, header: list[str], rows: list[tuple[int, list[str]]]) -> list[_Cell]:
    hint = "a long ratings file needs the columns unit,coder,value"
    unit, coder, value = (_column_index(path, header, c, hint) for c in LONG_COLUMNS)
    cells, seen = [], {}
    for line, row in rows:
        fields = _fields(path, header, line, row)
        for index, name in ((unit, "unit"), (coder, "coder")):
            if not fields[index]:
                raise InputError(
                    located(
                        path,
                        f"column '{name}' is blank; every row needs a unit and a coder",
                        line=line,
                    )
                )
        key = (fields[unit], fields[coder])
        if key in seen:
            raise InputError(
                located(
                    path,
                    f"duplicate rating for unit {key[0]!r} by coder {key[1]!r} (first on line "
                    f"{seen[key]}); keep one row per unit and coder",
                    line=line,
                )
            )
        seen[key] = line
        cells.append(_Cell(key[0], key[1], fields[value], line, header[value]))
    return cells


def _wide_cells(path: Path, header: list[str], rows: list[tuple[int, list[str]]]) -> list[_Cell]:
    hint = "a wide ratings file needs a 'unit' column, then one column per coder"
    unit = _column_index(path, header, "unit", hint)
    coders = [i for i in range(len(header)) if i != unit]
    for i in coders:
        if not header[i]:
            raise InputError(
                located(path, f"column {i + 1} has no coder name in the header", line=1)
            )
        if header.count(header[i]) > 1:
            raise InputError(
                located(path, f"coder column {header[i]!r} appears twice in the header", line=1)
            )
    cells, seen = [], {}
    for line, row in rows:
        fields = _fields(path, header, line, row)
        name = fields[unit]
        if not name:
            raise InputError(located(path, "column 'unit' is blank; name the unit", line=line))
        if name in seen:
            raise InputError(
                located(
                    path,
                    f"unit {name!r} appears twice (first on line "
                    f"{seen[name]}); keep one row per unit",
                    line=line,
                )
            )
        seen[name] = line
        cells += [_Cell(name, header[i], fields[i], line, header[i]) for i in coders]
    return cells


def _parse_value(path: Path, cell: _Cell, level: str, allowed: set[str] | None) -> Hashable | None:
    """The rating as the level needs it: None if blank, a number at numeric levels."""
    text = cell.text
    if not text:
        return None
    where = f"column {cell.column!r}: value {text!r}"
    numeric_match = level != "nominal" and _matches_number(text, allowed or set())
    if allowed is not None and text not in allowed and not numeric_match:
        shown = ", ".join(sorted(allowed))
        raise InputError(
            located(path, f"{where} is not one of the categories ({shown})", line=cell.line)
        )
    if level == "nominal" or (level == "ordinal" and allowed is not None):
        return text
    return _parse_number(path, cell, level)


def _parse_number(path: Path, cell: _Cell, level: str) -> int | float:
    where = f"column {cell.column!r}: value {cell.text!r}"
    try:
        number = to_number(cell.text)
    except ValueError:
        fix = (
            "recode the labels as numbers in scale order"
            if level == "ordinal"
            else "fix it or leave it blank for a missing rating"
        )
        message = f"{where} is not a number, but {level} ratings must be numbers; {fix}, or use "
        raise InputError(located(path, message + "level nominal", line=cell.line)) from None
    if level == "ratio" and number < 0:
        message = f"{where} is negative, but ratio ratings cannot be; use level interval"
        raise InputError(located(path, message, line=cell.line))
    return number


def _matches_number(text: str, allowed: set[str]) -> bool:
    # "1.0" in the file should match category "1".
    try:
        number = to_number(text)
    except ValueError:
        return False
    return any(_same_number(number, a) for a in allowed)


def _same_number(number: float, label: str) -> bool:
    try:
        return to_number(label) == number
    except ValueError:
        return False


def _check_shape(path: Path, cells: list[_Cell], triples: list[tuple]) -> None:
    coders = list(dict.fromkeys(c.coder for c in cells))
    units = list(dict.fromkeys(c.unit for c in cells))
    if len(coders) < 2:
        only = f"only {coders[0]!r}" if coders else "no coder columns"
        raise InputError(f"agreement needs at least 2 coders; {path} has {only}")
    if len(units) < 2:
        raise InputError(f"agreement needs at least 2 units; {path} has only {units[0]!r}")
    if all(value is None for _, _, value in triples):
        raise InputError(located(path, "every value is blank; there are no ratings to compare"))
