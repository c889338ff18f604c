"""Where coders differ: every (segment, code) that some compared coders applied and others not.

The same segment unit as the agreement table (``agreement_select``): a disagreement here is
exactly a unit that lowers that code's percent agreement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from qualkit.agreement.select import Comparison, SegmentUnits, compare, segment_units, span_table
from qualkit.errors import InputError
from qualkit.models import Segment

if TYPE_CHECKING:
    from qualkit.store import Store

CSV_COLUMNS = ("document", "segment", "start", "end", "speaker", "code", "applied_by",
               "not_applied_by", "text")


@dataclass(frozen=True)
class Disagreement:
    """One segment and code on which the compared coders differ.

    Attributes:
        document: the document's name.
        segment: the segment (its ``ordinal`` is its number in the document, from 0).
        code, code_id: the code.
        applied_by, not_applied_by: coder names, in the comparison's order.
    """

    document: str
    segment: Segment
    code: str
    code_id: int
    applied_by: tuple[str, ...]
    not_applied_by: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "document": self.document,
            "segment": self.segment.ordinal,
            "start": self.segment.start,
            "end": self.segment.end,
            "speaker": self.segment.speaker,
            "code": self.code,
            "applied_by": list(self.applied_by),
            "not_applied_by": list(self.not_applied_by),
            "text": self.segment.text,
        }

    def csv_row(self) -> list[object]:
        row = self.to_dict()
        row["applied_by"] = ";".join(self.applied_by)
        row["not_applied_by"] = ";".join(self.not_applied_by)
        return [row[c] for c in CSV_COLUMNS]


@dataclass(frozen=True)
class Disagreements:
    """The disagreements of a comparison, in reading order and codebook order."""

    comparison: Comparison
    overlap: float
    items: tuple[Disagreement, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "coders": list(self.comparison.coder_names),
            "documents": [d.name for d in self.comparison.documents],
            "left_out": [{"document": x.document, "reason": x.reason}
                         for x in self.comparison.left_out],
            "overlap": self.overlap,
            "disagreements": [d.to_dict() for d in self.items],
        }


def find_disagreements(
    store: Store,
    coders: Sequence[str] | None = None,
    *,
    code: str | None = None,
    overlap: float = 0.0,
    documents: Sequence[str] | None = None,
) -> Disagreements:
    """List every (segment, code) where the compared coders differ.

    Args:
        store: the open project.
        coders: coder names (default: every human coder with codings).
        code: only this code (by name).
        overlap: the segment unit's overlap share (0 = any overlap).
        documents: document names to consider (default: all finished by every coder).

    Raises:
        InputError: an unknown code, coder or document.
    """
    comparison = compare(store, coders, documents)
    codes = None
    if code is not None:
        found = store.codes.by_name(code)
        if found is None:
            raise InputError(f"unknown code '{code}'; see `qualkit codebook PROJECT --export -`")
        codes = [found]
    units = segment_units(store, span_table(store, comparison, codes), overlap=overlap)
    return Disagreements(comparison, overlap, tuple(disagreement_list(store, units)))


def disagreement_list(store: Store, units: SegmentUnits) -> list[Disagreement]:
    """The (segment, code) units on which the coders of ``units`` differ."""
    present = units.present
    differ = present.any(axis=2) & ~present.all(axis=2)
    rows, cols = np.nonzero(differ)  # row-major: reading order, then codebook order
    segments = segments_by_id(store, np.unique(units.document_ids[rows]))
    names = {d.id: d.name for d in units.table.comparison.documents}
    coders = units.table.comparison.coder_names
    found = []
    for row, col in zip(rows.tolist(), cols.tolist(), strict=True):
        code = units.table.codes[col]
        mask = present[row, col]
        found.append(Disagreement(
            document=names[int(units.document_ids[row])],
            segment=segments[int(units.segment_ids[row])],
            code=code.name,
            code_id=code.id,
            applied_by=tuple(c for c, m in zip(coders, mask, strict=True) if m),
            not_applied_by=tuple(c for c, m in zip(coders, mask, strict=True) if not m),
        ))
    return found


def segments_by_id(store: Store, document_ids: Sequence[int]) -> dict[int, Segment]:
    """Every segment of the documents, by segment id."""
    return {s.id: s for d in document_ids for s in store.documents.segments(int(d))}
