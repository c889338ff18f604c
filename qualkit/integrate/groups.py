"""The group-level link: effects re-estimated within groups beside the themes of their documents.

A variable exists on both sides (e.g. the documents' ``site`` and the outcome data's
``district``). Each document value maps to one or more outcome values (identity when they are
spelled alike; a ``map`` when they are not; ``null`` to leave a document out). For every group
(an outcome value with treated people) the run's effects are re-estimated from its matched data
(:func:`qualkit.outcomes.subgroups.group_effects`: the group's treated people and their matched
controls) and shown beside the prevalence and quotes of the linked themes in that group's
documents.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from qualkit.errors import InputError, located
from qualkit.integrate.corpus import Corpus, choose_scope, load_corpus
from qualkit.integrate.crosstab import attribute_names, document_value
from qualkit.integrate.joint import _codes_of
from qualkit.integrate.links import GroupSpec, LinksFile, load_links
from qualkit.integrate.quotes import QuoteFinder, theme_quotes
from qualkit.integrate.runs import SavedRun, current_links, matched, saved_run
from qualkit.integrate.tables import make_table

if TYPE_CHECKING:
    from qualkit.store import Store


def _spec(links: Any, documents_attr: str | None, outcomes_attr: str | None,
          mapping: dict | None, stored: dict | None) -> tuple[GroupSpec, str]:
    """The grouping to use: options override the ``groups:`` section of the links file, which
    overrides the one stored with the run's links."""
    spec = links if isinstance(links, LinksFile) else (load_links(links) if links else None)
    base = spec.groups if spec is not None else None
    source = spec.source if spec is not None else "the grouping given"
    if base is None and stored:
        base = GroupSpec(stored["documents"], stored["outcomes"],
                         None if stored.get("map") is None else
                         {k: tuple(v) for k, v in stored["map"].items()}, 0)
        source = "the grouping stored with the links"
    if documents_attr is None and outcomes_attr is None and base is None:
        raise InputError("name the variable on both sides: group site=district (documents' "
                         "attribute = outcome data column), or a `groups:` section in the links "
                         "file")
    if base is None or documents_attr or outcomes_attr or mapping is not None:
        source = "the grouping given"
    return GroupSpec(documents_attr or (base.documents if base else ""),
                     outcomes_attr or (base.outcomes if base else ""),
                     mapping if mapping is not None else (base.mapping if base else None),
                     base.line if base else 0, base.map_lines if base and mapping is None
                     else {}), source


def _where(source: str, spec: GroupSpec, key: str | None = None) -> str:
    line = spec.map_lines.get(key) if key is not None else None
    return located(source, "", line=line or (spec.line or None)).rstrip(": ")


def assign_groups(corpus: Corpus, spec: GroupSpec, outcome_values: set[str],
                  source: str) -> dict[str, list[int]]:
    """Outcome group value -> indexes of the documents in it (a document may be in several)."""
    if spec.documents not in attribute_names(corpus):
        raise InputError(f"{_where(source, spec)}: documents have no attribute "
                         f"'{spec.documents}' (field `documents`); attributes: "
                         + ", ".join(attribute_names(corpus)))
    groups: dict[str, list[int]] = {}
    unmapped: dict[str, list[str]] = {}
    for i, doc in enumerate(corpus.docs):
        value = document_value(doc, spec.documents)
        if value is None:
            continue
        if spec.mapping is not None and value in spec.mapping:
            targets = spec.mapping[value]
            for target in targets:
                if target not in outcome_values:
                    raise InputError(
                        f"{_where(source, spec, value)}: '{target}' (mapped from "
                        f"'{value}') is not a value of '{spec.outcomes}' among the run's treated "
                        f"people (values: {', '.join(sorted(outcome_values))})")
        elif value in outcome_values:
            targets = (value,)
        else:
            unmapped.setdefault(value, []).append(doc.name)
            continue
        for target in targets:
            groups.setdefault(target, []).append(i)
    if unmapped:
        value, names = next(iter(sorted(unmapped.items())))
        raise InputError(
            f"{_where(source, spec)}: {spec.documents} '{value}' ({', '.join(names)}) maps to "
            f"no value of '{spec.outcomes}' ({', '.join(sorted(outcome_values))}); add "
            f"'{value}: VALUE' under `map:` (null to leave those documents out)"
            + (f"; {len(unmapped) - 1} more value(s) unmapped" if len(unmapped) > 1 else ""))
    if not groups:
        raise InputError(f"{_where(source, spec)}: no document maps to a value of "
                         f"'{spec.outcomes}'; check the `map:`")
    return groups


