"""Mixed-methods integration: the coded themes meet the matched outcome effects.

Every table is one call that returns a pandas DataFrame whose ``attrs`` say what it counts
(``coders``: one coder, ``consensus`` or ``union of ...``; ``documents``; ``notes``)::

    from qualkit.store import Store
    from qualkit import integrate

    with Store.open("lead.qualkit") as store:
        # quantitizing
        integrate.code_matrix(store, by="document", measure="presence", rollup=True)
        integrate.crosstab(store, "site", unit="document")
        integrate.cooccurrence(store, unit="segment")
        integrate.saturation(store, base=4, run=2, threshold=0.05)
        # themes and outcomes (a run saved with `qualkit outcomes match --save`)
        integrate.save_links(store, "nn", "links.yaml")          # validated, stored, audited
        integrate.joint_display(store, "nn")
        integrate.quote_matrix(store, run="nn", by="role")
        integrate.group_view(store, "nn", documents_attr="site", outcomes_attr="district",
                             mapping={"Eastside precinct": ("Eastside",)})
        integrate.case_table(store, "nn")
        integrate.case_outcomes(store, "nn")
        integrate.equity(store, "nn", "race", code="Bias concerns")

    integrate.write_table(df, "table.xlsx", "xlsx")     # json, csv, xlsx, markdown (0600)
    integrate.saturation_plot(df, "saturation.png")     # writes .png and .svg

Common keyword options: ``coders`` (names; several = union), ``documents`` (names). The scope
(:func:`choose_scope`) counts only documents its coders coded in or marked done, and lists the
others in ``attrs["documents_left_out"]``.

Modules: ``corpus`` (scope, arrays), ``quantitize`` (matrices, co-occurrence), ``crosstab`` and
``stats`` (tests), ``saturation``, ``links`` (``links.yaml``), ``runs`` (saved runs, links),
``quotes`` (exemplars, prevalence), ``joint`` (joint display, quote matrix), ``groups``
(group level), ``cases`` (case level), ``equity``, ``tables`` (provenance, writers).
"""

from __future__ import annotations

from qualkit.integrate.cases import case_outcomes, case_table
from qualkit.integrate.corpus import Scope, choose_scope, load_corpus
from qualkit.integrate.crosstab import crosstab
from qualkit.integrate.equity import equity
from qualkit.integrate.groups import group_view
from qualkit.integrate.joint import joint_display, quote_matrix
from qualkit.integrate.links import FITS, load_links, parse_links
from qualkit.integrate.quantitize import code_matrix, cooccurrence
from qualkit.integrate.runs import current_links, matched, save_links, saved_run
from qualkit.integrate.saturation import saturation, saturation_plot, saturation_point
from qualkit.integrate.stats import independence_test
from qualkit.integrate.tables import FORMATS, to_json, to_markdown, write_table

__all__ = [
    "FITS",
    "FORMATS",
    "Scope",
    "case_outcomes",
    "case_table",
    "choose_scope",
    "code_matrix",
    "cooccurrence",
    "crosstab",
    "current_links",
    "equity",
    "group_view",
    "independence_test",
    "joint_display",
    "load_corpus",
    "load_links",
    "matched",
    "parse_links",
    "quote_matrix",
    "saturation",
    "saturation_plot",
    "saturation_point",
    "save_links",
    "saved_run",
    "to_json",
    "to_markdown",
    "write_table",
]
