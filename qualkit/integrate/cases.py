"""The case-level link: participant interviews joined to the outcome rows of the same people.

A document carries a case id in its ``case_id`` metadata; speakers of a document (e.g. in a
participants' focus group) carry theirs in the free attribute ``speaker_case_ids``
(``PARTICIPANT 1=P0012; PARTICIPANT 2=P0044`` in ``documents.csv``). Each case's theme presence
(a theme = a code with its sub-codes, present when a scope coder coded it in the case's
document or turns) is joined to its row of the outcome data (the saved run's data by default).

This is descriptive: a handful of interviews cannot estimate an effect. Cells with fewer than
``MIN_CELL`` cases are flagged, and no p-value is given unless both groups have at least
``MIN_P`` cases (then Welch's t-test).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from qualkit.errors import InputError
from qualkit.integrate.corpus import Corpus, choose_scope, load_corpus
from qualkit.integrate.joint import _codes_of
from qualkit.integrate.runs import current_links, matched, saved_run
from qualkit.integrate.stats import describe
from qualkit.integrate.tables import make_table

if TYPE_CHECKING:
    from qualkit.store import Store

MIN_CELL = 5
MIN_P = 10
SPEAKER_CASES = "speaker_case_ids"


def _speaker_cases(corpus: Corpus) -> dict[tuple[int, str], str]:
    """(document index, speaker label) -> case id, from the ``speaker_case_ids`` attribute."""
    out = {}
    for d, doc in enumerate(corpus.docs):
        for part in str(doc.attributes.get(SPEAKER_CASES) or "").split(";"):
            if "=" in part:
                label, case = part.split("=", 1)
                if label.strip() and case.strip():
                    out[(d, label.strip())] = case.strip()
    return out


def case_segments(corpus: Corpus) -> dict[str, np.ndarray]:
    """Case id -> mask of its segments (a document's, or a speaker's turns)."""
    cases: dict[str, np.ndarray] = {}
    for d, doc in enumerate(corpus.docs):
        if doc.case_id:
            mask = corpus.seg_doc == d
            cases[doc.case_id] = cases.get(doc.case_id, mask) | mask
    for (d, label), case in _speaker_cases(corpus).items():
        speakers = [k for k, s in enumerate(corpus.speakers) if s.document == d and
                    s.label == label]
        mask = np.isin(corpus.seg_speaker, speakers)
        cases[case] = cases.get(case, mask) | mask
    return cases


def _outcome_frame(store: Store, saved, data: Any, id_col: str | None):
    """The outcome rows by id (the run's matched data, or another table)."""
    if data is None:
        md = matched(store, saved)
        frame = md.frame.copy()
        frame["treated"] = md.treat
        return frame, md.ids.astype(str), f"run '{saved.name}''s data"
    from qualkit.outcomes.data import read_table

    frame = read_table(data)
    column = id_col or saved.params.get("id", "id")
    if column not in frame.columns:
        raise InputError(f"{data}: no id column '{column}'; pass --id COLUMN")
    return frame, frame[column].astype(str).to_numpy(), str(data)


def _join(store: Store, run: str, links: Any, codes: Sequence[str] | None, data: Any,
          id_col: str | None, coders: Sequence[str] | None,
          documents: Sequence[str] | None) -> dict:
    saved = saved_run(store, run)
    corpus = load_corpus(store, choose_scope(store, coders, documents))
    cases = case_segments(corpus)
    if not cases:
        raise InputError("no document or speaker carries a case_id: add a case_id column "
                         "(or speaker_case_ids) to documents.csv and import it again")
    frame, ids, where = _outcome_frame(store, saved, data, id_col)
    row_of = {i: r for r, i in enumerate(ids)}
    found = sorted(c for c in cases if c in row_of)
    unmatched = sorted(c for c in cases if c not in row_of)
    if not found:
        raise InputError(f"none of the {len(cases)} case id(s) ({', '.join(unmatched[:5])}) is "
                         f"in {where} (ids like {ids[0] if len(ids) else '?'}); check case_id "
                         "in documents.csv (or pass --data with the full cohort)")
    themes = _theme_codes(store, corpus, saved, links, codes)
    treatment = saved.params.get("treatment")
    listing = []
    for case in found:
        present = corpus.inclusive(corpus.presence[cases[case]]).any(axis=0)
        entry = {"case_id": case, "treated": _value(frame, row_of[case], treatment),
                 **{o: _value(frame, row_of[case], o) for o in saved.outcomes}}
        entry.update({corpus.codes[j].name: int(present[j]) for j in themes})
        listing.append(entry)
    notes = [f"{len(found)} of {len(cases)} case id(s) matched in {where}"
             + (f"; not found: {', '.join(unmatched)}" if unmatched else "")]
    return {"saved": saved, "corpus": corpus, "themes": themes, "listing": listing,
            "unmatched": unmatched, "notes": notes}


def case_table(store: Store, run: str, *, links: Any = None, codes: Sequence[str] | None = None,
               data: Any = None, id_col: str | None = None,
               coders: Sequence[str] | None = None, documents: Sequence[str] | None = None):
    """Theme presence per case joined to the case's outcome row.

    Arguments as for :func:`case_outcomes`.

    Returns:
        DataFrame, one row per matched case: ``case_id``, ``treated`` (the run's treatment
        value), the run's outcomes, then 0/1 per theme. ``attrs["unmatched"]`` lists the case
        ids not found in the outcome data.
    """
    j = _join(store, run, links, codes, data, id_col, coders, documents)
    return make_table(j["listing"], title=f"interviewed cases and their outcomes: run "
                      f"'{j['saved'].name}'", scope=j["corpus"].scope.describe(),
                      notes=j["notes"], run=j["saved"].name, unmatched=j["unmatched"])


def case_outcomes(store: Store, run: str, *, links: Any = None,
                  codes: Sequence[str] | None = None, data: Any = None,
                  id_col: str | None = None, coders: Sequence[str] | None = None,
                  documents: Sequence[str] | None = None):
    """Outcomes by theme presence among the cases (documents or speakers with a case id).

    Args:
        store: An open project.
        run: A saved run: its outcomes, its linked themes and (by default) its data.
        links: A links file to take the themes from instead of the stored links.
        codes: Themes to use instead of the linked ones.
        data: Another outcome table (CSV/XLSX) to join to instead of the run's data.
        id_col: Its id column (default: the run's ``--id``).
        coders, documents: The qualitative scope.

    Returns:
        DataFrame, one row per (theme, outcome): ``code``, ``outcome``, for cases with and
        without the theme ``n``, ``mean``, ``sd``, ``difference``, ``p`` (Welch, only with
        >= 10 cases per group) and ``warning``. ``attrs["unmatched"]`` lists the case ids not
        found.
    """
    j = _join(store, run, links, codes, data, id_col, coders, documents)
    names = [j["corpus"].codes[k].name for k in j["themes"]]
    rows = [_compare(code, outcome, j["listing"]) for code in names
            for outcome in j["saved"].outcomes]
    notes = [*j["notes"], f"descriptive: fewer than {MIN_CELL} cases in a cell is flagged; no "
             f"p-value with fewer than {MIN_P} cases per group (Welch's t-test otherwise)"]
    return make_table(rows, title=f"outcomes by theme presence among interviewed cases: run "
                      f"'{j['saved'].name}'", scope=j["corpus"].scope.describe(), notes=notes,
                      run=j["saved"].name, unmatched=j["unmatched"])


def _value(frame, row: int, column: str | None) -> Any:
    if column is None or column not in frame.columns:
        return None
    value = frame[column].iloc[row]
    return value.item() if hasattr(value, "item") else value


def _theme_codes(store: Store, corpus: Corpus, saved, links, codes) -> list[int]:
    if codes:
        return [corpus.code_index(name) for name in codes]
    linked = [c for link in current_links(store, saved, links) for c in link.code_ids]
    if not linked:
        raise InputError(f"run '{saved.name}' has no linked themes: pass --links links.yaml "
                         "(or --codes)")
    return list(dict.fromkeys(_codes_of(corpus, linked)))


def _compare(code: str, outcome: str, listing: list[dict]) -> dict:
    from scipy.stats import ttest_ind

    with_ = np.array([c[outcome] for c in listing if c[code] and c[outcome] is not None],
                     dtype=float)
    without = np.array([c[outcome] for c in listing if not c[code] and c[outcome] is not None],
                       dtype=float)
    a, b = describe(with_), describe(without)
    warning = ""
    if min(a["n"], b["n"]) < MIN_CELL:
        warning = f"fewer than {MIN_CELL} cases in a cell: describe, do not compare"
    p = None
    if min(a["n"], b["n"]) >= MIN_P:
        p = float(ttest_ind(with_, without, equal_var=False).pvalue)
    diff = a["mean"] - b["mean"] if a["mean"] is not None and b["mean"] is not None else None
    return {"code": code, "outcome": outcome, "with n": a["n"], "with mean": a["mean"],
            "with sd": a["sd"], "without n": b["n"], "without mean": b["mean"],
            "without sd": b["sd"], "difference": diff, "p": p, "warning": warning}
