"""Sections 5-7: emergent themes, outcomes, and their integration (joint display, quote
matrix, equity lens). Every number is the saved run's or an ``integrate`` call's."""

from __future__ import annotations

import math

from qualkit.errors import QualkitError
from qualkit.report.context import Context
from qualkit.report.model import (
    Bullets,
    Heading,
    Paragraph,
    Section,
    Table,
    ci,
    num,
    pvalue,
    share,
)


def themes(ctx: Context) -> Section:
    from qualkit.topics import topic_report

    section = Section("themes", "5. Emergent themes")
    try:
        report = topic_report(ctx.store, ctx.options.topic_run)
    except QualkitError as error:
        if ctx.options.topic_run is not None:
            raise
        return section.missing(f"No topic run: {error}.")
    run, stats = report.run, report.run.stats
    ctx.cited["topics"] = run
    section.add(Paragraph(
        f"Topic run {run.id} ({run.created_at[:10]}): {stats.get('topics', len(report.topics))} "
        f"topics from {stats.get('units', '?'):,} units ({stats.get('outliers', 0):,} outliers), "
        f"model {run.model}, seed {run.seed}, minimum topic size "
        f"{run.params.get('min_topic_size')}. A topic is a candidate new theme when its "
        f"closest code's similarity is below {run.params.get('similarity_threshold')} or coders "
        f"coded less than {share(run.params.get('coverage_threshold'))} of it with that code."))
    rows = tuple(
        (str(t.row.topic), ", ".join(t.row.keywords[:6]), str(t.row.size),
         t.row.code_name or "–", num(t.row.similarity), share(t.row.coverage),
         "yes" if t.row.candidate else "no", _decision(t.row))
        for t in report.topics)
    section.add(Table("Topics, their closest code and what coders decided",
                      ("Topic", "Keywords", "Units", "Closest code", "Similarity", "Coverage",
                       "Candidate", "Decision"), rows, numeric=(0, 2, 4, 5)))
    promoted = [t for t in report.topics if t.row.status == "promoted"]
    ctx.findings.append(
        f"Emergent themes: {len(report.topics)} topics, {len(report.candidates)} candidate new "
        f"theme(s); promoted to the codebook: "
        f"{', '.join(t.row.target_code_name or '?' for t in promoted) or 'none'}.")
    section.add(Heading("Promoted to the codebook"))
    if not promoted:
        section.add(Paragraph("No topic of this run was promoted to a code.", "missing"))
    for topic in promoted:
        section.add(Paragraph(f"Topic {topic.row.topic} became the emergent code "
                              f"“{topic.row.target_code_name}” "
                              f"(keywords: {', '.join(topic.row.keywords[:6])})."))
        section.add(*(ctx.quote({"text": q.text, "document": q.document, "speaker": q.speaker})
                      for q in topic.quotes[:2]))
    return section


def _decision(row) -> str:
    if row.status == "promoted":
        return f"promoted: {row.target_code_name}"
    if row.status == "mapped":
        return f"mapped to {row.target_code_name}"
    return row.status


def pick_run(ctx: Context):
    """The run to report: ``--run`` (an error if unknown), else the latest saved one."""
    from qualkit.integrate import saved_run

    name = ctx.options.run
    if name is None:
        runs = ctx.store.runs.outcome_runs()
        if not runs:
            return None
        name = runs[-1].name
    return saved_run(ctx.store, name)


