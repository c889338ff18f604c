"""The joint display (Fetters, Curry & Creswell 2013; Guetterman, Fetters & Creswell 2015) and the
theme x group quote matrix (MAXQDA's interactive quote matrix; Guetterman & James 2023).

The joint display has one row per outcome of a saved match run: the estimate, its 95 % interval,
p and estimator *exactly as the run saved them*, beside the themes linked to that outcome (each
with its prevalence and exemplar quotes), the evaluator's meta-inference and the fit of the two
strands.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from qualkit.errors import InputError, ParameterError
from qualkit.integrate.corpus import Corpus, choose_scope, load_corpus
from qualkit.integrate.crosstab import SPEAKER_ROLE, document_value
from qualkit.integrate.quotes import QuoteFinder, theme_quotes
from qualkit.integrate.runs import current_links, saved_run
from qualkit.integrate.tables import make_table

if TYPE_CHECKING:
    from qualkit.store import Store

EFFECT_KEYS = ("estimate", "ci_low", "ci_high", "p", "estimator", "mean_treated",
               "mean_control", "rate_ratio", "rr_ci_low", "rr_ci_high", "rr_p")


def _codes_of(corpus: Corpus, code_ids: Sequence[int]) -> list[int]:
    index = {c.id: i for i, c in enumerate(corpus.codes)}
    return [index[c] for c in code_ids if c in index]


def joint_display(store: Store, run: str, *, links: Any = None,
                  coders: Sequence[str] | None = None, documents: Sequence[str] | None = None,
                  quotes: int = 3):
    """One row per outcome of a saved run, with its linked themes, quotes and meta-inference.

    Args:
        store: An open project.
        run: Name of a run saved with ``qualkit outcomes match --save``.
        links: A ``links.yaml`` path (or parsed file) to use instead of the links stored with
            the run (see :func:`~qualkit.integrate.runs.save_links` to store them).
        coders, documents: The qualitative scope (see
            :func:`~qualkit.integrate.corpus.choose_scope`).
        quotes: Exemplar quotes per theme (1-3 recommended).

    Returns:
        DataFrame, one row per outcome: ``outcome``, the run's ``estimate``, ``ci_low``,
        ``ci_high``, ``p``, ``estimator`` (and rate-ratio fields for counts), ``themes`` (a
        list of ``{code, prevalence, documents, of_documents, speakers, of_speakers, roles,
        quotes: [{text, document, speaker, role, tier, ...}]}``), ``fit`` and
        ``meta_inference``.
    """
    if quotes < 0:
        raise ParameterError("quotes", f"must be 0 or more, not {quotes}")
    saved = saved_run(store, run)
    chosen = {link.outcome: link for link in current_links(store, saved, links)}
    corpus = load_corpus(store, choose_scope(store, coders, documents))
    finder = QuoteFinder(store, corpus)
    rows = []
    for effect in saved.result["effects"]:
        link = chosen.get(effect["outcome"])
        themes = theme_quotes(finder, _codes_of(corpus, link.code_ids), limit=quotes) \
            if link else []
        rows.append({"outcome": effect["outcome"],
                     **{k: effect.get(k) for k in EFFECT_KEYS},
                     "themes": themes, "fit": link.fit if link else None,
                     "meta_inference": link.meta_inference if link else ""})
    notes = [f"effects as saved in run '{saved.name}' ({saved.created_at}): "
             f"{saved.result.get('n_treated_matched')} of {saved.result.get('n_treated')} "
             f"treated matched to {saved.result.get('n_control_matched')} controls",
             "quotes: consensus passages first, then passages two or more coders agreed on, "
             "one per document first; at most 300 characters, cut at a sentence"]
    unlinked = [r["outcome"] for r in rows if not r["themes"]]
    if unlinked:
        notes.append("no linked themes: " + ", ".join(unlinked))
    return make_table(rows, title=f"joint display: run '{saved.name}'",
                      scope=corpus.scope.describe(), notes=notes, run=saved.name)


def group_values(corpus: Corpus, by: str) -> tuple[np.ndarray, str]:
    """The grouping value of every segment, and how to name it (speaker role by default)."""
    if by in ("role", SPEAKER_ROLE):
        return corpus.segment_role(), "speaker role"
    from qualkit.integrate.crosstab import attribute_names

    if by not in attribute_names(corpus):
        raise InputError(f"unknown grouping '{by}'; use one of: role, "
                         + ", ".join(attribute_names(corpus)))
    per_doc = np.array([document_value(d, by) for d in corpus.docs], dtype=object)
    return per_doc[corpus.seg_doc], by


def quote_matrix(store: Store, *, codes: Sequence[str] | None = None, by: str = "role",
                 run: str | None = None, coders: Sequence[str] | None = None,
                 documents: Sequence[str] | None = None, quotes: int = 2):
    """Theme x group quote matrix: one row per code, one column per group, quotes in cells.

    Args:
        store: An open project.
        codes: Codes (rows); default: the codes linked to ``run``, else the top-level codes.
        by: ``role`` (the speaker's role; default), or a document attribute (``site``,
            ``kind``, ``month``, any free attribute).
        run: A saved run whose linked codes are the default rows.
        coders, documents: The qualitative scope.
        quotes: Quotes per cell.

    Returns:
        DataFrame indexed by ``code`` with one column per group value; each cell is a list of
        quote dicts (empty when the group never speaks of the theme).
    """
    corpus = load_corpus(store, choose_scope(store, coders, documents))
    rows = _matrix_codes(store, corpus, codes, run)
    values, label = group_values(corpus, by)
    participant = corpus.participant()
    groups = sorted({v for v, p in zip(values, participant, strict=True) if v and p})
    finder = QuoteFinder(store, corpus)
    table = {}
    for j in rows:
        cells = {}
        for group in groups:
            if label == "speaker role":
                cells[group] = [q.to_dict() for q in finder.quotes(j, limit=quotes, role=group)]
            else:
                mask = np.array([document_value(d, by) == group for d in corpus.docs])
                cells[group] = [q.to_dict() for q in finder.quotes(j, limit=quotes,
                                                                   doc_mask=mask)]
        table[corpus.codes[j].name] = cells
    import pandas as pd

    df = pd.DataFrame.from_dict(table, orient="index", columns=groups)
    df.index.name = "code"
    return make_table(df, title=f"theme x {label} quote matrix", scope=corpus.scope.describe(),
                      notes=[f"columns: {label}; up to {quotes} quote(s) per cell, chosen as in "
                             "the joint display"], by=label)


def _matrix_codes(store: Store, corpus: Corpus, codes: Sequence[str] | None,
                  run: str | None) -> list[int]:
    if codes:
        return [corpus.code_index(name) for name in codes]
    if run:
        linked = [c for link in store.integration.links(saved_run(store, run).name)
                  for c in link.code_ids]
        if linked:
            return list(dict.fromkeys(_codes_of(corpus, linked)))
    return corpus.top_level()