def _outcome_labels(data, spec: GroupSpec, source: str, run: SavedRun) -> np.ndarray:
    if spec.outcomes not in data.frame.columns:
        raise InputError(f"{_where(source, spec)}: '{spec.outcomes}' (field `outcomes`) is not "
                         f"a column of run '{run.name}''s data; columns: "
                         + ", ".join(str(c) for c in data.frame.columns))
    return data.frame[spec.outcomes].to_numpy()


def group_view(store: Store, run: str, *, links: Any = None, documents_attr: str | None = None,
               outcomes_attr: str | None = None, mapping: dict | None = None,
               codes: Sequence[str] | None = None, coders: Sequence[str] | None = None,
               documents: Sequence[str] | None = None, quotes: int = 1,
               min_treated: int = 10):
    """Effects per group beside the linked themes of the group's documents.

    Args:
        store: An open project.
        run: A saved run (with its matched data).
        links: ``links.yaml`` (its ``groups:`` section and links), else the stored links.
        documents_attr: The documents' attribute (e.g. ``site``); overrides the file.
        outcomes_attr: The outcome data's column (e.g. ``district``); overrides the file.
        mapping: Document value -> tuple of outcome values (empty tuple: left out).
        codes: Codes to show for every outcome instead of the linked ones.
        coders, documents: The qualitative scope.
        quotes: Quotes per theme and group.
        min_treated: Groups with fewer matched treated people are "too small to estimate".

    Returns:
        DataFrame, one row per (group, outcome): ``group``, ``documents``, ``outcome``,
        ``n_treated``, ``n_treated_matched``, ``n_control``, ``estimate``, ``ci_low``,
        ``ci_high``, ``p``, ``status``, ``themes`` (prevalence and quotes in the group's
        documents).
    """
    from qualkit.outcomes.subgroups import group_effects

    saved = saved_run(store, run)
    spec, source = _spec(links, documents_attr, outcomes_attr, mapping,
                         store.integration.groups(saved.name))
    data = matched(store, saved)
    labels = _outcome_labels(data, spec, source, saved)
    treated_values = {str(v) for v, t in zip(labels, data.treat, strict=True)
                      if t == 1 and v is not None and v == v}
    corpus = load_corpus(store, choose_scope(store, coders, documents))
    groups = assign_groups(corpus, spec, treated_values, source)
    themes = _themes(store, corpus, saved, links, codes)
    effects = group_effects(data, labels, levels=sorted(treated_values), min_treated=min_treated)
    finder = QuoteFinder(store, corpus)
    rows = []
    for e in effects:
        docs = groups.get(e.group, [])
        mask = np.zeros(len(corpus.docs), dtype=bool)
        mask[docs] = True
        cell = theme_quotes(finder, themes.get(e.outcome, []), limit=quotes, doc_mask=mask) \
            if docs else []
        rows.append({"group": e.group, "documents": [corpus.docs[i].name for i in docs],
                     "outcome": e.outcome, "n_treated": e.n_treated,
                     "n_treated_matched": e.n_treated_matched, "n_control": e.n_control,
                     "estimate": e.estimate, "ci_low": e.ci_low, "ci_high": e.ci_high,
                     "p": e.p, "status": e.status, "themes": cell})
    notes = [f"groups: {spec.outcomes} of the treated people; documents by {spec.documents}"
             + (" (mapped)" if spec.mapping else ""),
             "within a group: its treated people and the controls matched to them, the run's "
             "estimator and pair-clustered SEs; " + _estimator(effects)]
    no_docs = sorted({e.group for e in effects} - set(groups))
    if no_docs:
        notes.append("no documents: " + ", ".join(no_docs))
    return make_table(rows, title=f"effects by {spec.outcomes} beside the themes of its "
                      f"documents: run '{saved.name}'", scope=corpus.scope.describe(),
                      notes=notes, run=saved.name, grouping={"documents": spec.documents,
                                                             "outcomes": spec.outcomes})


def _estimator(effects: list) -> str:
    return next((e.estimator for e in effects if e.estimator), "no group large enough")


def _themes(store: Store, corpus: Corpus, saved: SavedRun, links: Any,
            codes: Sequence[str] | None) -> dict[str, list[int]]:
    """Outcome -> code indexes to show."""
    if codes:
        chosen = [corpus.code_index(name) for name in codes]
        return {outcome: chosen for outcome in saved.outcomes}
    linked = {link.outcome: _codes_of(corpus, link.code_ids)
              for link in current_links(store, saved, links)}
    if not linked:
        raise InputError(f"run '{saved.name}' has no linked themes: pass --links links.yaml "
                         "(or --codes)")
    return linked
