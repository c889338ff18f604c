"""Read a cohort table and turn it into the arrays the matcher needs, refusing bad input early.

Every problem is raised as one :class:`~qualkit.errors.InputError` line that names the file, the
column and the fix, because the CLI prints it verbatim (no traceback).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from qualkit.errors import InputError, ParameterError, located
from qualkit.outcomes.reading import MAX_TABLE_BYTES, read_table  # noqa: F401  (API)

# A categorical column with more levels than this is almost always an id or a numeric column with
# a stray text entry; dummy-coding it would silently blow up the propensity model.
MAX_LEVELS = 50


@dataclass
class Covariate:
    """One covariate as entered by the user, with how it is coded.

    Attributes:
        name: Column name.
        kind: ``"continuous"``, ``"binary"`` (numeric 0/1 or boolean) or ``"categorical"``.
        levels: Category levels in sorted order (categorical only); the first is the reference
            level dropped from the propensity model, every level is reported in balance.
    """

    name: str
    kind: str
    levels: list[str] = field(default_factory=list)


@dataclass
class Cohort:
    """A validated cohort: aligned arrays, one entry per kept row.

    Attributes:
        source: File name (or ``"<data>"``) used in messages.
        frame: The kept rows of the input table (original columns, fresh 0..n-1 index).
        ids: Row identifiers (the ``--id`` column, as strings).
        treat: 1 for treated rows, 0 for controls.
        treated_label: The treatment value read as "treated", as text.
        control_label: The other treatment value, as text.
        covariates: Coding of each covariate.
        design: Model matrix for the propensity score (no intercept; reference levels dropped).
        design_names: Column names of ``design``.
        balance: Matrix of balance variables (every level of every categorical).
        balance_names: Names of ``balance`` columns (``<var>_<level>`` for categoricals).
        balance_binary: Whether each balance column is binary (SMD divisor sqrt(p(1-p))).
        balance_source: The covariate each balance column came from.
        outcomes: Outcome name -> float array.
        exact: Integer stratum code per row, or ``None`` without ``--exact``.
        n_dropped: Rows dropped by ``--dropna``.
        exact_only: ``--exact`` variables that are not covariates: listed in the balance table
            (as MatchIt's ``summary()`` does) but not in the propensity model.
        notes: Remarks for the output (e.g. an exact variable left out of the balance table).
    """

    source: str
    frame: Any
    ids: np.ndarray
    treat: np.ndarray
    treated_label: str
    control_label: str
    covariates: list[Covariate]
    design: np.ndarray
    design_names: list[str]
    balance: np.ndarray
    balance_names: list[str]
    balance_binary: list[bool]
    balance_source: list[str]
    outcomes: dict[str, np.ndarray]
    exact: np.ndarray | None
    n_dropped: int = 0
    exact_only: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _check_columns(df: Any, source: str, roles: dict[str, list[str]]) -> None:
    """Refuse names that are not columns, naming each one with the option it came from."""
    missing = [f"'{c}' ({role})" for role, cols in roles.items() for c in cols if c not in df]
    if missing:
        shown = ", ".join(str(c) for c in list(df.columns)[:20])
        raise InputError(
            located(source, f"missing column(s) {', '.join(missing)}; the file has: {shown}")
        )


def _handle_missing(df: Any, source: str, columns: list[str], dropna: bool) -> tuple[Any, int]:
    """Refuse (or, with ``dropna``, drop) rows with a missing value in any analysis column."""
    na = df[columns].isna()
    bad = na.any(axis=1)
    n_bad = int(bad.sum())
    if n_bad == 0:
        return df.reset_index(drop=True), 0
    if not dropna:
        per_col = ", ".join(f"{c}: {int(n)}" for c, n in na.sum().items() if n)
        raise InputError(
            located(source, f"{n_bad} row(s) have missing values ({per_col}); "
                    "fill them in or pass --dropna to drop those rows")
        )
    return df.loc[~bad].reset_index(drop=True), n_bad


def _sort_labels(values: list[Any]) -> list[Any]:
    """Sort distinct values numerically when they are all numbers, else as text."""
    try:
        return sorted(values, key=float)
    except (TypeError, ValueError):
        return sorted(values, key=str)


def code_treatment(
    series: Any, source: str, column: str, treated_value: str | None
) -> tuple[np.ndarray, str, str]:
    """Turn a two-valued treatment column into 0/1.

    The treated value is ``treated_value`` when given; otherwise 1 for a 0/1 (or boolean) column,
    else the value that sorts last (numerically if all values are numbers, else alphabetically).

    Returns:
        ``(treat, treated_label, control_label)``.

    Raises:
        InputError: The column does not have exactly two values, or ``treated_value`` is not one.
    """
    values = _sort_labels(list(series.unique()))
    if len(values) != 2:
        shown = ", ".join(str(v) for v in values[:6])
        raise InputError(
            located(source, f"treatment column '{column}' must have exactly two values "
                    f"(treated/control), found {len(values)}: {shown}")
        )
    if treated_value is None:
        treated = values[-1]
    else:
        matches = [v for v in values if str(v) == str(treated_value) or _num_eq(v, treated_value)]
        if not matches:
            raise ParameterError("treated_value", f"'{treated_value}' is not a value of "
                                 f"'{column}' (values: {values[0]}, {values[1]})", where=source)
        treated = matches[0]
    control = values[0] if treated == values[1] else values[1]
    treat = (series == treated).to_numpy().astype(np.int8)
    return treat, str(treated), str(control)


def _num_eq(a: Any, b: Any) -> bool:
    """Whether two values are the same number (so ``--treated-value 1`` matches ``1.0``)."""
    try:
        return float(a) == float(b)
    except (TypeError, ValueError):
        return False


def shown(value: Any) -> str:
    """A cell value as a user typed it: ``3`` or ``'Male'``, never ``np.int64(3)``."""
    if isinstance(value, np.generic):
        value = value.item()
    return repr(value) if isinstance(value, str) else str(value)


def _classify(series: Any, source: str, name: str, *, in_model: bool = True) -> Covariate:
    """Decide how a covariate is coded, refusing constant and id-like model covariates.

    A variable used only for exact matching (``in_model=False``) is listed in the balance table
    but never enters the propensity model, so a constant one is harmless and kept.
    """
    import pandas as pd

    distinct = series.unique()
    if len(distinct) < 2 and in_model:
        raise InputError(
            located(source, f"covariate '{name}' is constant (every row is "
                    f"{shown(distinct[0])}); remove it from --covariates")
        )
    if pd.api.types.is_bool_dtype(series):
        return Covariate(name, "binary")
    if pd.api.types.is_numeric_dtype(series):
        values = set(np.unique(series.to_numpy(dtype=float)))
        is01 = values <= {0.0, 1.0} and len(values) == 2
        return Covariate(name, "binary" if is01 else "continuous")
    levels = [str(v) for v in _sort_labels(list(distinct))]
    if len(levels) > MAX_LEVELS and in_model:
        raise InputError(
            located(source, f"covariate '{name}' has {len(levels)} distinct text values; "
                    "if it is numeric, fix the non-numeric entries, else group its levels")
        )
    return Covariate(name, "categorical", levels)


def _dummies(series: Any, levels: list[str]) -> np.ndarray:
    """0/1 indicator matrix with one column per level, in ``levels`` order."""
    text = series.astype(str).to_numpy()
    return np.column_stack([(text == lv).astype(float) for lv in levels])


def _encode(df: Any, covs: list[Covariate]) -> tuple[np.ndarray, list[str], np.ndarray, list]:
    """Build the propensity design matrix and the balance matrix (with names and binary flags)."""
    design, dnames, bal, bnames = [], [], [], []
    for cov in covs:
        if cov.kind == "categorical":
            block = _dummies(df[cov.name], cov.levels)
            names = [f"{cov.name}_{lv}" for lv in cov.levels]
            design.append(block[:, 1:])  # reference (first) level dropped, as R's model.matrix
            dnames += names[1:]
            bal.append(block)
            bnames += [(n, True, cov.name) for n in names]
        else:
            col = df[cov.name].to_numpy(dtype=float)[:, None]
            design.append(col)
            dnames.append(cov.name)
            bal.append(col)
            bnames.append((cov.name, cov.kind == "binary", cov.name))
    return np.hstack(design), dnames, np.hstack(bal), bnames


def _outcome_arrays(df: Any, source: str, outcomes: list[str]) -> dict[str, np.ndarray]:
    """Outcome columns as float arrays, refusing non-numeric ones."""
    import pandas as pd

    out = {}
    for name in outcomes:
        if pd.api.types.is_bool_dtype(df[name]) or pd.api.types.is_numeric_dtype(df[name]):
            out[name] = df[name].to_numpy(dtype=float)
        else:
            raise InputError(
                located(source, f"outcome '{name}' is not numeric; code it as numbers (0/1 for "
                        "yes/no) before matching")
            )
    return out


def _exact_codes(df: Any, exact: list[str]) -> np.ndarray | None:
    """One integer per row identifying its exact-matching stratum (combination of values)."""
    import pandas as pd

    if not exact:
        return None
    keys = df[exact].astype(str).agg("\x1f".join, axis=1)
    codes, _ = pd.factorize(keys, sort=True)
    return codes.astype(np.int64)


def _check_two_groups(series: Any, source: str, column: str, treated_value: str | None,
                      n_dropped: int) -> None:
    """Refuse a treatment column left with a single value: no treated or no control rows."""
    values = list(series.unique())
    if len(values) != 1:
        return
    only = values[0]
    if treated_value is not None:
        which = "control" if str(only) == str(treated_value) or _num_eq(only, treated_value) \
            else "treated"
    elif _num_eq(only, 0):
        which = "treated"
    elif _num_eq(only, 1):
        which = "control"
    else:
        which = "treated or no control"
    after = f" after dropping {n_dropped} row(s) with missing values" if n_dropped else ""
    raise InputError(
        located(source, f"no {which} rows left in '{column}'{after} (every row is {shown(only)}); "
                "check the treatment column, --treated-value and missing values")
    )


def prepare_cohort(
    data: Any,
    *,
    treatment: str,
    covariates: list[str],
    outcomes: list[str],
    id_col: str = "id",
    exact: list[str] | None = None,
    treated_value: str | None = None,
    dropna: bool = False,
    source: str | None = None,
) -> Cohort:
    """Validate a table and encode it for matching.

    Args:
        data: A path (CSV/XLSX) or a pandas DataFrame.
        treatment: Treatment column (two values).
        covariates: Covariate columns for the propensity model and balance.
        outcomes: Outcome columns (numeric).
        id_col: Identifier column; must be unique.
        exact: Columns to match exactly on (need not be covariates).
        treated_value: Which treatment value is "treated" (see :func:`code_treatment`).
        dropna: Drop rows with missing values in any analysis column instead of refusing.
        source: Name used in messages when ``data`` is a DataFrame.

    Returns:
        The validated :class:`Cohort`.

    Raises:
        InputError: For every problem in the input, with a one-line fix.
    """
    exact = list(exact or [])
    if isinstance(data, str | Path):
        source = str(data)
        data = read_table(data)
    source = source or "<data>"
    if not covariates:
        raise ParameterError("covariates", "is empty; name the columns to balance on",
                             where=source)
    roles = {"id_col": [id_col], "treatment": [treatment], "covariates": covariates,
             "outcomes": outcomes, "exact": exact}
    _check_columns(data, source, roles)
    used = list(dict.fromkeys([treatment, *covariates, *exact, *outcomes]))
    df, n_dropped = _handle_missing(data, source, used, dropna)
    _check_unique_ids(df, source, id_col)
    _check_two_groups(df[treatment], source, treatment, treated_value, n_dropped)
    treat, t_label, c_label = code_treatment(df[treatment], source, treatment, treated_value)
    covs = [_classify(df[c], source, c) for c in covariates]
    design, dnames, bal, bmeta = _encode(df, covs)
    extra, notes = _exact_only(df, source, exact, covariates)
    if extra:
        _, _, bal_x, bmeta_x = _encode(df, extra)
        bal, bmeta = np.hstack([bal, bal_x]), bmeta + bmeta_x
    return Cohort(
        source=source, frame=df, ids=df[id_col].astype(str).to_numpy(), treat=treat,
        treated_label=t_label, control_label=c_label, covariates=covs, design=design,
        design_names=dnames, balance=bal, balance_names=[m[0] for m in bmeta],
        balance_binary=[m[1] for m in bmeta], balance_source=[m[2] for m in bmeta],
        outcomes=_outcome_arrays(df, source, outcomes), exact=_exact_codes(df, exact),
        n_dropped=n_dropped, exact_only=[c.name for c in extra], notes=notes,
    )


def _exact_only(df: Any, source: str, exact: list[str],
                covariates: list[str]) -> tuple[list[Covariate], list[str]]:
    """Exact-matching variables that are not covariates, coded for the balance table only.

    One with more than ``MAX_LEVELS`` text values (e.g. a ZIP code) would add a balance row per
    level; it is left out of the table with a note (its balance is perfect by construction).
    """
    extra, notes = [], []
    for name in exact:
        if name in covariates:
            continue
        cov = _classify(df[name], source, name, in_model=False)
        if len(cov.levels) > MAX_LEVELS:
            notes.append(f"exact variable '{name}' has {len(cov.levels)} levels: not listed in "
                         "the balance table (exact matching balances it perfectly)")
            continue
        extra.append(cov)
    return extra, notes


def _check_unique_ids(df: Any, source: str, id_col: str) -> None:
    """Refuse missing or duplicated ids: pairs are reported by id, so ids must be unique."""
    ids = df[id_col]
    if ids.isna().any():
        raise InputError(located(source, f"id column '{id_col}' has {int(ids.isna().sum())} "
                                 "empty value(s); every row needs an id"))
    dup = ids[ids.duplicated()]
    if len(dup):
        raise InputError(
            located(source, f"id column '{id_col}' has {len(dup)} duplicated value(s) "
                    f"(first: {dup.iloc[0]!r}); ids must be unique (or pick another --id)")
        )