def outcomes(ctx: Context, run) -> Section:
    from qualkit.report import plots

    section = Section("outcomes", "6. Outcomes")
    if run is None:
        return section.missing("No saved match run: run `qualkit outcomes match DATA ... --save "
                               "PROJECT --name NAME` to add the outcome evaluation.")
    ctx.cited["run"] = run
    result, params = run.result, run.params
    section.add(Paragraph(
        f"Run “{run.name}” ({run.created_at[:10]}): {result['n_treated_matched']} of "
        f"{result['n_treated']} treated matched to {result['n_control_matched']} of "
        f"{result['n_control']} controls ({result.get('method', 'nearest neighbour')}). "
        f"Covariates: {', '.join(params.get('covariates', []))}."))
    balance = result["balance"]
    section.add(Heading("Balance"))
    section.add(Table("Covariate balance before and after matching (standardised mean "
                      "differences and variance ratios)",
                      ("Covariate", "SMD before", "SMD after", "Var. ratio before",
                       "Var. ratio after"),
                      tuple((b["covariate"], num(b["smd_before"], 3), num(b["smd_after"], 3),
                             num(b["var_ratio_before"]), num(b["var_ratio_after"]))
                            for b in balance), numeric=(1, 2, 3, 4)))
    worst = max(balance, key=lambda b: abs(b["smd_after"] or 0), default=None)
    alt = (f"Love plot of {len(balance)} covariates: absolute standardised mean difference "
           "before matching (open circles) and after (filled squares), dashed line at 0.1. "
           + (f"After matching the largest is {worst['covariate']} at "
              f"{abs(worst['smd_after'] or 0):.3f}." if worst else ""))
    section.add(ctx.figure(lambda: plots.love_plot(
        [b["covariate"] for b in balance], [b["smd_before"] or 0 for b in balance],
        [b["smd_after"] or 0 for b in balance]), caption="Love plot", alt=alt))
    _effects(ctx, section, result["effects"])
    return section


def _effects(ctx: Context, section: Section, effects: list[dict]) -> None:
    from qualkit.report import plots

    section.add(Heading("Effects on the treated (ATT)"))
    rows = tuple((e["outcome"], num(e["mean_treated"]), num(e["mean_control"]),
                  num(e["estimate"]), ci(e["ci_low"], e["ci_high"]), pvalue(e["p"]),
                  num(e.get("rate_ratio")), ci(e.get("rr_ci_low"), e.get("rr_ci_high")),
                  pvalue(e.get("rr_p"))) for e in effects)
    section.add(Table("Outcome effects: difference in means and rate ratio with 95 % CIs",
                      ("Outcome", "Mean treated", "Mean control", "Difference", "95 % CI", "p",
                       "Rate ratio", "RR 95 % CI", "RR p"), rows,
                      numeric=(1, 2, 3, 4, 5, 6, 7, 8),
                      note="Estimators: " + "; ".join(sorted({e["estimator"] for e in effects
                                                               if e.get("estimator")}))))
    ratios = [e for e in effects if _finite(e.get("rate_ratio"))]
    ctx.findings.append("Outcomes (ATT, matched): " + "; ".join(
        f"{e['outcome']} rate ratio {num(e['rate_ratio'])} ({ci(e['rr_ci_low'], e['rr_ci_high'])})"
        if e in ratios else f"{e['outcome']} {num(e['estimate'])} "
        f"({ci(e['ci_low'], e['ci_high'])})" for e in effects) + ".")
    if ratios:
        names = [e["outcome"] for e in ratios]
        points = [e["rate_ratio"] for e in ratios]
        lows = [e["rr_ci_low"] for e in ratios]
        highs = [e["rr_ci_high"] for e in ratios]
        alt = ("Forest plot of rate ratios with 95 % intervals on a log axis, line at 1 (no "
               "effect): " + "; ".join(f"{n} {p:.2f} ({lo:.2f} to {hi:.2f})"
                                       for n, p, lo, hi in zip(names, points, lows, highs,
                                                              strict=True)) + ".")
        section.add(ctx.figure(lambda: plots.forest_plot(names, points, lows, highs, log=True,
                                                         label="rate ratio (log scale)"),
                               caption="Rate ratios of the outcomes (count outcomes)", alt=alt))
    else:
        names = [e["outcome"] for e in effects]
        alt = "Forest plot of differences in means with 95 % intervals, line at 0."
        section.add(ctx.figure(lambda: plots.forest_plot(
            names, [e["estimate"] for e in effects], [e["ci_low"] for e in effects],
            [e["ci_high"] for e in effects], log=False, label="difference in means"),
            caption="Differences in means of the outcomes", alt=alt))


def _finite(value) -> bool:
    return value is not None and math.isfinite(value) and value > 0


