"""Quantitizing: the coded transcripts as numbers (Sandelowski, Voils & Knafl 2009).

* :func:`code_matrix`: document x code or speaker x code, as the number of codings, presence
  (0/1), the number of coded segments, or the share of the document's (speaker's) segments coded.
* :func:`cooccurrence`: pairs of codes that overlap in the same segments (speakers, documents),
  as counts and Jaccard similarity.

Counts are of what coders did, not of how important a theme is: a theme one participant dwells on
yields many codings. Presence per document or speaker is the safer number to compare groups by.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from qualkit.errors import ParameterError
from qualkit.integrate.corpus import Corpus, choose_scope, load_corpus
from qualkit.integrate.tables import make_table

if TYPE_CHECKING:
    from qualkit.store import Store

BY = ("document", "speaker")
MEASURES = ("count", "presence", "segments", "share")
UNITS = ("segment", "speaker", "document")


def _columns(corpus: Corpus, rollup: bool) -> list[int]:
    return corpus.top_level() if rollup else list(range(corpus.n_codes))


def _presence(corpus: Corpus, rollup: bool) -> np.ndarray:
    return corpus.inclusive(corpus.presence) if rollup else corpus.presence


def _coding_counts(corpus: Corpus, by: str, rollup: bool) -> np.ndarray:
    """Codings per row (document or speaker) and code; a coding that crosses two speakers'
    segments counts for each of them."""
    spans = corpus.spans
    if by == "document":
        rows, codes, n = spans[:, 4], spans[:, 2], len(corpus.docs)
    else:
        span, seg = corpus.hits
        key = np.unique(span * len(corpus.speakers) + corpus.seg_speaker[seg])
        span = key // len(corpus.speakers)
        rows, codes, n = key % len(corpus.speakers), spans[span, 2], len(corpus.speakers)
    counts = np.zeros((n, corpus.n_codes), dtype=np.int64)
    np.add.at(counts, (rows, codes), 1)
    return counts @ corpus.descendants.T.astype(np.int64) if rollup else counts


def _per_row(values: np.ndarray, owner: np.ndarray, n: int) -> np.ndarray:
    """Column sums of ``values`` (segments x codes) grouped by ``owner`` (n rows)."""
    out = np.zeros((n, values.shape[1]), dtype=np.int64)
    np.add.at(out, owner, values.astype(np.int64))
    return out


def _row_labels(corpus: Corpus, by: str) -> tuple[list[dict], np.ndarray, np.ndarray]:
    """Descriptive columns, segment owner and segment totals of each row."""
    if by == "document":
        owner = corpus.seg_doc
        labels = [{"document": d.name, "kind": d.kind, "role": d.role, "site": d.site,
                   "date": d.date} for d in corpus.docs]
    else:
        owner = corpus.seg_speaker
        labels = [{"document": corpus.docs[s.document].name, "speaker": s.label,
                   "role": s.role or corpus.docs[s.document].role} for s in corpus.speakers]
    totals = np.bincount(owner, minlength=len(labels))
    return labels, owner, totals


def code_matrix(store: Store, *, by: str = "document", measure: str = "count",
                coders: Sequence[str] | None = None, documents: Sequence[str] | None = None,
                rollup: bool = False):
    """Document x code (or speaker x code) matrix.

    Args:
        store: An open project.
        by: ``document`` or ``speaker`` (a speaker is one label in one document).
        measure: ``count`` (codings), ``presence`` (0/1), ``segments`` (coded segments) or
            ``share`` (coded segments / the row's segments, 0-1).
        coders: Coder names (default: see :func:`~qualkit.integrate.corpus.choose_scope`).
        documents: Document names (default: all).
        rollup: Only top-level codes, each with its sub-codes' codings.

    Returns:
        DataFrame: descriptive columns, ``segments`` (the row's segment count), one column per
        code; provenance in ``attrs``.
    """
    if by not in BY:
        raise ParameterError("by", f"must be one of {', '.join(BY)}, not '{by}'")
    if measure not in MEASURES:
        raise ParameterError("measure", f"must be one of {', '.join(MEASURES)}, not '{measure}'")
    corpus = load_corpus(store, choose_scope(store, coders, documents))
    columns = _columns(corpus, rollup)
    labels, owner, totals = _row_labels(corpus, by)
    if measure == "count":
        values = _coding_counts(corpus, by, rollup)[:, columns]
    else:
        coded = _per_row(_presence(corpus, rollup), owner, len(labels))[:, columns]
        values = {"presence": (coded > 0).astype(np.int64), "segments": coded,
                  "share": coded / np.maximum(totals, 1)[:, None]}[measure]
    names = [corpus.codes[j].name for j in columns]
    rows = [{**label, "segments": int(total), **dict(zip(names, row.tolist(), strict=True))}
            for label, total, row in zip(labels, totals, values, strict=True)]
    what = {"count": "number of codings", "presence": "1 if coded at least once",
            "segments": "number of coded segments",
            "share": "share of the row's segments coded (0-1)"}[measure]
    notes = [f"cells: {what}", "codes with their sub-codes aggregated" if rollup else
             "each code on its own (sub-codes not added to their parents)"]
    return make_table(rows, title=f"{by} x code: {measure}", scope=corpus.scope.describe(),
                      notes=notes, by=by, measure=measure, codes=names)


def cooccurrence(store: Store, *, unit: str = "segment", coders: Sequence[str] | None = None,
                 documents: Sequence[str] | None = None, rollup: bool = False,
                 min_count: int = 1):
    """Pairs of codes present in the same units.

    Args:
        store: An open project.
        unit: ``segment`` (the two codes overlap in a segment), ``speaker`` or ``document``.
        coders, documents, rollup: As for :func:`code_matrix`.
        min_count: Leave out pairs that co-occur in fewer units.

    Returns:
        DataFrame with one row per pair: ``code_a``, ``code_b``, ``both`` (units with both),
        ``a`` and ``b`` (units with each), ``jaccard`` = both / (a + b - both); sorted by
        ``both`` then ``jaccard``, descending. ``attrs["matrix"]`` holds the square count matrix.
    """
    if unit not in UNITS:
        raise ParameterError("unit", f"must be one of {', '.join(UNITS)}, not '{unit}'")
    corpus = load_corpus(store, choose_scope(store, coders, documents))
    columns = _columns(corpus, rollup)
    present = _presence(corpus, rollup)[:, columns]
    if unit != "segment":
        owner = corpus.seg_doc if unit == "document" else corpus.seg_speaker
        n = len(corpus.docs) if unit == "document" else len(corpus.speakers)
        present = _per_row(present, owner, n) > 0
    x = present.astype(np.int64)
    both = x.T @ x
    alone = np.diag(both)
    names = [corpus.codes[j].name for j in columns]
    rows = []
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            if both[i, j] >= min_count:
                union = alone[i] + alone[j] - both[i, j]
                rows.append({"code_a": names[i], "code_b": names[j], "both": int(both[i, j]),
                             "a": int(alone[i]), "b": int(alone[j]),
                             "jaccard": float(both[i, j] / union) if union else None})
    rows.sort(key=lambda r: (-r["both"], -(r["jaccard"] or 0), r["code_a"], r["code_b"]))
    notes = [f"unit: {unit} ({len(present)} units)",
             "jaccard = units with both / units with either"]
    matrix = {a: {b: int(both[i, j]) for j, b in enumerate(names)} for i, a in enumerate(names)}
    return make_table(rows, title=f"code co-occurrence by {unit}",
                      columns=["code_a", "code_b", "both", "a", "b", "jaccard"],
                      scope=corpus.scope.describe(), notes=notes, unit=unit, matrix=matrix)
