"""The matched data of a run (MatchIt's ``match_data()``), kept with a saved run for re-estimation.

What is kept: every treated row (matched or not, so that a subgroup can say how many of its
treated people found no control) and every matched control, with all the columns of the input
table (a grouping column such as ``district`` need not be a covariate), the 0/1 treatment, the
matching weight and the pair id. Together with the run's pairs this is enough to re-estimate the
run's effects within any group of treated people.

The stored form is zlib-compressed JSON (``FORMAT``): no pickle, so a project file never executes
code when it is read.
"""

from __future__ import annotations

import json
import math
import zlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from qualkit.errors import QualkitError

FORMAT = "qualkit-matched-json-zlib/1"


@dataclass
class MatchedData:
    """Treated rows and matched controls of a run, aligned arrays.

    Attributes:
        frame: The rows, with the input table's columns (pandas DataFrame, index 0..n-1).
        ids: Row ids as text (the run's ``--id`` column).
        treat: 1 treated, 0 control.
        weights: MatchIt matching weight (0 for an unmatched treated row).
        subclass: Pair id (0 = unmatched, and controls with replacement).
        pairs: ``(treated_id, control_id, pair_id, weight)`` links of the run.
        params: The run's options (treatment, covariates, outcomes, exact, replace, adjust, ...).
    """

    frame: Any
    ids: np.ndarray
    treat: np.ndarray
    weights: np.ndarray
    subclass: np.ndarray
    pairs: list[tuple[str, str, int, float]]
    params: dict = field(default_factory=dict)

    @property
    def outcomes(self) -> list[str]:
        """The run's outcome columns."""
        return list(self.params.get("outcomes", []))


def matched_data(run: Any) -> MatchedData:
    """The matched data of a fresh :class:`~qualkit.outcomes.result.OutcomeRun`."""
    cohort, matching = run.cohort, run.matching
    keep = (cohort.treat == 1) | (matching.weights > 0)
    rows = np.flatnonzero(keep)
    return MatchedData(
        frame=cohort.frame.iloc[rows].reset_index(drop=True), ids=cohort.ids[rows],
        treat=cohort.treat[rows].astype(np.int8), weights=matching.weights[rows],
        subclass=matching.subclass[rows], pairs=list(run.pairs), params=dict(run.params))


def _cell(value: Any) -> Any:
    """A JSON value for a table cell: numbers, text, booleans, ``None`` for missing."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    if isinstance(value, bool | int | float | str):
        return value
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def encode(data: MatchedData) -> tuple[str, bytes, int]:
    """``(format, bytes, number of rows)`` for the store."""
    frame = data.frame
    payload = {
        "columns": [str(c) for c in frame.columns],
        "rows": [[_cell(v) for v in row] for row in frame.itertuples(index=False, name=None)],
        "ids": [str(i) for i in data.ids],
        "treat": [int(t) for t in data.treat],
        "weights": [float(w) for w in data.weights],
        "subclass": [int(s) for s in data.subclass],
    }
    blob = zlib.compress(json.dumps(payload, separators=(",", ":")).encode("utf-8"), 6)
    return FORMAT, blob, len(data.ids)


def decode(data_format: str, blob: bytes, *, pairs: list, params: dict,
           run: str = "") -> MatchedData:
    """The :class:`MatchedData` stored by :func:`encode`."""
    import pandas as pd

    if data_format != FORMAT:
        raise QualkitError(f"run '{run}': its matched data is in an unknown format "
                           f"'{data_format}' (written by a newer qualkit?); upgrade qualkit")
    payload = json.loads(zlib.decompress(blob).decode("utf-8"))
    frame = pd.DataFrame(payload["rows"], columns=payload["columns"])
    return MatchedData(
        frame=frame, ids=np.array(payload["ids"], dtype=object),
        treat=np.array(payload["treat"], dtype=np.int8),
        weights=np.array(payload["weights"], dtype=float),
        subclass=np.array(payload["subclass"], dtype=np.int64),
        pairs=[(str(t), str(c), int(p), float(w)) for t, c, p, w in pairs], params=dict(params))
