"""Sections 1-4: summary, codebook, coding coverage and saturation, inter-rater agreement."""

from __future__ import annotations

from collections import Counter

from qualkit.errors import QualkitError
from qualkit.report.context import Context
from qualkit.report.model import Bullets, Heading, Paragraph, Section, Table, ci, num, share


def summary(ctx: Context) -> Section:
    from qualkit.status import project_status

    store = ctx.store
    status = project_status(store)
    section = Section("summary", "1. Summary")
    roles: Counter[str] = Counter()
    for document in store.documents.list():
        for role in store.documents.speakers(document.id).values():
            roles[role or "no role given"] += 1
    rows = [("Documents", f"{status['documents']:,}"), ("Segments (coding units)",
            f"{status['segments']:,}"), ("Codes", f"{status['codes']:,}"),
            ("Coders", f"{status['coders']:,}"), ("Codings", f"{status['codings']:,}"),
            ("Memos", f"{status.get('memos', 0):,}")]
    section.add(Table("The project at a glance", ("What", "Count"), tuple(rows), numeric=(1,)))
    if status["documents"] == 0:
        return section.missing("No transcripts yet: import them with `qualkit import`.")
    speakers = sorted(roles.items(), key=lambda kv: (-kv[1], kv[0]))
    section.add(Table("Speakers by role (a speaker is a label in one document)",
                      ("Role", "Speakers"), tuple((r, str(n)) for r, n in speakers),
                      numeric=(1,)))
    completion = tuple(
        (c["coder"], c["kind"], f"{c['codings']:,}", f"{c['done']} of {status['documents']}",
         f"{c['coded_segments_pct']:.1f} %")
        for c in status["completion"])
    if completion:
        section.add(Table("Coders and completion", ("Coder", "Kind", "Codings",
                                                    "Documents done", "Segments coded"),
                          completion, numeric=(2, 3, 4)))
    else:
        section.missing("No codings yet: code in `qualkit code` or `qualkit codings import`.")
    return section


def codebook(ctx: Context) -> tuple[Section, Section]:
    """The tree with definitions, and the appendix with include / exclude / example."""
    codes = ctx.store.codes.list()
    section = Section("codebook", "2. Codebook")
    appendix = Section("codebook-appendix", "Appendix A. Codebook definitions in full")
    if not codes:
        section.missing("No codebook yet: load one with `qualkit codebook PROJECT --load FILE`.")
        appendix.missing("No codebook yet.")
        return section, appendix
    depth = _depths(codes)
    rows = tuple(("\u2003" * depth[c.id] + c.name, _origin(c), c.description or "–")
                 for c in codes)
    section.add(Paragraph(f"{len(codes)} codes ({sum(1 for c in codes if c.parent_id is None)} "
                          "top-level); sub-codes are indented under their parent. The full "
                          "include / exclude rules and examples are in Appendix A."),
                Table("The code tree with definitions", ("Code", "Origin", "Definition"),
                      rows))
    for code in codes:
        appendix.add(Heading(code.name))
        appendix.add(Bullets(tuple(f"{label}: {value}" for label, value in (
            ("Definition", code.description), ("Use when", code.include),
            ("Do not use when", code.exclude), ("Example", code.example)) if value)
            or ("No definition written yet.",)))
    return section, appendix


def _depths(codes) -> dict[int, int]:
    parent = {c.id: c.parent_id for c in codes}
    depth = {}
    for c in codes:
        d, p = 0, c.parent_id
        while p is not None and d < 20:
            d, p = d + 1, parent.get(p)
        depth[c.id] = d
    return depth


def _origin(code) -> str:
    if code.origin == "emergent":
        run = code.origin_detail.get("run") if code.origin_detail else None
        return f"emergent (topic run {run})" if run else "emergent"
    return code.origin


def coverage(ctx: Context) -> Section:
    from qualkit import integrate
    from qualkit.report import plots

    section = Section("coverage", "3. Coding coverage and saturation")
    scope = list(ctx.options.scope) if ctx.options.scope else None
    try:
        matrix = integrate.code_matrix(ctx.store, by="document", measure="count", coders=scope)
    except QualkitError as error:
        return section.missing(f"No coverage to show: {error}")
    codes = matrix.attrs["codes"]
    section.add(Paragraph(f"Counted: codings of {matrix.attrs['coders']} in "
                          f"{len(matrix.attrs['documents'])} documents. "
                          + "; ".join(matrix.attrs["notes"]) + "."))
    counts = matrix[codes]
    per_code = tuple(
        (name, str(int((counts[name] > 0).sum())), f"{int(counts[name].sum()):,}")
        for name in codes)
    shown = matrix.head(ctx.options.heatmap_rows)
    names = shown["document"].tolist()
    values = shown[codes].to_numpy().tolist()
    caption = "Codings per document and code"
    if len(matrix) > len(shown):
        caption += f" (the first {len(shown)} of {len(matrix)} documents)"
    busiest = max(per_code, key=lambda r: int(r[2].replace(",", "")), default=None)
    alt = (f"Heat map of {len(codes)} codes (columns) by {len(shown)} documents (rows); darker "
           f"cells hold more codings and each cell prints its count. "
           + (f"The most used code is {busiest[0]} with {busiest[2]} codings." if busiest else ""))
    section.add(ctx.figure(lambda: plots.heatmap(names, codes, values, label="codings"),
                           caption=caption, alt=alt))
    section.add(Table("Coverage per code", ("Code", "Documents coded", "Codings"), per_code,
                      numeric=(1, 2)))
    _saturation(ctx, section, scope)
    return section


