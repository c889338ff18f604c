"""Thematic saturation after Guest, Namey & Chen (2020), *PLoS ONE* 15(5):e0232076.

Documents are taken in interview order (the ``date`` attribute, ties and undated documents in
import order). Three parameters:

* **base size** *b* (default 4): the codes found in the first *b* documents are the denominator;
* **run length** *r* (default 2): the window of following documents searched for new codes;
* **new-information threshold** *t* (default 5 %).

For each run start *s* = b + 1, b + 2, ... (runs slide by one document), the new information is the
number of codes first seen in documents s .. s + r - 1 (absent from every earlier document)
divided by the number of codes in the base. At the first run with new information <= *t*,
saturation is reached after s - 1 documents: the run is the evidence that the next *r* documents
added (almost) nothing. If no run meets the threshold, saturation is "not reached".

A code counts once a scope coder applied it (or, with ``rollup``, one of its sub-codes) anywhere
in the document. Only documents that the scope's coders coded in (or marked done) count: a
document nobody has coded yet would add no codes and fake saturation, so the scope leaves it out
and lists it. The curve is also computed in the
order in which each coder of the scope coded the documents (their first coding in each), with
that coder's codes only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

import numpy as np

from qualkit.errors import InputError, ParameterError
from qualkit.files import private_figure
from qualkit.integrate.corpus import Corpus, choose_scope, load_corpus
from qualkit.integrate.tables import make_table

if TYPE_CHECKING:
    from qualkit.store import Store


@dataclass(frozen=True)
class SaturationResult:
    """Where saturation was reached in one ordering of the documents."""

    order: str
    documents: int
    base: int
    run: int
    threshold: float
    base_codes: int
    point: int | None
    run_new: int | None
    run_share: float | None
    status: str

    def to_dict(self) -> dict:
        return asdict(self)


def run_shares(sets: Sequence[set], *, base: int, run: int) -> list[tuple[int, int, float]]:
    """``(run start s (1-based), new codes in the run, share of the base)`` for every run."""
    seen: set = set().union(*sets[:base]) if sets else set()
    base_count = len(seen)
    out = []
    for s in range(base + 1, len(sets) - run + 2):
        window = set().union(*sets[s - 1: s - 1 + run])
        new = len(window - seen)
        out.append((s, new, new / base_count if base_count else float("inf")))
        seen |= sets[s - 1]
    return out


def saturation_point(sets: Sequence[set], *, base: int = 4, run: int = 2,
                     threshold: float = 0.05, order: str = "") -> SaturationResult:
    """Guest, Namey & Chen's saturation point of a sequence of per-document code sets.

    Returns:
        A :class:`SaturationResult`; ``point`` is the number of documents after which saturation
        was reached, ``None`` when it was not (or there are fewer than ``base + run``).
    """
    _check(base, run, threshold)
    base_codes = len(set().union(*sets[:base])) if sets else 0
    common = (order, len(sets), base, run, threshold, base_codes)
    if len(sets) < base + run:
        return SaturationResult(*common, None, None, None,
                                f"not assessed: {len(sets)} coded documents, fewer than base "
                                f"{base} + run {run}")
    if base_codes == 0:
        return SaturationResult(*common, None, None, None, "not assessed: no codes in the base")
    for s, new, share in run_shares(sets, base=base, run=run):
        if share <= threshold + 1e-12:
            return SaturationResult(
                *common, s - 1, new, share,
                f"saturation after {s - 1} of {len(sets)} documents: documents {s}-{s + run - 1} "
                f"added {new} new code(s), {share:.0%} of the {base_codes} in the base "
                f"(threshold {threshold:.0%})")
    return SaturationResult(*common, None, None, None,
                            f"not reached in {len(sets)} documents (base {base}, run {run}, "
                            f"threshold {threshold:.0%})")


def _check(base: int, run: int, threshold: float) -> None:
    if base < 1:
        raise ParameterError("base", f"must be at least 1 document, not {base}")
    if run < 1:
        raise ParameterError("run", f"must be at least 1 document, not {run}")
    if not 0 <= threshold < 1:
        raise ParameterError("threshold", f"must be a share between 0 and 1 (e.g. 0.05), not "
                         f"{threshold}")


def _interview_order(corpus: Corpus) -> list[int]:
    docs = corpus.docs
    return sorted(range(len(docs)), key=lambda i: (docs[i].date is None, docs[i].date or "",
                                                   docs[i].id))


def _doc_sets(corpus: Corpus, present: np.ndarray, columns: list[int]) -> list[set]:
    sets: list[set] = [set() for _ in corpus.docs]
    segs, codes = np.nonzero(present[:, columns])
    for d, j in zip(corpus.seg_doc[segs].tolist(), codes.tolist(), strict=True):
        sets[d].add(columns[j])
    return sets


def saturation(store: Store, *, base: int = 4, run: int = 2, threshold: float = 0.05,
               coders: Sequence[str] | None = None, documents: Sequence[str] | None = None,
               rollup: bool = False, per_coder: bool = True):
    """The saturation curve and point, in interview order and in each coder's order.

    Returns:
        DataFrame, one row per (order, document): ``order``, ``position``, ``document``,
        ``date``, ``new`` (codes first seen here), ``new_codes``, ``cumulative``, ``coverage``
        (cumulative / codes in the codebook), ``run_share`` (new information of the run that
        starts after this document), ``saturated`` (True on the saturation point).
        ``attrs["saturation"]`` lists one :class:`SaturationResult` dict per order.
    """
    _check(base, run, threshold)
    scope = choose_scope(store, coders, documents)
    corpus = load_corpus(store, scope)
    columns = corpus.top_level() if rollup else list(range(corpus.n_codes))
    rows: list[dict] = []
    results = []
    orders = [("interview order", _doc_sets(corpus, corpus.presence, columns),
               _interview_order(corpus))]
    if per_coder:
        orders += _coder_orders(store, corpus, columns)
    for label, sets, order in orders:
        coded = order if label == "interview order" else [i for i in order if sets[i]]
        result = saturation_point([sets[i] for i in coded], base=base, run=run,
                                  threshold=threshold, order=label)
        results.append(result.to_dict())
        rows += _curve(corpus, label, coded, sets, result, len(columns))
    notes = [f"Guest, Namey & Chen (2020): base {base}, run {run}, new-information threshold "
             f"{threshold:.0%}; runs slide by one document",
             "codes with their sub-codes aggregated" if rollup else "every code on its own"]
    return make_table(rows, title="thematic saturation", scope=scope.describe(), notes=notes,
                      saturation=results, base=base, run=run, threshold=threshold,
                      columns=["order", "position", "document", "date", "new", "new_codes",
                               "cumulative", "coverage", "run_share", "saturated"])


def _coder_orders(store: Store, corpus: Corpus,
                  columns: list[int]) -> list[tuple[str, list[set], list[int]]]:
    """Each scope coder's documents in the order they started coding them, their codes only."""
    doc_index = {d.id: i for i, d in enumerate(corpus.docs)}
    first: dict[int, dict[int, str]] = {}
    for coder_id, document_id, at in store.integration.first_codings(
            [c.id for c in corpus.scope.coders]):
        if document_id in doc_index:
            first.setdefault(coder_id, {})[doc_index[document_id]] = at
    out = []
    for j, coder in enumerate(corpus.scope.coders):
        mine = first.get(coder.id, {})
        order = sorted(mine, key=lambda d: (mine[d], corpus.docs[d].id))
        sets = _doc_sets(corpus, corpus.presence_of(j), columns)
        out.append((f"coder {coder.name}", sets, order))
    return out


