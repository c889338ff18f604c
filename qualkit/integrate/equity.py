"""The equity lens: did the program benefit some people more than others?

For a saved run and a subgroup variable of the outcome data (e.g. ``race``, ``sex``): the effect
on the treated within each subgroup of treated people, with their matched controls, and a test
of the treatment x subgroup interaction (:mod:`qualkit.outcomes.subgroups`), shown beside a
theme (by default the code named "Bias concerns") with its prevalence and quotes by speaker
role. A subgroup with fewer than ``min_treated`` matched treated people, or no variation in the
outcome, is reported as too small to estimate rather than given a number.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from qualkit.errors import InputError
from qualkit.integrate.corpus import choose_scope, load_corpus
from qualkit.integrate.quotes import QuoteFinder
from qualkit.integrate.runs import matched, saved_run
from qualkit.integrate.tables import make_table

if TYPE_CHECKING:
    from qualkit.store import Store

DEFAULT_THEME = "Bias concerns"
MAX_LEVELS = 20


def _levels(data, by: str, run: str, levels: Sequence[str] | None) -> tuple[np.ndarray, list]:
    if by not in data.frame.columns:
        raise InputError(f"'{by}' (--by) is not a column of run '{run}''s data; columns: "
                         + ", ".join(str(c) for c in data.frame.columns))
    labels = np.array([None if v is None or v != v else str(v) for v in data.frame[by]],
                      dtype=object)
    treated = sorted({v for v, t in zip(labels, data.treat, strict=True) if t == 1 and v})
    if len(treated) < 2:
        raise InputError(f"'{by}' has {len(treated)} value(s) among the treated people of run "
                         f"'{run}' ({', '.join(treated) or 'none'}): no subgroups to compare")
    if len(treated) > MAX_LEVELS:
        raise InputError(f"'{by}' has {len(treated)} values among the treated: group it into "
                         f"at most {MAX_LEVELS} subgroups first (e.g. age bands)")
    if levels:
        missing = [lv for lv in levels if lv not in treated]
        if missing:
            raise InputError(f"subgroup '{missing[0]}' of '{by}' has no treated people in run "
                             f"'{run}'; subgroups with treated people: {', '.join(treated)}")
        treated = list(levels)
    return labels, treated


def equity(store: Store, run: str, by: str, *, code: str | None = None,
           outcomes: Sequence[str] | None = None, levels: Sequence[str] | None = None,
           coders: Sequence[str] | None = None, documents: Sequence[str] | None = None,
           quotes: int = 2, min_treated: int = 10):
    """Effects by subgroup with the interaction test, beside a theme's voice by role.

    Args:
        store: An open project.
        run: A saved run (with its matched data).
        by: Subgroup column of the outcome data (e.g. ``race``).
        code: The theme to show beside the numbers (default: "Bias concerns").
        outcomes: Outcomes (default: the run's).
        levels: Subgroups to report (default: every value among the treated).
        coders, documents: The qualitative scope.
        quotes: Quotes per role.
        min_treated: Subgroups with fewer matched treated are "too small to estimate".

    Returns:
        DataFrame, one row per (outcome, subgroup): ``outcome``, ``subgroup``, ``n_treated``,
        ``n_treated_matched``, ``n_control``, ``estimate``, ``ci_low``, ``ci_high``, ``p``,
        ``rate_ratio``, ``status``; then per outcome the interaction test in
        ``interaction_chi2``, ``interaction_df``, ``interaction_p`` (same on every row of the
        outcome). ``attrs["theme"]`` holds the theme's prevalence by role and quotes by role;
        ``attrs["interaction"]`` the test per outcome with its estimator.
    """
    from qualkit.outcomes.subgroups import group_effects, interaction_test

    saved = saved_run(store, run)
    data = matched(store, saved)
    labels, chosen = _levels(data, by, saved.name, levels)
    wanted = list(outcomes or saved.outcomes)
    unknown = [o for o in wanted if o not in saved.outcomes]
    if unknown:
        raise InputError(f"'{unknown[0]}' is not an outcome of run '{saved.name}'; its "
                         "outcomes: " + ", ".join(saved.outcomes))
    theme = _theme(store, code, coders, documents, quotes)
    effects = group_effects(data, labels, outcomes=wanted, levels=chosen, min_treated=min_treated)
    tests = {o: interaction_test(data, labels, o, effects=[e for e in effects if e.outcome == o])
             for o in wanted}
    rows = []
    for e in sorted(effects, key=lambda e: wanted.index(e.outcome)):
        t = tests[e.outcome]
        rows.append({"outcome": e.outcome, "subgroup": e.group, "n_treated": e.n_treated,
                     "n_treated_matched": e.n_treated_matched, "n_control": e.n_control,
                     "estimate": e.estimate, "ci_low": e.ci_low, "ci_high": e.ci_high,
                     "p": e.p, "rate_ratio": e.rate_ratio, "status": e.status,
                     "interaction_chi2": t.chi2, "interaction_df": t.df, "interaction_p": t.p})
    notes = [f"subgroups: '{by}' of the treated people; their matched controls go with them",
             next((e.estimator for e in effects if e.estimator), "no subgroup large enough"),
             "interaction: " + next(iter(tests.values())).estimator]
    notes += [f"{o}: interaction not tested ({t.note})" for o, t in tests.items() if t.note]
    notes += _partner_note(data, labels, by)
    return make_table(rows, title=f"equity lens: effects by {by}, run '{saved.name}'",
                      scope=theme.pop("scope"), notes=notes, run=saved.name, by=by,
                      theme=theme, interaction={o: t.to_dict() for o, t in tests.items()})


def _partner_note(data, labels: np.ndarray, by: str) -> list[str]:
    """How many matched controls differ from their treated partner on the subgroup variable."""
    row_of = {str(i): r for r, i in enumerate(data.ids)}
    links = [(row_of[t], row_of[c]) for t, c, _, _ in data.pairs if t in row_of and c in row_of]
    differ = sum(labels[t] != labels[c] for t, c in links)
    if not differ:
        return []
    return [f"{differ} of {len(links)} matched controls differ from their treated partner on "
            f"'{by}' (it was not matched exactly); for a strictly within-subgroup comparison "
            f"match again with --exact {by}"]


def _theme(store: Store, code: str | None, coders, documents, quotes: int) -> dict:
    """The theme's prevalence and quotes by speaker role."""
    corpus = load_corpus(store, choose_scope(store, coders, documents))
    name = code or DEFAULT_THEME
    try:
        j = corpus.code_index(name, option="code")
    except InputError:
        if code is None:
            raise InputError(f"no code named '{DEFAULT_THEME}' in this codebook: name the theme "
                             "to show with --code") from None
        raise
    finder = QuoteFinder(store, corpus)
    prevalence = finder.prevalence(j)
    by_role = {role: [q.to_dict() for q in finder.quotes(j, limit=quotes, role=role)]
               for role in sorted(prevalence["roles"])}
    return {"code": corpus.codes[j].name, "prevalence": prevalence["text"],
            "roles": prevalence["roles"], "quotes_by_role": by_role,
            "scope": corpus.scope.describe()}
