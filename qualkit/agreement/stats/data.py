"""The ratings matrix that every agreement statistic works on, and its constructors.

A :class:`Ratings` holds a units x coders matrix of *category indices* (``MISSING`` = -1 where a
coder did not rate a unit) plus the tuple of category labels the indices point into.  Storing
indices rather than raw values lets every statistic work on small integer arrays and lets the
same structure carry nominal labels ("present"), ordered scale points (1..5) and numbers.

Only numpy is imported here; the module knows nothing about files (see ``agreement_io``).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

LEVELS = ("nominal", "ordinal", "interval", "ratio")
MISSING = -1
NUMERIC_LEVELS = ("interval", "ratio")


@dataclass(frozen=True, eq=False)
class Ratings:
    """A units x coders matrix of category indices with a missing marker.

    Attributes:
        codes: int64 array of shape (n_units, n_coders); ``codes[u, c]`` indexes ``categories``
            or is ``MISSING`` (-1) when coder ``c`` did not rate unit ``u``.  Stored read-only.
        categories: the category labels, in order.  For ``ordinal`` data the order is the scale
            order; for ``interval``/``ratio`` data the labels are numbers.  ``len(categories)`` is
            the q used by Gwet's AC1 and Brennan-Prediger, so include unused categories here
            (e.g. ``(0, 1)`` for a binary code) when the full set is known.
        level: level of measurement: ``nominal``, ``ordinal``, ``interval`` or ``ratio``.  It picks
            Krippendorff's metric and the default weights of the summary.
        units: unit identifiers, one per row, stored as a tuple (``range(n_units)`` if not given).
        coders: coder identifiers, one per column, stored as a tuple (``range(n_coders)`` if not
            given).
    """

    codes: np.ndarray
    categories: tuple[Hashable, ...]
    level: str = "nominal"
    units: Sequence[Hashable] | None = None
    coders: Sequence[Hashable] | None = None

    def __post_init__(self) -> None:
        codes = np.array(self.codes, dtype=np.int64, copy=True)
        if codes.ndim != 2:
            raise ValueError(f"codes must be a 2-D units x coders array, got {codes.ndim}-D")
        categories = tuple(self.categories)
        if len(set(categories)) != len(categories):
            raise ValueError("categories contain duplicates")
        if codes.size and (codes.min() < MISSING or codes.max() >= len(categories)):
            raise ValueError(f"codes must lie in -1..{len(categories) - 1} (-1 = missing)")
        if self.level not in LEVELS:
            raise ValueError(f"unknown level {self.level!r}; use one of {', '.join(LEVELS)}")
        if self.level in NUMERIC_LEVELS:
            _check_numeric_categories(categories, self.level)
        codes.setflags(write=False)
        object.__setattr__(self, "codes", codes)
        object.__setattr__(self, "categories", categories)
        object.__setattr__(self, "units", _labels(self.units, codes.shape[0], "units"))
        object.__setattr__(self, "coders", _labels(self.coders, codes.shape[1], "coders"))

    @property
    def n_units(self) -> int:
        """Number of rows (units), including units nobody rated."""
        return int(self.codes.shape[0])

    @property
    def n_coders(self) -> int:
        """Number of columns (coders)."""
        return int(self.codes.shape[1])

    @property
    def n_categories(self) -> int:
        """q: the number of categories in ``categories``."""
        return len(self.categories)

    @cached_property
    def values(self) -> np.ndarray:
        """Numeric value of each category: the label for interval/ratio, else its rank 0..q-1."""
        if self.level in NUMERIC_LEVELS:
            return np.array([float(c) for c in self.categories], dtype=float)
        return np.arange(self.n_categories, dtype=float)


def _labels(given: Sequence[Hashable] | None, size: int, what: str) -> Sequence[Hashable]:
    if given is None:
        return range(size)  # immutable, unique by construction, and O(1) to build
    labels = tuple(given)
    if len(labels) != size:
        raise ValueError(f"{what} has {len(labels)} labels for {size} columns/rows")
    if len(set(labels)) != len(labels):
        raise ValueError(f"{what} labels must be unique")
    return labels


def _check_numeric_categories(categories: tuple[Hashable, ...], level: str) -> None:
    for label in categories:
        if not _is_real(label) or not math.isfinite(float(label)):
            raise ValueError(f"{level} categories must be finite numbers, got {label!r}")
        if level == "ratio" and float(label) < 0:
            raise ValueError(f"ratio categories cannot be negative, got {label!r}")


def _is_real(value: object) -> bool:
    # bool is an int subclass, but True/False as a scale value is almost always a mistake.
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


def is_missing(value: object) -> bool:
    """True for the values treated as a missing rating: None, NaN and blank strings."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, float | np.floating) and math.isnan(value)