def _curve(corpus: Corpus, label: str, coded: list[int], sets: list[set],
           result: SaturationResult, n_codes: int) -> list[dict]:
    shares = {s - 1: share for s, _, share in
              run_shares([sets[i] for i in coded], base=result.base, run=result.run)}
    seen: set = set()
    rows = []
    for position, d in enumerate(coded, start=1):
        new = sets[d] - seen
        seen |= new
        share = shares.get(position)
        rows.append({"order": label, "position": position, "document": corpus.docs[d].name,
                     "date": corpus.docs[d].date, "new": len(new),
                     "new_codes": "; ".join(corpus.codes[j].name for j in sorted(new)),
                     "cumulative": len(seen), "coverage": len(seen) / n_codes if n_codes else None,
                     "run_share": None if share is None or share == float("inf") else share,
                     "saturated": result.point == position})
    return rows


def saturation_plot(table, path) -> list:
    """Cumulative codes by document for every order, the saturation points marked; PNG + SVG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from qualkit.outcomes.plot import _targets

    targets = _targets(path)
    if not targets[0].parent.is_dir():
        raise InputError(f"{targets[0]}: folder {targets[0].parent} does not exist; create it "
                         "first")
    fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
    main = table[table["order"] == "interview order"]
    ax.bar(main["position"], main["new"], color="#d9d9d9", label="new codes (interview order)")
    for (label, part), style in zip(table.groupby("order", sort=False),
                                    ("-", "--", ":", "-.") * 8, strict=False):
        ax.plot(part["position"], part["cumulative"], style, marker="o", ms=3, label=label)
        point = part[part["saturated"]]
        if len(point):
            ax.axvline(float(point["position"].iloc[0]), color="grey", linestyle=style, lw=0.8)
    ax.set_xlabel("documents coded")
    ax.set_ylabel("distinct codes")
    ax.set_title("Thematic saturation (vertical lines: saturation points)")
    ax.legend(fontsize=8)
    try:
        for target in targets:  # owner-only, written whole
            private_figure(fig, target, dpi=150 if target.suffix == ".png" else None)
    finally:
        plt.close(fig)
    return targets
