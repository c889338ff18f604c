"""Code x attribute crosstabs: is a theme more common among some kinds of documents or speakers?

For each code, a 2 x k table (units with / without the code, by attribute level) is tested for
independence (:mod:`qualkit.integrate.stats`). Units are documents, speakers or segments. Speakers
in one focus group, and segments of one document, are not independent observations, so their
p-values are descriptive; the table says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from qualkit.errors import InputError, ParameterError
from qualkit.integrate.corpus import Corpus, choose_scope, load_corpus
from qualkit.integrate.quantitize import UNITS, _per_row, _presence
from qualkit.integrate.stats import independence_test
from qualkit.integrate.tables import make_table

if TYPE_CHECKING:
    from qualkit.store import Store

DOCUMENT_FIELDS = ("kind", "role", "site", "date", "case_id")
SPEAKER_ROLE = "speaker_role"
MONTH = "month"


def attribute_names(corpus: Corpus) -> list[str]:
    """Every attribute a crosstab can use on this corpus."""
    free = sorted({k for d in corpus.docs for k in d.attributes})
    return [*DOCUMENT_FIELDS, MONTH, SPEAKER_ROLE, *free]


def document_value(document, attribute: str) -> str | None:
    """A document's value of an attribute, as text (``None`` when it has none)."""
    if attribute == MONTH:
        return document.date[:7] if document.date else None
    value = getattr(document, attribute) if attribute in DOCUMENT_FIELDS else \
        document.attributes.get(attribute)
    return None if value in (None, "") else str(value)


def unit_values(corpus: Corpus, attribute: str, unit: str) -> np.ndarray:
    """The attribute's value for every unit (documents, speakers or segments)."""
    if attribute not in attribute_names(corpus):
        raise InputError(f"unknown attribute '{attribute}'; use one of: "
                         + ", ".join(attribute_names(corpus)))
    if attribute == SPEAKER_ROLE:
        if unit == "document":
            raise InputError(f"'{SPEAKER_ROLE}' varies within a document; use --unit speaker "
                             "or --unit segment (or the document's 'role')")
        per_speaker = np.array([s.role or corpus.docs[s.document].role for s in corpus.speakers],
                               dtype=object)
        return per_speaker if unit == "speaker" else per_speaker[corpus.seg_speaker]
    per_doc = np.array([document_value(d, attribute) for d in corpus.docs], dtype=object)
    if unit == "document":
        return per_doc
    if unit == "speaker":
        return per_doc[[s.document for s in corpus.speakers]]
    return per_doc[corpus.seg_doc]


def _unit_presence(corpus: Corpus, unit: str, rollup: bool) -> np.ndarray:
    present = _presence(corpus, rollup)
    if unit == "segment":
        return present
    owner = corpus.seg_doc if unit == "document" else corpus.seg_speaker
    n = len(corpus.docs) if unit == "document" else len(corpus.speakers)
    return _per_row(present, owner, n) > 0


def crosstab(store: Store, attribute: str, *, unit: str = "document",
             codes: Sequence[str] | None = None, coders: Sequence[str] | None = None,
             documents: Sequence[str] | None = None, rollup: bool = False,
             researchers: bool = False):
    """Code x attribute crosstab with a test of independence per code.

    Args:
        store: An open project.
        attribute: ``kind``, ``role``, ``site``, ``date``, ``month`` (of ``date``),
            ``case_id``, ``speaker_role`` or any free attribute from ``documents.csv``.
        unit: ``document``, ``speaker`` or ``segment``.
        codes: Code names (default: every code; top-level codes with ``rollup``).
        coders, documents: The scope (see :func:`~qualkit.integrate.corpus.choose_scope`).
        rollup: Count each code with its sub-codes.
        researchers: Count interviewers' and facilitators' speakers and segments too.

    Returns:
        DataFrame, one row per code: ``code``, then per level ``<level> n`` (units with the
        code), ``<level> %`` (share of the level's units), ``<level> row %`` (share of the
        code's units in that level), ``total n``, and the test: ``test``, ``chi2``, ``df``,
        ``p``, ``cramers_v``, ``min_expected``, ``warning``. ``attrs["levels"]`` gives the
        number of units per level.
    """
    if unit not in UNITS:
        raise ParameterError("unit", f"must be one of {', '.join(UNITS)}, not '{unit}'")
    corpus = load_corpus(store, choose_scope(store, coders, documents))
    values = unit_values(corpus, attribute, unit)
    present = _unit_presence(corpus, unit, rollup)
    keep = np.array([v is not None for v in values], dtype=bool)
    if unit != "document" and not researchers:
        keep &= _participants(corpus, unit)
    levels = sorted({v for v in values[keep]})
    if len(levels) < 2:
        raise InputError(f"attribute '{attribute}' has {len(levels)} value(s) among the "
                         f"{unit}s counted; a crosstab needs at least two")
    chosen = _chosen(corpus, codes, rollup)
    level_of = np.array([levels.index(v) if k else -1 for v, k in zip(values, keep,
                                                                       strict=True)])
    sizes = np.bincount(level_of[keep], minlength=len(levels))
    rows = [_row(corpus.codes[j].name, present[keep, j], level_of[keep], levels, sizes)
            for j in chosen]
    notes = _notes(unit, attribute, int((~keep).sum()), researchers)
    return make_table(rows, title=f"code x {attribute} ({unit}s)", scope=corpus.scope.describe(),
                      notes=notes, attribute=attribute, unit=unit,
                      levels={lv: int(n) for lv, n in zip(levels, sizes, strict=True)})


def _participants(corpus: Corpus, unit: str) -> np.ndarray:
    if unit == "segment":
        return corpus.participant()
    return np.array([s.participant for s in corpus.speakers], dtype=bool)


def _chosen(corpus: Corpus, codes: Sequence[str] | None, rollup: bool) -> list[int]:
    if codes:
        return [corpus.code_index(name) for name in codes]
    return corpus.top_level() if rollup else list(range(corpus.n_codes))


def _row(name: str, present: np.ndarray, level_of: np.ndarray, levels: list[str],
         sizes: np.ndarray) -> dict:
    coded = np.bincount(level_of[present], minlength=len(levels))
    total = int(coded.sum())
    row: dict = {"code": name}
    for k, level in enumerate(levels):
        row[f"{level} n"] = int(coded[k])
        row[f"{level} %"] = float(coded[k] / sizes[k]) if sizes[k] else None
        row[f"{level} row %"] = float(coded[k] / total) if total else None
    result = independence_test(np.vstack([coded, sizes - coded]))
    row.update({"total n": total, "test": result.test, "chi2": result.statistic,
                "df": result.df, "p": result.p, "cramers_v": result.cramers_v,
                "min_expected": result.min_expected, "warning": result.warning})
    return row


def _notes(unit: str, attribute: str, missing: int, researchers: bool) -> list[str]:
    notes = ["per code: units with / without the code by level; Pearson chi-square without "
             "continuity correction, Fisher's exact test for a 2x2 table with an expected count "
             "below 5; Cramér's V without bias correction"]
    if missing:
        notes.append(f"{missing} {unit}(s) left out: no value of '{attribute}' (or an "
                     "interviewer/facilitator)" if unit != "document" else
                     f"{missing} document(s) left out: no value of '{attribute}'")
    if unit != "document":
        notes.append(f"{unit}s of one document are not independent observations: read the "
                     "p-values as descriptive")
        if not researchers:
            notes.append("interviewers' and facilitators' turns are not counted")
    return notes