def to_number(value: object) -> int | float:
    """Parse a rating as a finite number; integral values become ``int`` so 1, 1.0, "1" match.

    Raises:
        ValueError: the value is not a finite number.
    """
    if isinstance(value, str):
        number = float(value.strip())  # raises ValueError for text
    elif _is_real(value):
        number = float(value)
    else:
        raise ValueError(f"{value!r} is not a number")
    if not math.isfinite(number):
        raise ValueError(f"{value!r} is not a finite number")
    return int(number) if number.is_integer() else number


def _normalise(value: object, level: str) -> Hashable:
    if level == "nominal" or (level == "ordinal" and not _looks_numeric(value)):
        return value.strip() if isinstance(value, str) else value
    return to_number(value)


def _looks_numeric(value: object) -> bool:
    try:
        to_number(value)
    except ValueError:
        return False
    return True


def infer_categories(observed: Iterable[Hashable], level: str) -> tuple[Hashable, ...]:
    """Sort the observed labels: numerically when all are numbers, else by their text.

    Raises:
        ValueError: ordinal labels that are not all numbers have no natural order.
    """
    labels = set(observed)
    if all(_is_real(v) for v in labels):
        return tuple(sorted(labels, key=float))
    if all(isinstance(v, str) and _looks_numeric(v) for v in labels):
        # Nominal labels read from text ("1", "2", "10") still display in numeric order.
        return tuple(sorted(labels, key=lambda v: (float(v), v)))
    if level != "nominal":
        raise ValueError(
            f"{level} ratings must be numbers to be ordered; pass categories= in scale order"
        )
    return tuple(sorted(labels, key=lambda v: (type(v).__name__, str(v))))


def _resolve_categories(
    observed: Iterable[Hashable], level: str, categories: Sequence[Hashable] | None
) -> tuple[Hashable, ...]:
    if categories is None:
        return infer_categories(observed, level)
    given = tuple(_normalise(c, level) for c in categories)
    unknown = set(observed) - set(given)
    if unknown:
        shown = ", ".join(repr(v) for v in sorted(unknown, key=str)[:5])
        raise ValueError(f"values not in categories: {shown}")
    return given


def ratings_from_long(
    rows: Iterable[tuple[Hashable, Hashable, object]],
    *,
    level: str = "nominal",
    categories: Sequence[Hashable] | None = None,
) -> Ratings:
    """Build :class:`Ratings` from ``(unit, coder, value)`` triples.

    Units and coders keep their order of first appearance.  A missing value (None, NaN, blank
    string) still registers its unit and coder.

    Args:
        rows: iterable of (unit, coder, value).
        level: level of measurement (see :data:`LEVELS`).
        categories: the full category set (in scale order for ordinal data); by default the
            observed values, sorted.

    Raises:
        ValueError: a (unit, coder) pair occurs twice, a value is not numeric at a numeric
            level, or a value is not among ``categories``.
    """
    units: dict[Hashable, int] = {}
    coders: dict[Hashable, int] = {}
    cells: dict[tuple[int, int], Hashable | None] = {}
    for unit, coder, value in rows:
        key = (units.setdefault(unit, len(units)), coders.setdefault(coder, len(coders)))
        if key in cells:
            raise ValueError(f"duplicate rating for unit {unit!r} by coder {coder!r}")
        cells[key] = None if is_missing(value) else _normalise(value, level)
    observed = {v for v in cells.values() if v is not None}
    labels = _resolve_categories(observed, level, categories)
    index = {label: i for i, label in enumerate(labels)}
    codes = np.full((len(units), len(coders)), MISSING, dtype=np.int64)
    for (u, c), value in cells.items():
        if value is not None:
            codes[u, c] = index[value]
    return Ratings(codes, labels, level, tuple(units), tuple(coders))


