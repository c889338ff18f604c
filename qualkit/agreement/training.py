"""Training mode: a trainee's coding against a gold standard (by default the ``consensus``).

As in Dedoose's training centre, the trainee codes documents the gold coder has already coded;
the report gives, per code, Cohen's kappa between trainee and gold at the segment unit and the
list of *misses* (gold applied the code, the trainee did not) and *false hits* (the other way).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qualkit.agreement.disagreements import Disagreement, disagreement_list
from qualkit.agreement.select import Comparison, compare, segment_units, span_table
from qualkit.agreement.stats.binary import summary
from qualkit.agreement.units import pattern_counts, pattern_keys
from qualkit.errors import InputError

if TYPE_CHECKING:
    from qualkit.store import Store

# Pattern numbers with the gold coder as bit 0 and the trainee as bit 1.
NEITHER, GOLD_ONLY, TRAINEE_ONLY, BOTH = 0, 1, 2, 3


@dataclass(frozen=True)
class TrainingCode:
    """One code: how often gold and trainee applied it, and how they differ."""

    code: str
    gold: int
    trainee: int
    hits: int
    misses: int
    false_hits: int
    percent_agreement: float | None
    cohen_kappa: float | None

    def to_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class TrainingReport:
    """A trainee against a gold coder on the documents both marked done."""

    comparison: Comparison
    n_units: int
    codes: tuple[TrainingCode, ...]
    pooled: TrainingCode
    errors: tuple[Disagreement, ...]

    @property
    def gold(self) -> str:
        return self.comparison.coders[0].name

    @property
    def trainee(self) -> str:
        return self.comparison.coders[1].name

    def kind(self, error: Disagreement) -> str:
        """``miss`` (gold applied the code, the trainee not) or ``false hit``."""
        return "miss" if self.gold in error.applied_by else "false hit"

    def to_dict(self) -> dict[str, object]:
        return {
            "trainee": self.trainee,
            "gold": self.gold,
            "documents": [d.name for d in self.comparison.documents],
            "left_out": [{"document": x.document, "reason": x.reason}
                         for x in self.comparison.left_out],
            "n_units": self.n_units,
            "codes": [c.to_dict() for c in self.codes],
            "pooled": self.pooled.to_dict(),
            "errors": [{"kind": self.kind(e), **_error_fields(e)} for e in self.errors],
        }


def _error_fields(error: Disagreement) -> dict[str, object]:
    fields = error.to_dict()
    for key in ("applied_by", "not_applied_by"):
        fields.pop(key)
    return fields


def training_report(
    store: Store,
    trainee: str,
    *,
    gold: str = "consensus",
    overlap: float = 0.0,
    documents: Sequence[str] | None = None,
) -> TrainingReport:
    """Compare ``trainee`` with ``gold`` per code at the segment unit.

    Raises:
        InputError: trainee and gold are the same coder, or a name is unknown.
        QualkitError: no document is marked done by both (reconciliation marks a document done
            for the consensus coder once every disagreement in it is decided).
    """
    if trainee == gold:
        raise InputError(f"the trainee '{trainee}' cannot be their own gold standard")
    comparison = compare(store, [gold, trainee], documents)
    units = segment_units(store, span_table(store, comparison), overlap=overlap)
    counts = pattern_counts(pattern_keys(units.present), 2)
    rows = tuple(_code_row(code.name, counts[i]) for i, code in enumerate(units.table.codes))
    return TrainingReport(
        comparison=comparison,
        n_units=int(units.present.shape[0]),
        codes=rows,
        pooled=_code_row("(pooled)", counts.sum(axis=0)),
        errors=tuple(disagreement_list(store, units)),
    )


def _code_row(name: str, counts) -> TrainingCode:
    stats = summary(counts, 2)
    return TrainingCode(
        code=name,
        gold=int(counts[GOLD_ONLY] + counts[BOTH]),
        trainee=int(counts[TRAINEE_ONLY] + counts[BOTH]),
        hits=int(counts[BOTH]),
        misses=int(counts[GOLD_ONLY]),
        false_hits=int(counts[TRAINEE_ONLY]),
        percent_agreement=stats.percent_agreement,
        cohen_kappa=stats.cohen_kappa,
    )
