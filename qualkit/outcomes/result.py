"""The outcome of one matching run and its JSON form (no NaN: undefined numbers become ``null``)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: Keys of a balance row in the JSON payload, in display order.
BALANCE_KEYS = (
    "covariate", "kind", "smd_before", "smd_after", "var_ratio_before", "var_ratio_after",
    "ecdf_mean_before", "ecdf_mean_after", "ecdf_max_before", "ecdf_max_after",
    "mean_treated_before", "mean_control_before", "mean_treated_after", "mean_control_after",
)


def json_safe(obj: Any) -> Any:
    """Recursively turn numpy scalars/arrays into Python values and NaN/inf into ``None``."""
    if isinstance(obj, dict):
        return {str(k): json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [json_safe(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return [json_safe(v) for v in obj.tolist()]
    if isinstance(obj, np.bool_ | bool):
        return bool(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating | float):
        value = float(obj)
        return value if math.isfinite(value) else None
    return obj


@dataclass
class OutcomeRun:
    """Everything a matching run produced.

    Attributes:
        params: The options used (JSON-safe), as stored with ``--save``.
        result: The ``--json`` payload (JSON-safe).
        pairs: ``(treated_id, control_id, pair_id, weight)`` per matched link; ``weight`` is the
            link's share of its treated unit (1 / number of controls matched to it).
        cohort: The validated :class:`~qualkit.outcomes.data.Cohort` (not serialised).
        matching: The :class:`~qualkit.outcomes.matching.Matching` (not serialised).
        propensity: The :class:`~qualkit.outcomes.propensity.Propensity` (not serialised).
    """

    params: dict
    result: dict
    pairs: list[tuple[str, str, int, float]]
    cohort: Any = field(default=None, repr=False)
    matching: Any = field(default=None, repr=False)
    propensity: Any = field(default=None, repr=False)

    @property
    def balance(self) -> list[dict]:
        """Balance rows of the payload."""
        return self.result["balance"]

    @property
    def effects(self) -> list[dict]:
        """Effect rows of the payload."""
        return self.result["effects"]