def ratings_from_wide(
    table: object,
    *,
    level: str = "nominal",
    categories: Sequence[Hashable] | None = None,
    units: Sequence[Hashable] | None = None,
    coders: Sequence[Hashable] | None = None,
) -> Ratings:
    """Build :class:`Ratings` from a units x coders table of values.

    Numeric arrays (NaN = missing; booleans become 0/1) take a vectorised path; object arrays and
    nested lists may hold any labels, with None/NaN/"" as missing.  A pandas DataFrame works too:
    its index gives the units and its columns the coders unless given.

    Args:
        table: 2-D array-like, one row per unit and one column per coder.
        level: level of measurement (see :data:`LEVELS`).
        categories: the full category set (in scale order for ordinal data).
        units: row labels; coders: column labels.

    Raises:
        ValueError: the table is not 2-D, or a value does not fit the level or ``categories``.
    """
    if hasattr(table, "columns") and hasattr(table, "to_numpy"):
        coders = list(table.columns) if coders is None else coders
        units = list(table.index) if units is None else units
        table = table.to_numpy(dtype=object)
    array = np.asarray(table)
    if array.ndim != 2:
        raise ValueError(f"a wide table must be 2-D (units x coders), got {array.ndim}-D")
    if array.dtype.kind == "b":
        array = array.astype(np.int64)
    if array.dtype.kind in "iuf":
        codes, labels = _codes_from_numeric(array, level, categories)
    else:
        codes, labels = _codes_from_objects(array, level, categories)
    return Ratings(codes, labels, level, units, coders)


def _codes_from_numeric(
    array: np.ndarray, level: str, categories: Sequence[Hashable] | None
) -> tuple[np.ndarray, tuple[Hashable, ...]]:
    values = array.astype(float)
    present = ~np.isnan(values)
    if np.isinf(values[present]).any():
        raise ValueError("ratings must be finite numbers (use NaN for missing)")
    observed = np.unique(values[present])
    if categories is None and not observed.size:
        return np.full(values.shape, MISSING, dtype=np.int64), ()
    if categories is None:
        grid = observed
        labels = tuple(to_number(v) for v in grid.tolist())
    else:
        labels = tuple(to_number(c) for c in categories)
        grid = np.array(labels, dtype=float)
        if np.setdiff1d(observed, grid).size:
            bad = np.setdiff1d(observed, grid)[:5].tolist()
            raise ValueError(f"values not in categories: {', '.join(map(repr, bad))}")
    if not grid.size:
        return np.full(values.shape, MISSING, dtype=np.int64), labels
    # searchsorted over the sorted grid, then map back to the caller's category order.
    order = np.argsort(grid, kind="stable")
    slot = np.searchsorted(grid[order], np.where(present, values, grid.min()))
    codes = np.where(present, order[np.minimum(slot, len(grid) - 1)], MISSING)
    return codes.astype(np.int64), labels


def _codes_from_objects(
    array: np.ndarray, level: str, categories: Sequence[Hashable] | None
) -> tuple[np.ndarray, tuple[Hashable, ...]]:
    flat = [None if is_missing(v) else _normalise(v, level) for v in array.ravel().tolist()]
    labels = _resolve_categories({v for v in flat if v is not None}, level, categories)
    index = {label: i for i, label in enumerate(labels)}
    codes = np.array([MISSING if v is None else index[v] for v in flat], dtype=np.int64)
    return codes.reshape(array.shape), labels
