"""What a project comparison compares: which coders, which documents (and why others are left
out), and the units read from the store as arrays.

Agreement only compares documents that *every* compared coder marked done: a document one coder
has not finished would count their missing codes as disagreements.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from qualkit.agreement.units import MAX_CODERS, document_bases, segment_presence
from qualkit.errors import InputError, ParameterError, QualkitError
from qualkit.models import Code, Coder, Document
from qualkit.store.spans import coding_array, segment_array

if TYPE_CHECKING:
    from qualkit.store import Store

DONE_HINT = "mark finished documents with `qualkit codings done PROJECT --coder NAME DOCUMENT...`"


@dataclass(frozen=True)
class LeftOut:
    """A document that was not compared, and why."""

    document: str
    reason: str


@dataclass(frozen=True)
class Comparison:
    """The coders and documents of one comparison.

    Attributes:
        coders: the compared coders, in the order given (default: by name).
        documents: the documents every coder marked done, by name.
        left_out: every other document of the project (or of ``--documents``), with the reason.
    """

    coders: tuple[Coder, ...]
    documents: tuple[Document, ...]
    left_out: tuple[LeftOut, ...]

    @property
    def coder_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.coders)


def choose_coders(store: Store, names: Sequence[str] | None = None) -> tuple[Coder, ...]:
    """The named coders (at least 2), or by default every human coder who has codings and has
    marked at least one document done.

    Raises:
        InputError: an unknown name, fewer than 2 coders, or more than 16.
        QualkitError: by default, when coders have codings but fewer than 2 finished anything.
    """
    known = {c.name: c for c in store.codings.coders()}
    if names:
        wanted = list(dict.fromkeys(n.strip() for n in names if n.strip()))
        unknown = [n for n in wanted if n not in known]
        if unknown:
            listed = ", ".join(sorted(known)) or "none yet"
            shown = ", ".join(repr(n) for n in unknown)
            raise InputError(f"unknown coder {shown}; coders in this project: {listed}")
        chosen = [known[n] for n in wanted]
    else:
        # A coder who has finished no document yet cannot be compared; leaving them out keeps
        # one trainee's half-done work from blocking everybody else's report.
        counts, finished = store.codings.counts_by_coder(), store.codings.completion_table()
        coding = [c for c in known.values() if c.kind == "human" and counts.get(c.name)]
        chosen = [c for c in coding if finished.get(c.name)]
        if len(chosen) < 2 <= len(coding):
            names = ", ".join(c.name for c in coding)
            raise QualkitError(
                f"no document is marked done by every coder with codings ({names}); " + DONE_HINT
            )
    if len(chosen) < 2:
        have = ", ".join(c.name for c in chosen) or "none"
        where = "" if names else " human coders with codings and finished documents"
        raise ParameterError(
            "coders", f"agreement needs at least 2 coders; got {len(chosen)}{where} ({have}); "
            "name them with {param} a,b"
        )
    if len(chosen) > MAX_CODERS:
        raise InputError(f"compare at most {MAX_CODERS} coders at once; got {len(chosen)}")
    return tuple(chosen)


def compare(
    store: Store, coders: Sequence[str] | None = None, documents: Sequence[str] | None = None
) -> Comparison:
    """Choose the coders and the documents that all of them marked done.

    Raises:
        InputError: bad coder or document names.
        QualkitError: no document is done by every compared coder.
    """
    chosen = choose_coders(store, coders)
    candidates = _candidate_documents(store, documents)
    done = [store.codings.completed(c.id) for c in chosen]
    kept: list[Document] = []
    left: list[LeftOut] = []
    for document in candidates:
        missing = [c.name for c, ids in zip(chosen, done, strict=True) if document.id not in ids]
        if missing:
            left.append(LeftOut(document.name, f"not marked done by {', '.join(missing)}"))
        else:
            kept.append(document)
    if documents:
        named = set(documents)
        left += [LeftOut(d.name, "not among the documents chosen") for d in store.documents.list()
                 if d.name not in named]
    if not kept:
        names = ", ".join(c.name for c in chosen)
        raise QualkitError(f"no document is marked done by every compared coder ({names}); "
                           + DONE_HINT)
    return Comparison(chosen, tuple(kept), tuple(left))


def _candidate_documents(store: Store, names: Sequence[str] | None) -> list[Document]:
    everything = store.documents.list()
    if not names:
        return everything
    by_name = {d.name: d for d in everything}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise InputError(f"unknown document '{unknown[0]}'; see `qualkit status` for the names")
    return [by_name[n] for n in dict.fromkeys(names)]


@dataclass(frozen=True)
class SpanTable:
    """The compared text laid end to end, and the coders' spans on it.

    Attributes:
        codes: the active codes, in codebook order (index = code index in ``spans``).
        bases: offset of each compared document (in ``comparison.documents`` order).
        total: characters of all compared documents.
        spans: (m, 4) int64 rows of (global start, global end, code index, coder index).
    """

    comparison: Comparison
    codes: tuple[Code, ...]
    bases: np.ndarray
    total: int
    spans: np.ndarray


def span_table(
    store: Store, comparison: Comparison, codes: Sequence[Code] | None = None
) -> SpanTable:
    """Read the compared coders' codings of active codes (or ``codes``) in the documents."""
    documents = comparison.documents
    codes = tuple(store.codes.list() if codes is None else codes)
    bases = document_bases([d.length for d in documents])
    found = coding_array(store, [d.id for d in documents], [c.id for c in comparison.coders])
    code = _lookup([c.id for c in codes], found[:, 1])
    coder = _lookup([c.id for c in comparison.coders], found[:, 2])
    base = bases[_lookup([d.id for d in documents], found[:, 0])]
    keep = code >= 0  # codings of retired codes are not compared
    spans = np.column_stack(
        [found[:, 3] + base, found[:, 4] + base, code, coder]
    )[keep].reshape(-1, 4)
    total = int(sum(d.length for d in documents))
    return SpanTable(comparison, codes, bases, total, spans)