def integration(ctx: Context, run) -> Section:
    from qualkit import integrate

    section = Section("integration", "7. Integration")
    if run is None:
        return section.missing("No saved match run, so no joint display: save a run with "
                               "`qualkit outcomes match ... --save`.")
    scope = list(ctx.options.scope) if ctx.options.scope else None
    try:
        joint = integrate.joint_display(ctx.store, run.name, links=ctx.options.links,
                                        coders=scope)
    except QualkitError as error:
        if ctx.options.links is not None:
            raise
        return section.missing(f"No joint display: {error}")
    section.add(Heading("Joint display"))
    section.add(Paragraph(f"Themes counted from the codings of {joint.attrs['coders']}; "
                          + "; ".join(joint.attrs["notes"]) + ".", "note"))
    linked = []
    for row in joint.itertuples():
        effect = (f"{num(row.estimate)} ({ci(row.ci_low, row.ci_high)}), p {pvalue(row.p)}"
                  + (f"; rate ratio {num(row.rate_ratio)}" if _finite(row.rate_ratio) else ""))
        section.add(Heading(f"{row.outcome}: {row.fit or 'not linked'}"))
        section.add(Table(f"Joint display row: {row.outcome}", ("Strand", "Finding"), (
            ("Effect (ATT)", effect),
            ("Themes", "; ".join(f"{t['code']}: {t['prevalence']}" for t in row.themes) or "–"),
            ("Fit", row.fit or "–"),
            ("Meta-inference", row.meta_inference or "–"))))
        for theme in row.themes:
            linked.append(theme["code"])
            section.add(*(ctx.quote(q, theme=theme["code"]) for q in theme["quotes"][:2]))
    fits = joint["fit"].dropna().value_counts()
    if len(fits):
        ctx.findings.append("Integration (joint display): " + ", ".join(
            f"{n} {fit}" for fit, n in sorted(fits.items())) + " across the run's outcomes.")
    if not linked:
        section.missing("No themes are linked to this run's outcomes: pass --links links.yaml "
                        "or link them in `qualkit joint`.")
    _quote_matrix(ctx, section, run, list(dict.fromkeys(linked)), scope)
    _equity(ctx, section, run, scope)
    return section


def _quote_matrix(ctx: Context, section: Section, run, codes, scope) -> None:
    from qualkit import integrate

    section.add(Heading("Themes by speaker role"))
    matrix = integrate.quote_matrix(ctx.store, codes=codes or None, run=run.name, by="role",
                                    coders=scope, quotes=1)
    roles = list(matrix.columns)
    rows = []
    for code, cells in matrix.iterrows():
        for role in roles:
            for q in cells[role]:
                quote = ctx.quote(q)
                rows.append((str(code), role, f"“{quote.text}” ({quote.source})"))
    section.add(Table("Theme × speaker role quote matrix (one quote per cell; empty cells "
                      "left out)", ("Theme", "Role", "Quote"), tuple(rows)))


def _equity(ctx: Context, section: Section, run, scope) -> None:
    from qualkit import integrate

    by = ctx.options.equity_by
    section.add(Heading(f"Equity lens: effects by {by}"))
    try:
        table = integrate.equity(ctx.store, run.name, by, code=ctx.options.equity_code,
                                 coders=scope, quotes=1)
    except QualkitError as error:
        section.missing(f"No equity lens: {error}")
        return
    rows = tuple((r.outcome, str(r.subgroup), str(r.n_treated_matched), num(r.estimate),
                  ci(r.ci_low, r.ci_high), pvalue(r.p), num(r.rate_ratio),
                  r.status if r.status != "ok" else "")
                 for r in table.itertuples())
    section.add(Table(f"Effects by {by} (treated people with their matched controls)",
                      ("Outcome", by.capitalize(), "Treated", "Difference", "95 % CI", "p",
                       "Rate ratio", "Note"), rows, numeric=(2, 3, 4, 5, 6),
                      note="; ".join(table.attrs["notes"])))
    tests = table.attrs["interaction"]
    section.add(Table("Does the effect differ between subgroups? Wald test of treat × "
                      f"{by}", ("Outcome", "χ²", "df", "p"),
                      tuple((o, num(t["chi2"]), str(t["df"]), pvalue(t["p"]))
                            for o, t in tests.items()), numeric=(1, 2, 3)))
    theme = table.attrs["theme"]
    section.add(Paragraph(f"{theme['code']}: {theme['prevalence']}."))
    section.add(Bullets(tuple(f"{role}: “{ctx.quote(qs[0]).text}”"
                              for role, qs in theme["quotes_by_role"].items() if qs)))