def _saturation(ctx: Context, section: Section, scope) -> None:
    from qualkit import integrate
    from qualkit.report import plots

    section.add(Heading("Thematic saturation"))
    table = integrate.saturation(ctx.store, coders=scope)
    results = table.attrs["saturation"]
    ctx.cited["saturation"] = {k: table.attrs[k] for k in ("base", "run", "threshold")}
    section.add(Bullets(tuple(f"{r['order']}: {r['status']}" for r in results)))
    curves = []
    for result in results:
        part = table[table["order"] == result["order"]]
        if len(part):
            curves.append((result["order"], part["position"].tolist(),
                           part["cumulative"].tolist(), result["point"]))
    if not curves:
        section.missing("No saturation curve: no coded documents in the scope.")
        return
    main = results[0]
    ctx.findings.append(f"Thematic saturation ({main['order']}): {main['status']}.")
    alt = (f"Line chart of distinct codes found against documents coded, "
           f"{len(curves)} order(s). In interview order: {main['status']}.")
    section.add(ctx.figure(lambda: plots.saturation_curves(curves),
                           caption="Saturation curve (Guest, Namey & Chen 2020)", alt=alt))
    main_rows = table[table["order"] == results[0]["order"]]
    section.add(Table(
        "New codes by document, in interview order",
        ("#", "Document", "Date", "New codes", "Cumulative", "Run share"),
        tuple((str(r.position), r.document, r.date or "–", str(r.new), str(r.cumulative),
               share(None if r.run_share != r.run_share else r.run_share))
              for r in main_rows.itertuples()), numeric=(0, 3, 4, 5), row_headers=False))


def agreement(ctx: Context) -> Section:
    from qualkit.agreement import project_agreement
    from qualkit.agreement.project import RELIABLE, TENTATIVE

    section = Section("agreement", "4. Inter-rater agreement")
    opts = ctx.options
    try:
        result = project_agreement(ctx.store, coders=list(opts.coders) if opts.coders else None,
                                   n_boot=opts.n_boot, seed=opts.seed)
    except QualkitError as error:
        return section.missing(f"No agreement to report: {error}")
    ctx.cited["agreement"] = {"unit": result.unit, "overlap": result.overlap,
                              "coders": list(result.coders), "n_boot": opts.n_boot,
                              "seed": opts.seed}
    two = len(result.coders) == 2
    pooled = result.pooled
    ctx.findings.append(
        f"Inter-rater agreement ({', '.join(result.coders)}, {len(result.documents)} "
        f"documents): pooled Krippendorff's α = {num(pooled.summary.krippendorff_alpha, 3)} "
        f"({pooled.reliability or 'undefined'}); "
        f"{sum(r.reliability == 'reliable' for r in result.codes)} of {len(result.codes)} "
        "codes reliable (α ≥ 0.800).")
    kappa = "cohen_kappa" if two else "fleiss_kappa"
    section.add(Paragraph(
        f"Coders compared: {', '.join(result.coders)}, on the {len(result.documents)} "
        f"document(s) every one of them marked done: {', '.join(result.documents)}. Unit: "
        f"{result.unit} ({result.n_units:,} per code). Thresholds for Krippendorff's α: "
        f"reliable ≥ {RELIABLE:.3f} (✓), tentative ≥ {TENTATIVE:.3f} (~), below that "
        "unreliable (✗)."))
    columns = ["Code", *(f"Applied: {c}" for c in result.coders), "% agreement",
               "Cohen's κ" if two else "Fleiss' κ", "Krippendorff's α", "Gwet's AC1", "Reading"]
    with_ci = opts.n_boot > 0
    if with_ci:
        columns.insert(len(columns) - 1, f"α {result.pooled.summary.ci_level:.0%} CI")
    rows = []
    for row in (*result.codes, result.pooled):
        s = row.summary
        cells = [row.code, *(str(a) for a in row.applied), share(s.percent_agreement),
                 num(getattr(s, kappa), 3), num(s.krippendorff_alpha, 3), num(s.gwet_ac1, 3)]
        if with_ci:
            interval = s.interval("krippendorff_alpha")
            cells.append(ci(interval.low, interval.high, 3) if interval else "–")
        cells.append(f"{row.mark} {row.reliability or 'undefined'}")
        rows.append(tuple(cells))
    section.add(Table("Agreement per code; the last row pools every code's decisions",
                      tuple(columns), tuple(rows),
                      numeric=tuple(range(1, len(columns) - 1))))
    if not with_ci:
        section.add(Paragraph("No bootstrap was run, so there are no confidence intervals "
                              "(add --bootstrap N --seed S).", "note"))
    if result.left_out:
        section.add(Paragraph(f"{len(result.left_out)} document(s) left out: "
                              + "; ".join(f"{x.document} ({x.reason})"
                                          for x in result.left_out[:12]), "note"))
    return section