def _lookup(ids: Sequence[int], values: np.ndarray) -> np.ndarray:
    """Position of each value in ``ids`` (-1 where absent), vectorised."""
    table = np.asarray(ids, dtype=np.int64)
    if not table.size:
        return np.full(values.shape, -1, dtype=np.int64)
    order = np.argsort(table)
    where = np.minimum(np.searchsorted(table[order], values), table.size - 1)
    return np.where(table[order][where] == values, order[where], -1)


@dataclass(frozen=True)
class SegmentUnits:
    """Segment units of a comparison.

    Attributes:
        document_ids, segment_ids, starts, ends: (n,) per segment, in reading order
            (document by name, then position); ``starts``/``ends`` are offsets in the document.
        present: (n, n_codes, n_coders) whether each coder applied each code to the segment.
    """

    table: SpanTable
    overlap: float
    document_ids: np.ndarray
    segment_ids: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    present: np.ndarray


def segment_units(store: Store, table: SpanTable, *, overlap: float = 0.0) -> SegmentUnits:
    """Which coder applied which code to which segment (see ``segment_presence``)."""
    if not 0.0 <= overlap <= 1.0:
        raise ParameterError("overlap", f"must lie between 0 and 1, got {overlap}")
    documents = table.comparison.documents
    seg = segment_array(store, [d.id for d in documents])
    position = _lookup([d.id for d in documents], seg[:, 0])
    seg = seg[np.lexsort((seg[:, 3], seg[:, 2], position))]  # documents in comparison order
    base = table.bases[np.sort(position)]
    present = segment_presence(
        seg[:, 2] + base, seg[:, 3] + base, table.spans,
        n_codes=len(table.codes), n_coders=len(table.comparison.coders), overlap=overlap,
    )
    return SegmentUnits(table, overlap, seg[:, 0], seg[:, 1], seg[:, 2], seg[:, 3], present)
